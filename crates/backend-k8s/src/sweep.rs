//! The backend's duties between requests, besides the pool controller: numbering the
//! pods the cluster's controllers made, and the sweep: what a create or delete cut off
//! in the middle left behind (see [`crate::claims`]), found and put right from what
//! the cluster holds.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::ConfigMap;
use kube::Api;
use kube::api::ListParams;
use podgate_core::Result;
use podgate_core::model::WorkloadId;

use crate::backend::K8sBackend;
use crate::claims::{self, CLAIM, Claimed};
use crate::error::to_core;
use crate::labels;
use crate::objects::Stored;
use crate::ports;
use crate::workloads::{NAME, claim_name};

/// What one sweep put right.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Swept {
    /// Claims left behind (older than the stale time, their workload gone or no longer
    /// using what they claim) that were removed.
    pub removed: usize,
    /// Claims a workload's object was found without (its create was cut off after the
    /// object was made, or it predates claims) that were made again, and tenants added
    /// back to their token's index (a tenant create cut off after its record).
    pub restored: usize,
}

impl K8sBackend {
    /// Gives the pods the cluster's controllers made since the last call their ids
    /// (PodId, ContainerIds), so that reads find them numbered and make no write
    /// themselves (a read still numbers a pod it meets first, made a moment ago). Safe
    /// to run from several instances at once: each numbering is conditional on the pod
    /// as read. One request, plus one per new pod; the `podgate` server runs it with
    /// the pool controller, every 5 s. Answers how many pods it numbered.
    pub async fn number_pods(&self) -> Result<usize> {
        // Boxed: a paged list and a numbering per pod, several calls deep.
        Box::pin(self.pods.number_new()).await
    }

    /// One sweep: removes the claims that creates and deletes cut off in the middle
    /// left behind, and gives each workload back the claims it should hold, so that
    /// nothing blocks a name or a host port for good and no workload goes without its
    /// claims. Safe to run from several instances at once: each removal is conditional
    /// on the claim being as read, each restoration a create. A few requests whatever
    /// the cluster's size (every claim, every workload object, in chunks), plus one per
    /// repair; the `podgate` server runs it every minute.
    pub async fn sweep(&self) -> Result<Swept> {
        // Boxed: several lists deep.
        Box::pin(self.sweep_pass()).await
    }

    async fn sweep_pass(&self) -> Result<Swept> {
        let stale_before = self.workloads.stale_before(self.clock.now());
        let fail = |e| to_core(e, "claim", "all");
        let every: Api<ConfigMap> = Api::all(self.client.clone());
        let params = ListParams::default().labels(&format!("{},{CLAIM}", labels::selector(&[])));
        let found = crate::lists::all(&every, &params, &self.backoff)
            .await
            .map_err(fail)?;
        let objects = self.workloads.list(None, &labels::selector(&[])).await?;
        // Each workload by namespace and id.
        let by_id: BTreeMap<(String, WorkloadId), &Stored> = objects
            .iter()
            .map(|s| ((self.workloads.namespace(&s.tenant), s.id), s))
            .collect();
        let mut swept = Swept::default();
        let mut present: BTreeSet<(String, String)> = BTreeSet::new();
        for claim in &found {
            let ns = claim.metadata.namespace.clone().unwrap_or_default();
            let name = claim.metadata.name.clone().unwrap_or_default();
            present.insert((ns.clone(), name));
            if !claims::old(claim, stale_before) {
                continue;
            }
            let what = labels::value(&claim.metadata, CLAIM);
            let held = match what {
                Some(w) if w == Claimed::Name.label() => {
                    claims::holder_id(claim).is_none_or(|id| by_id.contains_key(&(ns.clone(), id)))
                }
                Some(w) if w == Claimed::Port.label() => {
                    let claimed = ports::claimed(claim);
                    claims::holder(claim).is_none_or(|(tenant, id)| {
                        by_id
                            .get(&(self.workloads.namespace(&tenant), id))
                            .and_then(|s| ports::wanted(&s.spec))
                            .is_some_and(|(region, wanted)| {
                                claimed.is_some_and(|(r, p)| r == region && wanted.contains(&p))
                            })
                    })
                }
                _ => true,
            };
            if held {
                continue;
            }
            let api: Api<ConfigMap> = Api::namespaced(self.client.clone(), &ns);
            claims::remove(&api, &self.backoff, claim)
                .await
                .map_err(fail)?;
            tracing::info!(namespace = %ns, claim = ?claim.metadata.name, "removed a claim left behind");
            swept.removed += 1;
        }
        for stored in objects.iter().filter(|s| !s.deleting) {
            let ns = self.workloads.namespace(&stored.tenant);
            let mut wanted = vec![(
                ns.clone(),
                claims::new(
                    Claimed::Name,
                    claim_name(&stored.spec.name),
                    &stored.tenant,
                    stored.id,
                    BTreeMap::from([(NAME.to_owned(), stored.spec.name.clone())]),
                ),
            )];
            if let Some((region, bound)) = ports::wanted(&stored.spec) {
                let system = self.config.system_namespace.clone();
                wanted.extend(bound.into_iter().map(|port| {
                    (
                        system.clone(),
                        ports::claim(&stored.tenant, stored.id, region, port),
                    )
                }));
            }
            for (ns, claim) in wanted {
                let name = claim.metadata.name.clone().unwrap_or_default();
                if present.contains(&(ns.clone(), name.clone())) {
                    continue;
                }
                let api: Api<ConfigMap> = Api::namespaced(self.client.clone(), &ns);
                if self
                    .backoff
                    .create_once(&api, &claim, |a, b| a.data == b.data)
                    .await
                    .map_err(fail)?
                {
                    tracing::info!(namespace = %ns, claim = %name, workload = ?stored.id, "restored a workload's claim");
                    swept.restored += 1;
                }
            }
        }
        for tenant in self.tenants.unindexed().await? {
            self.tenants
                .index(&tenant)
                .await
                .map_err(|e| to_core(e, "tenant", &tenant.key.to_string()))?;
            tracing::info!(tenant = %tenant.key, "restored a tenant's token index");
            swept.restored += 1;
        }
        Ok(swept)
    }
}
