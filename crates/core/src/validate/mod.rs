//! Validation rules, one function per rule. Each returns `Err(reason)` for a bad value;
//! callers attach the field name and map to their dialect's error.

mod names;
mod ncs;
mod paths;
mod ports;

pub use names::{dns1123_label, ncs_container_name};
pub use ncs::{
    SAFE_SYSCTLS, ncs_capability_allowed, ncs_container_type, ncs_disk_name, ncs_disk_type,
    ncs_env_name, ncs_env_type, ncs_image, ncs_label, ncs_mount_mode, ncs_pay_type,
    ncs_probe_seconds, ncs_requests_within_limits, ncs_sysctl, ncs_sysctl_allowed, ncs_volume_type,
};
pub use paths::absolute_path;
pub use ports::port;

/// The outcome of one rule: `Err` carries the reason, in English, without the field name.
pub type Check = Result<(), String>;
