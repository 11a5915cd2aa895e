//! An openYuanrong pool's HorizontalPodAutoscaler: made when the pool's definition
//! asks for one (`horizontal_pod_autoscaler_spec`), replaced when it changes, deleted
//! when it no longer asks; owned by the pool's Deployment, so it goes with it.

use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Api;
use kube::api::{DeleteParams, PostParams};
use podgate_core::Result;
use podgate_core::dialects::yuanrong::PoolDefinition;
use podgate_core::model::WorkloadKind;

use crate::backend::K8sBackend;
use crate::error::to_core;
use crate::labels;
use crate::objects::{Stored, WorkloadObject, owned_by_deployment};

/// A digest of the spec podgate wrote, on the autoscaler.
const SPEC_DIGEST: &str = "podgate.io/spec-digest";

/// The autoscaler spec a pool's definition asks for, if any.
fn wanted(stored: &Stored) -> Option<HorizontalPodAutoscalerSpec> {
    if stored.spec.kind != WorkloadKind::Pool {
        return None;
    }
    let definition = PoolDefinition::from_template(&stored.spec.template).ok()?;
    let text = definition.horizontal_pod_autoscaler_spec;
    // The dialect checked the JSON before it stored it.
    serde_json::from_str(&text).ok()
}

impl K8sBackend {
    /// Makes the pool's autoscaler agree with its definition.
    pub(crate) async fn sync_hpa(&self, stored: &Stored, object: &WorkloadObject) -> Result<()> {
        let WorkloadObject::Deployment(deployment) = object else {
            return Ok(());
        };
        if stored.spec.kind != WorkloadKind::Pool {
            return Ok(());
        }
        let ns = self.workloads.namespace(&stored.tenant);
        let api: Api<HorizontalPodAutoscaler> = Api::namespaced(self.client.clone(), &ns);
        let name = deployment.metadata.name.clone().unwrap_or_default();
        let fail = |e| to_core(e, "autoscaler", &name);
        let current = self
            .backoff
            .call(|| api.get_opt(&name))
            .await
            .map_err(fail)?;
        let Some(mut spec) = wanted(stored) else {
            if current.is_some() {
                let params = DeleteParams::default();
                self.backoff
                    .delete(&api, &name, &params)
                    .await
                    .map_err(fail)?;
            }
            return Ok(());
        };
        spec.scale_target_ref = CrossVersionObjectReference {
            api_version: Some("apps/v1".to_owned()),
            kind: "Deployment".to_owned(),
            name: name.clone(),
        };
        // An API server fills in defaults: what podgate asked for is compared by digest.
        let digest = labels::digest(&serde_json::to_string(&spec).unwrap_or_default());
        let mut hpa = HorizontalPodAutoscaler {
            metadata: ObjectMeta {
                namespace: Some(ns.clone()),
                annotations: Some(std::collections::BTreeMap::from([(
                    SPEC_DIGEST.to_owned(),
                    digest.clone(),
                )])),
                owner_references: Some(vec![owned_by_deployment(&deployment.metadata)]),
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

    use podgate_core::dialects::yuanrong::wire::{
        CreatePoolsRequest, DeleteParams as YrDelete, UpdatePoolRequest,
    };
    use podgate_core::dialects::yuanrong::{YrConfig, YuanrongService};
    use podgate_core::testing::Fixture;

    use super::*;
    use crate::conformance::{OnACluster, unique, until};

    #[tokio::test]
    #[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
    async fn a_pool_that_asks_gets_an_autoscaler_until_it_no_longer_asks() {
        let f = OnACluster::quick().await;
        let svc = YuanrongService::new(f.backend(), YrConfig::default(), None);
        let hpa = r#"{"minReplicas":2,"maxReplicas":6,"scaleTargetRef":{"kind":"Deployment","name":"x"}}"#;
        let id = unique("scaled");
        let agent = format!("function-agent-{id}");
        let mut pool = podgate_core::testing::yuanrong::pool(&id, &unique("g"), 2, 2, true);
        pool["horizontal_pod_autoscaler_spec"] = serde_json::json!(hpa);
        let req: CreatePoolsRequest =
            serde_json::from_value(serde_json::json!({"pools": [pool]})).unwrap();
        let made = svc.create(&req).await.unwrap();
        assert!(made.failed_pools.is_none(), "{made:?}");
        let api: Api<HorizontalPodAutoscaler> =
            Api::namespaced(f.backend.client.clone(), "podgate-system");
        let got = api.get(&agent).await.unwrap();
        let spec = got.spec;
        assert_eq!((spec.min_replicas, spec.max_replicas), (Some(2), 6));
        assert_eq!(
            spec.scale_target_ref.name, agent,
            "it scales the pool's Deployment"
        );
        f.settle().await;
        let update = UpdatePoolRequest {
            horizontal_pod_autoscaler_spec: Some(String::new()),
            ..Default::default()
        };
        svc.update(&id, &update).await.unwrap();
        assert!(api.get_opt(&agent).await.unwrap().is_none());
        let update = UpdatePoolRequest {
            horizontal_pod_autoscaler_spec: Some(hpa.to_owned()),
            ..Default::default()
        };
        f.settle().await;
        svc.update(&id, &update).await.unwrap();
        assert!(api.get_opt(&agent).await.unwrap().is_some());
        svc.delete(&YrDelete {
            id: Some(id.clone()),
            group: None,
        })
        .await
        .unwrap();
        // It goes with the pool: the garbage collector deletes it after the
        // Deployment's foreground deletion began.
        until("the autoscaler gone with its pool", || async {
            api.get_opt(&agent).await.unwrap().is_none().then_some(())
        })
        .await;
    }
}
