//! Huawei Cloud IEF edge applications (SPEC §2): deployments, their pods, nodes and
//! node groups of a project, `X-Auth-Token` per project.

mod definition;
mod error;
mod ids;
mod parse;
mod service;
pub mod wire;

pub use definition::{DEFINITION_ANNOTATION, IefDefinition, image_of};
pub use error::IefError;
pub use ids::{deployment_of, deployment_uuid, pod_uuid};
pub use service::{IefCaller, IefService, MAX_LIMIT, decode, page};
