//! NCS parameters, in the query and in a JSON body, for every Action.
//!
//! Input: one byte choosing the Action (or none), one choosing the caller (operator,
//! namespace token, none), then the query's bytes up to a NUL and the body after it
//! (a POST when there is one).

#![no_main]

use libfuzzer_sys::fuzz_target;
use podgate_core::dialects::ncs::NcsAction;
use podgate_fuzz::{ADMIN, harness, query_text};

fuzz_target!(|data: &[u8]| {
    let [action, caller, rest @ ..] = data else {
        return;
    };
    let h = harness();
    let action = NcsAction::ALL
        .get(usize::from(*action))
        .map_or("NoSuchAction", |a| a.name());
    let token = match caller % 3 {
        0 => Some(format!("Bearer {ADMIN}")),
        1 => Some(format!("Bearer {}", h.tenants.ncs_token)),
        _ => None,
    };
    let (query, body) = match rest.iter().position(|b| *b == 0) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    let uri = format!(
        "/ncs?Action={action}&Version=2017-11-16&{}",
        query_text(query)
    );
    let headers: Vec<(&str, &str)> = token
        .iter()
        .map(|t| ("authorization", t.as_str()))
        .collect();
    let method = if body.is_empty() { "GET" } else { "POST" };
    h.send(method, &uri, &headers, body.to_vec());
});
