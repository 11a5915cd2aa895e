//! The labels and annotations podgate puts on the objects it makes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podgate_core::secret::TokenHash;

/// Marks every object podgate makes.
pub(crate) const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "podgate");
/// A tenant namespace's kind ([`TenantKind::name`](podgate_core::model::TenantKind::name)).
pub(crate) const TENANT_KIND: &str = "podgate.io/tenant-kind";

/// The value of label `key` on an object.
pub(crate) fn value<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.labels.as_ref()?.get(key).map(String::as_str)
}

/// The labels every object podgate makes starts with.
pub(crate) fn base() -> BTreeMap<String, String> {
    BTreeMap::from([(MANAGED_BY.0.to_owned(), MANAGED_BY.1.to_owned())])
}

/// The metadata of an object podgate makes: its name and podgate's labels.
pub(crate) fn named(name: impl Into<String>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        labels: Some(base()),
        ..ObjectMeta::default()
    }
}

/// A label selector matching all of `pairs`.
pub(crate) fn selector(pairs: &[(&str, &str)]) -> String {
    let mut parts = vec![format!("{}={}", MANAGED_BY.0, MANAGED_BY.1)];
    parts.extend(pairs.iter().map(|(k, v)| format!("{k}={v}")));
    parts.join(",")
}

/// Bytes as lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// A name fragment for text that may not be one (an operator's id, a user's name):
/// 40 hex digits of its SHA-256.
pub(crate) fn digest(text: &str) -> String {
    hex(&TokenHash::of(text).as_bytes()[..20])
}
