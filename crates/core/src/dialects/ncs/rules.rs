//! NCS-specific value rules (SPEC §4).

use std::collections::BTreeMap;

use validator::ValidationError;

use super::wire::Num;
use crate::model::{Resources, Sysctl};
use crate::validate::names::lower_dashed;
use crate::validate::{self, Check};

/// Kubernetes' safe sysctl set: the default allow-list for `SysCmds`.
pub const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

fn one_of(value: &str, allowed: &[&str]) -> Check {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "must be one of {}, got {value:?}",
            allowed.join(", ")
        ))
    }
}

/// `ContainerType`: `Standard` or `HighPerformance`.
pub fn container_type(value: &str) -> Check {
    one_of(value, &["Standard", "HighPerformance"])
}

/// `PayType`: `PostPaid` or `PrePaid`.
pub fn pay_type(value: &str) -> Check {
    one_of(value, &["PostPaid", "PrePaid"])
}

/// An env var name: starts with a letter, `_`, `-` or `.`, then letters, digits, `_`,
/// `-`, `.`; at most 2048 characters.
pub fn env_name(value: &str) -> Check {
    let ok = !value.is_empty()
        && value.len() <= 2048
        && !value.starts_with(|c: char| c.is_ascii_digit())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "must be letters, digits, '_', '-' or '.', not starting with a digit, at most 2048, got {value:?}"
        ))
    }
}

/// A probe's seconds (`PeriodSeconds`, `TimeoutSeconds`): 1..=3600.
pub fn probe_seconds(value: i64) -> Check {
    if (1..=3600).contains(&value) {
        Ok(())
    } else {
        Err(format!("must be 1..=3600, got {value}"))
    }
}

/// A user label: key 1–253 bytes outside the system `netease/` prefix, value at most
/// 253 bytes.
pub fn label(key: &str, value: &str) -> Check {
    if key.is_empty() || key.len() > 253 || value.len() > 253 {
        Err(format!(
            "label {key:?} must have a 1-253 byte key and a value of at most 253 bytes"
        ))
    } else if key.starts_with("netease/") {
        Err(format!("label {key:?} uses the system prefix netease/"))
    } else {
        Ok(())
    }
}

/// A data disk's `DiskName`: 1–63 characters.
pub fn disk_name(value: &str) -> Check {
    if value.is_empty() || value.chars().count() > 63 {
        Err(format!("must be 1-63 characters, got {value:?}"))
    } else {
        Ok(())
    }
}

/// `VolumeType`: `Emptydir` or `Secret`.
pub fn volume_type(value: &str) -> Check {
    one_of(value, &["Emptydir", "Secret"])
}

/// A volume `Mode`: `ro` or `rw`; secrets are mounted `ro` only.
pub fn mount_mode(value: &str, secret: bool) -> Check {
    if secret {
        one_of(value, &["ro"])
    } else {
        one_of(value, &["ro", "rw"])
    }
}

/// A data disk's `DiskType`.
pub fn disk_type(value: &str) -> Check {
    one_of(
        value,
        &["CloudSsd", "CloudHighPerformanceSsd", "CloudLocal"],
    )
}

/// An env var's `Type`: absent, or `Secret`.
pub fn env_type(value: Option<&str>) -> Check {
    match value {
        None | Some("Secret") => Ok(()),
        Some(other) => Err(format!("must be absent or \"Secret\", got {other:?}")),
    }
}

fn sysctl_segment(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            alnum(first)
                && alnum(last)
                && bytes.iter().all(|b| alnum(b) || *b == b'-' || *b == b'_')
        }
        _ => false,
    }
}

/// A `SysCmds` entry: `name=value`, where name is a dotted sysctl name (≤ 253 bytes)
/// and value is non-empty printable text (≤ 1024 bytes).
pub fn sysctl(entry: &str) -> Result<Sysctl, String> {
    let bad = || format!("must be name=value with a sysctl name, got {entry:?}");
    let (name, value) = entry.split_once('=').ok_or_else(bad)?;
    let name_ok =
        !name.is_empty() && name.len() <= 253 && name.split(['.', '/']).all(sysctl_segment);
    let value_ok = !value.is_empty()
        && value.len() <= 1024
        && value.chars().all(|c| !c.is_control() || c == '\t');
    if name_ok && value_ok {
        Ok(Sysctl {
            name: name.to_owned(),
            value: value.to_owned(),
        })
    } else {
        Err(bad())
    }
}

/// A sysctl name must be on the allow-list.
pub fn sysctl_allowed(name: &str, allow_list: &[String]) -> Check {
    if allow_list.iter().any(|a| a == name) {
        Ok(())
    } else {
        Err(format!("sysctl {name} is not on the allow-list"))
    }
}

/// A capability must be on the allow-list.
pub fn capability_allowed(capability: &str, allow_list: &[String]) -> Check {
    if allow_list.iter().any(|a| a == capability) {
        Ok(())
    } else {
        Err(format!("capability {capability} is not on the allow-list"))
    }
}

