//! IEF value rules (SPEC §2).

use validator::ValidationError;

use super::wire::CommandText;
use crate::validate::names::lower_dashed;
use crate::validate::{self, Check};

fn bad(what: &str, value: impl std::fmt::Debug) -> Check {
    Err(format!("{what}, got {value:?}"))
}

/// A container name: lowercase letters, digits and `-`, at most 32, starting and ending
/// with a letter or digit.
pub fn container_name(value: &str) -> Check {
    if lower_dashed(value, 32) {
        Ok(())
    } else {
        bad(
            "must be 1-32 lowercase letters, digits or '-', starting and ending with a letter or digit",
            value,
        )
    }
}

/// A deployment name: the same rule as a container name.
pub fn deployment_name(value: &str) -> Check {
    container_name(value)
}

/// An env name: a letter or `_`, then letters, digits or `_`; at most 2048.
pub fn env_name(value: &str) -> Check {
    let bytes = value.as_bytes();
    let ok = bytes
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        && bytes.len() <= 2048
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_');
    if ok {
        Ok(())
    } else {
        bad(
            "must start with a letter or '_' and hold letters, digits or '_', at most 2048",
            value,
        )
    }
}

/// An env value: at most 20480 characters.
pub fn env_value(value: &str) -> Check {
    if value.chars().count() <= 20480 {
        Ok(())
    } else {
        Err("must be at most 20480 characters".to_owned())
    }
}

/// A volume name: lowercase letters, digits (and `-`, which the vendor's own example
/// uses), at most 63.
pub fn volume_name(value: &str) -> Check {
    if lower_dashed(value, 63) {
        Ok(())
    } else {
        bad("must be 1-63 lowercase letters or digits", value)
    }
}

/// A volume type: `configMap`, `secret`, `emptyDir` or `hostPath`.
pub fn volume_type(value: &str) -> Check {
    if ["configMap", "secret", "emptyDir", "hostPath"].contains(&value) {
        Ok(())
    } else {
        bad("must be configMap, secret, emptyDir or hostPath", value)
    }
}

/// A hostPath source: `/` then `-`, `/`, `_`, `.`, letters or digits.
pub fn host_path(value: &str) -> Check {
    let ok = value.starts_with('/')
        && value.len() <= 4096
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-/_.".contains(&b));
    if ok {
        Ok(())
    } else {
        bad(
            "must start with '/' and hold letters, digits, '-', '/', '_' or '.'",
            value,
        )
    }
}

/// An emptyDir source: `disk` or `memory`.
pub fn empty_dir_medium(value: &str) -> Check {
    if value == "disk" || value == "memory" {
        Ok(())
    } else {
        bad("must be disk or memory", value)
    }
}

fn in_range(value: f64, min: f64, max: f64, what: &str) -> Check {
    if value.is_finite() && value >= min && value <= max {
        Ok(())
    } else {
        Err(format!("{what} must be within {min}..={max}, got {value}"))
    }
}

/// CPU in cores: 0.01..=1000.
pub fn cpu(value: f64) -> Check {
    in_range(value, 0.01, 1000.0, "cpu")
}

/// Memory in MB: 0.01..=1024000; a limit at least 4.
pub fn memory(value: f64, limit: bool) -> Check {
    in_range(value, if limit { 4.0 } else { 0.01 }, 1_024_000.0, "memory")
}

/// GPU memory in MB: 0.01..=1024000.
pub fn gpu(value: f64) -> Check {
    in_range(value, 0.01, 1_024_000.0, "gpu")
}

/// NPUs: a whole number, 1..=1000.
pub fn npu(value: f64) -> Check {
    if value.fract() == 0.0 {
        in_range(value, 1.0, 1000.0, "npu")
    } else {
        Err(format!("npu must be a whole number, got {value}"))
    }
}

/// A probe's seconds (`initial_delay_seconds`, `timeout_seconds`): 1..=3600.
pub fn probe_seconds(value: i64) -> Check {
    if (1..=3600).contains(&value) {
        Ok(())
    } else {
        bad("must be 1..=3600", value)
    }
}

/// An HTTP probe's path: starts with `/`.
pub fn http_path(value: &str) -> Check {
    if value.starts_with('/') && !value.chars().any(char::is_whitespace) {
        Ok(())
    } else {
        bad("must start with '/'", value)
    }
}

/// An HTTP probe's scheme: HTTP or HTTPS, in any case.
pub fn scheme(value: &str) -> Check {
    if value.eq_ignore_ascii_case("http") || value.eq_ignore_ascii_case("https") {
        Ok(())
    } else {
        bad("must be HTTP or HTTPS", value)
    }
}

/// An exec probe's command: at most 10240 characters.
pub fn exec_command(value: &str) -> Check {
    if !value.is_empty() && value.chars().count() <= 10240 {
        Ok(())
    } else {
        Err("must be 1-10240 characters".to_owned())
    }
}

