//! A workload's HorizontalPodAutoscaler: made when its spec has an
//! [`Autoscaler`](podgate_core::model::Autoscaler), replaced when that changes, deleted
//! when it has none; owned by the workload's object, so it goes with it.

use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::Api;
use kube::api::{DeleteParams, PostParams};
use podgate_core::model::Autoscaler;
use podgate_core::{Error, Result};

use crate::backend::K8sBackend;
use crate::error::to_core;
use crate::labels;
use crate::objects::{Stored, WorkloadObject, owned_by};

/// A digest of the spec podgate wrote, on the autoscaler.
const SPEC_DIGEST: &str = "podgate.io/spec-digest";

/// The autoscaler's spec, scaling `target`.
fn spec_of(
    autoscaler: &Autoscaler,
    target: CrossVersionObjectReference,
) -> Result<HorizontalPodAutoscalerSpec> {
    let metrics = autoscaler
        .metrics
        .iter()
        .map(|m| serde_json::from_value(m.clone()))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::invalid("autoscaler.metrics", e.to_string()))?;
    let behavior = autoscaler
        .behavior
        .clone()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| Error::invalid("autoscaler.behavior", e.to_string()))?;
    Ok(HorizontalPodAutoscalerSpec {
        min_replicas: i32::try_from(autoscaler.min_replicas).ok(),
        max_replicas: i32::try_from(autoscaler.max_replicas).unwrap_or(i32::MAX),
        metrics: (!metrics.is_empty()).then_some(metrics),
        behavior,
        scale_target_ref: target,
    })
}

/// What an autoscaler scales and is owned by: the workload's Deployment or
/// StatefulSet (a bare pod has none).
fn target(object: &WorkloadObject) -> Option<(CrossVersionObjectReference, OwnerReference)> {
    let (kind, metadata) = match object {
        WorkloadObject::Deployment(d) => ("Deployment", &d.metadata),
        WorkloadObject::StatefulSet(s) => ("StatefulSet", &s.metadata),
        WorkloadObject::Pod(_) => return None,
    };
    let name = metadata.name.clone()?;
    // Not owned without its uid: an object read back from the API server has one.
    metadata.uid.as_ref()?;
    let owner = owned_by(kind, metadata);
    let target = CrossVersionObjectReference {
        api_version: Some("apps/v1".to_owned()),
        kind: kind.to_owned(),
        name,
    };
    Some((target, owner))
}

impl K8sBackend {
    /// Makes the workload's autoscaler agree with its spec.
    pub(crate) async fn sync_hpa(&self, stored: &Stored, object: &WorkloadObject) -> Result<()> {
        let Some((target, owner)) = target(object) else {
            return Ok(());
        };
        let ns = self.workloads.namespace(&stored.tenant);
        let api: Api<HorizontalPodAutoscaler> = Api::namespaced(self.client.clone(), &ns);
        let name = target.name.clone();
        let fail = |e| to_core(e, "autoscaler", &name);
        let current = self
            .backoff
            .call(|| api.get_opt(&name))
            .await
            .map_err(fail)?;
        let Some(autoscaler) = &stored.spec.autoscaler else {
            if current.is_some() {
                let params = DeleteParams::default();
                self.backoff
                    .delete(&api, &name, &params)
                    .await
                    .map_err(fail)?;
            }
            return Ok(());
        };
        let spec = spec_of(autoscaler, target)?;
        // An API server fills in defaults: what podgate asked for is compared by digest.
        let digest = labels::digest(&serde_json::to_string(&spec).unwrap_or_default());
        let mut hpa = HorizontalPodAutoscaler {
            metadata: ObjectMeta {
                namespace: Some(ns.clone()),
                annotations: Some(std::collections::BTreeMap::from([(
                    SPEC_DIGEST.to_owned(),
                    digest.clone(),
                )])),
                owner_references: Some(vec![owner]),
                ..labels::named(name.clone())
            },
            spec,
            status: None,
        };
        let post = PostParams::default();
        let written = match current {
            Some(current)
                if current
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(SPEC_DIGEST))
                    == Some(&digest) =>
            {
                return Ok(());
            }
            Some(current) => {
                hpa.metadata.resource_version = current.metadata.resource_version;
                self.backoff.call(|| api.replace(&name, &post, &hpa)).await
            }
            None => self.backoff.call(|| api.create(&post, &hpa)).await,
        };
        match written {
            Ok(_) => Ok(()),
            // Another instance wrote it first, from the same definition.
            Err(kube::Error::Api(s)) if s.is_already_exists() || s.is_conflict() => Ok(()),
            Err(e) => Err(fail(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use std::sync::Arc;

    use podgate_core::model::{ContainerSpec, PodTemplate, TenantKey, WorkloadKind, WorkloadSpec};
    use podgate_core::testing::Fixture;

    use super::*;
    use crate::conformance::{OnACluster, unique, until};

    #[tokio::test]
    #[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
    async fn a_workload_with_an_autoscaler_gets_one_until_it_no_longer_asks() {
        let f = OnACluster::quick().await;
        let backend = f.backend();
        let template = Arc::new(PodTemplate {
            containers: vec![ContainerSpec {
                name: "app".to_owned(),
                image: "nginx:1".to_owned(),
                ..Default::default()
            }],
            ..Default::default()
        });
        let name = unique("scaled");
        let mut spec = WorkloadSpec {
            kind: WorkloadKind::Deployment,
            replicas: 2,
            autoscaler: Some(Box::new(Autoscaler {
                min_replicas: 2,
                max_replicas: 6,
                metrics: vec![serde_json::json!({"type": "Resource", "resource":
                    {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}})],
                behavior: None,
            })),
            ..WorkloadSpec::stateful(&name, template)
        };
        let made = backend
            .create_workload(&TenantKey::System, spec.clone())
            .await
            .unwrap();
        let api: Api<HorizontalPodAutoscaler> =
            Api::namespaced(f.backend.client.clone(), "podgate-system");
        let got = api.get(&name).await.unwrap().spec;
        assert_eq!((got.min_replicas, got.max_replicas), (Some(2), 6));
        assert_eq!(got.scale_target_ref.name, name, "it scales the Deployment");
        assert_eq!(got.scale_target_ref.kind, "Deployment");
        let cpu = got.metrics.unwrap()[0].resource.clone().unwrap();
        assert_eq!(cpu.target.average_utilization, Some(70));
        let without = WorkloadSpec {
            autoscaler: None,
            ..spec.clone()
        };
        backend
            .update_workload(&TenantKey::System, made.id, without)
            .await
            .unwrap();
        assert!(api.get_opt(&name).await.unwrap().is_none());
        spec.autoscaler.as_mut().unwrap().max_replicas = 8;
        backend
            .update_workload(&TenantKey::System, made.id, spec)
            .await
            .unwrap();
        assert_eq!(api.get(&name).await.unwrap().spec.max_replicas, 8);
        backend
            .delete_workload(&TenantKey::System, made.id)
            .await
            .unwrap();
        // It goes with its workload: the garbage collector deletes it after the
        // Deployment's deletion began.
        until("the autoscaler gone with its workload", || async {
            api.get_opt(&name).await.unwrap().is_none().then_some(())
        })
        .await;
    }
}
