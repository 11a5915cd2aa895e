//! Reading a whole selection with `limit`/`continue`: the API server hands out a list
//! in chunks, each one request, each continuing where the last stopped, all from one
//! consistent snapshot.

use std::fmt::Debug;

use kube::Api;
use kube::api::ListParams;
use serde::de::DeserializeOwned;

use crate::retry::Backoff;

/// Objects per request: a selection of up to this many is one request.
pub(crate) const CHUNK: u32 = 500;

/// How often a list starts over after its continue token expired (410 Gone: the
/// snapshot it continued is compacted away).
const RESTARTS: u32 = 3;

/// Every object `params` selects through `api`, [`CHUNK`] at a time.
pub(crate) async fn all<K>(
    api: &Api<K>,
    params: &ListParams,
    backoff: &Backoff,
) -> Result<Vec<K>, kube::Error>
where
    K: Clone + DeserializeOwned + Debug,
{
    all_in(api, params, backoff, CHUNK).await
}

/// Every object `params` selects through `api`, `chunk` at a time.
pub(crate) async fn all_in<K>(
    api: &Api<K>,
    params: &ListParams,
    backoff: &Backoff,
    chunk: u32,
) -> Result<Vec<K>, kube::Error>
where
    K: Clone + DeserializeOwned + Debug,
{
    let first = params.clone().limit(chunk);
    let (mut params, mut items, mut restarts) = (first.clone(), Vec::new(), 0);
    loop {
        let page = match backoff.call(|| api.list(&params)).await {
            Ok(page) => page,
            Err(kube::Error::Api(s)) if s.code == 410 && restarts < RESTARTS => {
                restarts += 1;
                (params, items) = (first.clone(), Vec::new());
                continue;
            }
            Err(e) => return Err(e),
        };
        items.extend(page.items);
        match page.metadata.continue_ {
            Some(token) if !token.is_empty() => params = params.continue_token(&token),
            _ => return Ok(items),
        }
    }
}
