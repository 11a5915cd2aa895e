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
            409 if status.reason == "Conflict" => Retry::Reread,
            code if code >= 500 => Retry::Later,
            _ => Retry::Never,
        },
        kube::Error::HyperError(_) | kube::Error::Service(_) => Retry::Later,
        _ => Retry::Never,
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
}
