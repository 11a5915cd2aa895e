//! openYuanrong pod pools (SPEC §1): pre-warmed pools of runtime pods for a serverless
//! function system, `/serverless/v1/podpools`.

mod definition;
mod error;
mod request;
pub mod rules;
mod service;
pub mod wire;

pub use definition::{DEFINITION_ANNOTATION, GROUP_LABEL, POOL_LABEL, PoolDefinition};
pub use error::{BAD_JSON, INTERNAL, INVALID, NOT_FOUND, YrError};
pub use request::decode;
pub use service::{DEFAULT_IMAGE, YrConfig, YuanrongService, status_of};
