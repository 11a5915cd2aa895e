//! Validation rules, one function per rule. Each returns `Err(reason)` for a bad value;
//! callers attach the field name and map to their dialect's error.

mod ief;
mod names;
mod ncs;
mod paths;
mod ports;
mod quantity;
mod vkube;
mod yuanrong;

pub use ief::{
    ief_base64, ief_config_key, ief_config_name, ief_container_name, ief_cpu, ief_default_mode,
    ief_deployment_name, ief_description, ief_dns_policy, ief_empty_dir_medium, ief_env_name,
    ief_env_value, ief_exec_command, ief_gpu, ief_host_path, ief_http_path, ief_memory, ief_npu,
    ief_npu_type, ief_probe_seconds, ief_restart_policy, ief_run_as_user, ief_scheme, ief_tag_key,
    ief_tag_value, ief_volume_name, ief_volume_type,
};
pub use names::{dns1123_label, ncs_container_name};
pub use ncs::{
    SAFE_SYSCTLS, ncs_capability_allowed, ncs_container_type, ncs_disk_name, ncs_disk_type,
    ncs_env_name, ncs_env_type, ncs_image, ncs_label, ncs_mount_mode, ncs_pay_type,
    ncs_probe_seconds, ncs_requests_within_limits, ncs_sysctl, ncs_sysctl_allowed, ncs_volume_type,
};
pub use paths::absolute_path;
pub use ports::port;
pub use quantity::{Quantity, cpu_quantity, mebi_or_gibi, quantity};
pub use vkube::{vkube_image_name, vkube_image_tag, vkube_resource_unit, vkube_split_lines};
pub use yuanrong::{yr_idle_time, yr_max_len, yr_pool_group, yr_pool_id, yr_sizes};

/// The outcome of one rule: `Err` carries the reason, in English, without the field name.
pub type Check = Result<(), String>;
