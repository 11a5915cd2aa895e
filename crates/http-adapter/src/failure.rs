//! A dialect's error as an HTTP response, rendered one way for all four dialects: the
//! vendor's status and body, as its [`DialectError`] gives them.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use podgate_core::dialects::DialectError;

use crate::extract::json_response;

/// A dialect's error, answered as its vendor answers it.
#[derive(Debug)]
pub(crate) struct Failure<E>(pub(crate) E);

/// The vendor's error code of an error response, for the event feed.
#[derive(Debug, Clone)]
pub(crate) struct ErrorCode(pub(crate) String);

impl<E: DialectError> IntoResponse for Failure<E> {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        answer(status, &self.0)
    }
}

/// `error` answered with `status`, its code noted.
fn answer<E: DialectError>(status: StatusCode, error: &E) -> Response {
    let mut response = json_response(status, &error.reply());
    response.extensions_mut().insert(ErrorCode(error.code()));
    response
}

impl<E: DialectError> From<E> for Failure<E> {
    fn from(e: E) -> Self {
        Self(e)
    }
}

/// Dialect `E`'s answer to a request that failed outside its handlers (see
/// [`DialectError::outside`]).
pub(crate) fn outside<E: DialectError>(status: StatusCode, message: &str) -> Response {
    answer(status, &E::outside(status.as_u16(), message))
}