/// Requests must not exceed limits, component by component.
pub fn requests_within_limits(requests: Resources, limits: Resources) -> Check {
    if requests.fits_in(limits) {
        Ok(())
    } else {
        Err("requests must not exceed limits".to_owned())
    }
}

/// An NCS container name: 1–24 lowercase letters, digits or `-`, starting with a
/// letter and ending with a letter or digit.
pub fn container_name(name: &str) -> Check {
    if lower_dashed(name, 24) && name.starts_with(|c: char| c.is_ascii_lowercase()) {
        Ok(())
    } else {
        Err(format!(
            "must be 1-24 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit, got {name:?}"
        ))
    }
}

// ---- the rules as field rules (`#[validate(custom(...))]` on the wire types) ----------

/// A positive integer given as a number or a string of digits.
pub fn positive(value: &Num) -> Option<u64> {
    non_negative(value).filter(|n| *n > 0)
}

/// A non-negative integer, at most 2^63-1, given as a number or a string of 1–19
/// ASCII digits (no sign, no spaces).
pub fn non_negative(value: &Num) -> Option<u64> {
    let n = match value {
        Num::Int(n) => *n,
        Num::Text(s) if digits(s) => s.parse::<i64>().ok()?,
        Num::Text(_) => return None,
    };
    u64::try_from(n).ok()
}

