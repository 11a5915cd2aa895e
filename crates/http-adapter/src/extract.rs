//! Reading requests without axum's own rejections, so that every dialect answers bad
//! input in its own shape.

use std::convert::Infallible;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{FromRequest, Request};
use axum::http::header::AsHeaderName;
use axum::http::{HeaderMap, HeaderValue};
use http_body_util::LengthLimitError;
use serde_json::Value;

use crate::state::AppState;

/// What is wrong with a request body.
#[derive(Debug)]
pub(crate) enum BodyProblem {
    /// Larger than the body limit.
    TooLarge,
    /// Not readable, or not JSON.
    Malformed(String),
}

/// A request's body, read whole up to the configured limit
/// ([`HttpConfig::body_limit`](crate::HttpConfig::body_limit)). An extractor that never
/// rejects: what is wrong with the body is for the handler to answer in its dialect.
#[derive(Debug)]
pub(crate) struct RawBody(pub(crate) Result<Bytes, BodyProblem>);

impl FromRequest<AppState> for RawBody {
    type Rejection = Infallible;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Infallible> {
        Ok(Self(read_body(req.into_body(), state).await))
    }
}

/// Reads `body` whole, up to the configured limit; a body that says it is empty (most
/// GETs) is not read at all.
pub(crate) async fn read_body(body: Body, state: &AppState) -> Result<Bytes, BodyProblem> {
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    axum::body::to_bytes(body, state.inner.config.body_limit)
        .await
        .map_err(|e| {
            let e = e.into_inner();
            if e.is::<LengthLimitError>() {
                BodyProblem::TooLarge
            } else {
                BodyProblem::Malformed(e.to_string())
            }
        })
}

/// The body, as read, as JSON; an empty body (nothing, or JSON's whitespace only) is
/// `null`.
pub(crate) fn json_body(body: Result<Bytes, BodyProblem>) -> Result<Value, BodyProblem> {
    let bytes = body?;
    // JSON's whitespace, not ASCII's: a form feed is no JSON at all.
    if bytes
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&bytes).map_err(|e| BodyProblem::Malformed(e.to_string()))
}

/// A header's value as text. Give a `HeaderName` constant rather than text: a name
/// given as text is parsed again on every lookup.
pub(crate) fn header(headers: &HeaderMap, name: impl AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A JSON response, serialised into one buffer sized for typical replies.
pub(crate) fn json_response<T: serde::Serialize>(
    status: axum::http::StatusCode,
    value: &T,
) -> axum::response::Response {
    let mut buf = Vec::with_capacity(4096);
    match serde_json::to_writer(&mut buf, value) {
        Ok(()) => json_text(status, buf),
        Err(_) => axum::response::IntoResponse::into_response(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        ),
    }
}

/// A response of JSON text already written (built directly: the generic tuple
/// responses convert and check each part at run time).
pub(crate) fn json_text(
    status: axum::http::StatusCode,
    text: impl Into<axum::body::Body>,
) -> axum::response::Response {
    let mut response = axum::response::Response::new(text.into());
    *response.status_mut() = status;
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The token of an `Authorization: Bearer <token>` header.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    header(headers, axum::http::header::AUTHORIZATION)
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens() {
        let mut h = HeaderMap::new();
        h.insert("authorization", "Bearer abc".parse().unwrap());
        assert_eq!(bearer(&h), Some("abc"));
        h.insert("authorization", "Basic abc".parse().unwrap());
        assert_eq!(bearer(&h), None);
    }

    #[test]
    fn only_json_whitespace_is_an_empty_body() {
        // Found by the HTTP fuzz run: a body of one form feed read as no body.
        let body = |text: &'static str| json_body(Ok(Bytes::from_static(text.as_bytes())));
        for empty in ["", " \t\r\n"] {
            assert_eq!(body(empty).ok(), Some(Value::Null), "{empty:?}");
        }
        for not_json in ["\x0c", " \x0c ", "\x0b"] {
            assert!(
                matches!(body(not_json), Err(BodyProblem::Malformed(_))),
                "{not_json:?}"
            );
        }
    }
}
