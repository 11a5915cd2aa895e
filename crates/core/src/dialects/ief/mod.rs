//! Huawei Cloud IEF edge applications (SPEC §2): deployments and their pods, nodes
//! and node groups, config maps and secrets of a project, `X-Auth-Token` per project.
//! The shapes are Huawei's published ones (its Python SDK's models).

mod configs;
mod definition;
mod deployments;
mod error;
mod ids;
mod nodes;
mod pods;
mod request;
pub mod rules;
mod service;
pub mod wire;

pub use definition::{
    DEFINITION_ANNOTATION, DEPLOYMENT_ANNOTATION, DeploymentMeta, GPU_MEMORY_RESOURCE, GROUP_LABEL,
    NODE_LABEL, image_of, read_pod,
};
pub use deployments::MAX_DEPLOYMENTS_LIMIT;
pub use error::IefError;
pub use ids::{deployment_of, deployment_uuid, pod_uuid};
pub use pods::MAX_PODS_LIMIT;
pub use request::page;
pub use service::{IefCaller, IefService, decode};
