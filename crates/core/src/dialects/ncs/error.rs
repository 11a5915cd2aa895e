//! NCS errors: the vendor's `Code`, `Message` and HTTP status, and the one mapping from
//! [`crate::Error`].

use std::fmt;

use super::wire::ErrorReply;
use crate::Error;

/// The NCS error codes (seed §1, plus `AuthFailure` and `UnsupportedOperation`, ours).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NcsCode {
    /// 500: an unexpected failure.
    InternalServerError,
    /// 400: a required parameter is absent.
    MissingParameter,
    /// 400: a parameter is not of the expected type or shape.
    InvalidFormat,
    /// 400: a parameter has a value that is not allowed.
    InvalidParameterValue,
    /// 400: the caller may not set this parameter (privileged settings).
    NoPrivate,
    /// 400: a name is used twice.
    DuplicateNameError,
    /// 400: the update would change nothing.
    NothingToUpdate,
    /// 400: containers added, removed or renamed by a modify.
    ContainerNumNotMatch,
    /// 404: the workload (or namespace) does not exist.
    ResourceNotFound,
    /// 400: the workload's state forbids the operation.
    IncorrectState,
    /// 401: no valid token.
    AuthFailure,
    /// 400: the cluster behind this server cannot do the operation.
    UnsupportedOperation,
}

impl NcsCode {
    /// The code as the vendor spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InternalServerError => "InternalServerError",
            Self::MissingParameter => "MissingParameter",
            Self::InvalidFormat => "InvalidFormat",
            Self::InvalidParameterValue => "InvalidParameterValue",
            Self::NoPrivate => "NoPrivate",
            Self::DuplicateNameError => "DuplicateNameError",
            Self::NothingToUpdate => "NothingToUpdate",
            Self::ContainerNumNotMatch => "ContainerNumNotMatch",
            Self::ResourceNotFound => "ResourceNotFound",
            Self::IncorrectState => "IncorrectState",
            Self::AuthFailure => "AuthFailure",
            Self::UnsupportedOperation => "UnsupportedOperation",
        }
    }

    /// The HTTP status that goes with the code.
    pub fn http_status(self) -> u16 {
        match self {
            Self::InternalServerError => 500,
            Self::ResourceNotFound => 404,
            Self::AuthFailure => 401,
            _ => 400,
        }
    }
}

/// An NCS error: code and message. The HTTP status follows from the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NcsError {
    /// The vendor's code.
    pub code: NcsCode,
    /// The message shown to the client.
    pub message: String,
}

impl fmt::Display for NcsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for NcsError {}

impl NcsError {
    /// An error with a code and message.
    pub fn new(code: NcsCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// `MissingParameter` naming the field.
    pub fn missing(field: &str) -> Self {
        Self::new(
            NcsCode::MissingParameter,
            format!(
                "The required input parameter {field} for processing this request is not supplied."
            ),
        )
    }

    /// `InvalidParameterValue` naming the field and value.
    pub fn invalid_value(field: &str, value: impl fmt::Display) -> Self {
        Self::new(
            NcsCode::InvalidParameterValue,
            format!("The Parameter {field} 's value {value} is invalid."),
        )
    }

    /// `InvalidParameterValue` naming the field and saying why.
    pub fn invalid_because(field: &str, reason: impl fmt::Display) -> Self {
        Self::new(
            NcsCode::InvalidParameterValue,
            format!("The Parameter {field} 's value is invalid: {reason}."),
        )
    }

    /// `InvalidFormat` naming the field.
    pub fn invalid_format(field: &str) -> Self {
        Self::new(
            NcsCode::InvalidFormat,
            format!("The format of parameter {field} is invalid."),
        )
    }

    /// `NoPrivate` naming the field.
    pub fn no_private(field: &str, value: impl fmt::Display) -> Self {
        Self::new(
            NcsCode::NoPrivate,
            format!("You are not allowed to set parameter {field} to {value}."),
        )
    }

    /// `DuplicateNameError` naming what is duplicated.
    pub fn duplicate(field: &str, value: impl fmt::Display) -> Self {
        Self::new(
            NcsCode::DuplicateNameError,
            format!("The {field} {value} is duplicated."),
        )
    }

    /// `ResourceNotFound` for a workload (also used for namespaces the caller cannot
    /// reach, so that a foreign id answers like an unknown one).
    pub fn not_found(what: &str, id: impl fmt::Display) -> Self {
        Self::new(
            NcsCode::ResourceNotFound,
            format!("The specified {what} {id} does not exist."),
        )
    }

    /// `AuthFailure`.
    pub fn auth_failure() -> Self {
        Self::new(
            NcsCode::AuthFailure,
            "The request could not be authenticated: a valid bearer token is required.",
        )
    }
}

impl crate::dialects::DialectError for NcsError {
    type Reply = ErrorReply;

