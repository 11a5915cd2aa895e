//! Claims: a ConfigMap whose creation takes something unique for a workload — its
//! name in its tenant, a host port in a region. The API server refuses a second object
//! of a name, so of creates at once exactly one takes it, on every replica alike.
//!
//! A claim is taken before the workload's object is made and given back after it is
//! deleted. A create cut off in between (a crash, a cancelled request) leaves its claim
//! behind; such a claim is recognised by its age and its holder: older than [`STALE`]
//! and not held by its workload any more (the workload's object is gone, or no longer
//! uses what it claims). A create that meets one takes it over, and each replica's
//! sweep ([`crate::K8sBackend::sweep`]) removes the rest.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::Api;
use kube::api::{DeleteParams, ObjectMeta, PostParams, Preconditions};
use podgate_core::model::{TenantKey, Timestamp, WorkloadId};

use crate::labels;
use crate::retry::Backoff;

/// How old a claim must be, by default, before it can count as left behind
/// (`K8sConfig::stale_claims_after`): longer than a create takes from its claim to its
/// object (each API call gives up after about 51 s).
pub const STALE: Duration = Duration::from_secs(120);

/// The label that marks a claim, with what it claims (`name`, `port`).
pub(crate) const CLAIM: &str = "podgate.io/claim";

/// Keys of a claim's data.
pub(crate) const HOLDER: &str = "workload";
pub(crate) const TENANT: &str = "tenant";

/// What a claim takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claimed {
    /// A workload's name in its tenant (in the tenant's namespace).
    Name,
    /// A host port in a region (in the system namespace).
    Port,
}

impl Claimed {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Port => "port",
        }
    }
}

/// A claim to take: its object and who takes it.
pub(crate) fn new(
    what: Claimed,
    name: String,
    tenant: &TenantKey,
    holder: WorkloadId,
    mut data: BTreeMap<String, String>,
) -> ConfigMap {
    let mut labels = labels::base();
    labels.insert(CLAIM.to_owned(), what.label().to_owned());
    data.insert(HOLDER.to_owned(), holder.0.to_string());
    data.insert(TENANT.to_owned(), tenant_text(tenant));
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name),
            labels: Some(labels),
            ..ObjectMeta::default()
        },
        data: Some(data),
        ..ConfigMap::default()
    }
}

fn tenant_text(tenant: &TenantKey) -> String {
    serde_json::to_string(tenant).unwrap_or_default()
}

/// The workload holding `claim`.
pub(crate) fn holder_id(claim: &ConfigMap) -> Option<WorkloadId> {
    value(claim, HOLDER)?.parse().ok().map(WorkloadId)
}

/// The workload holding `claim`, and its tenant (claims made before the tenant was
/// recorded name none: they are never taken over).
pub(crate) fn holder(claim: &ConfigMap) -> Option<(TenantKey, WorkloadId)> {
    let tenant = serde_json::from_str(value(claim, TENANT)?).ok()?;
    Some((tenant, holder_id(claim)?))
}

/// One value of a claim's data.
pub(crate) fn value<'a>(claim: &'a ConfigMap, key: &str) -> Option<&'a str> {
    claim.data.as_ref()?.get(key).map(String::as_str)
}

/// The time (ms since the epoch) a claim must have been made by to be old enough to
/// count as left behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StaleBefore(i64);

impl StaleBefore {
    /// At `now`, when claims go stale after `stale`.
    pub(crate) fn at(now: Timestamp, stale: Duration) -> Self {
        Self(
            now.0
                .saturating_sub(i64::try_from(stale.as_millis()).unwrap_or(i64::MAX)),
        )
    }
}

/// Whether `claim` was made by `stale_before`.
pub(crate) fn old(claim: &ConfigMap, stale_before: StaleBefore) -> bool {
    let made = claim
        .metadata
        .creation_timestamp
        .as_ref()
        .map_or(0, |t| t.0.as_millisecond());
    made <= stale_before.0
}

