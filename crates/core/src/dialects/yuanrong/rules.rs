//! openYuanrong pod pool rules (SPEC §1).

use std::collections::BTreeMap;

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerSpec;
use k8s_openapi::api::core::v1::{
    Affinity, Toleration, TopologySpreadConstraint, Volume, VolumeMount,
};
use serde::de::DeserializeOwned;
use validator::ValidationError;

use super::definition::{GROUP_LABEL, POOL_LABEL, autoscaler_of};
use super::wire::{IdleRecycleIn, ResourcesIn};
use crate::validate::{self, Check};

fn id_like(value: &str, lower_only: bool) -> bool {
    let bytes = value.as_bytes();
    let alnum = |b: &u8| {
        if lower_only {
            b.is_ascii_lowercase() || b.is_ascii_digit()
        } else {
            b.is_ascii_alphanumeric()
        }
    };
    matches!((bytes.first(), bytes.last()), (Some(f), Some(l)) if alnum(f) && alnum(l))
        && bytes.len() <= 40
        && bytes.iter().all(|b| alnum(b) || *b == b'-')
}

/// A pool id: `^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$`.
pub fn pool_id(value: &str) -> Check {
    if id_like(value, true) {
        Ok(())
    } else {
        Err(format!(
            "id must match ^[a-z0-9]([-a-z0-9]{{0,38}}[a-z0-9])?$, got {value:?}"
        ))
    }
}

/// A pool group: `^[a-zA-Z0-9]([-a-zA-Z0-9]{0,38}[a-zA-Z0-9])?$`.
pub fn pool_group(value: &str) -> Check {
    if id_like(value, false) {
        Ok(())
    } else {
        Err(format!(
            "group must match ^[a-zA-Z0-9]([-a-zA-Z0-9]{{0,38}}[a-zA-Z0-9])?$, got {value:?}"
        ))
    }
}

/// Sizes: `max_size >= size` (after `max_size` defaulted to `size`; each field's own
/// range is a field rule).
pub fn sizes(size: i64, max_size: i64) -> Check {
    if max_size < size {
        Err(format!(
            "max_size must be >= size, got max_size {max_size} and size {size}"
        ))
    } else {
        Ok(())
    }
}

/// An idle recycle time: `>= -1` (-1 never, 0 not configured).
pub fn idle_time(value: i64) -> Check {
    if value >= -1 {
        Ok(())
    } else {
        Err(format!("idle_recycle_time must be >= -1, got {value}"))
    }
}

// ---- the rules as field rules (`#[validate(custom(...))]` on the wire types) ----------

/// Every reason of `checks`, joined as the vendor joins them (`;`).
fn all(checks: impl IntoIterator<Item = Check>) -> Result<(), ValidationError> {
    let reasons: Vec<String> = checks.into_iter().filter_map(Result::err).collect();
    validate::rule(if reasons.is_empty() {
        Ok(())
    } else {
        Err(reasons.join(";"))
    })
}

validate::field_rules! {
    pool_id_field => pool_id(&str);
}

/// [`pool_group`] as a field rule; empty is the `default` group.
pub fn pool_group_field(value: &str) -> Result<(), ValidationError> {
    validate::rule(if value.is_empty() {
        Ok(())
    } else {
        pool_group(value)
    })
}

/// `labels`: the pool and group labels are the system's.
pub fn labels_field(labels: &BTreeMap<String, String>) -> Result<(), ValidationError> {
    validate::rule(
        if labels.keys().any(|k| k == POOL_LABEL || k == GROUP_LABEL) {
            Err(format!(
                "labels {POOL_LABEL} and {GROUP_LABEL} are the system's"
            ))
        } else {
            Ok(())
        },
    )
}

/// `resources`: every request and limit a quantity.
pub fn resources_field(resources: &ResourcesIn) -> Result<(), ValidationError> {
    let requests = resources.requests.iter().flatten().map(|m| ("requests", m));
    let limits = resources.limits.iter().flatten().map(|m| ("limits", m));
    all(requests.chain(limits).map(|(field, (k, v))| {
        validate::quantity(v)
            .map(drop)
            .map_err(|e| format!("resources.{field}.{k} {e}"))
    }))
}

/// `idle_recycle_time`: both times [`idle_time`]s.
pub fn idle_recycle_field(idle: &IdleRecycleIn) -> Result<(), ValidationError> {
    all([idle.reserved, idle.scaled]
        .into_iter()
        .flatten()
        .map(idle_time))
}

