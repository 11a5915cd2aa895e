//! A dialect's error as an HTTP response, rendered one way for all four dialects: the
//! vendor's status and body, as its [`DialectError`] gives them.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use podgate_core::dialects::DialectError;

use crate::extract::json_response;

/// A dialect's error, answered as its vendor answers it.
#[derive(Debug)]
pub(crate) struct Failure<E>(pub(crate) E);

impl<E: DialectError> IntoResponse for Failure<E> {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        json_response(status, &self.0.reply())
    }
}

impl<E: DialectError> From<E> for Failure<E> {
    fn from(e: E) -> Self {
        Self(e)
    }
}

/// Dialect `E`'s answer to a request that failed outside its handlers (see
/// [`DialectError::outside`]).
pub(crate) fn outside<E: DialectError>(status: StatusCode, message: &str) -> Response {
    json_response(status, &E::outside(status.as_u16(), message))
}
