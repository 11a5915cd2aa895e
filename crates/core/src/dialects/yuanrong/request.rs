//! From wire requests to checked pools: every openYuanrong rule (SPEC §5), each
//! reason collected, as the vendor answers them together. The field rules are declared
//! on the wire types (`validator`); the rules across fields are here.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use validator::Validate;

use super::definition::PoolDefinition;
use super::error::YrError;
use super::rules;
use super::wire::{IdleRecycle, PoolIn, QueryParams, ResourcesOut};
use crate::model::{PageRequest, PoolPolicy};
use crate::validate::{self, strict};

type Reply<T> = Result<T, YrError>;

/// Every field rule `value` breaks, as the vendor's reasons, in the document's order.
pub(super) fn broken<'de, T: Validate + Deserialize<'de>>(value: &T) -> Vec<String> {
    validate::all_broken(value)
        .into_iter()
        .map(|broken| match broken.reason {
            Some(reason) => reason.into_owned(),
            None => format!("{} breaks the rule {}", broken.field, broken.code),
        })
        .collect()
}

/// The rules across a pool's fields: `max_size >= size`, and no autoscaler on a pool
/// that scales by itself (`scalable`: `max_size > size`).
pub(super) fn across(
    size: i64,
    max_size: i64,
    hpa: Option<&str>,
    scalable: bool,
    errors: &mut Vec<String>,
) {
    if let Err(e) = rules::sizes(size, max_size) {
        errors.push(e);
    }
    if scalable && hpa.is_some_and(|text| !text.trim().is_empty()) {
        errors.push(
            "a scalable pool (max_size > size) cannot have a horizontal_pod_autoscaler_spec"
                .to_owned(),
        );
    }
}

/// Decodes a request body; malformed JSON or types are 130600. Every body, and every
/// struct in it, is a JSON object (serde would also fill a struct from an array, field by
/// field).
pub fn decode<T: DeserializeOwned>(value: serde_json::Value) -> Reply<T> {
    if !value.is_object() {
        return Err(YrError::bad_json("the body is not a JSON object"));
    }
    serde_path_to_error::deserialize(strict::Deserializer::new(value))
        .map_err(|e| YrError::bad_json(format!("at {}: {}", e.path(), e.inner())))
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
/// breaks (the vendor lists them all, joined by `;`): its field rules in the document's
/// order, then the rules across fields.
pub(super) fn pool(
    pool: &PoolIn,
    default_image: &str,
) -> Result<(String, u32, PoolPolicy, PoolDefinition), Vec<String>> {
    let mut errors = broken(pool);
    let size = pool.size.unwrap_or(0);
    let mut max_size = pool.max_size.unwrap_or(0);
    if size != 0 && max_size == 0 {
        max_size = size;
    }
    let hpa = pool
        .horizontal_pod_autoscaler_spec
        .clone()
        .unwrap_or_default();
    across(size, max_size, Some(&hpa), max_size > size, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let idle = pool.idle_recycle_time.clone().unwrap_or_default();
    let idle = IdleRecycle {
        reserved: idle.reserved.unwrap_or(0),
        scaled: idle.scaled.unwrap_or(0),
    };
    let resources = pool.resources.clone().unwrap_or_default();
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let definition = PoolDefinition {
        group: pool
            .group
            .clone()
            .filter(|g| !g.is_empty())
            .unwrap_or_else(|| "default".to_owned()),
        reuse: pool.reuse.unwrap_or(false),
        image: pool
            .image
            .clone()
            .filter(|i| !i.is_empty())
            .unwrap_or_else(|| default_image.to_owned()),
        init_image: text(&pool.init_image),
        labels: pool.labels.clone().unwrap_or_default(),
        environment: pool.environment.clone().unwrap_or_default(),
        volumes: text(&pool.volumes),
        volume_mounts: text(&pool.volume_mounts),
        resources: ResourcesOut {
            requests: resources.requests.unwrap_or_default(),
            limits: resources.limits.unwrap_or_default(),
        },
        affinities: text(&pool.affinities),
        node_selector: pool.node_selector.clone().unwrap_or_default(),
        runtime_class_name: text(&pool.runtime_class_name),
        tolerations: text(&pool.tolerations),
        horizontal_pod_autoscaler_spec: hpa,
        topology_spread_constraints: text(&pool.topology_spread_constraints),
        idle_recycle_time: idle,
        pod_anti_affinities: pool.pod_anti_affinities.clone().unwrap_or_default(),
    };
    let size = u32::try_from(size).unwrap_or(0);
    let policy = PoolPolicy {
        size,
        max_size: u32::try_from(max_size).unwrap_or(size),
        reuse: definition.reuse,
        idle_reserved_seconds: idle.reserved,
        idle_scaled_seconds: idle.scaled,
    };
    Ok((
        pool.id.clone().unwrap_or_default(),
        size,
        policy,
        definition,
    ))
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
