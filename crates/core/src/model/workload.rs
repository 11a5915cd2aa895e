//! Workloads: a named, owned pod template that controllers keep running.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{PodPhase, PodTemplate, TenantKey, Timestamp, WorkloadId};

/// What a caller asks a workload to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadSpec {
    /// Unique among the tenant's workloads.
    pub name: String,
    /// User labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// The pod it runs (shared: identical templates may be stored once).
    pub template: Arc<PodTemplate>,
}

/// A stored workload with its observed state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workload {
    /// Its owner.
    pub tenant: TenantKey,
    /// Its id.
    pub id: WorkloadId,
    /// What it should be.
    pub spec: WorkloadSpec,
    /// When it was created.
    pub created_at: Timestamp,
    /// When its spec last changed.
    pub updated_at: Timestamp,
    /// The EIP it holds, if any.
    pub eip: Option<String>,
    /// What it is doing now.
    pub status: WorkloadStatus,
}

/// A workload's observed state, derived from its pod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadStatus {
    /// The workload-level phase.
    pub phase: WorkloadPhase,
    /// The phase of its current pod (Pending when it has none).
    pub pod_phase: PodPhase,
    /// Why it is in this phase, when that is not obvious.
    pub message: Option<String>,
}

/// The workload-level lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WorkloadPhase {
    /// Its first pod is not running yet.
    Creating,
    /// Its first pod could not start (bad image, cannot be placed).
    CreateFailed,
    /// Its pod runs.
    Running,
    /// A change is being rolled out: the pod is being replaced.
    Updating,
    /// It ran before, and its pod is not healthy now.
    Abnormal,
}

/// Which workloads a list returns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkloadQuery {
    /// Only these tenants' workloads; `None` for every tenant.
    pub tenants: Option<Vec<TenantKey>>,
}