    fn http_status(&self) -> u16 {
        self.code.http_status()
    }

    /// The body with a fresh `RequestId`.
    fn reply(&self) -> ErrorReply {
        ErrorReply {
            RequestId: uuid::Uuid::new_v4().to_string(),
            Code: self.code.as_str().to_owned(),
            Message: self.message.clone(),
        }
    }

    fn code(&self) -> String {
        self.code.as_str().to_owned()
    }

    fn outside(status: u16, message: &str) -> Self {
        let code = match status {
            404 => NcsCode::InvalidParameterValue,
            405 => NcsCode::UnsupportedOperation,
            _ => NcsCode::InternalServerError,
        };
        NcsError::new(code, message)
    }
}

impl From<Error> for NcsError {
    fn from(error: Error) -> Self {
        match error {
            Error::NotFound { kind, id } => Self::not_found(kind, id),
            Error::AlreadyExists { kind, id } => Self::duplicate(kind, id),
            Error::Invalid { field, reason } => Self::invalid_because(&field, reason),
            Error::IncorrectState(why) => Self::new(
                NcsCode::IncorrectState,
                format!("The operation is not allowed in the current state: {why}."),
            ),
            Error::NothingToUpdate => Self::new(
                NcsCode::NothingToUpdate,
                "The specification is the same as the current one; nothing to update.",
            ),
            Error::Forbidden(why) => Self::new(NcsCode::NoPrivate, why),
            Error::Unauthenticated => Self::auth_failure(),
            Error::Unsupported { operation, backend } => Self::new(
                NcsCode::UnsupportedOperation,
                format!("The operation {operation} is not supported by the {backend} cluster."),
            ),
            // Conflicts left after retries, backend failures and anything new: details
            // stay in the server's logs.
            _ => Self::new(
                NcsCode::InternalServerError,
                "The request processing has failed due to some unknown error.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialects::DialectError;

    #[test]
    fn core_errors_map_to_codes_and_statuses() {
        let cases: Vec<(Error, &str, u16)> = vec![
            (Error::not_found("workload", 5), "ResourceNotFound", 404),
            (
                Error::already_exists("name", "a"),
                "DuplicateNameError",
                400,
            ),
            (Error::invalid("Name", "bad"), "InvalidParameterValue", 400),
            (Error::IncorrectState("x".into()), "IncorrectState", 400),
            (Error::NothingToUpdate, "NothingToUpdate", 400),
            (Error::Forbidden("x".into()), "NoPrivate", 400),
            (Error::Unauthenticated, "AuthFailure", 401),
            (Error::Conflict("x".into()), "InternalServerError", 500),
            (
                Error::Unsupported {
                    operation: "restart_container",
                    backend: "k8s",
                },
                "UnsupportedOperation",
                400,
            ),
            (Error::backend("disk on fire"), "InternalServerError", 500),
        ];
        for (error, code, status) in cases {
            let ncs = NcsError::from(error);
            assert_eq!(ncs.code.as_str(), code);
            assert_eq!(ncs.http_status(), status);
            assert!(
                !ncs.message.contains("disk on fire"),
                "internal details leak"
            );
        }
    }

    #[test]
    fn messages_follow_the_vendor_templates() {
        assert_eq!(
            NcsError::missing("Name").message,
            "The required input parameter Name for processing this request is not supplied."
        );
        assert_eq!(
            NcsError::invalid_value("SpecType", "ncs.x").message,
            "The Parameter SpecType 's value ncs.x is invalid."
        );
    }
}
