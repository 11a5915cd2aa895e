//! From wire requests to checked containers: every V-Kube rule of a deploy that does
//! not depend on the order or the cluster (SPEC §6), each answered with a 400 that
//! names the field.

use std::collections::BTreeSet;

use serde::de::DeserializeOwned;

use super::error::VkubeError;
use super::rules;
use super::wire::DeployContainer;
use crate::model::{ContainerPort, ContainerSpec, ResourceRequirements, Resources};
use crate::validate;

type Reply<T> = Result<T, VkubeError>;

/// Decodes a request body; a malformed one is 400.
pub fn decode<T: DeserializeOwned>(value: serde_json::Value) -> Reply<T> {
    // Every body is a JSON object (serde would also fill a struct from an array).
    if !value.is_object() {
        return Err(VkubeError::bad_request(
            "invalid request body: not a JSON object".to_owned(),
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        VkubeError::bad_request(format!(
            "invalid request body at {}: {}",
            e.path(),
            e.inner()
        ))
    })
}

/// A deploy's containers, checked, as the pod's containers, with the memory they ask
/// for in all (MiB).
pub(super) fn containers(containers: &[DeployContainer]) -> Reply<(Vec<ContainerSpec>, u64)> {
    let mut specs = Vec::with_capacity(containers.len());
    let mut names = BTreeSet::new();
    let mut host_ports = BTreeSet::new();
    let mut memory_total: u64 = 0;
    for (i, c) in containers.iter().enumerate() {
        let name = c.name.as_ref().ok_or_else(VkubeError::field_empty)?;
        validate::dns1123_label(name)
            .map_err(|r| VkubeError::bad_request(format!("containers[{i}].name {r}")))?;
        if !names.insert(name.clone()) {
            return Err(VkubeError::bad_request(format!(
                "containers[{i}].name {name} is duplicated"
            )));
        }
        let image = c
            .imageName
            .as_ref()
            .filter(|s| !s.is_empty())
            .ok_or_else(VkubeError::field_empty)?;
        if image.len() > 255 || image.chars().any(char::is_whitespace) {
            return Err(VkubeError::bad_request(format!(
                "containers[{i}].imageName is not an image reference"
            )));
        }
        let memory = c
            .resource
            .as_ref()
            .and_then(|r| r.memory.as_ref())
            .ok_or_else(VkubeError::field_empty)?;
        let mib = validate::mebi_or_gibi(memory)
            .map_err(|r| VkubeError::bad_request(format!("containers[{i}].resource.memory {r}")))?;
        if mib == 0 {
            return Err(VkubeError::bad_request(format!(
                "containers[{i}].resource.memory must be more than 0"
            )));
        }
        memory_total = memory_total.saturating_add(mib);
        let mut ports = Vec::new();
        for (j, p) in c.ports.iter().flatten().enumerate() {
            let cp = p.containerPort.ok_or_else(VkubeError::field_empty)?;
            validate::port(cp).map_err(|r| {
                VkubeError::bad_request(format!("containers[{i}].ports[{j}].containerPort {r}"))
            })?;
            let hp = match p.hostPort {
                Some(hp) => {
                    validate::port(hp).map_err(|r| {
                        VkubeError::bad_request(format!("containers[{i}].ports[{j}].hostPort {r}"))
                    })?;
                    let hp = u16::try_from(hp).unwrap_or_default();
                    if !host_ports.insert(hp) {
                        return Err(VkubeError::bad_request(format!(
                            "hostPort {hp} is used twice"
                        )));
                    }
                    Some(hp)
                }
                None => None,
            };
            ports.push(ContainerPort {
                container_port: u16::try_from(cp).unwrap_or_default(),
                host_port: hp,
                host_ip: None,
            });
        }
        let amount = Resources {
            cpu_millis: 0,
            memory_mib: mib,
            gpu: 0,
        };
        specs.push(ContainerSpec {
            name: name.clone(),
            image: image.clone(),
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