/// Whether `s` is what [`non_negative`] parses: 1–19 ASCII digits.
fn digits(s: &str) -> bool {
    (1..=19).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// The value refused when `ok` is false.
fn value_rule(ok: bool) -> Result<(), ValidationError> {
    if ok {
        Ok(())
    } else {
        Err(validate::bad_value())
    }
}

/// [`positive`] as a field rule (ids, sizes).
pub fn positive_field(value: &Num) -> Result<(), ValidationError> {
    value_rule(positive(value).is_some())
}

/// [`non_negative`] as a field rule (amounts).
pub fn non_negative_field(value: &Num) -> Result<(), ValidationError> {
    value_rule(non_negative(value).is_some())
}

/// A GPU count: non-negative and a whole count of devices.
pub fn gpu_field(value: &Num) -> Result<(), ValidationError> {
    value_rule(non_negative(value).is_some_and(|n| u32::try_from(n).is_ok()))
}

/// User labels, each a [`label`].
pub fn labels_field(labels: &BTreeMap<String, String>) -> Result<(), ValidationError> {
    validate::rule(labels.iter().try_for_each(|(k, v)| label(k, v)))
}

/// [`env_type`] as a field rule.
pub fn env_type_field(value: &str) -> Result<(), ValidationError> {
    validate::rule(env_type(Some(value)))
}

validate::field_rules! {
    pay_type_field => pay_type(&str);
    container_type_field => container_type(&str);
    env_name_field => env_name(&str);
    probe_seconds_field => probe_seconds(i64);
    volume_type_field => volume_type(&str);
    disk_type_field => disk_type(&str);
    disk_name_field => disk_name(&str);
}

/// Log directories: each an absolute path.
pub fn log_dirs_field(dirs: &[String]) -> Result<(), ValidationError> {
    validate::each(dirs, |dir| validate::absolute_path(dir))
}

/// `SysCmds`: each a [`sysctl`] (which names a namespace may set is a rule on its
/// privileges).
pub fn sys_cmds_field(entries: &[String]) -> Result<(), ValidationError> {
    validate::each(entries, |entry| sysctl(entry).map(drop))
}

/// A list of ids: each [`positive`].
pub fn positive_ids_field(ids: &[Num]) -> Result<(), ValidationError> {
    validate::each(ids, |id| {
        positive(id)
            .map(drop)
            .ok_or_else(|| format!("must be a positive integer, got {id}"))
    })
}

/// An emptyDir's `Medium`: `Memory` only.
pub fn medium_field(value: &str) -> Result<(), ValidationError> {
    value_rule(value == "Memory")
}

/// [`mount_mode`] of an emptyDir as a field rule.
pub fn emptydir_mode_field(value: &str) -> Result<(), ValidationError> {
    validate::rule(mount_mode(value, false))
}

/// [`mount_mode`] of a secret volume as a field rule.
pub fn secret_mode_field(value: &str) -> Result<(), ValidationError> {
    validate::rule(mount_mode(value, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_digits() {
        let text = |s: &str| non_negative(&Num::Text(s.to_owned()));
        assert_eq!(text("0"), Some(0));
        assert_eq!(text("007"), Some(7));
        assert_eq!(text("9223372036854775807"), Some(i64::MAX.unsigned_abs()));
        for bad in [
            "",
            " 5",
            "5 ",
            "+5",
            "-0",
            "1.5",
            "9223372036854775808",
            "00000000000000000001",
        ] {
            assert_eq!(text(bad), None, "{bad:?}");
        }
        assert_eq!(positive(&Num::Text("0".to_owned())), None);
        assert_eq!(non_negative(&Num::Int(-1)), None);
    }

    #[test]
    fn enum_rules_table() {
        assert!(container_type("Standard").is_ok());
        assert!(container_type("HighPerformance").is_ok());
        assert!(container_type("standard").is_err());
        assert!(container_type("").is_err());
        assert!(volume_type("Emptydir").is_ok());
        assert!(volume_type("Secret").is_ok());
        assert!(volume_type("EmptyDir").is_err());
        assert!(volume_type("HostPath").is_err());
        assert!(mount_mode("rw", false).is_ok());
        assert!(mount_mode("ro", false).is_ok());
        assert!(mount_mode("ro", true).is_ok());
        assert!(mount_mode("rw", true).is_err());
        assert!(mount_mode("RW", false).is_err());
        for good in ["CloudSsd", "CloudHighPerformanceSsd", "CloudLocal"] {
            assert!(disk_type(good).is_ok());
        }
        for bad in ["", "cloudssd", "Local"] {
            assert!(disk_type(bad).is_err());
        }
        assert!(env_type(None).is_ok());
        assert!(env_type(Some("Secret")).is_ok());
        assert!(env_type(Some("secret")).is_err());
        assert!(env_type(Some("")).is_err());
    }

    #[test]
    fn value_rules_table() {
        assert!(pay_type("PostPaid").is_ok());
        assert!(pay_type("PrePaid").is_ok());
        assert!(pay_type("Free").is_err());
        for good in ["HOSTNAME", "_x", "a.b-c_d", "aaa"] {
            assert!(env_name(good).is_ok(), "{good}");
        }
        let long_env = "A".repeat(2049);
        for bad in ["", "1X", "A B", "A=B", long_env.as_str()] {
            assert!(env_name(bad).is_err(), "{bad:?}");
        }
        for good in [1, 10, 3600] {
            assert!(probe_seconds(good).is_ok());
        }
        for bad in [i64::MIN, 0, 3601] {
            assert!(probe_seconds(bad).is_err());
        }
        assert!(label("test", "test").is_ok());
        assert!(label("a.a", "").is_ok());
        assert!(label("", "x").is_err());
        assert!(label("netease/tenantId", "x").is_err());
        assert!(label("k", &"v".repeat(254)).is_err());
        assert!(disk_name("localTest").is_ok());
        assert!(disk_name("").is_err());
        assert!(disk_name(&"d".repeat(64)).is_err());
    }

    #[test]
    fn sysctl_format_table() {
        for good in [
            "net.ipv4.tcp_syncookies=1",
            "net.ipv4.ip_local_port_range=1024 65535",
            "kernel.shm_rmid_forced=0",
            "net/ipv4/tcp_fin_timeout=30",
        ] {
            assert!(sysctl(good).is_ok(), "{good:?} should pass");
        }
        for bad in [
            "xxx",
            "=1",
            "net.ipv4.tcp_syncookies=",
            "Net.IPv4=1",
            "a..b=1",
            ".a=1",
            "a=1\n",
        ] {
            assert!(sysctl(bad).is_err(), "{bad:?} should fail");
        }
        let parsed = sysctl("net.ipv4.tcp_syncookies=1").unwrap();
        assert_eq!(parsed.name, "net.ipv4.tcp_syncookies");
        assert_eq!(parsed.value, "1");
    }

    #[test]
    fn allow_lists_table() {
        let sysctls: Vec<String> = SAFE_SYSCTLS.iter().map(|s| (*s).to_owned()).collect();
        assert!(sysctl_allowed("net.ipv4.tcp_syncookies", &sysctls).is_ok());
        assert!(sysctl_allowed("kernel.msgmax", &sysctls).is_err());
        let caps = vec!["SYS_ADMIN".to_owned(), "NET_ADMIN".to_owned()];
        assert!(capability_allowed("NET_ADMIN", &caps).is_ok());
        assert!(capability_allowed("SYS_PTRACE", &caps).is_err());
        assert!(capability_allowed("net_admin", &caps).is_err());
    }

    #[test]
    fn requests_within_limits_table() {
        let r = |cpu, mem| Resources {
            cpu_millis: cpu,
            memory_mib: mem,
            gpu: 0,
        };
        assert!(requests_within_limits(r(1000, 1024), r(1000, 1024)).is_ok());
        assert!(requests_within_limits(r(500, 512), r(1000, 1024)).is_ok());
        assert!(requests_within_limits(r(1001, 1024), r(1000, 1024)).is_err());
        assert!(requests_within_limits(r(1000, 2048), r(1000, 1024)).is_err());
    }

    #[test]
    fn container_name_table() {
        let long_ok = "a".repeat(24);
        let too_long = "a".repeat(25);
        for good in ["a", "container", "container01", "my-app", long_ok.as_str()] {
            assert!(container_name(good).is_ok(), "{good:?} should pass");
        }
        for bad in [
            "",
            "0abc",
            "-ab",
            "ab-",
            "MyCentos",
            "a_b",
            too_long.as_str(),
        ] {
            assert!(container_name(bad).is_err(), "{bad:?} should fail");
        }
    }
}