/// A restart policy: Always, OnFailure or Never.
pub fn restart_policy(value: &str) -> Check {
    if ["Always", "OnFailure", "Never"].contains(&value) {
        Ok(())
    } else {
        bad("must be Always, OnFailure or Never", value)
    }
}

/// An NPU type: `D310`, `D310B` or empty (D310).
pub fn npu_type(value: &str) -> Check {
    if ["", "D310", "D310B"].contains(&value) {
        Ok(())
    } else {
        bad("must be D310, D310B or empty", value)
    }
}

/// A description: at most 255 characters, none of `^~#$%&*<>()[]{}'"\`.
pub fn description(value: &str) -> Check {
    if value.chars().count() > 255 {
        return Err("must be at most 255 characters".to_owned());
    }
    match value.chars().find(|c| "^~#$%&*<>()[]{}'\"\\".contains(*c)) {
        Some(c) => Err(format!("must not contain {c:?}")),
        None => Ok(()),
    }
}

fn word(value: &str, min: usize, max: usize, what: &str) -> Check {
    let n = value.chars().count();
    if (min..=max).contains(&n)
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Ok(())
    } else {
        bad(
            &format!("{what} must be {min}-{max} letters, digits, '_' or '-'"),
            value,
        )
    }
}

/// A tag key: 1-128 letters, digits, `_` or `-`.
pub fn tag_key(value: &str) -> Check {
    word(value, 1, 128, "a tag key")
}

/// A tag value: 1-256 letters, digits, `_` or `-`.
pub fn tag_value(value: &str) -> Check {
    word(value, 1, 256, "a tag value")
}

/// [`config_key`] as a pattern, for the OpenAPI document.
pub const CONFIG_KEY_PATTERN: &str = "^[A-Za-z-][-._A-Za-z0-9]{0,62}$";

/// [`base64`] as a pattern, for the OpenAPI document: the standard alphabet, padded,
/// with the unused bits of the last character zero.
pub const BASE64_PATTERN: &str =
    "^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$";

/// [`config_name`] as a pattern, for the OpenAPI document.
pub const CONFIG_NAME_PATTERN: &str = "^[a-z][-a-z0-9]{2,62}[a-z0-9]$";

/// A config map's or secret's name: 4-64 lowercase letters, digits or `-`, starting
/// with a letter, not ending with `-`.
pub fn config_name(value: &str) -> Check {
    let b = value.as_bytes();
    let ok = (4..=64).contains(&b.len())
        && b.first().is_some_and(u8::is_ascii_lowercase)
        && b.last().is_some_and(|c| *c != b'-')
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-');
    if ok {
        Ok(())
    } else {
        bad(
            "must be 4-64 lowercase letters, digits or '-', starting with a letter and not ending with '-'",
            value,
        )
    }
}

/// A key of a config map or secret: 1-63 letters, digits, `.`, `-` or `_`, starting
/// with a letter or `-`.
pub fn config_key(value: &str) -> Check {
    let b = value.as_bytes();
    let ok = (1..=63).contains(&b.len())
        && b.first()
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'-')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b".-_".contains(c));
    if ok {
        Ok(())
    } else {
        bad(
            "must be 1-63 letters, digits, '.', '-' or '_', starting with a letter or '-'",
            value,
        )
    }
}

/// A secret's value: base64, standard alphabet, padded.
pub fn base64(value: &str) -> Check {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(value)
        .map(drop)
        .map_err(|_| "must be base64 (standard alphabet, padded)".to_owned())
}

/// A DNS policy, given whether the pod uses the host network: Default, and
/// ClusterFirstWithHostNet with it or ClusterFirst without.
pub fn dns_policy(value: &str, host_network: bool) -> Check {
    let allowed: &[&str] = if host_network {
        &["Default", "ClusterFirstWithHostNet"]
    } else {
        &["Default", "ClusterFirst"]
    };
    if allowed.contains(&value) {
        Ok(())
    } else {
        bad(&format!("must be one of {allowed:?}"), value)
    }
}

/// A user id: 0..=65534.
pub fn run_as_user(value: i64) -> Check {
    if (0..=65534).contains(&value) {
        Ok(())
    } else {
        bad("must be 0..=65534", value)
    }
}

/// A volume's file mode: 0..=0o777.
pub fn default_mode(value: i64) -> Check {
    if (0..=0o777).contains(&value) {
        Ok(())
    } else {
        bad("must be 0..=511 (0777)", value)
    }
}

/// An env's `field_path`: only `status.hostIP`.
pub fn field_path(value: &str) -> Check {
    if value == "status.hostIP" {
        Ok(())
    } else {
        Err(format!("only status.hostIP is supported, got {value:?}"))
    }
}

