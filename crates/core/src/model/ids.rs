//! Numeric identifiers and timestamps.

use std::fmt;

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

/// `n`'s last `N` decimal digits, zero-padded.
fn digits<const N: usize>(mut n: u32) -> [u8; N] {
    let mut out = [b'0'; N];
    for slot in out.iter_mut().rev() {
        *slot = b'0' + u8::try_from(n % 10).unwrap_or(0);
        n /= 10;
    }
    out
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
        match self.civil() {
            Some([year, month, day, hour, minute, second]) => {
                let text = [
                    &digits::<4>(year)[..],
                    b"-",
                    &digits::<2>(month),
                    b"-",
                    &digits::<2>(day),
                    b"T",
                    &digits::<2>(hour),
                    b":",
                    &digits::<2>(minute),
                    b":",
                    &digits::<2>(second),
                    b"Z",
                ]
                .concat();
                String::from_utf8(text).unwrap_or_default()
            }
            None => self.iso8601_by_chrono(),
        }
    }

    /// [`Timestamp::to_iso8601`] through chrono, for any year it knows (1970 for the
    /// rest).
    fn iso8601_by_chrono(self) -> String {
        use chrono::{Datelike, Timelike};
        let t = chrono::DateTime::from_timestamp_millis(self.0).unwrap_or_default();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }

    /// Year, month, day, hour, minute and second in UTC, for the years 0 to 9999 (the
    /// proleptic Gregorian calendar, days counted as in Howard Hinnant's
    /// `civil_from_days`); `None` outside them.
    fn civil(self) -> Option<[u32; 6]> {
        let seconds = self.0.div_euclid(1000);
        let days = seconds.div_euclid(86_400);
        let of_day = seconds.rem_euclid(86_400);
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
        let month = if shifted_month < 10 {
            shifted_month + 3
        } else {
            shifted_month - 9
        };
        let year = era
            .checked_mul(400)?
            .checked_add(year_of_era + i64::from(month <= 2))?;
        if !(0..=9999).contains(&year) {
            return None;
        }
        let part = |n: i64| u32::try_from(n).ok();
        Some([
            part(year)?,
            part(month)?,
            part(day)?,
            part(of_day / 3600)?,
            part(of_day / 60 % 60)?,
            part(of_day % 60)?,
        ])
    }

    /// RFC 3339 in UTC with millisecond precision: `yyyy-MM-ddTHH:mm:ss.SSSZ`.
    pub fn to_rfc3339_millis(self) -> String {
        let iso = self.to_iso8601();
        let base = iso.strip_suffix('Z').unwrap_or(&iso);
        format!("{base}.{:03}Z", self.0.rem_euclid(1000))
    }

    /// The wall clock, now.
    pub fn now() -> Self {
        Self(chrono::Utc::now().timestamp_millis())
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
    fn iso8601_agrees_with_chrono_across_the_calendar() {
        // From year 0 to 9999 (and past both ends, where the slow path answers), in
        // steps that land on every day of the year and every time of day over the run.
        let first = -62_167_219_200_000_i64 - 86_400_000;
        let last = 253_402_300_799_000_i64 + 86_400_000;
        let mut millis = first;
        while millis <= last {
            let t = Timestamp(millis);
            assert_eq!(t.to_iso8601(), t.iso8601_by_chrono(), "{millis}");
            millis += 86_400_000 * 29 + 3_723_457;
        }
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