/// Why `field` does not hold a JSON `T`.
fn not_json<T>(field: &str, e: &serde_json::Error) -> String {
    let name = std::any::type_name::<T>()
        .rsplit("::")
        .next()
        .unwrap_or("object");
    format!("{field} is not a valid {name}: {e}")
}

/// Why `text` (the field `field`) is not a JSON `T`, if it is not; blank is absent.
fn json_of<T: DeserializeOwned>(text: &str, field: &str) -> Check {
    if text.trim().is_empty() {
        return Ok(());
    }
    serde_json::from_str::<T>(text)
        .map(drop)
        .map_err(|e| not_json::<T>(field, &e))
}

/// `volumes`: a JSON array of Kubernetes Volumes.
pub fn volumes_field(text: &str) -> Result<(), ValidationError> {
    validate::rule(json_of::<Vec<Volume>>(text, "volumes"))
}

/// `volume_mounts`: a JSON array of Kubernetes VolumeMounts.
pub fn volume_mounts_field(text: &str) -> Result<(), ValidationError> {
    validate::rule(json_of::<Vec<VolumeMount>>(text, "volume_mounts"))
}

/// `affinities`: a JSON Kubernetes Affinity.
pub fn affinities_field(text: &str) -> Result<(), ValidationError> {
    validate::rule(json_of::<Affinity>(text, "affinities"))
}

/// `tolerations`: a JSON array of Kubernetes Tolerations.
pub fn tolerations_field(text: &str) -> Result<(), ValidationError> {
    validate::rule(json_of::<Vec<Toleration>>(text, "tolerations"))
}

/// `topology_spread_constraints`: a JSON array of Kubernetes TopologySpreadConstraints.
pub fn spread_field(text: &str) -> Result<(), ValidationError> {
    validate::rule(json_of::<Vec<TopologySpreadConstraint>>(
        text,
        "topology_spread_constraints",
    ))
}

/// `horizontal_pod_autoscaler_spec`: a JSON HorizontalPodAutoscalerSpec whose bounds are
/// in order (that the pool does not scale by itself is a rule across fields).
pub fn hpa_field(text: &str) -> Result<(), ValidationError> {
    let field = "horizontal_pod_autoscaler_spec";
    if text.trim().is_empty() {
        return Ok(());
    }
    validate::rule(
        match serde_json::from_str::<HorizontalPodAutoscalerSpec>(text) {
            Err(e) => Err(not_json::<HorizontalPodAutoscalerSpec>(field, &e)),
            Ok(spec) => {
                if autoscaler_of(spec).bounds_in_order() {
                    Ok(())
                } else {
                    Err(format!("{field} needs 1 <= minReplicas <= maxReplicas"))
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_and_group_rules() {
        let max = "a".repeat(40);
        let over = "a".repeat(41);
        for good in ["pool1", "a", "a-b", "0", max.as_str()] {
            assert!(pool_id(good).is_ok(), "{good}");
        }
        for bad in ["", "-a", "a-", "Pool1", "a_b", over.as_str()] {
            assert!(pool_id(bad).is_err(), "{bad:?}");
        }
        for good in ["rg1", "RG-1", "default", max.as_str()] {
            assert!(pool_group(good).is_ok(), "{good}");
        }
        for bad in ["", "-rg", "rg_1", over.as_str()] {
            assert!(pool_group(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn size_and_time_rules() {
        assert!(sizes(0, 0).is_ok());
        assert!(sizes(1, 3).is_ok());
        assert!(sizes(3, 1).is_err());
        assert!(idle_time(-1).is_ok());
        assert!(idle_time(0).is_ok());
        assert!(idle_time(80).is_ok());
        assert!(idle_time(-2).is_err());
    }

    #[test]
    fn json_fields_name_what_they_should_hold() {
        assert!(volumes_field("").is_ok());
        assert!(volumes_field("[]").is_ok());
        let refused = affinities_field("[1]").unwrap_err();
        assert!(
            refused
                .message
                .unwrap()
                .starts_with("affinities is not a valid Affinity")
        );
        let bounds = r#"{"minReplicas": 3, "maxReplicas": 2, "scaleTargetRef": {"kind": "Deployment", "name": "x"}}"#;
        let refused = hpa_field(bounds).unwrap_err();
        assert_eq!(
            refused.message.as_deref(),
            Some("horizontal_pod_autoscaler_spec needs 1 <= minReplicas <= maxReplicas")
        );
    }
}