/// An HTTP probe's host: a host name or address.
pub fn host(value: &str) -> Check {
    if value.is_empty() || value.chars().count() > 253 || value.contains(char::is_whitespace) {
        Err("must be a host name or address".to_owned())
    } else {
        Ok(())
    }
}

/// A port mapping's host address: an IP address.
pub fn ip_address(value: &str) -> Check {
    match value.parse::<std::net::IpAddr>() {
        Ok(_) => Ok(()),
        Err(_) => Err(format!("{value:?} is not an IP address")),
    }
}

/// A container's `version`: an image tag of letters, digits, `.`, `_` or `-`, at most 128.
pub fn image_tag(value: &str) -> Check {
    if value.len() <= 128
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    {
        Ok(())
    } else {
        Err("must be an image tag: letters, digits, '.', '_' or '-'".to_owned())
    }
}

/// A deployment's `source`: at most 64 characters.
pub fn source(value: &str) -> Check {
    if value.chars().count() <= 64 {
        Ok(())
    } else {
        Err("must be at most 64 characters".to_owned())
    }
}

/// A deployment's pod count: 1..=99.
pub fn replicas(value: i64) -> Check {
    if (1..100).contains(&value) {
        Ok(())
    } else {
        Err(format!("must be 1..=99, got {value}"))
    }
}

/// The `ring_controller` annotation: only `ascend-1980`.
pub fn ring_controller(value: &str) -> Check {
    if value == "ascend-1980" {
        Ok(())
    } else {
        bad("must be ascend-1980", value)
    }
}

/// The seconds a group deployment's pods tolerate a lost node: 0..=4294967295.
pub fn toleration_seconds(value: i64) -> Check {
    if (0..=i64::from(u32::MAX)).contains(&value) {
        Ok(())
    } else {
        Err("must be >= 0".to_owned())
    }
}

/// A node selector requirement's key: a label key, 1-316 characters.
pub fn label_key(value: &str) -> Check {
    if (1..=316).contains(&value.chars().count()) {
        Ok(())
    } else {
        Err("must be a label key".to_owned())
    }
}

/// A node selector requirement's operator: In, NotIn, Exists, DoesNotExist, Gt or Lt.
pub fn selector_operator(value: &str) -> Check {
    match crate::model::SelectorOperator::parse(value) {
        Some(_) => Ok(()),
        None => bad("must be In, NotIn, Exists, DoesNotExist, Gt or Lt", value),
    }
}

/// A preferred scheduling term's weight: 1..=100.
pub fn weight(value: i64) -> Check {
    if (1..=100).contains(&value) {
        Ok(())
    } else {
        Err("must be 1..=100".to_owned())
    }
}

/// A secret's type: only `Opaque`.
pub fn secret_type(value: &str) -> Check {
    if value == "Opaque" {
        Ok(())
    } else {
        Err(format!("only Opaque is supported, got {value:?}"))
    }
}

/// Pod (anti-)affinity as a field rule: refused whatever it says, since IEF gives
/// pods no labels a selector could name.
pub fn unsupported_affinity_field(_: &serde_json::Value) -> Result<(), ValidationError> {
    validate::rule(Err(
        "is not supported: IEF gives pods no labels a selector could name".to_owned(),
    ))
}

/// An exec probe's command line, given as one string or as words (joined by spaces).
pub fn command_line(value: &CommandText) -> String {
    match value {
        CommandText::One(s) => s.clone(),
        CommandText::Many(v) => v.join(" "),
    }
}

/// [`exec_command`] of a command line as a field rule.
pub fn exec_command_field(value: &CommandText) -> Result<(), ValidationError> {
    validate::rule(exec_command(&command_line(value)))
}

