//! Numeric identifiers and timestamps.

use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

macro_rules! numeric_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

numeric_id!(
    /// An NCS namespace: a tenant's space for stateful workloads. Positive.
    NamespaceId
);
numeric_id!(
    /// A workload, unique across the whole backend, positive, never reused.
    WorkloadId
);
numeric_id!(
    /// A pod (instance), unique across the whole backend, positive, never reused.
    PodId
);
numeric_id!(
    /// A container instance of a pod, unique across the whole backend, never reused.
    ContainerId
);

impl ContainerId {
    /// The runtime's id of this container, as a container runtime would print it
    /// (64 hexadecimal digits). Derived from the numeric id, so it is unique too.
    pub fn runtime_id(self) -> String {
        let mixed = self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
        format!(
            "{:016x}{:016x}{:016x}{:016x}",
            mixed,
            self.0,
            mixed.rotate_left(17),
            mixed.rotate_left(41)
        )
    }

    /// Parses a runtime id made by [`ContainerId::runtime_id`] back into the numeric id.
    pub fn from_runtime_id(runtime_id: &str) -> Option<Self> {
        if runtime_id.len() != 64 || !runtime_id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let id = u64::from_str_radix(runtime_id.get(16..32)?, 16).ok()?;
        let candidate = Self(id);
        (candidate.runtime_id() == runtime_id.to_ascii_lowercase()).then_some(candidate)
    }
}

/// A point in time: milliseconds since the Unix epoch, UTC.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The timestamp `millis` milliseconds later (saturating).
    pub fn plus_millis(self, millis: i64) -> Self {
        Self(self.0.saturating_add(millis))
    }

    /// Whole seconds since the epoch.
    pub fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// ISO-8601 in UTC with second precision: `yyyy-MM-ddTHH:mm:ssZ`.
    pub fn to_iso8601(self) -> String {
        self.utc().to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// RFC 3339 in UTC with millisecond precision: `yyyy-MM-ddTHH:mm:ss.SSSZ`.
    pub fn to_rfc3339_millis(self) -> String {
        self.utc().to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// The point in chrono's terms (the epoch for one beyond chrono's range).
    fn utc(self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.0).unwrap_or_default()
    }

    /// The wall clock, now.
    pub fn now() -> Self {
        Self(Utc::now().timestamp_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_id_round_trips_and_rejects_others() {
        for id in [1, 2, 42, u64::MAX] {
            let rid = ContainerId(id).runtime_id();
            assert_eq!(rid.len(), 64);
            assert_eq!(ContainerId::from_runtime_id(&rid), Some(ContainerId(id)));
        }
        assert_ne!(ContainerId(1).runtime_id(), ContainerId(2).runtime_id());
        assert_eq!(ContainerId::from_runtime_id("abc"), None);
        assert_eq!(ContainerId::from_runtime_id(&"0".repeat(64)), None);
    }

    #[test]
    fn iso8601_has_second_precision() {
        assert_eq!(
            Timestamp(1_535_444_200_999).to_iso8601(),
            "2018-08-28T08:16:40Z"
        );
        assert_eq!(Timestamp(0).to_iso8601(), "1970-01-01T00:00:00Z");
        assert_eq!(Timestamp(-1).to_iso8601(), "1969-12-31T23:59:59Z");
        assert_eq!(
            Timestamp(951_782_400_000).to_iso8601(),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(
            Timestamp(1_570_674_242_325).to_rfc3339_millis(),
            "2019-10-10T02:24:02.325Z"
        );
    }
}
