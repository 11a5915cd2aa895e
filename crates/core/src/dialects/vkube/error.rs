//! V-Kube errors: `{"error":{"code":N,"message":"..."}}` with HTTP status N, and the one
//! mapping from [`crate::Error`].

use std::fmt;

use super::wire::{ErrorBody, ErrorReply};
use crate::Error;

/// A V-Kube error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VkubeError {
    /// HTTP status (also the body's `code`).
    pub status: u16,
    /// The message.
    pub message: String,
}

impl fmt::Display for VkubeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.message)
    }
}

impl std::error::Error for VkubeError {}

impl VkubeError {
    /// An error with a status and message.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// 400 with a message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    /// 400 `item field empty`: a required field is missing.
    pub fn field_empty() -> Self {
        Self::new(400, "item field empty")
    }

    /// 400 `image format not allow.Format: image:tag`.
    pub fn image_format() -> Self {
        Self::new(400, "image format not allow.Format: image:tag")
    }

    /// 404 `image does not exist.`.
    pub fn image_missing() -> Self {
        Self::new(404, "image does not exist.")
    }

    /// 404 `pod not found`.
    pub fn pod_not_found() -> Self {
        Self::new(404, "pod not found")
    }

    /// 401: no valid secret.
    pub fn unauthorized() -> Self {
        Self::new(401, "unauthorized: a valid secret header is required")
    }

    /// 500 `server errror` (sic, as the vendor prints it).
    pub fn server() -> Self {
        Self::new(500, "server errror")
    }
}

impl crate::dialects::DialectError for VkubeError {
    type Reply = ErrorReply;

    fn http_status(&self) -> u16 {
        self.status
    }

    fn reply(&self) -> ErrorReply {
        ErrorReply {
            error: ErrorBody {
                code: self.status,
                message: self.message.clone(),
            },
        }
    }

    fn code(&self) -> String {
        self.status.to_string()
    }

    /// A server error reads `server errror`, whatever went wrong, as the vendor's do.
    fn outside(status: u16, message: &str) -> Self {
        if status >= 500 {
            VkubeError::new(status, VkubeError::server().message)
        } else {
            VkubeError::new(status, message)
        }
    }
}

impl From<Error> for VkubeError {
    fn from(error: Error) -> Self {
        match error {
            Error::NotFound {
                kind: "pod" | "workload",
                ..
            } => Self::pod_not_found(),
            Error::Invalid { field, reason } => Self::bad_request(format!("{field}: {reason}")),
            Error::IncorrectState(why) => Self::bad_request(why),
            Error::Unauthenticated => Self::unauthorized(),
            Error::Unsupported { operation, backend } => {
                Self::new(500, format!("{operation} is not available on {backend}"))
            }
            _ => Self::server(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialects::DialectError;

    #[test]
    fn bodies_are_the_vendors() {
        assert_eq!(
            serde_json::to_value(VkubeError::image_format().reply()).unwrap(),
            serde_json::json!({"error": {"code": 400, "message": "image format not allow.Format: image:tag"}})
        );
        assert_eq!(
            serde_json::to_value(VkubeError::image_missing().reply()).unwrap(),
            serde_json::json!({"error": {"code": 404, "message": "image does not exist."}})
        );
        assert_eq!(
            serde_json::to_value(VkubeError::field_empty().reply()).unwrap(),
            serde_json::json!({"error": {"code": 400, "message": "item field empty"}})
        );
        let internal = VkubeError::from(Error::backend("disk on fire"));
        assert_eq!(
            (internal.status, internal.message.as_str()),
            (500, "server errror")
        );
    }
}
