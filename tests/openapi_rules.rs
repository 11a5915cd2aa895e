//! The OpenAPI document states the same rules the code enforces: for each field whose
//! schema carries a pattern or a length, every probe string is accepted by the schema
//! exactly when the rule function accepts it. (The HTTP fuzz run generates its cases
//! from these schemas; a schema looser than its rule sends it invalid data as valid,
//! a stricter one makes it expect refusals the server does not give.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use podgate::core::dialects::{ief, ncs, vkube, yuanrong};
use podgate::core::validate;
use serde_json::Value;

type Rule = fn(&str) -> bool;

/// Where a schema is (a component's property, or a route's query parameter) and the
/// rule it states.
const FIELDS: &[(&str, &str, Rule)] = &[
    ("ief.CreateDeploymentRequest", "name", |v| {
        ief::rules::deployment_name(v).is_ok()
    }),
    ("ief.ContainerDef", "name", |v| {
        ief::rules::container_name(v).is_ok()
    }),
    ("ief.ContainerDef", "image_url", |v| {
        validate::image_reference(v).is_ok()
    }),
    ("ief.ContainerDef", "version", |v| {
        ief::rules::image_tag(v).is_ok()
    }),
    ("ief.ContainerDef", "npu_type", |v| {
        ief::rules::npu_type(v).is_ok()
    }),
    ("ief.Attributes", "key", |v| ief::rules::tag_key(v).is_ok()),
    ("ief.Attributes", "value", |v| {
        ief::rules::tag_value(v).is_ok()
    }),
    ("ief.ConfigMap", "name", |v| {
        ief::rules::config_name(v).is_ok()
    }),
    ("ief.SecretDetail", "name", |v| {
        ief::rules::config_name(v).is_ok()
    }),
    ("ief.KeyRef", "name", |v| ief::rules::config_name(v).is_ok()),
    ("ief.KeyRef", "key", |v| ief::rules::config_key(v).is_ok()),
    ("ief.ConfigMap", "description", |v| {
        ief::rules::description(v).is_ok()
    }),
    ("ief.Env", "name", |v| ief::rules::env_name(v).is_ok()),
    ("ief.Volume", "name", |v| ief::rules::volume_name(v).is_ok()),
    ("ief.Volume", "type", |v| ief::rules::volume_type(v).is_ok()),
    ("ief.MatchExpression", "operator", |v| {
        ief::rules::selector_operator(v).is_ok()
    }),
    ("ief.SecretDetail", "type", |v| {
        ief::rules::secret_type(v).is_ok()
    }),
    ("vkube.DeployContainer", "name", |v| {
        validate::dns1123_label(v).is_ok()
    }),
    ("vkube.DeployContainer", "imageName", |v| {
        validate::image_reference(v).is_ok()
    }),
    ("vkube.DeployResource", "memory", |v| {
        vkube::rules::memory(v).is_ok()
    }),
    ("vkube.ServiceOptions", "resourceUnit", |v| {
        vkube::rules::resource_unit(v).is_ok()
    }),
    ("yuanrong.PoolIn", "id", |v| {
        yuanrong::rules::pool_id(v).is_ok()
    }),
    ("yuanrong.PoolIn", "group", |v| {
        v.is_empty() || yuanrong::rules::pool_group(v).is_ok()
    }),
    ("ief.HttpGet", "path", |v| ief::rules::http_path(v).is_ok()),
    ("ief.HttpGet", "scheme", |v| ief::rules::scheme(v).is_ok()),
    ("ief.HttpGet", "host", |v| ief::rules::host(v).is_ok()),
    ("ief.PodConfigs", "restart_policy", |v| {
        ief::rules::restart_policy(v).is_ok()
    }),
    ("ief.Annotations", "ring_controller", |v| {
        ief::rules::ring_controller(v).is_ok()
    }),
    ("ief.Env", "field_path", |v| {
        ief::rules::field_path(v).is_ok()
    }),
    ("ief.MatchExpression", "key", |v| {
        ief::rules::label_key(v).is_ok()
    }),
    ("ncs.CreateRequest", "Name", |v| {
        validate::dns1123_label(v).is_ok()
    }),
    ("ncs.CreateRequest", "ContainerType", |v| {
        ncs::rules::container_type(v).is_ok()
    }),
    ("ncs.CreateRequest", "PayType", |v| {
        ncs::rules::pay_type(v).is_ok()
    }),
    ("ncs.ContainerDef", "Name", |v| {
        ncs::rules::container_name(v).is_ok()
    }),
    ("ncs.ContainerDef", "Image", |v| {
        validate::image_reference(v).is_ok()
    }),
    ("ncs.Env", "Name", |v| ncs::rules::env_name(v).is_ok()),
    ("ncs.Env", "Type", |v| ncs::rules::env_type(Some(v)).is_ok()),
    ("ncs.EmptyDir", "Medium", |v| {
        ncs::rules::medium_field(v).is_ok()
    }),
    ("ncs.EmptyDir", "Mode", |v| {
        ncs::rules::mount_mode(v, false).is_ok()
    }),
    ("ncs.EmptyDir", "Name", |v| {
        validate::dns1123_label(v).is_ok()
    }),
    ("ncs.SecretVolume", "Mode", |v| {
        ncs::rules::mount_mode(v, true).is_ok()
    }),
    ("ncs.Volume", "VolumeType", |v| {
        ncs::rules::volume_type(v).is_ok()
    }),
    ("ncs.DataDisk", "DiskType", |v| {
        ncs::rules::disk_type(v).is_ok()
    }),
    ("ncs.DataDisk", "DiskName", |v| {
        ncs::rules::disk_name(v).is_ok()
    }),
    // A number NCS takes as an integer or a string: the string's rule. (Its upper bound
    // is a value, which a pattern does not state: GPUs' 4294967295 is left out.)
    ("ncs.DataDisk", "DiskSize", |v| {
        ncs::rules::positive(&ncs::wire::Num::Text(v.to_owned())).is_some()
    }),
    ("ncs.ResourceAmounts", "Cpu", |v| {
        ncs::rules::non_negative(&ncs::wire::Num::Text(v.to_owned())).is_some()
    }),
    ("GET /k8s/images", "image", |v| {
        vkube::rules::image_name(v).is_ok()
    }),
    ("GET /k8s/images", "tag", |v| {
        vkube::rules::image_tag(v).is_ok()
    }),
];

