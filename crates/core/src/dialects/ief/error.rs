//! IEF errors: `{"error_code":"IEF.xxxxxx","error_msg":"..."}` with an HTTP status, and
//! the one mapping from [`crate::Error`]. docs/ief.md lists the codes and why.

use std::fmt;

use super::wire::ErrorReply;
use crate::Error;

/// An IEF error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IefError {
    /// HTTP status.
    pub status: u16,
    /// `IEF.xxxxxx`.
    pub code: &'static str,
    /// The message.
    pub message: String,
}

impl fmt::Display for IefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for IefError {}

/// The code the vendor's error table gives a rule broken at `field` (a JSON path): a
/// resource name, a volume, an environment variable, an image version, or any other
/// parameter.
fn code_for(field: &str) -> &'static str {
    if matches!(field, "name" | "configmap.name" | "secret.name") {
        "IEF.100012"
    } else if field.contains(".volumes[") {
        "IEF.100009"
    } else if field.contains(".envs[") {
        "IEF.100013"
    } else if field.ends_with(".version") {
        "IEF.100010"
    } else {
        "IEF.100002"
    }
}

/// How a core object kind is named in IEF's messages.
fn noun(kind: &str) -> &str {
    match kind {
        "workload" => "Deployment",
        "pod" => "Pod",
        "configmap" => "ConfigMap",
        "secret" => "Secret",
        "node" => "Node",
        "group" => "Node group",
        other => other,
    }
}

impl IefError {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 401 IEF.011005: no valid token.
    pub fn auth() -> Self {
        Self::new(
            401,
            "IEF.011005",
            "Incorrect IAM authentication information: the X-Auth-Token is invalid",
        )
    }

    /// 400 IEF.100001: the project does not exist (or is not the caller's).
    pub fn project_not_found() -> Self {
        Self::new(400, "IEF.100001", "PROJECT_ID not found")
    }

    /// 400: a parameter is missing or invalid; the code follows what `field` is.
    pub fn invalid(field: &str, reason: impl fmt::Display) -> Self {
        Self::new(
            400,
            code_for(field),
            format!("Invalid parameter {field}: {reason}"),
        )
    }

    /// 400 IEF.100002: the body is not valid JSON of the expected shape.
    pub fn bad_body(detail: impl fmt::Display) -> Self {
        Self::new(400, "IEF.100002", format!("Invalid request body: {detail}"))
    }

    /// 400 IEF.100002: a query string that is not the expected one.
    pub fn bad_query(detail: impl fmt::Display) -> Self {
        Self::new(
            400,
            "IEF.100002",
            format!("Invalid query parameters: {detail}"),
        )
    }

    /// 400 IEF.100004: invalid offset.
    pub fn offset(value: impl fmt::Display) -> Self {
        Self::new(
            400,
            "IEF.100004",
            format!("Invalid offset {value}: must be an integer in 0..=9223372036854775807"),
        )
    }

    /// 400 IEF.100005: invalid limit.
    pub fn limit(value: impl fmt::Display, max: u64) -> Self {
        Self::new(
            400,
            "IEF.100005",
            format!("Invalid limit {value}: must be an integer in 1..={max}"),
        )
    }

    /// 400 IEF.100006: not exactly one pod filter.
    pub fn one_filter() -> Self {
        Self::new(
            400,
            "IEF.100006",
            "Exactly one of node_id, group_id, deployment_id and deployment_ids is required",
        )
    }

    /// 400 IEF.100014: the node or node group a deployment names does not exist.
    pub fn placement_not_found(what: &str, id: &str) -> Self {
        Self::new(400, "IEF.100014", format!("{what} {id} not found"))
    }

    /// 400 IEF.100100: `force_delete` is neither `true` nor `false`.
    pub fn force_delete(value: &str) -> Self {
        Self::new(
            400,
            "IEF.100100",
            format!("query force delete error: {value:?} is neither true nor false"),
        )
    }

