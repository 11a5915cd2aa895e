//! The validated NCS definition of a workload, as the cluster stores it (an annotation
//! on the workload), and its translation into a domain pod template.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::wire::{
    DataDiskOut, EnvOut, Placement, ProbeOut, ResourceAmountsOut, ResourceRequirementsOut,
    VirtualPrivateCloud, VolumeOut,
};
use crate::Result;
use crate::model::{
    ContainerSpec, EnvValue, EnvVar, PodTemplate, Probe, ResourceRequirements, Resources,
    SecurityContext, Sysctl, Volume, VolumeMount, VolumeSource,
};

/// The annotation holding the NCS definition of a workload.
pub const DEFINITION_ANNOTATION: &str = "ncs.podgate.io/definition";

/// A workload's definition after validation and defaulting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NcsDefinition {
    /// Spec type, if any.
    pub spec_type: Option<String>,
    /// `PostPaid` or `PrePaid`.
    pub pay_type: String,
    /// `Standard` or `HighPerformance`.
    pub container_type: String,
    /// Zones.
    pub zones: Vec<String>,
    /// VPC.
    pub vpc: VirtualPrivateCloud,
    /// Security groups.
    pub security_group_ids: Vec<String>,
    /// sysctls, as given (`name=value`).
    pub sys_cmds: Vec<String>,
    /// Image pull secrets.
    pub image_pull_secret_ids: Vec<u64>,
    /// Containers.
    pub containers: Vec<NcsContainer>,
}

/// One container of a definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NcsContainer {
    /// Name.
    pub name: String,
    /// Image.
    pub image: String,
    /// Log directories.
    pub log_dirs: Vec<String>,
    /// Docker CMD.
    pub args: Vec<String>,
    /// Docker ENTRYPOINT.
    pub command: Vec<String>,
    /// Environment.
    pub envs: Vec<EnvOut>,
    /// Requests and limits.
    pub resources: ResourceRequirements,
    /// Privileged.
    pub privilege: bool,
    /// Added capabilities.
    pub capabilities: Vec<String>,
    /// SSH keys.
    pub ssh_key_ids: Vec<u64>,
    /// Liveness probe.
    pub liveness: Option<ProbeOut>,
    /// Readiness probe.
    pub readiness: Option<ProbeOut>,
    /// Volumes, with generated emptyDir names filled in.
    pub volumes: Vec<VolumeOut>,
    /// Data disks, with assigned ids.
    pub data_disks: Vec<DataDiskOut>,
}

impl NcsContainer {
    /// The reply form of the resources.
    pub fn resources_out(&self) -> ResourceRequirementsOut {
        let amounts = |r: Resources| ResourceAmountsOut {
            Cpu: r.cpu_millis.to_string(),
            Memory: r.memory_mib.to_string(),
            Gpu: r.gpu.to_string(),
        };
        ResourceRequirementsOut {
            Limits: amounts(self.resources.limits),
            Requests: amounts(self.resources.requests),
        }
    }
}

impl NcsDefinition {
    /// The `Placement` of replies.
    pub fn placement(&self) -> Placement {
        Placement {
            ZoneId: self.zones.clone(),
        }
    }

    /// Reads the definition back from a workload's template.
    pub fn from_template(template: &PodTemplate) -> Result<Self> {
        crate::dialects::read_definition(&template.annotations, DEFINITION_ANNOTATION, "NCS")
    }