/// Strings at the edges of the rules: every string of up to two characters over a
/// small alphabet, runs of one character at the lengths rules name, and the values
/// each rule is about.
fn probes() -> Vec<String> {
    let alphabet: Vec<char> = "aZ0-_./:+ é\t=\"#".chars().collect();
    let mut out = vec![String::new()];
    for a in &alphabet {
        out.push(a.to_string());
        for b in &alphabet {
            out.push(format!("{a}{b}"));
        }
    }
    for len in [
        3, 4, 5, 31, 32, 252, 253, 254, 315, 316, 317, 33, 38, 39, 40, 41, 62, 63, 64, 65, 127,
        128, 129, 255, 256, 257, 2047, 2048, 2049,
    ] {
        out.extend([
            "a".repeat(len),
            "A".repeat(len),
            "1".repeat(len),
            format!("-{}", "a".repeat(len - 1)),
            format!("{}-", "a".repeat(len - 1)),
        ]);
    }
    for sample in [
        "nginx",
        "nginx:stable",
        "10.0.0.1:5000/x/y",
        "a:b",
        "a/b:c",
        "a:5000/b",
        "a b",
        "Opaque",
        "opaque",
        "configMap",
        "secret",
        "emptyDir",
        "hostPath",
        "512Mi",
        "0Mi",
        "0.0Mi",
        "1.5Gi",
        ".5Mi",
        "1.Mi",
        "+1Mi",
        "-1Mi",
        "1e3Mi",
        "007Mi",
        "512M",
        "5-Unit-Resource",
        "0-Unit-Resource",
        "007-Unit-Resource",
        "+5-Unit-Resource",
        "1000000-Unit-Resource",
        "1000001-Unit-Resource",
        "-Unit-Resource",
        "_x",
        "x_y",
        "abc-def",
        "abcd-",
        "Abcd",
        "a--b",
        "In",
        "NotIn",
        "Exists",
        "DoesNotExist",
        "Gt",
        "Lt",
        "in",
        "status.hostIP",
        "Always",
        "OnFailure",
        "ascend-1980",
        "status.hostIPs",
        "HTTP",
        "hTTpS",
        "Memory",
        "Secret",
        "Emptydir",
        "CloudSsd",
        "CloudLocal",
        "Standard",
        "PrePaid",
        "ro",
        "rw",
        "/",
        "/a b",
        "007",
        "4294967295",
        "4294967296",
        "9223372036854775807",
    ] {
        out.push(sample.to_owned());
    }
    out
}

