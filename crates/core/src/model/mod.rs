//! The domain model: plain data, serde-able, no I/O.

mod config;
mod eip;
mod ids;
mod page;
mod pod;
mod resources;
mod template;
mod tenant;
mod topology;
mod workload;

pub use config::{ConfigKind, ConfigObject, ConfigQuery, NewConfig};
pub use eip::Eip;
pub use ids::{ContainerId, NamespaceId, PodId, Timestamp, WorkloadId};
pub use page::{Page, PageRequest};
pub use pod::{ContainerState, ContainerStatus, Pod, PodPhase, PodQuery};
pub use resources::{ResourceRequirements, Resources};
pub use template::{
    ContainerPort, ContainerSpec, DnsPolicy, EnvValue, EnvVar, HttpGet, NodeAffinity,
    NodeLossPolicy, NodeSelectorRequirement, NodeSelectorTerm, Placement, PodTemplate, Probe,
    RestartPolicy, SecurityContext, SelectorOperator, Sysctl, Volume, VolumeMount, VolumeSource,
    WeightedTerm,
};
pub use tenant::{NewTenant, Tenant, TenantKey, TenantKind};
pub use topology::{Node, Topology};
pub use workload::{
    Autoscaler, PoolPolicy, Workload, WorkloadKind, WorkloadOrder, WorkloadPhase, WorkloadQuery,
    WorkloadSpec, WorkloadStatus,
};
