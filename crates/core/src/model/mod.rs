//! The domain model: plain data, serde-able, no I/O.

mod eip;
mod ids;
mod page;
mod pod;
mod resources;
mod template;
mod tenant;
mod topology;
mod workload;

pub use eip::Eip;
pub use ids::{ContainerId, NamespaceId, PodId, Timestamp, WorkloadId};
pub use page::{Page, PageRequest};
pub use pod::{ContainerState, ContainerStatus, Pod, PodPhase, PodQuery};
pub use resources::{ResourceRequirements, Resources};
pub use template::{
    ContainerPort, ContainerSpec, EnvValue, EnvVar, Placement, PodTemplate, Probe, SecurityContext,
    Sysctl, Volume, VolumeMount, VolumeSource,
};
pub use tenant::{NewTenant, Tenant, TenantKey, TenantKind};
pub use topology::{Node, Topology};
pub use workload::{
    PoolPolicy, Workload, WorkloadKind, WorkloadOrder, WorkloadPhase, WorkloadQuery, WorkloadSpec,
    WorkloadStatus,
};
