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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use std::sync::Arc;

    use k8s_openapi::api::core::v1 as core;
    use podgate_core::ClusterBackend;
    use podgate_core::model::{
        ContainerSpec, NamespaceId, PageRequest, PodQuery, PodTemplate, TenantKey, WorkloadSpec,
    };

    use super::*;
    use crate::conformance::{OnACluster, until};
    use crate::labels;

    #[tokio::test]
    #[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
    async fn lists_longer_than_a_chunk_are_read_with_continue_tokens() {
        let f = OnACluster::quick().await;
        let b = &f.backend;
        let tenant = b
            .create_tenant(crate::testing::new_tenant(
                TenantKey::Namespace(NamespaceId(0)),
                "token",
            ))
            .await
            .unwrap()
            .key;
        let template = Arc::new(PodTemplate {
            containers: vec![ContainerSpec {
                name: "app".to_owned(),
                image: "nginx:1".to_owned(),
                ..Default::default()
            }],
            ..Default::default()
        });
        let mut spec = WorkloadSpec::stateful("many", template);
        spec.replicas = 3;
        let w = b.create_workload(&tenant, spec).await.unwrap();
        let of_w = PodQuery::Workload(tenant.clone(), w.id);
        let numbered = until("three pods of many", || async {
            let page = b.list_pods(&of_w, PageRequest::ALL).await.unwrap();
            (page.total == 3).then_some(page)
        })
        .await;
        let api: Api<core::Pod> =
            Api::namespaced(b.client.clone(), &b.workloads.namespace(&tenant));
        let params = ListParams::default().labels(&labels::selector(&[]));
        // The API server cuts the list and hands out a token that carries it on.
        let first = api.list(&params.clone().limit(2)).await.unwrap();
        assert_eq!(first.items.len(), 2);
        let token = first.metadata.continue_.clone().unwrap();
        assert!(!token.is_empty());
        let rest = api
            .list(&params.clone().limit(2).continue_token(&token))
            .await
            .unwrap();
        assert_eq!(rest.items.len(), 1);
        assert!(
            rest.metadata.continue_.is_none_or(|t| t.is_empty()),
            "the end"
        );
        // The same list, two pods per request: two requests.
        let (pods, n) = f.requests(all_in(&api, &params, &b.backoff, 2)).await;
        assert_eq!(pods.unwrap().len(), 3);
        assert_eq!(n, 2, "two chunks");
        let (pods, n) = f.requests(all(&api, &params, &b.backoff)).await;
        assert_eq!(
            (pods.unwrap().len(), n),
            (3, 1),
            "within a chunk: one request"
        );
        let page = b.list_pods(&of_w, PageRequest::new(1, 1)).await.unwrap();
        assert_eq!(
            (page.total, page.items[0].id),
            (3, numbered.items[1].id),
            "paged by id"
        );
    }
}
