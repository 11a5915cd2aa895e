//! NetEase NCS stateful workloads (SPEC §4): RPC over HTTP,
//! `/ncs?Action=<Action>&Version=2017-11-16`.
//!
//! [`NcsService`] holds one method per Action; [`NcsService::call`] dispatches an
//! Action with its parameters as a JSON object to that method and answers its typed
//! reply ([`NcsReply::write_json`] writes it for the wire), which is what the HTTP
//! adapter uses. Errors are
//! [`NcsError`]s carrying the vendor's code, message and HTTP status.

mod action;
mod cache;
mod config;
mod definition;
mod error;
mod request;
pub mod rules;
mod service;
pub mod wire;

pub use action::{NcsAction, VERSION};
pub use config::{NcsConfig, SpecType};
pub use definition::{DEFINITION_ANNOTATION, NcsContainer, NcsDefinition};
pub use error::{NcsCode, NcsError};
pub use service::{
    NcsCaller, NcsReply, NcsService, container_status, decode, pod_status, workload_status,
};
