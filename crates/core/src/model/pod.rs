//! Pods and containers as observed.

use serde::{Deserialize, Serialize};

use super::{ContainerId, PodId, TenantKey, Timestamp, WorkloadId};

/// A pod as observed now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pod {
    /// Its id.
    pub id: PodId,
    /// Its name, unique in the tenant.
    pub name: String,
    /// Its owner.
    pub tenant: TenantKey,
    /// The workload it belongs to.
    pub workload: WorkloadId,
    /// The node it is bound to, if scheduled.
    pub node: Option<String>,
    /// The zone of that node.
    pub zone: Option<String>,
    /// Its IP address, once running.
    pub ip: Option<String>,
    /// When it was created.
    pub created_at: Timestamp,
    /// Its phase.
    pub phase: PodPhase,
    /// A machine-readable reason for the phase (e.g. `Unschedulable`).
    pub reason: Option<String>,
    /// A human-readable message.
    pub message: Option<String>,
    /// Its containers, in template order.
    pub containers: Vec<ContainerStatus>,
    /// Its init containers, in template order.
    #[serde(default)]
    pub init_containers: Vec<ContainerStatus>,
    /// It is being deleted: it stays visible until its containers have stopped.
    #[serde(default)]
    pub terminating: bool,
    /// When it was bound to its node, once bound.
    pub scheduled_at: Option<Timestamp>,
    /// When every container first ran, once they did.
    pub started_at: Option<Timestamp>,
    /// The node group of its node.
    pub group: Option<String>,
    /// For a pool's pod: the instance that claimed it.
    pub claimed_by: Option<String>,
    /// The template the pod was made from (Kubernetes: the pod's spec).
    pub template: std::sync::Arc<super::PodTemplate>,
}

impl Pod {
    /// When the pod last changed: its creation, binding or start, whichever is latest.
    pub fn changed_at(&self) -> Timestamp {
        [Some(self.created_at), self.scheduled_at, self.started_at]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(self.created_at)
    }
}

/// The Kubernetes pod phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PodPhase {
    /// Accepted, not every container running yet.
    Pending,
    /// Bound, every container started.
    Running,
    /// Every container ended successfully.
    Succeeded,
    /// Every container ended, at least one in failure.
    Failed,
    /// The state could not be obtained.
    Unknown,
}

/// A container of a pod as observed now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerStatus {
    /// Its id.
    pub id: ContainerId,
    /// Its name in the template.
    pub name: String,
    /// Its image.
    pub image: String,
    /// What it is doing.
    pub state: ContainerState,
    /// How often it restarted.
    pub restart_count: u32,
    /// Whether it passes readiness.
    pub ready: bool,
}

impl PodPhase {
    /// The phase as Kubernetes writes it (`Pending`, `Running`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Running => "Running",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
            Self::Unknown => "Unknown",
        }
    }
}

/// What a container is doing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContainerState {
    /// Not running yet; `reason` says why (ContainerCreating, ErrImagePull,
    /// ImagePullBackOff, CrashLoopBackOff).
    Waiting {
        /// Why it waits.
        reason: String,
    },
    /// Running since `started_at`.
    Running {
        /// When it started.
        started_at: Timestamp,
    },
    /// Ended.
    Terminated {
        /// Why it ended.
        reason: String,
        /// Its exit code.
        exit_code: i32,
    },
}

impl ContainerState {
    /// Why the container does not run as it should: the reason it waits, or why it
    /// ended with an error; `None` while it runs or after it completed.
    pub fn trouble(&self) -> Option<&str> {
        match self {
            Self::Waiting { reason } => Some(reason),
            Self::Terminated { reason, exit_code } if *exit_code != 0 => Some(reason),
            Self::Running { .. } | Self::Terminated { .. } => None,
        }
    }
}

/// Which pods a list returns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PodQuery {
    /// The pods of one workload of one tenant.
    Workload(TenantKey, WorkloadId),
    /// The pods of several workloads of one tenant.
    Workloads(TenantKey, Vec<WorkloadId>),
    /// A tenant's pods on one node.
    Node(TenantKey, String),
    /// A tenant's pods on the nodes of one node group.
    Group(TenantKey, String),
}