/// Takes `claim` in `api`'s namespace: `Ok(true)` when it is this holder's (made now,
/// or by a try whose reply was lost), `Ok(false)` when another holds it. A claim found
/// that was made by `stale_before` and that `held` says its holder does not hold any
/// more is removed and taken over (when `held` cannot tell, the claim stays).
pub(crate) async fn take<F, Fut>(
    api: &Api<ConfigMap>,
    backoff: &Backoff,
    claim: &ConfigMap,
    stale_before: StaleBefore,
    held: F,
) -> Result<bool, kube::Error>
where
    F: Fn(ConfigMap) -> Fut,
    Fut: Future<Output = bool>,
{
    let name = claim.metadata.name.clone().unwrap_or_default();
    let post = PostParams::default();
    // A takeover, then a claim given back meanwhile: a few rounds at most.
    for _ in 0..3 {
        match backoff.call(|| api.create(&post, claim)).await {
            Ok(_) => return Ok(true),
            Err(kube::Error::Api(status)) if status.is_already_exists() => {}
            Err(e) => return Err(e),
        }
        let Some(found) = backoff.call(|| api.get_opt(&name)).await? else {
            continue; // given back since: try again
        };
        // The same claim: a try of this one whose reply was lost made it.
        if found.data == claim.data {
            return Ok(true);
        }
        if !old(&found, stale_before) || held(found.clone()).await {
            return Ok(false);
        }
        tracing::info!(claim = %name, "taking over a claim left behind");
        remove(api, backoff, &found).await?;
    }
    Ok(false)
}

/// Removes `claim` if it is still as read (another replica may have taken it over).
pub(crate) async fn remove(
    api: &Api<ConfigMap>,
    backoff: &Backoff,
    claim: &ConfigMap,
) -> Result<(), kube::Error> {
    let name = claim.metadata.name.clone().unwrap_or_default();
    let params = DeleteParams {
        preconditions: Some(Preconditions {
            uid: claim.metadata.uid.clone(),
            resource_version: claim.metadata.resource_version.clone(),
        }),
        ..DeleteParams::default()
    };
    match backoff.delete(api, &name, &params).await {
        // Changed since it was read: someone else took it over or gave it back.
        Err(kube::Error::Api(status)) if status.is_conflict() => Ok(()),
        other => other,
    }
}

/// Gives claim `name` back if `holder` still holds it (a later holder keeps it).
pub(crate) async fn release(
    api: &Api<ConfigMap>,
    backoff: &Backoff,
    name: &str,
    holder: WorkloadId,
) -> Result<(), kube::Error> {
    let Some(claim) = backoff.call(|| api.get_opt(name)).await? else {
        return Ok(());
    };
    if holder_id(&claim) != Some(holder) {
        return Ok(());
    }
    remove(api, backoff, &claim).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    use super::*;

    #[test]
    fn a_claim_names_its_holder_and_counts_as_old_after_the_stale_time() {
        let tenant = TenantKey::Order("Order_1".to_owned());
        let mut claim = new(
            Claimed::Name,
            "name-x".to_owned(),
            &tenant,
            WorkloadId(7),
            BTreeMap::from([("name".to_owned(), "x".to_owned())]),
        );
        assert_eq!(holder(&claim), Some((tenant, WorkloadId(7))));
        assert_eq!(holder_id(&claim), Some(WorkloadId(7)));
        assert_eq!(value(&claim, "name"), Some("x"));
        assert_eq!(
            labels::value(&claim.metadata, CLAIM),
            Some("name"),
            "marked for the sweep"
        );
        let made = k8s_openapi::jiff::Timestamp::from_millisecond(1_000_000).unwrap();
        claim.metadata.creation_timestamp = Some(Time(made));
        let stale = i64::try_from(STALE.as_millis()).unwrap();
        let at = |ms| StaleBefore::at(Timestamp(ms), STALE);
        assert!(!old(&claim, at(1_000_000 + stale - 1)));
        assert!(old(&claim, at(1_000_000 + stale)));
    }
}
