//! From wire requests to checked containers: every V-Kube rule of a deploy that does
//! not depend on the order or the cluster (SPEC §6), each answered with a 400 that
//! names the field. The field rules are declared on the wire types (`validator`); the
//! rules across fields are here.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use validator::Validate;

use super::error::VkubeError;
use super::rules;
use super::wire::{DeployContainer, DeployRequest};
use crate::model::{ContainerPort, ContainerSpec, ResourceRequirements, Resources};
use crate::validate::{self, strict};

type Reply<T> = Result<T, VkubeError>;

/// Decodes a request body; a malformed one is 400.
pub fn decode<T: DeserializeOwned>(value: serde_json::Value) -> Reply<T> {
    // Every body, and every struct in it, is a JSON object (serde would also fill a
    // struct from an array).
    if !value.is_object() {
        return Err(VkubeError::bad_request(
            "invalid request body: not a JSON object".to_owned(),
        ));
    }
    serde_path_to_error::deserialize(strict::Deserializer::new(value)).map_err(|e| {
        VkubeError::bad_request(format!(
            "invalid request body at {}: {}",
            e.path(),
            e.inner()
        ))
    })
}

/// The first field rule `value` breaks, as V-Kube's error: a missing field is
/// `item field empty`, any other a 400 naming the field under `path`.
fn check<'de, T: Validate + Deserialize<'de>>(value: &T, path: &str) -> Reply<()> {
    match validate::first_broken(value) {
        None => Ok(()),
        Some(broken) if broken.is_missing() => Err(VkubeError::field_empty()),
        Some(broken) => Err(VkubeError::bad_request(format!(
            "{path}{} {}",
            broken.field,
            broken.reason.unwrap_or(broken.code)
        ))),
    }
}

/// A deploy's region and containers, with the field rules of each, in the document's
/// order: the region, then each container (its name, image, ports and memory), then
/// what no single field shows (a name or host port used twice).
pub(super) fn deploy(req: &DeployRequest) -> Reply<(&str, &[DeployContainer])> {
    check(req, "")?;
    if let Some(selector) = &req.nodeSelector {
        check(selector, "nodeSelector.")?;
    }
    let region = req.nodeSelector.as_ref().and_then(|s| s.region.as_deref());
    let containers = req.containers.as_deref().unwrap_or_default();
    for (i, c) in containers.iter().enumerate() {
        check(c, &format!("containers[{i}]."))?;
        if let Some(resource) = &c.resource {
            check(resource, &format!("containers[{i}].resource."))?;
        }
        for (j, p) in c.ports.iter().flatten().enumerate() {
            check(p, &format!("containers[{i}].ports[{j}]."))?;
        }
    }
    Ok((region.unwrap_or_default(), containers))
}

/// A deploy's containers, whose field rules hold ([`deploy`]), as the pod's
/// containers, with the memory they ask for in all (MiB); refused when a name or a host
/// port is used twice.
pub(super) fn containers(containers: &[DeployContainer]) -> Reply<(Vec<ContainerSpec>, u64)> {
    let mut specs = Vec::with_capacity(containers.len());
    let mut names = BTreeSet::new();
    let mut host_ports = BTreeSet::new();
    let mut memory_total: u64 = 0;
    for (i, c) in containers.iter().enumerate() {
        let name = c.name.clone().unwrap_or_default();
        if !names.insert(name.clone()) {
            return Err(VkubeError::bad_request(format!(
                "containers[{i}].name {name} is duplicated"
            )));
        }
        let memory = c.resource.as_ref().and_then(|r| r.memory.as_deref());
        let mib = rules::memory(memory.unwrap_or_default()).map_err(VkubeError::bad_request)?;
        memory_total = memory_total.saturating_add(mib);
        let mut ports = Vec::new();
        for p in c.ports.iter().flatten() {
            let host_port = p.hostPort.and_then(|hp| u16::try_from(hp).ok());
            if let Some(hp) = host_port
                && !host_ports.insert(hp)
            {
                return Err(VkubeError::bad_request(format!(
                    "hostPort {hp} is used twice"
                )));
            }
            ports.push(ContainerPort {
                container_port: p
                    .containerPort
                    .and_then(|cp| u16::try_from(cp).ok())
                    .unwrap_or_default(),
                host_port,
                host_ip: None,
            });
        }
        let amount = Resources {
            cpu_millis: 0,
            memory_mib: mib,
            gpu: 0,
        };
        specs.push(ContainerSpec {
            name,
            image: c.imageName.clone().unwrap_or_default(),
            command: rules::split_lines(c.command.as_deref().unwrap_or_default()),
            args: rules::split_lines(c.args.as_deref().unwrap_or_default()),
            resources: ResourceRequirements {
                requests: amount,
                limits: amount,
            },
            ports,
            ..ContainerSpec::default()
        });
    }
    Ok((specs, memory_total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialects::vkube::wire::DeployRequest;

    #[test]
    fn a_body_that_is_not_an_object_is_refused() {
        let refused = decode::<DeployRequest>(serde_json::json!([null, null])).unwrap_err();
        assert_eq!(refused.status, 400);
        assert!(decode::<DeployRequest>(serde_json::json!({})).is_ok());
    }
}
