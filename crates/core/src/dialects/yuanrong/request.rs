//! From wire requests to checked pools: every openYuanrong rule (SPEC §5), each
//! reason collected, as the vendor answers them together.

use std::collections::BTreeMap;

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerSpec;
use k8s_openapi::api::core::v1::{
    Affinity, Toleration, TopologySpreadConstraint, Volume, VolumeMount,
};
use serde::de::DeserializeOwned;

use super::definition::{GROUP_LABEL, POOL_LABEL, PoolDefinition, autoscaler_of};
use super::error::YrError;
use super::rules;
use super::wire::{IdleRecycle, PoolIn, QueryParams, ResourcesOut};
use crate::model::{PageRequest, PoolPolicy};
use crate::validate;

type Reply<T> = Result<T, YrError>;

/// `size` and `max_size` as the vendor allows them (at most 100000 each).
pub(super) fn sizes(size: i64, max_size: i64, errors: &mut Vec<String>) {
    if let Err(e) = rules::sizes(size, max_size) {
        errors.push(e);
    }
    if size > 100_000 || max_size > 100_000 {
        errors.push("size and max_size must be at most 100000".to_owned());
    }
}

/// Decodes a request body; malformed JSON or types are 130600. Every body is a JSON
/// object (serde would also fill a struct from an array, field by field).
pub fn decode<T: DeserializeOwned>(value: serde_json::Value) -> Reply<T> {
    if !value.is_object() {
        return Err(YrError::bad_json("the body is not a JSON object"));
    }
    serde_path_to_error::deserialize(value)
        .map_err(|e| YrError::bad_json(format!("at {}: {}", e.path(), e.inner())))
}

/// Why `field` does not hold a `T` as JSON.
fn invalid_json<T>(field: &str, e: &serde_json::Error) -> String {
    let name = std::any::type_name::<T>()
        .rsplit("::")
        .next()
        .unwrap_or("object");
    format!("{field} is not a valid {name}: {e}")
}

fn json_field<T: DeserializeOwned>(
    value: &Option<String>,
    field: &str,
    errors: &mut Vec<String>,
) -> String {
    let text = value.clone().unwrap_or_default();
    if !text.trim().is_empty()
        && let Err(e) = serde_json::from_str::<T>(&text)
    {
        errors.push(invalid_json::<T>(field, &e));
    }
    text
}

/// `horizontal_pod_autoscaler_spec`: a HorizontalPodAutoscalerSpec whose bounds are in
/// order, on a pool that does not scale by itself (`scalable`: `max_size > size`).
pub(super) fn hpa_field(
    value: &Option<String>,
    scalable: bool,
    errors: &mut Vec<String>,
) -> String {
    let field = "horizontal_pod_autoscaler_spec";
    let text = value.clone().unwrap_or_default();
    if text.trim().is_empty() {
        return text;
    }
    match serde_json::from_str::<HorizontalPodAutoscalerSpec>(&text) {
        Err(e) => errors.push(invalid_json::<HorizontalPodAutoscalerSpec>(field, &e)),
        Ok(spec) => {
            if !autoscaler_of(spec).bounds_in_order() {
                errors.push(format!("{field} needs 1 <= minReplicas <= maxReplicas"));
            }
        }
    }
    if scalable {
        errors.push(format!(
            "a scalable pool (max_size > size) cannot have a {field}"
        ));
    }
    text
}

fn quantities(
    map: Option<&BTreeMap<String, String>>,
    field: &str,
    errors: &mut Vec<String>,
) -> BTreeMap<String, String> {
    let map = map.cloned().unwrap_or_default();
    for (k, v) in &map {
        if let Err(e) = validate::quantity(v) {
            errors.push(format!("{field}.{k} {e}"));
        }
    }
    map
}

pub(super) fn page(params: &QueryParams) -> Reply<Option<PageRequest>> {
    let int = |v: &Option<String>, field: &str| -> Reply<Option<i64>> {
        match v.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => s
                .parse::<i64>()
                .map(Some)
                .map_err(|_| YrError::invalid(format!("{field} {s:?} is not an integer"))),
        }
    };
    let offset = int(&params.offset, "offset")?.unwrap_or(0);
    let limit = int(&params.limit, "limit")?.unwrap_or(10);
    if offset < 0 || limit <= 0 {
        return Ok(None);
    }
    let page = u64::try_from(offset.max(1) - 1).unwrap_or(0);
    let limit = u64::try_from(limit).unwrap_or(0);
    Ok(Some(PageRequest::new(page.saturating_mul(limit), limit)))
}

