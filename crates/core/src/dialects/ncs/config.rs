//! NCS service settings: the SpecType catalogue and the privilege allow-lists.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::rules::SAFE_SYSCTLS;
use crate::model::Resources;

/// One entry of the SpecType catalogue: the most a workload of this type may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecType {
    /// Millicores.
    pub cpu_millis: u64,
    /// MB.
    pub memory_mb: u64,
    /// Whole GPUs.
    #[serde(default)]
    pub gpu: u32,
}

impl SpecType {
    /// As domain resources.
    pub fn resources(self) -> Resources {
        Resources {
            cpu_millis: self.cpu_millis,
            memory_mib: self.memory_mb,
            gpu: self.gpu,
        }
    }
}

/// Settings of the NCS service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NcsConfig {
    /// SpecType name → its amounts.
    pub spec_types: BTreeMap<String, SpecType>,
    /// sysctls any namespace may set.
    pub allowed_sysctls: Vec<String>,
    /// Capabilities any namespace may add.
    pub allowed_capabilities: Vec<String>,
    /// The cluster id printed in `ClusterId`.
    pub cluster_id: u64,
}

impl Default for NcsConfig {
    /// The embedded defaults: a catalogue that fits the vendor's examples, Kubernetes'
    /// safe sysctls, and `SYS_ADMIN` and `NET_ADMIN`.
    fn default() -> Self {
        let spec = |cpu_millis, memory_mb| SpecType {
            cpu_millis,
            memory_mb,
            gpu: 0,
        };
        let spec_types = [
            ("ncs.n1.small1", spec(1000, 1024)),
            ("ncs.n1.small2", spec(1000, 2048)),
            ("ncs.n1.medium2", spec(2000, 2048)),
            ("ncs.n1.medium4", spec(2000, 4096)),
            ("ncs.n1.medium8", spec(2000, 8192)),
            ("ncs.n1.large8", spec(4000, 8192)),
            ("ncs.n1.large16", spec(4000, 16384)),
            ("ncs.n1.xlarge32", spec(8000, 32768)),
        ]
        .into_iter()
        .map(|(name, spec)| (name.to_owned(), spec))
        .collect();
        Self {
            spec_types,
            allowed_sysctls: SAFE_SYSCTLS.iter().map(|s| (*s).to_owned()).collect(),
            allowed_capabilities: vec!["SYS_ADMIN".to_owned(), "NET_ADMIN".to_owned()],
            cluster_id: 1,
        }
    }
}
