//! The namespaces podgate writes into are made on first use: a fresh cluster needs
//! nothing made by hand, and a write pays for the namespace only when it was missing.

use std::future::Future;

use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::api::rbac::v1::{RoleBinding, RoleRef, Subject};
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

/// Binds ClusterRole `role` to podgate's own identity (`subject`) in namespace `ns`: a
/// RoleBinding named `podgate` (one already there is left as it is).
pub(crate) async fn bind(
    client: &kube::Client,
    backoff: &Backoff,
    ns: &str,
    role: &str,
    subject: &Subject,
) -> Result<(), kube::Error> {
    let api: Api<RoleBinding> = Api::namespaced(client.clone(), ns);
    let binding = RoleBinding {
        metadata: labels::named("podgate"),
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".to_owned()),
            kind: "ClusterRole".to_owned(),
            name: role.to_owned(),
        },
        subjects: Some(vec![subject.clone()]),
    };
    let post = PostParams::default();
    match backoff.call(|| api.create(&post, &binding)).await {
        Err(kube::Error::Api(status)) if status.is_already_exists() => Ok(()),
        other => other.map(|_| ()),
    }
}

/// Who podgate is to the API server, as a RoleBinding names it (its ServiceAccount when
/// it has one): one `SelfSubjectReview`.
pub(crate) async fn identity(
    client: &kube::Client,
    backoff: &Backoff,
) -> Result<Subject, kube::Error> {
    let api: Api<SelfSubjectReview> = Api::all(client.clone());
    let post = PostParams::default();
    let asked = SelfSubjectReview::default();
    let review = backoff.call(|| api.create(&post, &asked)).await?;
    let user = review
        .status
        .and_then(|s| s.user_info)
        .and_then(|u| u.username)
        .unwrap_or_default();
    Ok(subject_of(&user))
}

/// The RoleBinding subject for user name `user`.
fn subject_of(user: &str) -> Subject {
    match user
        .strip_prefix("system:serviceaccount:")
        .and_then(|rest| rest.split_once(':'))
    {
        Some((namespace, name)) => Subject {
            kind: "ServiceAccount".to_owned(),
            name: name.to_owned(),
            namespace: Some(namespace.to_owned()),
            api_group: None,
        },
        None => Subject {
            kind: "User".to_owned(),
            name: user.to_owned(),
            namespace: None,
            api_group: Some("rbac.authorization.k8s.io".to_owned()),
        },
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
    fn a_service_account_is_bound_as_one_and_anyone_else_as_a_user() {
        let sa = subject_of("system:serviceaccount:podgate-system:podgate");
        assert_eq!(
            (sa.kind.as_str(), sa.name.as_str(), sa.namespace.as_deref()),
            ("ServiceAccount", "podgate", Some("podgate-system"))
        );
        let user = subject_of("podgate-admin");
        assert_eq!(
            (user.kind.as_str(), user.name.as_str(), user.namespace),
            ("User", "podgate-admin", None)
        );
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