/// A pool of a create, checked: its id, size, policy and definition, or every rule it
/// breaks (the vendor lists them all, joined by `;`).
pub(super) fn pool(
    pool: &PoolIn,
    default_image: &str,
) -> Result<(String, u32, PoolPolicy, PoolDefinition), Vec<String>> {
    let mut errors = Vec::new();
    let id = pool.id.clone().unwrap_or_default();
    if let Err(e) = rules::pool_id(&id) {
        errors.push(e);
    }
    let group = pool
        .group
        .clone()
        .filter(|g| !g.is_empty())
        .unwrap_or_else(|| "default".to_owned());
    if let Err(e) = rules::pool_group(&group) {
        errors.push(e);
    }
    let size = pool.size.unwrap_or(0);
    let mut max_size = pool.max_size.unwrap_or(0);
    if size != 0 && max_size == 0 {
        max_size = size;
    }
    sizes(size, max_size, &mut errors);
    let hpa = hpa_field(
        &pool.horizontal_pod_autoscaler_spec,
        max_size > size,
        &mut errors,
    );
    let idle = pool.idle_recycle_time.clone().unwrap_or_default();
    let idle = IdleRecycle {
        reserved: idle.reserved.unwrap_or(0),
        scaled: idle.scaled.unwrap_or(0),
    };
    for v in [idle.reserved, idle.scaled] {
        if let Err(e) = rules::idle_time(v) {
            errors.push(e);
        }
    }
    let image = pool
        .image
        .clone()
        .filter(|i| !i.is_empty())
        .unwrap_or_else(|| default_image.to_owned());
    let init_image = pool.init_image.clone().unwrap_or_default();
    let runtime_class_name = pool.runtime_class_name.clone().unwrap_or_default();
    for (value, max, field) in [
        (&image, 200, "image"),
        (&init_image, 200, "init_image"),
        (&runtime_class_name, 64, "runtime_class_name"),
    ] {
        if let Err(e) = rules::max_len(value, max, field) {
            errors.push(e);
        }
    }
    let resources = pool.resources.clone().unwrap_or_default();
    let resources = ResourcesOut {
        requests: quantities(
            resources.requests.as_ref(),
            "resources.requests",
            &mut errors,
        ),
        limits: quantities(resources.limits.as_ref(), "resources.limits", &mut errors),
    };
    let labels = pool.labels.clone().unwrap_or_default();
    if labels.keys().any(|k| k == POOL_LABEL || k == GROUP_LABEL) {
        errors.push(format!(
            "labels {POOL_LABEL} and {GROUP_LABEL} are the system's"
        ));
    }
    let definition = PoolDefinition {
        group,
        reuse: pool.reuse.unwrap_or(false),
        image,
        init_image,
        labels,
        environment: pool.environment.clone().unwrap_or_default(),
        volumes: json_field::<Vec<Volume>>(&pool.volumes, "volumes", &mut errors),
        volume_mounts: json_field::<Vec<VolumeMount>>(
            &pool.volume_mounts,
            "volume_mounts",
            &mut errors,
        ),
        resources,
        affinities: json_field::<Affinity>(&pool.affinities, "affinities", &mut errors),
        node_selector: pool.node_selector.clone().unwrap_or_default(),
        runtime_class_name,
        tolerations: json_field::<Vec<Toleration>>(&pool.tolerations, "tolerations", &mut errors),
        horizontal_pod_autoscaler_spec: hpa,
        topology_spread_constraints: json_field::<Vec<TopologySpreadConstraint>>(
            &pool.topology_spread_constraints,
            "topology_spread_constraints",
            &mut errors,
        ),
        idle_recycle_time: idle,
        pod_anti_affinities: pool.pod_anti_affinities.clone().unwrap_or_default(),
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let size = u32::try_from(size).unwrap_or(0);
    let policy = PoolPolicy {
        size,
        max_size: u32::try_from(max_size).unwrap_or(size),
        reuse: definition.reuse,
        idle_reserved_seconds: idle.reserved,
        idle_scaled_seconds: idle.scaled,
    };
    Ok((id, size, policy, definition))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialects::yuanrong::wire::UpdatePoolRequest;

    #[test]
    fn a_body_that_is_not_an_object_is_refused() {
        for body in [serde_json::json!([null, null]), serde_json::json!("x")] {
            let refused = decode::<UpdatePoolRequest>(body.clone()).unwrap_err();
            assert_eq!(refused.code, YrError::bad_json("").code, "{body}");
        }
        assert!(decode::<UpdatePoolRequest>(serde_json::json!({"size": 2})).is_ok());
    }
}
