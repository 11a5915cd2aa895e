//! Workloads on the cluster: a name claim, an id, and the object that runs them.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::Api;
use kube::api::{DeleteParams, ListParams, ObjectMeta, PostParams, PropagationPolicy};
use podgate_core::model::{
    TenantKey, TenantKind, Timestamp, WorkloadId, WorkloadKind, WorkloadSpec,
};
use podgate_core::{Error, Result};

use crate::config::K8sConfig;
use crate::error::to_core;
use crate::ids::{IdKind, Ids};
use crate::labels;
use crate::objects::{self, Stored, WORKLOAD_ID, WorkloadObject};
use crate::retry::Backoff;
use crate::tenants::{Tenants, namespace_of};

/// The kind of object a tenant's workloads usually are, tried first on a read.
fn usual_kind(tenant: &TenantKey) -> WorkloadKind {
    match tenant.kind() {
        TenantKind::Namespace => WorkloadKind::Stateful,
        TenantKind::System => WorkloadKind::Pool,
        _ => WorkloadKind::Deployment,
    }
}

/// The name claim's object name: a digest of the workload's name.
fn claim_name(name: &str) -> String {
    format!("name-{}", labels::digest(name))
}

/// The workload operations that touch only workload objects.
#[derive(Clone)]
pub(crate) struct Workloads {
    client: kube::Client,
    config: K8sConfig,
    ids: Ids,
    tenants: Tenants,
    backoff: Backoff,
}

impl Workloads {
    pub(crate) fn new(
        client: kube::Client,
        config: K8sConfig,
        ids: Ids,
        tenants: Tenants,
        backoff: Backoff,
    ) -> Self {
        Self {
            client,
            config,
            ids,
            tenants,
            backoff,
        }
    }

    fn namespace(&self, tenant: &TenantKey) -> String {
        match tenant {
            TenantKey::System => self.config.system_namespace.clone(),
            other => namespace_of(other),
        }
    }

    /// Creates a workload: claims its name in the tenant (a second claim of the name is
    /// `AlreadyExists`), takes an id, and creates its object. If the object cannot be
    /// made, the claim is given back.
    pub(crate) async fn create(
        &self,
        tenant: &TenantKey,
        spec: &WorkloadSpec,
        now: Timestamp,
    ) -> Result<Stored> {
        if *tenant != TenantKey::System {
            self.tenants.get(tenant).await?;
        }
        let ns = self.namespace(tenant);
        self.tenants
            .ensure_namespace(&ns)
            .await
            .map_err(|e| to_core(e, "namespace", &ns))?;
        let id = WorkloadId(
            self.ids
                .allocate(IdKind::Workload, 1)
                .await
                .map_err(|e| to_core(e, "workload", "new"))?,
        );
        self.claim(&ns, &spec.name, id).await?;
        let object = objects::render(id, spec, now, now, &self.config);
        let made = self.create_object(&ns, &object).await;
        if let Err(e) = made {
            self.release_claim(&ns, &spec.name).await;
            return Err(e);
        }
        object
            .stored(spec.kind)
            .ok_or_else(|| Error::not_found("workload", id))
    }

    async fn claim(&self, ns: &str, name: &str, id: WorkloadId) -> Result<()> {
        let api: Api<ConfigMap> = Api::namespaced(self.client.clone(), ns);
        let claim = ConfigMap {
            metadata: ObjectMeta {
                name: Some(claim_name(name)),
                labels: Some(labels::base()),
                ..ObjectMeta::default()
            },
            data: Some(BTreeMap::from([
                ("name".to_owned(), name.to_owned()),
                ("workload".to_owned(), id.0.to_string()),
            ])),
            ..ConfigMap::default()
        };
        let made = self
            .backoff
            .create_once(&api, &claim, |a, b| a.data == b.data)
            .await
            .map_err(|e| to_core(e, "workload", name))?;
        if made {
            Ok(())
        } else {
            Err(Error::already_exists("workload", name))
        }
    }

