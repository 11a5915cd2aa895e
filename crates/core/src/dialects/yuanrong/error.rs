//! openYuanrong errors: `{"code":N,"message":"..."}` with the vendor's HTTP statuses, and
//! the one mapping from [`crate::Error`].

use std::fmt;

use super::wire::Envelope;
use crate::Error;

/// `4104`: validation failed (HTTP 500, as the vendor answers).
pub const INVALID: i32 = 4104;
/// `130600`: the body is not valid JSON (HTTP 500).
pub const BAD_JSON: i32 = 130_600;
/// `4120`: no such pool (HTTP 404).
pub const NOT_FOUND: i32 = 4120;
/// `4105`: an internal failure (HTTP 500).
pub const INTERNAL: i32 = 4105;

/// An openYuanrong error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YrError {
    /// HTTP status.
    pub status: u16,
    /// The vendor's code.
    pub code: i32,
    /// The message.
    pub message: String,
}

impl fmt::Display for YrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for YrError {}

impl YrError {
    /// 500 / 4104 with the reasons joined by `;`.
    pub fn invalid(reasons: impl fmt::Display) -> Self {
        Self {
            status: 500,
            code: INVALID,
            message: format!("{reasons}. check input parameters"),
        }
    }

    /// 500 / 130600.
    pub fn bad_json(detail: impl fmt::Display) -> Self {
        Self {
            status: 500,
            code: BAD_JSON,
            message: format!("failed to parse request body: {detail}"),
        }
    }

    /// 404 / 4120.
    pub fn not_found() -> Self {
        Self {
            status: 404,
            code: NOT_FOUND,
            message: "pool does not exist or has been deleted. check input parameters".to_owned(),
        }
    }

    /// 401: the optional bearer token is wrong.
    pub fn unauthorized() -> Self {
        Self {
            status: 401,
            code: 4101,
            message: "unauthorized: a valid bearer token is required".to_owned(),
        }
    }
}

impl crate::dialects::DialectError for YrError {
    type Reply = Envelope<()>;

    fn http_status(&self) -> u16 {
        self.status
    }

    fn reply(&self) -> Envelope<()> {
        Envelope {
            code: self.code,
            message: self.message.clone(),
            result: None,
        }
    }

    fn code(&self) -> String {
        self.code.to_string()
    }

    /// The envelope's `code` is the HTTP status, or `INTERNAL` for a server error.
    fn outside(status: u16, message: &str) -> Self {
        YrError {
            status,
            code: if status >= 500 {
                INTERNAL
            } else {
                i32::from(status)
            },
            message: message.to_owned(),
        }
    }
}

impl From<Error> for YrError {
    fn from(error: Error) -> Self {
        match error {
            Error::NotFound { .. } => Self::not_found(),
            Error::AlreadyExists { id, .. } => Self::invalid(format!("pool {id} already exists")),
            Error::Invalid { field, reason } => Self::invalid(format!("{field} {reason}")),
            Error::IncorrectState(why) => Self::invalid(why),
            _ => Self {
                status: 500,
                code: INTERNAL,
                message: "internal error".to_owned(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialects::DialectError;

    #[test]
    fn bodies_and_statuses() {
        let nf = YrError::not_found();
        assert_eq!(nf.status, 404);
        assert_eq!(
            serde_json::to_value(nf.reply()).unwrap(),
            serde_json::json!({"code": 4120, "message": "pool does not exist or has been deleted. check input parameters"})
        );
        assert_eq!(
            (YrError::invalid("x").status, YrError::invalid("x").code),
            (500, 4104)
        );
        assert_eq!(YrError::bad_json("eof").code, 130_600);
        let internal = YrError::from(Error::backend("boom"));
        assert!(!internal.message.contains("boom"));
    }
}