/// The schema at `place`/`name` in the served document.
fn schema<'a>(doc: &'a Value, place: &str, name: &str) -> &'a Value {
    if let Some((method, path)) = place.split_once(' ') {
        let parameters = doc["paths"][path][method.to_lowercase()]["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("{place}: no parameters"));
        let parameter = parameters
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{place}: no parameter {name}"));
        &parameter["schema"]
    } else {
        let property = &doc["components"]["schemas"][place]["properties"][name];
        assert!(!property.is_null(), "{place}.{name}: no such property");
        // A value taken as a number or a string: the string's schema.
        property["oneOf"]
            .as_array()
            .and_then(|any| any.iter().find(|s| s["type"] == "string"))
            .unwrap_or(property)
    }
}

/// Whether a string schema (its pattern and lengths, counted in characters) takes
/// `value`.
fn takes(schema: &Value, pattern: Option<&regex::Regex>, value: &str) -> bool {
    let chars = u64::try_from(value.chars().count()).unwrap();
    schema["minLength"].as_u64().is_none_or(|min| chars >= min)
        && schema["maxLength"].as_u64().is_none_or(|max| chars <= max)
        && pattern.is_none_or(|p| p.is_match(value))
}

#[test]
fn schemas_state_the_rules_the_code_enforces() {
    let doc = serde_json::to_value(podgate_http::openapi()).unwrap();
    let probes = probes();
    let mut disagreements = Vec::new();
    for (place, name, rule) in FIELDS {
        let schema = schema(&doc, place, name);
        let pattern = schema["pattern"]
            .as_str()
            .map(|p| regex::Regex::new(p).unwrap_or_else(|e| panic!("{place}.{name}: {e}")));
        assert!(
            pattern.is_some() || schema["maxLength"].is_u64(),
            "{place}.{name} states no rule: {schema}"
        );
        for probe in &probes {
            let (by_schema, by_rule) = (takes(schema, pattern.as_ref(), probe), rule(probe));
            if by_schema != by_rule {
                disagreements.push(format!(
                    "{place}.{name} {probe:?}: schema {by_schema}, rule {by_rule}"
                ));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[test]
fn secret_values_are_base64_as_the_rule_reads_it() {
    let pattern = regex::Regex::new(ief::rules::BASE64_PATTERN).unwrap();
    let mut probes = probes();
    probes.extend(
        [
            "dg==", "dh==", "dmE=", "dmF=", "dmFs", "dmFsMQ==", "dmFsMQ=", "d===", "====", "+/8=",
        ]
        .map(str::to_owned),
    );
    for probe in probes {
        assert_eq!(
            pattern.is_match(&probe),
            ief::rules::base64(&probe).is_ok(),
            "{probe:?}"
        );
    }
}

#[test]
fn every_reference_resolves() {
    fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    out.push(target);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let doc = serde_json::to_value(podgate_http::openapi()).unwrap();
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.len() > 100, "{} references", found.len());
    for target in found {
        let pointer = target.strip_prefix('#').unwrap_or(target);
        assert!(doc.pointer(pointer).is_some(), "{target} resolves");
    }
}