    async fn release_claim(&self, ns: &str, name: &str) {
        let api: Api<ConfigMap> = Api::namespaced(self.client.clone(), ns);
        let (claimed, params) = (claim_name(name), DeleteParams::default());
        let gone = self.backoff.call(|| api.delete(&claimed, &params)).await;
        if let Err(e) = gone {
            tracing::warn!(error = %e, name, "a workload name claim was left behind");
        }
    }

    async fn create_object(&self, ns: &str, object: &WorkloadObject) -> Result<()> {
        let post = PostParams::default();
        let name = object.metadata().name.clone().unwrap_or_default();
        let made = match object {
            WorkloadObject::StatefulSet(s) => {
                let api: Api<StatefulSet> = Api::namespaced(self.client.clone(), ns);
                self.backoff.call(|| api.create(&post, s)).await.map(|_| ())
            }
            WorkloadObject::Deployment(d) => {
                let api: Api<Deployment> = Api::namespaced(self.client.clone(), ns);
                self.backoff.call(|| api.create(&post, d)).await.map(|_| ())
            }
        };
        match made {
            // The name embeds a fresh id: an existing object is a try whose reply was lost.
            Err(kube::Error::Api(status)) if status.is_already_exists() => Ok(()),
            other => other.map_err(|e| to_core(e, "workload", &name)),
        }
    }

    /// The workload `id` of `tenant` and its object: one request when it is of the
    /// tenant's usual kind.
    pub(crate) async fn get(
        &self,
        tenant: &TenantKey,
        id: WorkloadId,
    ) -> Result<(Stored, WorkloadObject)> {
        let ns = self.namespace(tenant);
        let first = usual_kind(tenant);
        let kinds = [first, WorkloadKind::Stateful, WorkloadKind::Deployment];
        for kind in kinds
            .into_iter()
            .enumerate()
            .filter(|(i, k)| *i == 0 || *k != first)
            .map(|(_, k)| k)
        {
            if let Some(object) = self.find_object(&ns, kind, id).await? {
                let stored = object
                    .stored(kind)
                    .ok_or_else(|| Error::not_found("workload", id))?;
                return Ok((stored, object));
            }
        }
        Err(Error::not_found("workload", id))
    }

    async fn find_object(
        &self,
        ns: &str,
        kind: WorkloadKind,
        id: WorkloadId,
    ) -> Result<Option<WorkloadObject>> {
        let selector = labels::selector(&[(WORKLOAD_ID, &id.0.to_string())]);
        let params = ListParams::default().labels(&selector);
        let found = match kind {
            WorkloadKind::Stateful => self
                .first::<StatefulSet>(ns, &params)
                .await
                .map(|o| o.map(WorkloadObject::StatefulSet)),
            _ => self
                .first::<Deployment>(ns, &params)
                .await
                .map(|o| o.map(WorkloadObject::Deployment)),
        };
        found.map_err(|e| to_core(e, "workload", &id.0.to_string()))
    }

    /// The first object of type `K` in `ns` that `params` selects.
    async fn first<K>(
        &self,
        ns: &str,
        params: &ListParams,
    ) -> std::result::Result<Option<K>, kube::Error>
    where
        K: kube::Resource<Scope = kube::core::NamespaceResourceScope>
            + Clone
            + serde::de::DeserializeOwned
            + std::fmt::Debug,
        K::DynamicType: Default,
    {
        let api: Api<K> = Api::namespaced(self.client.clone(), ns);
        let list = self.backoff.call(|| api.list(params)).await?;
        Ok(list.items.into_iter().next())
    }

    /// The tenant's workload named `name`: its claim gives the id.
    pub(crate) async fn find(
        &self,
        tenant: &TenantKey,
        name: &str,
    ) -> Result<(Stored, WorkloadObject)> {
        let api: Api<ConfigMap> = Api::namespaced(self.client.clone(), &self.namespace(tenant));
        let claimed = claim_name(name);
        let claim = self
            .backoff
            .call(|| api.get_opt(&claimed))
            .await
            .map_err(|e| to_core(e, "workload", name))?
            .ok_or_else(|| Error::not_found("workload", name))?;
        let id = claim
            .data
            .as_ref()
            .filter(|d| d.get("name").map(String::as_str) == Some(name))
            .and_then(|d| d.get("workload"))
            .and_then(|id| id.parse().ok())
            .map(WorkloadId)
            .ok_or_else(|| Error::not_found("workload", name))?;
        self.get(tenant, id)
            .await
            .map_err(|_| Error::not_found("workload", name))
    }

