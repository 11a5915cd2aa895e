//! Numeric ids, leased in blocks from a counter object so that two podgate replicas
//! never hand out the same id and no create rewrites a shared object.
//!
//! Each replica leases [`BLOCK`] ids of a kind at a time: it moves the kind's counter
//! forward with a write conditional on the version it read (a 409 means another
//! replica leased first; it reads again), then hands the block's ids out from memory.
//! One counter write serves [`BLOCK`] allocations. Ids are never handed out twice,
//! across replicas and restarts; what a replica leased and did not use when it stops
//! is skipped, never reused.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::Api;
use kube::api::PostParams;
use tokio::sync::Mutex;

use crate::labels;
use crate::retry::Backoff;

/// The ConfigMap holding the next free id of each kind.
pub(crate) const COUNTERS: &str = "podgate-ids";

/// How many ids of a kind one lease takes: one counter write per this many ids.
pub(crate) const BLOCK: u64 = 64;

/// How many times a lease re-reads after losing to another replica before it gives
/// up with a conflict.
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

/// Ids leased and not handed out yet: `next..end`.
#[derive(Debug, Clone, Copy, Default)]
struct Block {
    next: u64,
    end: u64,
}

/// Allocates ids from the counters in the system namespace. Clones share their
/// leased blocks.
#[derive(Clone)]
pub(crate) struct Ids {
    client: kube::Client,
    namespace: String,
    api: Api<ConfigMap>,
    backoff: Backoff,
    /// One block per kind, locked across its lease, so that a replica's concurrent
    /// allocations of a kind wait for one lease instead of each writing the counter.
    blocks: Arc<[Mutex<Block>; 4]>,
}

impl Ids {
    pub(crate) fn new(client: kube::Client, system_namespace: &str, backoff: Backoff) -> Self {
        Self {
            api: Api::namespaced(client.clone(), system_namespace),
            namespace: system_namespace.to_owned(),
            client,
            backoff,
            blocks: Arc::default(),
        }
    }

    /// `count` consecutive fresh ids of `kind` (at least one); returns the first. Ids
    /// start at 1 and are never handed out twice. When the leased block holds fewer
    /// than `count`, its rest is skipped and a new block is leased.
    pub(crate) async fn allocate(&self, kind: IdKind, count: u64) -> Result<u64, kube::Error> {
        let count = count.max(1);
        let mut block = self.block(kind).lock().await;
        if block.end.saturating_sub(block.next) < count {
            let size = count.max(BLOCK);
            let first = self.lease(kind, size).await?;
            *block = Block {
                next: first,
                end: first.saturating_add(size),
            };
        }
        let first = block.next;
        block.next = first.saturating_add(count);
        Ok(first)
    }

    fn block(&self, kind: IdKind) -> &Mutex<Block> {
        let [namespace, workload, pod, container] = &*self.blocks;
        match kind {
            IdKind::Namespace => namespace,
            IdKind::Workload => workload,
            IdKind::Pod => pod,
            IdKind::Container => container,
        }
    }

