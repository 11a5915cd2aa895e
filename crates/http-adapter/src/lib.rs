//! podgate-http: axum routers serving the four vendor dialects on their documented
//! paths, byte-compatible with the vendors' documents, plus a small admin API; and the
//! standalone server binary `podgate`.
//!
//! This crate is filled by the HTTP adapter work; until then it exports nothing.