    /// Replaces a workload's spec, conditionally on the version read (a concurrent
    /// update makes it read again). The name and kind cannot change. A new template
    /// makes the controller roll the pods; labels alone change only the metadata.
    pub(crate) async fn update(
        &self,
        tenant: &TenantKey,
        id: WorkloadId,
        spec: &WorkloadSpec,
        now: Timestamp,
    ) -> Result<Stored> {
        let ns = self.namespace(tenant);
        let id_text = id.0.to_string();
        // The attempt answers Ok(Err(..)) for a refusal no re-read can change.
        self.backoff
            .conditional(16, || async {
                let (stored, current) = match self.get(tenant, id).await {
                    Ok(found) => found,
                    Err(e) => return Ok(Err(e)),
                };
                if stored.spec.name != spec.name {
                    return Ok(Err(Error::invalid("name", "cannot change")));
                }
                if stored.spec.kind != spec.kind {
                    return Ok(Err(Error::invalid("kind", "cannot change")));
                }
                let updated = if stored.spec == *spec {
                    stored.updated_at
                } else {
                    now
                };
                let mut next = objects::render(id, spec, stored.created_at, updated, &self.config);
                let version = current.metadata().resource_version.clone();
                let post = PostParams::default();
                let name = current.metadata().name.clone().unwrap_or_default();
                match &mut next {
                    WorkloadObject::StatefulSet(s) => {
                        s.metadata.resource_version = version;
                        let api: Api<StatefulSet> = Api::namespaced(self.client.clone(), &ns);
                        self.backoff.call(|| api.replace(&name, &post, s)).await?;
                    }
                    WorkloadObject::Deployment(d) => {
                        d.metadata.resource_version = version;
                        let api: Api<Deployment> = Api::namespaced(self.client.clone(), &ns);
                        self.backoff.call(|| api.replace(&name, &post, d)).await?;
                    }
                }
                Ok(next
                    .stored(spec.kind)
                    .ok_or_else(|| Error::not_found("workload", id)))
            })
            .await
            .map_err(|e| to_core(e, "workload", &id_text))?
    }