    /// 404 IEF.100404: no such object in the project.
    pub fn not_found(kind: &str, id: &str) -> Self {
        Self::new(404, "IEF.100404", format!("{} {id} not found", noun(kind)))
    }

    /// 409 IEF.100409: the name is taken.
    pub fn name_taken(kind: &str, name: &str) -> Self {
        Self::new(
            409,
            "IEF.100409",
            format!("{} name {name} already exists", noun(kind)),
        )
    }

    /// 409 IEF.100015: the object is in use or in a state that forbids the call.
    pub fn incorrect_state(why: impl Into<String>) -> Self {
        Self::new(409, "IEF.100015", why)
    }
}

impl crate::dialects::DialectError for IefError {
    type Reply = ErrorReply;

    fn http_status(&self) -> u16 {
        self.status
    }

    fn reply(&self) -> ErrorReply {
        ErrorReply {
            error_code: self.code.to_owned(),
            error_msg: self.message.clone(),
        }
    }

    fn code(&self) -> String {
        self.code.to_owned()
    }

    fn outside(status: u16, message: &str) -> Self {
        let code = match status {
            404 => "IEF.100404",
            405 => "IEF.100405",
            _ => "IEF.100500",
        };
        IefError::new(status, code, message)
    }
}

impl From<Error> for IefError {
    fn from(error: Error) -> Self {
        match error {
            Error::NotFound {
                kind: "project", ..
            } => Self::project_not_found(),
            Error::NotFound { kind, id } => Self::not_found(kind, &id),
            Error::AlreadyExists { kind, id } => Self::name_taken(kind, &id),
            Error::Invalid { field, reason } => Self::invalid(&field, reason),
            Error::IncorrectState(why) => Self::incorrect_state(why),
            Error::Unauthenticated => Self::auth(),
            Error::Unsupported { operation, .. } => Self::new(
                400,
                "IEF.100016",
                format!("{operation} is not supported by this cluster"),
            ),
            _ => Self::new(500, "IEF.100500", "Internal server error"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialects::DialectError;

    #[test]
    fn core_errors_map_to_ief_codes() {
        let cases: Vec<(Error, &str, u16)> = vec![
            (Error::not_found("workload", "x"), "IEF.100404", 404),
            (Error::not_found("pod", "p"), "IEF.100404", 404),
            (Error::not_found("secret", "s"), "IEF.100404", 404),
            (Error::not_found("project", "p"), "IEF.100001", 400),
            (Error::already_exists("workload", "a"), "IEF.100409", 409),
            (Error::invalid("description", "bad"), "IEF.100002", 400),
            (Error::IncorrectState("in use".into()), "IEF.100015", 409),
            (Error::Unauthenticated, "IEF.011005", 401),
            (
                Error::Unsupported {
                    operation: "x",
                    backend: "y",
                },
                "IEF.100016",
                400,
            ),
            (Error::backend("boom"), "IEF.100500", 500),
        ];
        for (error, code, status) in cases {
            let e = IefError::from(error);
            assert_eq!((e.code, e.status), (code, status));
            assert!(!e.message.contains("boom"));
        }
        assert_eq!(
            serde_json::to_value(IefError::project_not_found().reply()).unwrap(),
            serde_json::json!({"error_code": "IEF.100001", "error_msg": "PROJECT_ID not found"})
        );
    }

    #[test]
    fn a_field_picks_the_code_of_its_kind_of_rule() {
        let cases = [
            ("name", "IEF.100012"),
            ("configmap.name", "IEF.100012"),
            (
                "deployment.template.containers[0].volumes[1].source",
                "IEF.100009",
            ),
            (
                "deployment.template.containers[0].envs[0].name",
                "IEF.100013",
            ),
            ("deployment.template.containers[0].version", "IEF.100010"),
            ("deployment.template.containers[0].name", "IEF.100002"),
            ("deployment.replicas", "IEF.100002"),
        ];
        for (field, code) in cases {
            assert_eq!(IefError::invalid(field, "x").code, code, "{field}");
        }
    }
}
