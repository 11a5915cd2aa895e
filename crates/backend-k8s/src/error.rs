//! Kube's errors, mapped onto core errors in one place, and which of them are worth
//! trying again.

use podgate_core::Error;

/// Whether a failed call may succeed if made again unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Throttled (429), a server error (5xx), or the connection failed or timed out.
    Later,
    /// A conditional write lost to another writer (409 Conflict): re-read, then retry.
    Reread,
    /// Retrying cannot help.
    Never,
}

/// How a kube error should be handled.
pub(crate) fn retry(e: &kube::Error) -> Retry {
    match e {
        kube::Error::Api(status) => match status.code {
            429 => Retry::Later,
            // A pod in a namespace made a moment ago, before its `default`
            // ServiceAccount exists: the controller-manager makes it within seconds.
            403 if status.message.contains("error looking up service account") => Retry::Later,
            // In a tenant namespace made a moment ago, podgate's RoleBinding there
            // (`K8sConfig::tenant_role`) may not have reached the authorizer yet.
            403 if status.message.contains("in the namespace \"podgate-") => Retry::Later,
            409 if status.reason == "Conflict" => Retry::Reread,
            code if code >= 500 => Retry::Later,
            _ => Retry::Never,
        },
        kube::Error::HyperError(_) | kube::Error::Service(_) => Retry::Later,
        _ => Retry::Never,
    }
}

/// How long the server asked to be left alone before the next try (`Retry-After`,
/// which a 429's status carries as `retryAfterSeconds`).
pub(crate) fn retry_after(e: &kube::Error) -> Option<std::time::Duration> {
    match e {
        kube::Error::Api(status) => status
            .details
            .as_ref()
            .map(|d| d.retry_after_seconds)
            .filter(|s| *s > 0)
            .map(|s| std::time::Duration::from_secs(u64::from(s))),
        _ => None,
    }
}

/// The core error for a failed call about the object `kind` named `id`.
///
/// 404 is `NotFound` and 409 AlreadyExists is `AlreadyExists` (of `kind`/`id`); a 409
/// Conflict that outlived its retries is `Conflict`; throttling, server errors and
/// transport failures are temporary backend failures; anything else (403 for
/// podgate's own credentials, 422 for an object the server refuses) is a permanent
/// backend failure. Details go to the source error, which is logged, never shown.
pub(crate) fn to_core(e: kube::Error, kind: &'static str, id: &str) -> Error {
    if let kube::Error::Api(status) = &e {
        if status.is_not_found() {
            return Error::not_found(kind, id);
        }
        if status.is_already_exists() {
            return Error::already_exists(kind, id);
        }
        if status.is_conflict() {
            return Error::Conflict(format!("{kind} {id} changed concurrently"));
        }
    }
    Error::Backend {
        temporary: retry(&e) == Retry::Later,
        source: Box::new(e),
    }
}

#[cfg(test)]
mod tests {
    use kube::core::Status;

    use super::*;

    fn api(code: u16, reason: &str) -> kube::Error {
        kube::Error::Api(Box::new(Status {
            code,
            reason: reason.to_owned(),
            message: format!("{reason} from the test"),
            ..Status::default()
        }))
    }

    /// A status, the core error it must map to, and how it is retried.
    type Case = (u16, &'static str, fn(&Error) -> bool, Retry);

    #[test]
    fn statuses_map_to_core_errors() {
        let table: &[Case] = &[
            (
                404,
                "NotFound",
                |e| {
                    matches!(
                        e,
                        Error::NotFound {
                            kind: "workload",
                            ..
                        }
                    )
                },
                Retry::Never,
            ),
            (
                409,
                "AlreadyExists",
                |e| {
                    matches!(
                        e,
                        Error::AlreadyExists {
                            kind: "workload",
                            ..
                        }
                    )
                },
                Retry::Never,
            ),
            (
                409,
                "Conflict",
                |e| matches!(e, Error::Conflict(_)),
                Retry::Reread,
            ),
            (
                429,
                "TooManyRequests",
                |e| {
                    matches!(
                        e,
                        Error::Backend {
                            temporary: true,
                            ..
                        }
                    )
                },
                Retry::Later,
            ),
            (
                500,
                "InternalError",
                |e| {
                    matches!(
                        e,
                        Error::Backend {
                            temporary: true,
                            ..
                        }
                    )
                },
                Retry::Later,
            ),
            (
                503,
                "ServiceUnavailable",
                |e| {
                    matches!(
                        e,
                        Error::Backend {
                            temporary: true,
                            ..
                        }
                    )
                },
                Retry::Later,
            ),
            (
                504,
                "Timeout",
                |e| {
                    matches!(
                        e,
                        Error::Backend {
                            temporary: true,
                            ..
                        }
                    )
                },
                Retry::Later,
            ),
            (
                403,
                "Forbidden",
                |e| {
                    matches!(
                        e,
                        Error::Backend {
                            temporary: false,
                            ..
                        }
                    )
                },
                Retry::Never,
            ),
            (
                422,
                "Invalid",
                |e| {
                    matches!(
                        e,
                        Error::Backend {
                            temporary: false,
                            ..
                        }
                    )
                },
                Retry::Never,
            ),
            (
                400,
                "BadRequest",
                |e| {
                    matches!(
                        e,
                        Error::Backend {
                            temporary: false,
                            ..
                        }
                    )
                },
                Retry::Never,
            ),
        ];
        for (code, reason, expected, retry_as) in table {
            assert_eq!(retry(&api(*code, reason)), *retry_as, "{code} {reason}");
            let mapped = to_core(api(*code, reason), "workload", "7");
            assert!(expected(&mapped), "{code} {reason} → {mapped:?}");
        }
        let not_found = to_core(api(404, "NotFound"), "workload", "7");
        assert_eq!(not_found.to_string(), "workload 7 not found");
    }

    #[test]
    fn transport_failures_are_temporary() {
        let e = kube::Error::Service("connection reset".into());
        assert_eq!(retry(&e), Retry::Later);
        assert!(matches!(
            to_core(e, "pod", "1"),
            Error::Backend {
                temporary: true,
                ..
            }
        ));
        let e = kube::Error::SerdeError(serde_json::from_str::<u8>("x").unwrap_err());
        assert_eq!(retry(&e), Retry::Never);
        assert!(matches!(
            to_core(e, "pod", "1"),
            Error::Backend {
                temporary: false,
                ..
            }
        ));
    }

    #[test]
    fn a_missing_service_account_passes_and_retry_after_is_read() {
        let mut forbidden = Status {
            code: 403,
            reason: "Forbidden".to_owned(),
            message: "pods \"p\" is forbidden: error looking up service account ns/default: serviceaccount \"default\" not found".to_owned(),
            ..Status::default()
        };
        let e = kube::Error::Api(Box::new(forbidden.clone()));
        assert_eq!(retry(&e), Retry::Later);
        forbidden.message = "pods is forbidden: User cannot create pods".to_owned();
        assert_eq!(retry(&kube::Error::Api(Box::new(forbidden))), Retry::Never);
        let throttled: Status = serde_json::from_value(serde_json::json!({
            "code": 429, "reason": "TooManyRequests", "message": "slow down",
            "details": {"retryAfterSeconds": 3}
        }))
        .unwrap();
        let e = kube::Error::Api(Box::new(throttled));
        assert_eq!(retry_after(&e), Some(std::time::Duration::from_secs(3)));
        assert_eq!(retry_after(&api(429, "TooManyRequests")), None);
    }
}
