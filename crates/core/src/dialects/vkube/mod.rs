//! V-Kube-Service (SPEC §3): a container marketplace where an order's secret reaches
//! its single pod. Paths are served both as `/k8s/...` and `/api/v1/k8s/...`.

mod error;
mod request;
pub mod rules;
mod service;
pub mod wire;

pub use error::VkubeError;
pub use request::decode;
pub use service::{VkubeCaller, VkubeConfig, VkubeService};
