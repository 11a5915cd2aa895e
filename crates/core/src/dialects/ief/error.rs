//! IEF errors: `{"error_code":"IEF.xxxxxx","error_msg":"..."}` with an HTTP status, and
//! the one mapping from [`crate::Error`].

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

    /// 400 IEF.100002: a parameter is missing or invalid.
    pub fn invalid(field: &str, reason: impl fmt::Display) -> Self {
        Self::new(
            400,
            "IEF.100002",
            format!("Invalid parameter {field}: {reason}"),
        )
    }

    /// 400 IEF.100002: the body is not valid JSON of the expected shape.
    pub fn bad_body(detail: impl fmt::Display) -> Self {
        Self::new(400, "IEF.100002", format!("Invalid request body: {detail}"))
    }

    /// 400 IEF.100004: invalid offset.
    pub fn offset(value: impl fmt::Display) -> Self {
        Self::new(
            400,
            "IEF.100004",
            format!("Invalid offset {value}: must be an integer >= 0"),
        )
    }

    /// 400 IEF.100005: invalid limit.
    pub fn limit(value: impl fmt::Display) -> Self {
        Self::new(
            400,
            "IEF.100005",
            format!("Invalid limit {value}: must be an integer in 1..=1000"),
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

    /// 404 IEF.100011: no such deployment.
    pub fn deployment_not_found(id: &str) -> Self {
        Self::new(404, "IEF.100011", format!("Deployment {id} not found"))
    }

    /// 404 IEF.100012: no such pod.
    pub fn pod_not_found(name: &str) -> Self {
        Self::new(404, "IEF.100012", format!("Pod {name} not found"))
    }

    /// 409 IEF.100013: the name is taken.
    pub fn name_taken(name: &str) -> Self {
        Self::new(
            409,
            "IEF.100013",
            format!("Deployment name {name} already exists"),
        )
    }

    /// 400 IEF.100014: no such node or node group.
    pub fn placement_not_found(what: &str, id: &str) -> Self {
        Self::new(400, "IEF.100014", format!("{what} {id} not found"))
    }

    /// The error body.
    pub fn to_reply(&self) -> ErrorReply {
        ErrorReply {
            error_code: self.code.to_owned(),
            error_msg: self.message.clone(),
        }
    }
}

impl From<Error> for IefError {
    fn from(error: Error) -> Self {
        match error {
            Error::NotFound {
                kind: "workload",
                id,
            } => Self::deployment_not_found(&id),
            Error::NotFound { kind: "pod", id } => Self::pod_not_found(&id),
            Error::NotFound {
                kind: "project", ..
            } => Self::project_not_found(),
            Error::AlreadyExists { id, .. } => Self::name_taken(&id),
            Error::Invalid { field, reason } => Self::invalid(&field, reason),
            Error::IncorrectState(why) => Self::new(409, "IEF.100015", why),
            Error::Unauthenticated => Self::auth(),
            Error::Unsupported { operation, .. } => Self::new(
                400,
                "IEF.100016",
                format!("{operation} is not supported by this cluster"),
            ),
            Error::NotFound { kind, id } => {
                Self::new(404, "IEF.100017", format!("{kind} {id} not found"))
            }
            _ => Self::new(500, "IEF.100500", "Internal server error"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_map_to_ief_codes() {
        let cases: Vec<(Error, &str, u16)> = vec![
            (Error::not_found("workload", "x"), "IEF.100011", 404),
            (Error::not_found("pod", "p"), "IEF.100012", 404),
            (Error::not_found("project", "p"), "IEF.100001", 400),
            (Error::already_exists("workload", "a"), "IEF.100013", 409),
            (Error::invalid("name", "bad"), "IEF.100002", 400),
            (Error::Unauthenticated, "IEF.011005", 401),
            (Error::backend("boom"), "IEF.100500", 500),
        ];
        for (error, code, status) in cases {
            let e = IefError::from(error);
            assert_eq!((e.code, e.status), (code, status));
            assert!(!e.message.contains("boom"));
        }
        assert_eq!(
            serde_json::to_value(IefError::project_not_found().to_reply()).unwrap(),
            serde_json::json!({"error_code": "IEF.100001", "error_msg": "PROJECT_ID not found"})
        );
    }
}
