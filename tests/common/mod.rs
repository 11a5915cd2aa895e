//! Shared by the golden tests: reading the vendors' examples and comparing shapes.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use serde_json::Value;

pub mod http;

/// The fixtures folder: `../shared/fixtures`, or `PODGATE_FIXTURES`.
pub fn fixtures() -> PathBuf {
    std::env::var_os("PODGATE_FIXTURES").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures"),
        PathBuf::from,
    )
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// One dialect's examples and what may differ from them.
pub struct Golden {
    /// The fixtures sub-folder.
    pub dialect: &'static str,
    /// Paths where the example contradicts its document (or shows an optional field
    /// podgate leaves out), with the reason; the table wins for what we emit.
    pub exceptions: &'static [(&'static str, &'static str)],
    /// Objects whose keys are data (maps), not field names: only value types compare.
    pub maps: &'static [&'static str],
}

impl Golden {
    /// An example, parsed.
    pub fn fixture(&self, name: &str) -> Value {
        let path = fixtures().join(self.dialect).join(name);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap()
    }

    /// The example files, sorted.
    pub fn files(&self) -> Vec<String> {
        let mut present: Vec<String> = std::fs::read_dir(fixtures().join(self.dialect))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        present.sort();
        present
    }

    fn excepted(&self, path: &str) -> bool {
        self.exceptions.iter().any(|(p, _)| *p == path)
    }

    /// Where `actual` lacks a field of `example`, nests it differently or gives it
    /// another JSON type, outside the exceptions.
    pub fn mismatches(&self, example: &Value, actual: &Value) -> Vec<String> {
        let mut out = Vec::new();
        self.walk(example, actual, "", &mut out);
        out
    }

    fn walk(&self, example: &Value, actual: &Value, path: &str, out: &mut Vec<String>) {
        if self.excepted(path) {
            return;
        }
        if kind(example) != kind(actual) {
            out.push(format!(
                "{path}: example {} vs ours {}",
                kind(example),
                kind(actual)
            ));
            return;
        }
        match (example, actual) {
            (Value::Object(e), Value::Object(a)) if self.maps.contains(&path) => {
                for (key, av) in a {
                    if let Some(ev) = e.values().next().filter(|ev| kind(ev) != kind(av)) {
                        out.push(format!(
                            "{path}.{key}: example {} vs ours {}",
                            kind(ev),
                            kind(av)
                        ));
                    }
                }
            }
            (Value::Object(e), Value::Object(a)) => {
                for (key, ev) in e {
                    let child = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    match a.get(key) {
                        Some(av) => self.walk(ev, av, &child, out),
                        None if self.excepted(&child) => {}
                        None => out.push(format!("{child}: missing")),
                    }
                }
            }
            (Value::Array(e), Value::Array(a)) => {
                if let Some(first) = e.first() {
                    match a.first() {
                        Some(ours) => self.walk(first, ours, &format!("{path}[]"), out),
                        None => out.push(format!("{path}: example has items, ours is empty")),
                    }
                }
            }
            _ => {}
        }
    }

    /// Panics listing the mismatches between the example `name` and `actual`.
    pub fn assert_shape(&self, name: &str, actual: &Value) {
        let out = self.mismatches(&self.fixture(name), actual);
        assert!(
            out.is_empty(),
            "{}/{name}:\n{}\nours: {actual:#}",
            self.dialect,
            out.join("\n")
        );
    }
}

/// The NCS examples. Where an example contradicts its document's table, the table wins
/// for what podgate emits.
pub const NCS: Golden = Golden {
    dialect: "ncs",
    exceptions: NCS_EXCEPTIONS,
    maps: &["Labels"],
};

const NCS_EXCEPTIONS: &[(&str, &str)] = &[
    (
        "CreateAt",
        "the table says ISO-8601 string; the examples print integers",
    ),
    (
        "Pods[].CreateAt",
        "the table says ISO-8601 string; the example prints an integer",
    ),
    (
        "StatefulWorkloads[].CreateAt",
        "the table says ISO-8601 string; the example prints an integer",
    ),
    (
        "Containers[].SecurityContext.Privilege",
        "the table says boolean; one example prints \"xxx\"",
    ),
    (
        "Containers[].DataDisks[].DiskId",
        "the table says string; one example prints a number",
    ),
    (
        "PackageId",
        "only prepaid workloads have a resource package; podgate's are PostPaid",
    ),
];

/// The openYuanrong examples.
pub const YUANRONG: Golden = Golden {
    dialect: "yuanrong",
    exceptions: &[],
    maps: &[
        "result.pools[].resources.requests",
        "result.pools[].resources.limits",
    ],
};

/// The IEF examples.
pub const IEF: Golden = Golden {
    dialect: "ief",
    exceptions: &[
        (
            "pods[].containers[].resources.limits.cpu",
            "the table says String; the example prints numbers",
        ),
        (
            "pods[].containers[].resources.limits.memory",
            "the table says String; the example prints numbers",
        ),
        (
            "pods[].containers[].resources.limits.gpu",
            "the table says String; the example prints numbers",
        ),
        (
            "pods[].containers[].resources.requests.cpu",
            "the table says String; the example prints numbers",
        ),
        (
            "pods[].containers[].resources.requests.memory",
            "the table says String; the example prints numbers",
        ),
        (
            "pods[].containers[].resources.requests.gpu",
            "the table says String; the example prints numbers",
        ),
    ],
    maps: &[],
};

/// The V-Kube examples.
pub const VKUBE: Golden = Golden {
    dialect: "vkube",
    exceptions: &[
        (
            "podStatus.conditions[].lastProbeTime",
            "null in the example; the Kubernetes API omits unset times",
        ),
        (
            "podSpec.imagePullSecrets",
            "only pods pulling from a private registry have them; podgate configures none",
        ),
    ],
    maps: &[
        "annotations",
        "podSpec.nodeSelector",
        "podSpec.containers[].resources.limits",
        "podSpec.containers[].resources.requests",
    ],
};