validate::field_rules! {
    config_name_field => config_name(&str);
    config_key_field => config_key(&str);
    env_name_field => env_name(&str);
    env_value_field => env_value(&str);
    field_path_field => field_path(&str);
    http_path_field => http_path(&str);
    host_field => host(&str);
    scheme_field => scheme(&str);
    probe_seconds_field => probe_seconds(i64);
    volume_name_field => volume_name(&str);
    volume_type_field => volume_type(&str);
    default_mode_field => default_mode(i64);
    container_name_field => container_name(&str);
    image_tag_field => image_tag(&str);
    ip_address_field => ip_address(&str);
    deployment_name_field => deployment_name(&str);
    description_field => description(&str);
    source_field => source(&str);
    tag_key_field => tag_key(&str);
    tag_value_field => tag_value(&str);
    replicas_field => replicas(i64);
    ring_controller_field => ring_controller(&str);
    restart_policy_field => restart_policy(&str);
    toleration_seconds_field => toleration_seconds(i64);
    label_key_field => label_key(&str);
    selector_operator_field => selector_operator(&str);
    weight_field => weight(i64);
    secret_type_field => secret_type(&str);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rule: impl Fn(&str) -> Check, good: &[&str], bad: &[&str]) {
        for g in good {
            assert!(rule(g).is_ok(), "{g:?} should pass");
        }
        for b in bad {
            assert!(rule(b).is_err(), "{b:?} should fail");
        }
    }

    #[test]
    fn name_rules() {
        let n32 = "a".repeat(32);
        let n33 = "a".repeat(33);
        table(
            container_name,
            &["container-0", "a", "0a", &n32],
            &["", "-a", "a-", "A", "a_b", &n33],
        );
        table(
            deployment_name,
            &["app-test", "x1"],
            &["App", "app_test", &n33],
        );
        table(
            volume_name,
            &["log", "log-volume", "v1", &"a".repeat(63)],
            &["", "Log", "a_b", &"a".repeat(64)],
        );
    }

    #[test]
    fn env_rules() {
        table(
            env_name,
            &["CERT_PATH", "_x", "a1"],
            &["", "1a", "A-B", "A.B", &"A".repeat(2049)],
        );
        assert!(env_value("/opt/cert").is_ok());
        assert!(env_value(&"v".repeat(20481)).is_err());
    }

    #[test]
    fn volume_rules() {
        table(
            volume_type,
            &["configMap", "secret", "emptyDir", "hostPath"],
            &["", "hostpath", "nfs"],
        );
        table(
            host_path,
            &["/var/IEF", "/a/b_c-d.e"],
            &["", "var", "/a b", "/a$b"],
        );
        table(
            empty_dir_medium,
            &["disk", "memory"],
            &["", "Memory", "tmpfs"],
        );
    }

    #[test]
    fn resource_rules() {
        for good in [0.01, 0.25, 1000.0] {
            assert!(cpu(good).is_ok(), "{good}");
        }
        for bad in [0.0, 0.009, 1000.1, f64::NAN, f64::INFINITY, -1.0] {
            assert!(cpu(bad).is_err(), "{bad}");
        }
        assert!(memory(0.01, false).is_ok());
        assert!(memory(3.9, true).is_err());
        assert!(memory(4.0, true).is_ok());
        assert!(memory(1_024_000.5, false).is_err());
        assert!(gpu(500.0).is_ok());
        assert!(gpu(0.0).is_err());
        assert!(npu(1.0).is_ok());
        assert!(npu(1000.0).is_ok());
        assert!(npu(0.0).is_err());
        assert!(npu(1.5).is_err());
        assert!(npu(1001.0).is_err());
    }

    #[test]
    fn probe_and_config_rules() {
        for good in [1, 10, 3600] {
            assert!(probe_seconds(good).is_ok());
        }
        for bad in [0, -1, 3601] {
            assert!(probe_seconds(bad).is_err());
        }
        table(http_path, &["/", "/healthz"], &["", "healthz", "/a b"]);
        table(scheme, &["HTTP", "https", "http", "HttpS"], &["", "ftp"]);
        table(exec_command, &["ls -l"], &["", &"x".repeat(10241)]);
        table(
            restart_policy,
            &["Always", "OnFailure", "Never"],
            &["always", ""],
        );
        table(npu_type, &["", "D310", "D310B"], &["d310", "D910"]);
    }

    #[test]
    fn family_rules() {
        table(
            description,
            &["", "this is a test app", &"d".repeat(255)],
            &[&"d".repeat(256), "a#b", "x<y", "quote\"", "back\\slash"],
        );
        table(tag_key, &["app", "a_b-C1"], &["", "a.b", &"k".repeat(129)]);
        table(tag_value, &["test"], &["", "a b", &"v".repeat(257)]);
        table(
            config_name,
            &["test-cm", "abcd", &"a".repeat(64)],
            &["abc", "1abc", "abc-", "Abcd", "ab_c", &"a".repeat(65)],
        );
        table(
            config_key,
            &["key1", "-k", "a.b_c-d", &"k".repeat(63)],
            &["", "1k", ".k", "a b", &"k".repeat(64)],
        );
        table(
            base64,
            &["", "dmFsMQ==", "YWJj", "val1"],
            &["abc", "dmFsMQ", "!!!!"],
        );
        assert!(dns_policy("ClusterFirst", false).is_ok());
        assert!(dns_policy("ClusterFirst", true).is_err());
        assert!(dns_policy("ClusterFirstWithHostNet", true).is_ok());
        assert!(dns_policy("Default", true).is_ok());
        assert!(dns_policy("None", false).is_err());
        assert!(run_as_user(0).is_ok() && run_as_user(65534).is_ok());
        assert!(run_as_user(-1).is_err() && run_as_user(65535).is_err());
        assert!(default_mode(420).is_ok() && default_mode(512).is_err());
    }
}