    /// Moves `kind`'s counter `size` ids forward; returns the first of them.
    async fn lease(&self, kind: IdKind, size: u64) -> Result<u64, kube::Error> {
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
                    first.saturating_add(size).to_string(),
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

    /// The counter `kind` holds: the next id no replica has leased.
    async fn counter(client: &kube::Client, kind: IdKind) -> u64 {
        let api: Api<ConfigMap> = Api::namespaced(client.clone(), "podgate-system");
        let counters = api.get(COUNTERS).await.unwrap();
        counters.data.unwrap()[kind.key()].parse().unwrap()
    }

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

    #[tokio::test]
    async fn a_block_of_ids_is_one_counter_write_and_what_does_not_fit_leases_anew() {
        let (client, plan) = fake().await;
        let ids = Ids::new(client.clone(), "podgate-system", quick());
        assert_eq!(ids.allocate(IdKind::Workload, 1).await.unwrap(), 1);
        let before = plan.requests();
        for want in 2..=BLOCK {
            assert_eq!(ids.allocate(IdKind::Workload, 1).await.unwrap(), want);
        }
        assert_eq!(
            plan.requests(),
            before,
            "the rest of the block is in memory"
        );
        assert_eq!(counter(&client, IdKind::Workload).await, BLOCK + 1);
        let before = plan.requests();
        assert_eq!(
            ids.allocate(IdKind::Workload, 1).await.unwrap(),
            BLOCK + 1,
            "the next block follows"
        );
        assert_eq!(plan.requests(), before + 2, "one read, one write");
        // A whole block's worth does not fit in what is left (63): it is leased anew,
        // and the rest is skipped.
        assert_eq!(
            ids.allocate(IdKind::Workload, BLOCK).await.unwrap(),
            2 * BLOCK + 1
        );
        let more = 3 * BLOCK;
        assert_eq!(
            ids.allocate(IdKind::Container, more).await.unwrap(),
            1,
            "a batch bigger than a block is one lease of its size"
        );
        assert_eq!(counter(&client, IdKind::Container).await, more + 1);
        // Another replica (or this one after a restart) never gets what was leased.
        let other = Ids::new(client.clone(), "podgate-system", quick());
        assert_eq!(
            other.allocate(IdKind::Workload, 1).await.unwrap(),
            3 * BLOCK + 1
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn replicas_allocating_at_once_never_share_an_id() {
        let (client, _) = fake().await;
        // Eight allocators on one cluster, as eight podgate replicas would be, each
        // with sixteen requests at once.
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let ids = Ids::new(client.clone(), "podgate-system", quick());
                tokio::spawn(async move {
                    let mut calls = tokio::task::JoinSet::new();
                    for _ in 0..16 {
                        let ids = ids.clone();
                        calls.spawn(async move {
                            let mut got = Vec::new();
                            for _ in 0..4 {
                                got.push(ids.allocate(IdKind::Workload, 1).await.unwrap());
                            }
                            got
                        });
                    }
                    calls.join_all().await.concat()
                })
            })
            .collect();
        let mut all = BTreeSet::new();
        for task in tasks {
            let got = task.await.unwrap();
            let first = got.iter().min().copied().unwrap();
            assert!(
                got.iter().all(|id| (first..first + BLOCK).contains(id)),
                "a replica's 64 ids are its one block: {got:?}"
            );
            for id in got {
                assert!(all.insert(id), "id {id} handed out twice");
            }
        }
        assert_eq!(all.len(), 8 * 64);
        assert_eq!(
            counter(&client, IdKind::Workload).await,
            8 * BLOCK + 1,
            "each replica leased once"
        );
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
        let ids = Ids::new(client.clone(), "podgate-system", quick());
        assert_eq!(ids.allocate(IdKind::Pod, 1).await.unwrap(), 1);
        assert_eq!(refusals.load(std::sync::atomic::Ordering::SeqCst), 0);
        plan.inject("PUT", COUNTERS, Fault::Status(429, "TooManyRequests"));
        plan.inject("GET", COUNTERS, Fault::Status(500, "InternalError"));
        plan.inject("GET", COUNTERS, Fault::Hang);
        // Another replica's lease meets every fault and gets through.
        let other = Ids::new(client, "podgate-system", quick());
        assert_eq!(other.allocate(IdKind::Pod, 1).await.unwrap(), BLOCK + 1);
        assert_eq!(plan.pending(), 0, "every fault was met");
        assert_eq!(other.allocate(IdKind::Pod, 1).await.unwrap(), BLOCK + 2);
        assert_eq!(ids.allocate(IdKind::Pod, 1).await.unwrap(), 2);
    }

    #[tokio::test]
    async fn a_fault_that_outlasts_the_retries_is_an_error_and_allocates_nothing() {
        let (client, plan) = fake().await;
        let first = Ids::new(client.clone(), "podgate-system", quick());
        assert_eq!(first.allocate(IdKind::Pod, 1).await.unwrap(), 1);
        let ids = Ids::new(client, "podgate-system", quick());
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
            BLOCK + 1,
            "nothing was taken"
        );
    }
}
