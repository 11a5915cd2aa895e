//! The event feed over HTTP: `GET /admin/v1/events` pages through it, and
//! `GET /admin/v1/events/stream` follows it live as Server-Sent Events.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderName};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use podgate_core::feed::{Feed, FeedEntry, FeedPage};
use serde::Deserialize;
use tokio::sync::watch;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin::{AdminError, AdminErrors, AdminFailure, Operator};
use crate::extract::header;
use crate::query;
use crate::state::AppState;

/// A reconnecting event source's last id.
const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");

/// The most entries one page holds.
const MAX_PAGE: usize = 1000;

/// The feed's routes, documented where they are handled.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(events))
        .routes(routes!(stream))
}

/// The feed, or 404 when it is off.
fn feed(state: &AppState) -> Result<Arc<Feed>, AdminFailure> {
    state
        .inner
        .feed
        .clone()
        .ok_or_else(|| AdminFailure::new(404, "the event feed is off"))
}

/// `since` and `limit`, as the query gives them.
#[derive(Debug, Default, Deserialize)]
struct PageParams {
    since: Option<String>,
    limit: Option<String>,
}

impl PageParams {
    /// The parameters of `query`; a query that cannot be read is a 400.
    fn read(query: Option<&str>) -> Result<Self, AdminFailure> {
        query::decode(query).map_err(|e| AdminFailure::new(400, format!("invalid query: {e}")))
    }
}

/// A parameter that must be a whole number within 0..=2^63-1 (the document's
/// `int64`).
fn number(value: Option<&str>, name: &str) -> Result<Option<u64>, AdminFailure> {
    value
        .map(|v| {
            v.parse::<i64>()
                .ok()
                .and_then(|n| u64::try_from(n).ok())
                .ok_or_else(|| {
                    AdminFailure::new(
                        400,
                        format!("{name} must be a whole number within 0..=2^63-1, got {v:?}"),
                    )
                })
        })
        .transpose()
}

#[utoipa::path(get, path = "/admin/v1/events", tag = "admin",
    params(
        ("since" = Option<u64>, Query, maximum = 9_223_372_036_854_775_807_i64, description = "Entries after this sequence number (default 0: from the oldest kept)"),
        ("limit" = Option<u64>, Query, minimum = 1, maximum = 1000, description = "At most this many (default 100)"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The entries after `since`, oldest first, and the feed's bounds", body = FeedPage),
        (status = 400, body = AdminError),
        (status = 404, description = "the feed is off", body = AdminError), AdminErrors))]
async fn events(
    State(s): State<AppState>,
    _: Operator,
    RawQuery(raw): RawQuery,
) -> Result<Json<FeedPage>, AdminFailure> {
    let params = PageParams::read(raw.as_deref())?;
    let since = number(params.since.as_deref(), "since")?.unwrap_or(0);
    let limit = number(params.limit.as_deref(), "limit")?.unwrap_or(100);
    if !(1..=MAX_PAGE as u64).contains(&limit) {
        return Err(AdminFailure::new(
            400,
            format!("limit must be within 1..={MAX_PAGE}, got {limit}"),
        ));
    }
    let limit = usize::try_from(limit).unwrap_or(MAX_PAGE);
    Ok(Json(feed(&s)?.since(since, limit)))
}

#[utoipa::path(get, path = "/admin/v1/events/stream", tag = "admin",
    params(
        ("since" = Option<u64>, Query, maximum = 9_223_372_036_854_775_807_i64, description = "Entries after this sequence number (default: only what comes next); a reconnecting client's `Last-Event-ID` header counts the same"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "Server-Sent Events: each entry as JSON in `data`, its sequence number as `id`; it ends when the server shuts down", content_type = "text/event-stream", body = String),
        (status = 400, body = AdminError),
        (status = 404, description = "the feed is off", body = AdminError), AdminErrors))]
async fn stream(
    State(s): State<AppState>,
    _: Operator,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AdminFailure> {
    let params = PageParams::read(raw.as_deref())?;
    let feed = feed(&s)?;
    let resumed = number(header(&headers, LAST_EVENT_ID), "Last-Event-ID")?;
    let since = match (number(params.since.as_deref(), "since")?, resumed) {
        (_, Some(last)) | (Some(last), None) => last,
        (None, None) => feed.last(),
    };
    // Subscribed before the first read: nothing recorded after it is missed.
    let cursor = Cursor {
        newest: feed.subscribe(),
        feed,
        closing: s.inner.closing.subscribe(),
        last: since,
        ready: VecDeque::new(),
    };
    Ok(Sse::new(futures_util::stream::unfold(cursor, Cursor::next))
        .keep_alive(KeepAlive::default()))
}

/// Where a live stream stands.
struct Cursor {
    feed: Arc<Feed>,
    newest: watch::Receiver<u64>,
    closing: watch::Receiver<bool>,
    /// The last sequence number read.
    last: u64,
    /// Entries read, not yet sent.
    ready: VecDeque<FeedEntry>,
}

impl Cursor {
    /// The next event to send, waiting for one; `None` when the server shuts down.
    async fn next(mut self) -> Option<(Result<Event, Infallible>, Self)> {
        loop {
            if let Some(entry) = self.ready.pop_front() {
                let event = Event::default()
                    .id(entry.seq.to_string())
                    .json_data(&entry)
                    .unwrap_or_else(|_| Event::default().comment("unserialisable entry"));
                return Some((Ok(event), self));
            }
            if *self.closing.borrow() {
                return None;
            }
            let page = self.feed.since(self.last, 256);
            if let Some(newest) = page.entries.last() {
                self.last = newest.seq;
                self.ready.extend(page.entries);
                continue;
            }
            tokio::select! {
                changed = self.newest.changed() => {
                    if changed.is_err() {
                        return None;
                    }
                }
                _ = self.closing.wait_for(|closing| *closing) => return None,
            }
        }
    }
}
