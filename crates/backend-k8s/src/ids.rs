//! Numeric ids from a counter object, allocated with optimistic concurrency so that two
//! podgate replicas never hand out the same id.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::Api;
use kube::api::PostParams;

use crate::labels;
use crate::retry::Backoff;

/// The ConfigMap holding the next free id of each kind.
pub(crate) const COUNTERS: &str = "podgate-ids";

/// How many times an allocation re-reads after losing to another replica before it
/// gives up with a conflict.
const CONFLICTS: u32 = 64;

/// What an id numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdKind {
    /// NCS namespaces.
    Namespace,
    /// Workloads of every dialect.
    Workload,
    /// Pods.
    Pod,
    /// Containers.
    Container,
}

impl IdKind {
    fn key(self) -> &'static str {
        match self {
            Self::Namespace => "namespace",
            Self::Workload => "workload",
            Self::Pod => "pod",
            Self::Container => "container",
        }
    }
}

/// Allocates ids from the counters in the system namespace.
#[derive(Clone)]
pub(crate) struct Ids {
    client: kube::Client,
    namespace: String,
    api: Api<ConfigMap>,
    backoff: Backoff,
}

impl Ids {
    pub(crate) fn new(client: kube::Client, system_namespace: &str, backoff: Backoff) -> Self {
        Self {
            api: Api::namespaced(client.clone(), system_namespace),
            namespace: system_namespace.to_owned(),
            client,
            backoff,
        }
    }

    /// `count` consecutive fresh ids of `kind` (at least one); returns the first. Ids
    /// start at 1 and are never handed out twice.
    pub(crate) async fn allocate(&self, kind: IdKind, count: u64) -> Result<u64, kube::Error> {
        let count = count.max(1);
        self.backoff
            .conditional(CONFLICTS, || async {
                let mut counters = self.counters().await?;
                let data = counters.data.get_or_insert_with(BTreeMap::new);
                let first = data
                    .get(kind.key())
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(1)
                    .max(1);
                data.insert(
                    kind.key().to_owned(),
                    first.saturating_add(count).to_string(),
                );
                // The replace carries the resourceVersion read: 409 if anyone wrote since.
                let post = PostParams::default();
                self.backoff
                    .call(|| self.api.replace(COUNTERS, &post, &counters))
                    .await?;
                Ok(first)
            })
            .await
    }

    /// The counters, made when missing (a replica that loses the race to make them
    /// reads the winner's).
    async fn counters(&self) -> Result<ConfigMap, kube::Error> {
        if let Some(found) = self.backoff.call(|| self.api.get_opt(COUNTERS)).await? {
            return Ok(found);
        }
        let fresh = ConfigMap {
            metadata: labels::named(COUNTERS),
            ..ConfigMap::default()
        };
        let post = PostParams::default();
        let made =
            crate::namespaces::writing_in(&self.client, &self.backoff, &self.namespace, || {
                self.backoff.call(|| self.api.create(&post, &fresh))
            });
        match made.await {
            Ok(made) => Ok(made),
            Err(kube::Error::Api(status)) if status.is_already_exists() => {
                self.backoff.call(|| self.api.get(COUNTERS)).await
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::collections::BTreeSet;

    use super::*;
    use crate::testing::{Fault, fake, fake_with, quick};

    #[tokio::test]
    async fn ids_count_up_from_one_and_batches_take_a_range() {
        let (client, _) = fake().await;
        let ids = Ids::new(client, "podgate-system", quick());
        assert_eq!(ids.allocate(IdKind::Workload, 1).await.unwrap(), 1);
        assert_eq!(ids.allocate(IdKind::Workload, 1).await.unwrap(), 2);
        assert_eq!(ids.allocate(IdKind::Container, 3).await.unwrap(), 1);
        assert_eq!(ids.allocate(IdKind::Container, 1).await.unwrap(), 4);
        assert_eq!(
            ids.allocate(IdKind::Pod, 0).await.unwrap(),
            1,
            "at least one"
        );
        assert_eq!(ids.allocate(IdKind::Pod, 1).await.unwrap(), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn replicas_allocating_at_once_never_share_an_id() {
        let (client, _) = fake().await;
        // Eight allocators on one cluster, as eight podgate replicas would be.
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let ids = Ids::new(client.clone(), "podgate-system", quick());
                tokio::spawn(async move {
                    let mut got = Vec::new();
                    for _ in 0..25 {
                        got.push(ids.allocate(IdKind::Workload, 1).await.unwrap());
                    }
                    got
                })
            })
            .collect();
        let mut all = BTreeSet::new();
        for task in tasks {
            for id in task.await.unwrap() {
                assert!(all.insert(id), "id {id} handed out twice");
            }
        }
        assert_eq!(all.len(), 200);
        assert_eq!(all.first(), Some(&1));
        assert_eq!(all.last(), Some(&200), "no id skipped without a failure");
    }

    #[tokio::test]
    async fn a_conflict_rereads_and_faults_are_retried() {
        // The double refuses the first two replaces of the counters with 409 Conflict,
        // as an API server does when another replica wrote first.
        let refusals = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(2));
        let left = refusals.clone();
        let funcs = kube_fake_client::interceptor::Funcs::new().replace(move |_| {
            if left
                .fetch_update(
                    std::sync::atomic::Ordering::SeqCst,
                    std::sync::atomic::Ordering::SeqCst,
                    |n| n.checked_sub(1),
                )
                .is_ok()
            {
                Err(kube_fake_client::Error::Conflict(
                    "the object has been modified".into(),
                ))
            } else {
                Ok(None)
            }
        });
        let (client, plan) =
            fake_with(kube_fake_client::ClientBuilder::new().with_interceptor_funcs(funcs)).await;
        let ids = Ids::new(client, "podgate-system", quick());
        assert_eq!(ids.allocate(IdKind::Pod, 1).await.unwrap(), 1);
        plan.inject("PUT", COUNTERS, Fault::Status(429, "TooManyRequests"));
        plan.inject("GET", COUNTERS, Fault::Status(500, "InternalError"));
        plan.inject("GET", COUNTERS, Fault::Hang);
        assert_eq!(ids.allocate(IdKind::Pod, 1).await.unwrap(), 2);
        assert_eq!(ids.allocate(IdKind::Pod, 1).await.unwrap(), 3);
        assert_eq!(refusals.load(std::sync::atomic::Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_fault_that_outlasts_the_retries_is_an_error_and_allocates_nothing() {
        let (client, plan) = fake().await;
        let ids = Ids::new(client, "podgate-system", quick());
        assert_eq!(ids.allocate(IdKind::Pod, 1).await.unwrap(), 1);
        for _ in 0..5 {
            plan.inject("PUT", COUNTERS, Fault::Status(503, "ServiceUnavailable"));
        }
        let before = plan.requests();
        let err = ids.allocate(IdKind::Pod, 1).await.unwrap_err();
        assert_eq!(crate::error::retry(&err), crate::error::Retry::Later);
        assert_eq!(
            plan.requests() - before,
            6,
            "one read, then five tries of the write"
        );
        assert_eq!(
            ids.allocate(IdKind::Pod, 1).await.unwrap(),
            2,
            "nothing was taken"
        );
    }
}