    /// Deletes the workload's object (its pods go with it) and then its name claim.
    pub(crate) async fn delete(&self, tenant: &TenantKey, id: WorkloadId) -> Result<()> {
        let (stored, object) = self.get(tenant, id).await?;
        let ns = self.namespace(tenant);
        let name = object.metadata().name.clone().unwrap_or_default();
        let params = DeleteParams {
            propagation_policy: Some(PropagationPolicy::Foreground),
            ..DeleteParams::default()
        };
        let gone = match object {
            WorkloadObject::StatefulSet(_) => {
                let api: Api<StatefulSet> = Api::namespaced(self.client.clone(), &ns);
                self.backoff
                    .call(|| api.delete(&name, &params))
                    .await
                    .map(|_| ())
            }
            WorkloadObject::Deployment(_) => {
                let api: Api<Deployment> = Api::namespaced(self.client.clone(), &ns);
                self.backoff
                    .call(|| api.delete(&name, &params))
                    .await
                    .map(|_| ())
            }
        };
        match gone {
            Ok(()) => {}
            Err(kube::Error::Api(status)) if status.is_not_found() => {}
            Err(e) => return Err(to_core(e, "workload", &id.0.to_string())),
        }
        self.release_claim(&ns, &stored.spec.name).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::sync::Arc;

    use podgate_core::model::{ContainerSpec, NamespaceId, NewTenant, PodTemplate};
    use podgate_core::secret::TokenHash;

    use super::*;
    use crate::testing::{Fault, fake, quick};

    async fn setup() -> (Workloads, TenantKey, Arc<crate::testing::Plan>) {
        let (client, plan) = fake().await;
        let ids = Ids::new(client.clone(), "podgate-system", quick());
        let tenants = Tenants::new(client.clone(), "podgate-system", ids.clone(), quick());
        let tenant = tenants
            .create(NewTenant {
                key: TenantKey::Namespace(NamespaceId(0)),
                token_hash: TokenHash::of("t"),
                privileged: false,
                attributes: serde_json::Value::Null,
            })
            .await
            .unwrap()
            .key;
        let workloads = Workloads::new(client, K8sConfig::default(), ids, tenants, quick());
        (workloads, tenant, plan)
    }

    fn spec(name: &str) -> WorkloadSpec {
        WorkloadSpec::stateful(
            name,
            Arc::new(PodTemplate {
                containers: vec![ContainerSpec {
                    name: "app".to_owned(),
                    image: "nginx:stable".to_owned(),
                    ..Default::default()
                }],
                ..Default::default()
            }),
        )
    }

    #[tokio::test]
    async fn created_read_refused_twice_deleted_and_free_again() {
        let (w, tenant, plan) = setup().await;
        let made = w.create(&tenant, &spec("web"), Timestamp(5)).await.unwrap();
        let before = plan.requests();
        let (read, _) = w.get(&tenant, made.id).await.unwrap();
        assert_eq!(
            plan.requests() - before,
            1,
            "a read of the usual kind is one request"
        );
        assert_eq!(read.spec, spec("web"));
        assert_eq!(read.created_at, Timestamp(5));
        assert!(matches!(
            w.create(&tenant, &spec("web"), Timestamp(6)).await,
            Err(Error::AlreadyExists { .. })
        ));
        let other = TenantKey::Namespace(NamespaceId(99));
        assert!(matches!(
            w.get(&other, made.id).await,
            Err(Error::NotFound { .. })
        ));
        w.delete(&tenant, made.id).await.unwrap();
        assert!(matches!(
            w.get(&tenant, made.id).await,
            Err(Error::NotFound { .. })
        ));
        let again = w.create(&tenant, &spec("web"), Timestamp(7)).await.unwrap();
        assert!(again.id.0 > made.id.0, "ids are never reused");
    }

    #[tokio::test]
    async fn found_by_name_and_updated_conditionally() {
        let (w, tenant, plan) = setup().await;
        let made = w.create(&tenant, &spec("web"), Timestamp(1)).await.unwrap();
        assert_eq!(w.find(&tenant, "web").await.unwrap().0.id, made.id);
        assert!(matches!(
            w.find(&tenant, "nope").await,
            Err(Error::NotFound { .. })
        ));

        let mut changed = spec("web");
        changed.labels.insert("tier".to_owned(), "front".to_owned());
        // Another writer gets in first once: the update reads again and still lands.
        plan.inject("PUT", "/statefulsets/", Fault::Status(409, "Conflict"));
        let updated = w
            .update(&tenant, made.id, &changed, Timestamp(9))
            .await
            .unwrap();
        assert_eq!(updated.spec, changed);
        assert_eq!(
            (updated.created_at, updated.updated_at),
            (Timestamp(1), Timestamp(9))
        );
        let (read, _) = w.get(&tenant, made.id).await.unwrap();
        assert_eq!(read.spec, changed);
        let unchanged = w
            .update(&tenant, made.id, &changed, Timestamp(20))
            .await
            .unwrap();
        assert_eq!(
            unchanged.updated_at,
            Timestamp(9),
            "nothing changed, no new time"
        );

        let mut renamed = changed.clone();
        renamed.name = "other".to_owned();
        assert!(matches!(
            w.update(&tenant, made.id, &renamed, Timestamp(30)).await,
            Err(Error::Invalid { .. })
        ));
        assert!(matches!(
            w.update(&tenant, WorkloadId(999), &changed, Timestamp(30))
                .await,
            Err(Error::NotFound { .. })
        ));
    }

    #[tokio::test]
    async fn on_a_settled_cluster_a_workload_runs_or_says_why_not() {
        use crate::cluster_double::{MISSING_IMAGE, settle};
        use crate::nodes::tests::kubelet_node;
        use crate::pods::{Pods, to_pod};
        use crate::status::derive;
        use podgate_core::model::WorkloadPhase;

        let (w, tenant, _) = setup().await;
        let pods = Pods::new(w.client.clone(), w.ids.clone(), quick());
        let nodes = [kubelet_node("node-1", "cn-east-1a", true)];
        let status = |stored: Stored| {
            let (pods, tenant) = (pods.clone(), tenant.clone());
            async move {
                let ns = namespace_of(&tenant);
                let found = pods.of_workload(&ns, stored.id).await.unwrap();
                let shown: Vec<_> = found
                    .iter()
                    .filter_map(|p| to_pod(p, &tenant, stored.id, &stored.spec.template))
                    .collect();
                derive(
                    stored.spec.replicas,
                    stored.created_at,
                    stored.updated_at,
                    false,
                    &shown,
                )
            }
        };
        let web = w.create(&tenant, &spec("web"), Timestamp(1)).await.unwrap();
        let mut broken = spec("broken");
        Arc::make_mut(&mut broken.template).containers[0].image = MISSING_IMAGE.to_owned();
        let broken = w.create(&tenant, &broken, Timestamp(1)).await.unwrap();
        let mut nowhere = spec("nowhere");
        Arc::make_mut(&mut nowhere.template).placement.zones = vec!["cn-west-9z".to_owned()];
        let nowhere = w.create(&tenant, &nowhere, Timestamp(1)).await.unwrap();
        assert_eq!(status(web.clone()).await.phase, WorkloadPhase::Creating);

        settle(&w.client, &nodes).await;
        assert_eq!(status(web).await.phase, WorkloadPhase::Running);
        let s = status(broken).await;
        assert_eq!(
            (s.phase, s.message.as_deref()),
            (WorkloadPhase::CreateFailed, Some("ImagePullBackOff"))
        );
        let s = status(nowhere).await;
        assert_eq!(
            (s.phase, s.message.as_deref()),
            (WorkloadPhase::CreateFailed, Some("Unschedulable"))
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_creates_of_one_name_make_exactly_one() {
        let (w, tenant, _) = setup().await;
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (w, tenant) = (w.clone(), tenant.clone());
                tokio::spawn(async move { w.create(&tenant, &spec("same"), Timestamp(1)).await })
            })
            .collect();
        let mut won = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => won += 1,
                Err(Error::AlreadyExists { .. }) => {}
                Err(other) => panic!("{other:?}"),
            }
        }
        assert_eq!(won, 1);
        let sets: Api<StatefulSet> = Api::namespaced(w.client.clone(), &namespace_of(&tenant));
        assert_eq!(
            sets.list(&ListParams::default()).await.unwrap().items.len(),
            1
        );
    }

    #[tokio::test]
    async fn faults_on_each_write_are_retried_without_duplicates() {
        let (w, tenant, plan) = setup().await;
        plan.inject("POST", "/configmaps", Fault::LostReply);
        plan.inject("POST", "/statefulsets", Fault::Status(500, "InternalError"));
        plan.inject("POST", "/statefulsets", Fault::LostReply);
        let made = w.create(&tenant, &spec("a"), Timestamp(1)).await.unwrap();
        assert_eq!(w.get(&tenant, made.id).await.unwrap().0.spec.name, "a");
        plan.inject(
            "DELETE",
            "/statefulsets",
            Fault::Status(429, "TooManyRequests"),
        );
        w.delete(&tenant, made.id).await.unwrap();
        assert!(matches!(
            w.get(&tenant, made.id).await,
            Err(Error::NotFound { .. })
        ));
        // An object that cannot be made gives its name back.
        for _ in 0..5 {
            plan.inject(
                "POST",
                "/statefulsets",
                Fault::Status(503, "ServiceUnavailable"),
            );
        }
        assert!(matches!(
            w.create(&tenant, &spec("b"), Timestamp(1)).await,
            Err(Error::Backend {
                temporary: true,
                ..
            })
        ));
        w.create(&tenant, &spec("b"), Timestamp(2)).await.unwrap();
        let sets: Api<StatefulSet> = Api::namespaced(w.client.clone(), &namespace_of(&tenant));
        assert_eq!(
            sets.list(&ListParams::default()).await.unwrap().items.len(),
            1
        );
    }
}
