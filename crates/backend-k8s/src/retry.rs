//! Calls to the API server, made again while the failure is one that can pass.

use std::fmt::Debug;
use std::future::Future;
use std::time::Duration;

use kube::Resource;
use kube::api::{Api, DeleteParams, PostParams};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Retry, retry, retry_after};

/// How often and how patiently to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// Tries in all, the first included.
    pub(crate) tries: u32,
    /// The wait after the first failure; it doubles after each further one.
    pub(crate) first: Duration,
    /// How long one call may take before it counts as failed (and is retried).
    pub(crate) timeout: Duration,
    /// How long all tries together may take: when the API server holds calls (etcd
    /// gone, say), the caller gets a temporary error within this, not after every
    /// try's timeout.
    pub(crate) budget: Duration,
}

impl Default for Backoff {
    /// Five tries, waiting 50, 100, 200 and 400 ms between them; 10 s per call, 15 s
    /// in all.
    fn default() -> Self {
        Self {
            tries: 5,
            first: Duration::from_millis(50),
            timeout: Duration::from_secs(10),
            budget: Duration::from_secs(15),
        }
    }
}

impl Backoff {
    /// Runs `call` until it succeeds, fails for good, or the tries run out. Throttling,
    /// server errors, transport failures and calls slower than `timeout` wait and try
    /// again; anything else (a conflict included: that needs a fresh read, see
    /// `conditional`) is returned.
    pub(crate) async fn call<T, F, Fut>(&self, mut call: F) -> Result<T, kube::Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, kube::Error>>,
    {
        let deadline = tokio::time::Instant::now() + self.budget;
        let mut wait = self.first;
        let mut tries = 1;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let outcome = tokio::time::timeout(self.timeout.min(left), call())
                .await
                .unwrap_or_else(|_| {
                    Err(kube::Error::Service(
                        "the API server did not answer in time".into(),
                    ))
                });
            match outcome {
                Err(e) if retry(&e) == Retry::Later && tries < self.tries => {
                    // The server's own Retry-After, when longer than ours.
                    let pause = retry_after(&e).map_or(wait, |asked| asked.max(wait));
                    if tokio::time::Instant::now() + pause >= deadline {
                        return Err(e);
                    }
                    tracing::debug!(error = %e, tries, "retrying a Kubernetes call");
                    tokio::time::sleep(pause).await;
                    wait = wait.saturating_mul(2);
                    tries += 1;
                }
                other => return other,
            }
        }
    }

    /// A read-modify-write: `attempt` reads what it needs and writes conditionally on
    /// the `resourceVersion` it read; a conflict (someone else wrote first) runs it
    /// again from the read, up to `conflicts` times. Each API call inside `attempt`
    /// should go through [`Backoff::call`].
    pub(crate) async fn conditional<T, F, Fut>(
        &self,
        conflicts: u32,
        mut attempt: F,
    ) -> Result<T, kube::Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, kube::Error>>,
    {
        let mut left = conflicts;
        loop {
            match attempt().await {
                Err(e) if retry(&e) == Retry::Reread && left > 0 => left -= 1,
                other => return other,
            }
        }
    }

    /// Deletes the object `name` through `api`; one already gone counts as deleted.
    pub(crate) async fn delete<K>(
        &self,
        api: &Api<K>,
        name: &str,
        params: &DeleteParams,
    ) -> Result<(), kube::Error>
    where
        K: Resource + Clone + DeserializeOwned + Debug,
    {
        match self.call(|| api.delete(name, params)).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Creates `object` once: `Ok(true)` when it is made, `Ok(false)` when an object of
    /// that name exists already — unless the one found is `same` as the one sent (a try
    /// whose reply was lost made it), which counts as made.
    pub(crate) async fn create_once<K>(
        &self,
        api: &Api<K>,
        object: &K,
        same: impl Fn(&K, &K) -> bool,
    ) -> Result<bool, kube::Error>
    where
        K: Resource + Clone + DeserializeOwned + Serialize + Debug,
    {
        let post = PostParams::default();
        match self.call(|| api.create(&post, object)).await {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(status)) if status.is_already_exists() => {
                let name = object.meta().name.clone().unwrap_or_default();
                let found = self.call(|| api.get_opt(&name)).await?;
                Ok(found.is_some_and(|found| same(&found, object)))
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test]
    async fn calls_the_server_holds_fail_within_the_budget() {
        let backoff = Backoff {
            tries: 5,
            first: Duration::from_millis(10),
            timeout: Duration::from_millis(100),
            budget: Duration::from_millis(250),
        };
        let made = AtomicU32::new(0);
        let outcome: Result<(), kube::Error> = backoff
            .call(|| {
                made.fetch_add(1, Ordering::SeqCst);
                std::future::pending()
            })
            .await;
        assert!(outcome.is_err(), "a call never answered fails");
        // Without the budget: five tries of 100 ms. With it: the third try gets what
        // is left of 250 ms, and no wait fits after it.
        let made = made.load(Ordering::SeqCst);
        assert!(
            (2..=3).contains(&made),
            "tries stop when the budget is spent: {made}"
        );
    }
}
