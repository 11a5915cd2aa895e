//! The namespaces podgate writes into are made on first use: a fresh cluster needs
//! nothing made by hand, and a write pays for the namespace only when it was missing.

use std::future::Future;

use k8s_openapi::api::core::v1::Namespace;
use kube::Api;
use kube::api::PostParams;

use crate::labels;
use crate::retry::Backoff;

/// Makes the Namespace `name` unless it exists.
pub(crate) async fn ensure(
    client: &kube::Client,
    backoff: &Backoff,
    name: &str,
) -> Result<(), kube::Error> {
    let api: Api<Namespace> = Api::all(client.clone());
    let namespace = Namespace {
        metadata: labels::named(name),
        ..Namespace::default()
    };
    let post = PostParams::default();
    match backoff.call(|| api.create(&post, &namespace)).await {
        Err(kube::Error::Api(status)) if status.is_already_exists() => Ok(()),
        other => other.map(|_| ()),
    }
}

/// Whether a failed write says the namespace it went to does not exist (the API
/// server's 404 names the `namespaces` it looked for).
pub(crate) fn missing(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(status) if status.is_not_found()
        && (status.details.as_ref().is_some_and(|d| d.kind == "namespaces")
            || status.message.starts_with("namespaces ")))
}

/// Runs `write` in namespace `ns`; when the namespace is missing, makes it and runs
/// `write` once more.
pub(crate) async fn writing_in<T, F, Fut>(
    client: &kube::Client,
    backoff: &Backoff,
    ns: &str,
    write: F,
) -> Result<T, kube::Error>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, kube::Error>>,
{
    match write().await {
        Err(e) if missing(&e) => {
            ensure(client, backoff, ns).await?;
            write().await
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic)]

    use kube::core::Status;
    use kube::core::response::StatusDetails;

    use super::*;

    fn not_found(kind: &str, message: &str) -> kube::Error {
        kube::Error::Api(Box::new(Status {
            code: 404,
            reason: "NotFound".to_owned(),
            message: message.to_owned(),
            details: Some(
                serde_json::from_value::<StatusDetails>(serde_json::json!({"kind": kind}))
                    .unwrap_or_else(|e| panic!("{e}")),
            ),
            ..Status::default()
        }))
    }

    #[test]
    fn only_a_missing_namespace_counts() {
        assert!(missing(&not_found(
            "namespaces",
            "namespaces \"podgate-system\" not found"
        )));
        assert!(!missing(&not_found(
            "configmaps",
            "configmaps \"x\" not found"
        )));
    }
}
