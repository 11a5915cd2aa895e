//! Host ports that must be free in a whole region (`Placement::host_ports_unique_in_region`): one claim per
//! region and port in the system namespace (see [`crate::claims`]), taken before the
//! pod that binds the port is written and given back after it is gone. Of two deploys
//! of one port at once, exactly one takes it, whichever replica serves them; finding
//! the ports taken in a region is one label-selected list of its claims. Host ports
//! without that rule are bound per node, as Kubernetes binds them: the
//! scheduler keeps one per node.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::ConfigMap;
use kube::Api;
use kube::api::ListParams;
use podgate_core::model::{TenantKey, WorkloadId, WorkloadSpec};
use podgate_core::{Error, Result};

use crate::claims::{self, CLAIM, Claimed, StaleBefore};
use crate::error::to_core;
use crate::labels;
use crate::retry::Backoff;

/// The label on a port claim naming its region (a digest: any region name fits).
const REGION: &str = "podgate.io/region";
/// Keys of a port claim's data.
const REGION_NAME: &str = "region";
const PORT: &str = "port";

/// The region and host ports `spec` must hold alone in the region, if any.
pub(crate) fn wanted(spec: &WorkloadSpec) -> Option<(&str, BTreeSet<u16>)> {
    let placement = &spec.template.placement;
    let region = placement.region.as_deref()?;
    if !placement.host_ports_unique_in_region {
        return None;
    }
    let ports: BTreeSet<u16> = spec.template.host_ports().collect();
    (!ports.is_empty()).then_some((region, ports))
}

/// The region and port a port claim takes.
pub(crate) fn claimed(claim: &ConfigMap) -> Option<(&str, u16)> {
    let region = claims::value(claim, REGION_NAME)?;
    let port = claims::value(claim, PORT)?.parse().ok()?;
    Some((region, port))
}

fn region_value(region: &str) -> String {
    labels::digest(region)
}

fn claim_name(region: &str, port: u16) -> String {
    format!("port-{}-{port}", region_value(region))
}

/// The claim of `port` in `region` for workload `holder` of `tenant`.
pub(crate) fn claim(tenant: &TenantKey, holder: WorkloadId, region: &str, port: u16) -> ConfigMap {
    let mut claim = claims::new(
        Claimed::Port,
        claim_name(region, port),
        tenant,
        holder,
        BTreeMap::from([
            (REGION_NAME.to_owned(), region.to_owned()),
            (PORT.to_owned(), port.to_string()),
        ]),
    );
    if let Some(labels) = claim.metadata.labels.as_mut() {
        labels.insert(REGION.to_owned(), region_value(region));
    }
    claim
}

/// The host port claims in the system namespace.
#[derive(Clone)]
pub(crate) struct Ports {
    client: kube::Client,
    namespace: String,
    api: Api<ConfigMap>,
    backoff: Backoff,
}

impl Ports {
    pub(crate) fn new(client: kube::Client, system_namespace: &str, backoff: Backoff) -> Self {
        Self {
            api: Api::namespaced(client.clone(), system_namespace),
            namespace: system_namespace.to_owned(),
            client,
            backoff,
        }
    }

    /// Which of `ports` are held in `region` by a workload other than `ignore`: one
    /// request.
    pub(crate) async fn occupied(
        &self,
        region: &str,
        ports: &[u16],
        ignore: Option<(&TenantKey, WorkloadId)>,
    ) -> Result<Vec<u16>> {
        let selector = labels::selector(&[
            (CLAIM, Claimed::Port.label()),
            (REGION, &region_value(region)),
        ]);
        let params = ListParams::default().labels(&selector);
        let found = self
            .backoff
            .call(|| self.api.list(&params))
            .await
            .map_err(|e| to_core(e, "region", region))?;
        let held: BTreeSet<u16> = found
            .items
            .iter()
            .filter(|c| {
                ignore.is_none_or(|(tenant, id)| {
                    claims::holder(c).as_ref() != Some(&(tenant.clone(), id))
                })
            })
            .filter_map(|c| {
                claimed(c)
                    .filter(|(r, _)| *r == region)
                    .map(|(_, port)| port)
            })
            .collect();
        Ok(ports.iter().copied().filter(|p| held.contains(p)).collect())
    }

    /// Takes each of `ports` in `region` for workload `holder` of `tenant`; on the
    /// first one held by another, gives back what it took and answers which are
    /// taken (`IncorrectState`). `held` says whether a claim's holder still binds its
    /// port (asked only of claims made by `stale_before`, see [`claims::take`]).
    pub(crate) async fn take<F, Fut>(
        &self,
        tenant: &TenantKey,
        holder: WorkloadId,
        region: &str,
        ports: &BTreeSet<u16>,
        stale_before: StaleBefore,
        held: F,
    ) -> Result<()>
    where
        F: Fn(ConfigMap) -> Fut + Copy,
        Fut: std::future::Future<Output = bool>,
    {
        let mut taken = Vec::new();
        for &port in ports {
            let claim = claim(tenant, holder, region, port);
            let made =
                crate::namespaces::writing_in(&self.client, &self.backoff, &self.namespace, || {
                    claims::take(&self.api, &self.backoff, &claim, stale_before, held)
                })
                .await;
            match made {
                Ok(true) => taken.push(port),
                Ok(false) => {
                    self.release(holder, region, taken).await;
                    return Err(Error::IncorrectState(format!(
                        "host port {port} is in use in region {region}"
                    )));
                }
                Err(e) => {
                    self.release(holder, region, taken).await;
                    return Err(to_core(e, "region", region));
                }
            }
        }
        Ok(())
    }

    /// Gives back `holder`'s claims of `ports` in `region` (those it still holds).
    pub(crate) async fn release(
        &self,
        holder: WorkloadId,
        region: &str,
        ports: impl IntoIterator<Item = u16>,
    ) {
        for port in ports {
            let name = claim_name(region, port);
            if let Err(e) = claims::release(&self.api, &self.backoff, &name, holder).await {
                tracing::warn!(error = %e, claim = %name, "a host port claim was left behind");
            }
        }
    }
}