    /// The domain pod template this definition runs (the definition rides along as an
    /// annotation so that it can be described later).
    pub fn to_template(&self) -> Result<PodTemplate> {
        let mut volumes = Vec::new();
        let mut containers = Vec::with_capacity(self.containers.len());
        for c in &self.containers {
            let mut mounts = Vec::new();
            for v in &c.volumes {
                for e in v.Emptydirs.iter().flatten() {
                    let volume = format!("{}-{}", c.name, e.Name);
                    mounts.push(VolumeMount {
                        volume: volume.clone(),
                        mount_path: e.MountPath.clone(),
                        read_only: e.Mode == "ro",
                    });
                    volumes.push(Volume {
                        name: volume,
                        source: VolumeSource::EmptyDir {
                            memory: e.Medium == "Memory",
                        },
                    });
                }
                for s in v.Secrets.iter().flatten() {
                    let volume = format!("{}-secret-{}", c.name, s.SecretId);
                    mounts.push(VolumeMount {
                        volume: volume.clone(),
                        mount_path: s.MountPath.clone(),
                        read_only: true,
                    });
                    volumes.push(Volume {
                        name: volume,
                        source: VolumeSource::Secret {
                            secret: format!("secret-{}", s.SecretId),
                            default_mode: None,
                        },
                    });
                }
            }
            for (i, log_dir) in c.log_dirs.iter().enumerate() {
                let volume = format!("{}-logs-{i}", c.name);
                mounts.push(VolumeMount {
                    volume: volume.clone(),
                    mount_path: log_dir.clone(),
                    read_only: false,
                });
                volumes.push(Volume {
                    name: volume,
                    source: VolumeSource::EmptyDir { memory: false },
                });
            }
            for d in &c.data_disks {
                let volume = format!("{}-disk-{}", c.name, d.DiskId);
                mounts.push(VolumeMount {
                    volume: volume.clone(),
                    mount_path: d.MountPath.clone(),
                    read_only: false,
                });
                volumes.push(Volume {
                    name: volume,
                    source: VolumeSource::Disk {
                        class: d.DiskType.clone(),
                        size_gb: d.DiskSize,
                    },
                });
            }
            let env = c
                .envs
                .iter()
                .map(|e| EnvVar {
                    name: e.Name.clone(),
                    value: match (&e.Type, e.SecretId, &e.Key) {
                        (Some(_), Some(id), Some(key)) => EnvValue::SecretKey {
                            secret: format!("secret-{id}"),
                            key: key.clone(),
                        },
                        _ => EnvValue::Literal(e.Value.clone().unwrap_or_default()),
                    },
                })
                .collect();
            let probe = |p: &ProbeOut| Probe {
                exec: p.Exec.Command.clone(),
                http_get: None,
                initial_delay_seconds: None,
                period_seconds: u32::try_from(p.PeriodSeconds).ok(),
                timeout_seconds: u32::try_from(p.TimeoutSeconds).ok(),
            };
            containers.push(ContainerSpec {
                name: c.name.clone(),
                image: c.image.clone(),
                command: c.command.clone(),
                args: c.args.clone(),
                env,
                resources: c.resources,
                ports: Vec::new(),
                volume_mounts: mounts,
                liveness_probe: c.liveness.as_ref().map(probe),
                readiness_probe: c.readiness.as_ref().map(probe),
                security: SecurityContext {
                    privileged: c.privilege,
                    capabilities: c.capabilities.clone(),
                    run_as_user: None,
                },
                extended_resources: BTreeMap::new(),
            });
        }
        let sysctls = self
            .sys_cmds
            .iter()
            .filter_map(|s| s.split_once('='))
            .map(|(name, value)| Sysctl {
                name: name.to_owned(),
                value: value.to_owned(),
            })
            .collect();
        let json = crate::dialects::write_definition(self, "NCS")?;
        Ok(PodTemplate {
            containers,
            volumes,
            placement: crate::model::Placement {
                zones: self.zones.clone(),
                ..Default::default()
            },
            sysctls,
            annotations: BTreeMap::from([(DEFINITION_ANNOTATION.to_owned(), json)]),
            ..PodTemplate::default()
        })
    }

    /// Shares the template so identical definitions are stored once by backends that
    /// intern templates.
    pub fn to_shared_template(&self) -> Result<Arc<PodTemplate>> {
        self.to_template().map(Arc::new)
    }
}
