//! The backend's write paths under faults (409 on update, 429, 500, a hung call, a
//! lost reply) and the API requests each operation costs, counted by
//! [`crate::testing::Faulty`] in front of the client: on a real control plane where
//! the cluster has to act (its controllers make pods, its scheduler places them, its
//! kubelets run them; ignored unless asked for, see `conformance.rs`), on the fake
//! store where the test only writes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use kube::Api;
use kube::api::ListParams;
use podgate_core::model::{
    ContainerSpec, NamespaceId, NewTenant, Page, PageRequest, Pod, PodQuery, PodTemplate,
    PoolPolicy, TenantKey, WorkloadId, WorkloadKind, WorkloadSpec,
};
use podgate_core::secret::TokenHash;
use podgate_core::testing::Fixture;
use podgate_core::{ClusterBackend, Error};

use crate::K8sBackend;
use crate::config::K8sConfig;
use crate::conformance::{OnACluster, unique, until};
use crate::labels;
use crate::testing::{Fault, fake_with, quick};

fn template() -> Arc<PodTemplate> {
    Arc::new(PodTemplate {
        containers: vec![ContainerSpec {
            name: "app".to_owned(),
            image: "nginx:1".to_owned(),
            ..Default::default()
        }],
        ..Default::default()
    })
}

fn new_tenant(key: TenantKey) -> NewTenant {
    NewTenant {
        key,
        token_hash: TokenHash::of("token"),
        privileged: false,
        attributes: serde_json::Value::Null,
    }
}

fn pool(name: &str, size: u32, max_size: u32, reuse: bool) -> WorkloadSpec {
    WorkloadSpec {
        kind: WorkloadKind::Pool,
        replicas: size,
        pool: Some(PoolPolicy {
            size,
            max_size,
            reuse,
            idle_reserved_seconds: -1,
            idle_scaled_seconds: -1,
        }),
        ..WorkloadSpec::stateful(name, template())
    }
}

/// How many objects of podgate's of type `K` the tenant's namespace holds.
async fn count<K>(b: &K8sBackend, tenant: &TenantKey) -> usize
where
    K: kube::Resource<DynamicType = (), Scope = kube::core::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    let api: Api<K> = Api::namespaced(b.client.clone(), &b.workloads.namespace(tenant));
    let managed = ListParams::default().labels(&labels::selector(&[]));
    api.list(&managed).await.unwrap().items.len()
}

/// A new NCS namespace (a fresh id, so a namespace no earlier test used).
async fn ncs_tenant(b: &K8sBackend) -> TenantKey {
    let made = b
        .create_tenant(new_tenant(TenantKey::Namespace(NamespaceId(0))))
        .await
        .unwrap();
    made.key
}

/// A new V-Kube order of its own.
async fn order(b: &K8sBackend) -> TenantKey {
    let key = TenantKey::Order(unique("order"));
    b.create_tenant(new_tenant(key.clone())).await.unwrap();
    key
}

/// Every pod of workload `id`.
async fn pods(b: &K8sBackend, tenant: &TenantKey, id: WorkloadId) -> Page<Pod> {
    b.list_pods(&PodQuery::Workload(tenant.clone(), id), PageRequest::ALL)
        .await
        .unwrap()
}

/// Waits until workload `id` has `n` pods, every one of them ready.
async fn ready(b: &K8sBackend, tenant: &TenantKey, id: WorkloadId, n: usize) -> Page<Pod> {
    until(&format!("{n} ready pods of workload {id}"), || async {
        let page = pods(b, tenant, id).await;
        let all_ready = page
            .items
            .iter()
            .all(|p| !p.terminating && p.containers.iter().all(|c| c.ready));
        (page.items.len() == n && all_ready).then_some(page)
    })
    .await
}

#[tokio::test]
#[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
async fn a_describe_is_two_requests_and_a_pod_page_one() {
    let f = OnACluster::quick().await;
    let b = &f.backend;
    let tenant = ncs_tenant(b).await;
    let w = b
        .create_workload(&tenant, WorkloadSpec::stateful("web", template()))
        .await
        .unwrap();
    // Waiting numbers the new pod (its writes are counted there); after that:
    ready(b, &tenant, w.id, 1).await;
    let (got, n) = f.requests(b.get_workload(&tenant, w.id)).await;
    assert_eq!(got.unwrap().status.ready, 1);
    assert_eq!(n, 2, "the workload's object and its pods");
    // Pods are shown with their node's zone and group: the nodes are read at most every
    // 30 s (`topology::FRESH`), here now.
    let (_, n) = f.requests(b.list_nodes()).await;
    assert_eq!(n, 1);
    let (page, n) = f
        .requests(b.list_pods(&PodQuery::Workload(tenant.clone(), w.id), PageRequest::ALL))
        .await;
    let page = page.unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(n, 1, "a page of pods is one list");
    let (pod, node) = (page.items[0].id, page.items[0].node.clone().unwrap());
    let (page, n) = f
        .requests(b.list_pods(
            &PodQuery::Node(tenant.clone(), node),
            PageRequest::new(0, 10),
        ))
        .await;
    assert_eq!(page.unwrap().total, 1);
    assert_eq!(n, 1, "pods of a node: one field-selected list");
    let query = podgate_core::model::WorkloadQuery {
        tenants: Some(vec![tenant.clone()]),
        ..Default::default()
    };
    let (page, n) = f
        .requests(b.list_workloads(&query, PageRequest::new(0, 10)))
        .await;
    assert_eq!(page.unwrap().total, 1);
    assert_eq!(
        n, 4,
        "StatefulSets, Deployments and single Pods of the tenant, and the page's pods"
    );
    let (_, n) = f.requests(b.get_tenant(&tenant)).await;
    assert_eq!(n, 1, "a tenant describe is its record");
    let (log, n) = f
        .requests(b.container_log(&tenant, pod, "app", Some(2)))
        .await;
    assert_eq!(
        log.unwrap(),
        "a line on stderr\nready\n",
        "KWOK's last two lines"
    );
    assert_eq!(n, 2, "the pod by its id, then its log");
}

#[tokio::test]
#[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
async fn workload_writes_survive_faults_without_duplicates() {
    use k8s_openapi::api::apps::v1::StatefulSet;
    let f = OnACluster::quick().await;
    let b = &f.backend;
    let tenant = ncs_tenant(b).await;
    let plan = &f.plan;
    // Create: the claim's reply lost, the object refused once, then its call hung.
    plan.inject("POST", "/configmaps", Fault::LostReply);
    plan.inject("POST", "/statefulsets", Fault::Status(500, "InternalError"));
    plan.inject("POST", "/statefulsets", Fault::Hang);
    let w = b
        .create_workload(&tenant, WorkloadSpec::stateful("web", template()))
        .await
        .unwrap();
    assert_eq!(count::<StatefulSet>(b, &tenant).await, 1);
    let before = ready(b, &tenant, w.id, 1).await;
    // Update: a conflict (another writer first) re-reads; throttling waits.
    plan.inject("PUT", "/statefulsets", Fault::Status(409, "Conflict"));
    plan.inject(
        "PUT",
        "/statefulsets",
        Fault::Status(429, "TooManyRequests"),
    );
    let mut spec = WorkloadSpec::stateful("web", template());
    spec.labels.insert("tier".to_owned(), "front".to_owned());
    let updated = b.update_workload(&tenant, w.id, spec).await.unwrap();
    assert_eq!(updated.spec.labels["tier"], "front");
    assert_eq!(
        b.get_workload(&tenant, w.id).await.unwrap().spec.labels["tier"],
        "front",
        "the update is not lost"
    );
    // Recreate: the pod's delete is throttled, then answers; the StatefulSet controller
    // makes the pod again.
    plan.inject("DELETE", "/pods/", Fault::Status(429, "TooManyRequests"));
    b.recreate_pods(&tenant, w.id, None).await.unwrap();
    let old = before.items[0].id;
    until("a new pod of web", || async {
        let after = ready(b, &tenant, w.id, 1).await;
        (after.items[0].id != old).then_some(())
    })
    .await;
    // Delete: a server error, then a hung call, both retried.
    plan.inject(
        "DELETE",
        "/statefulsets",
        Fault::Status(500, "InternalError"),
    );
    plan.inject("DELETE", "/statefulsets", Fault::Hang);
    b.delete_workload(&tenant, w.id).await.unwrap();
    assert!(matches!(
        b.get_workload(&tenant, w.id).await,
        Err(Error::NotFound { .. })
    ));
    assert_eq!(count::<StatefulSet>(b, &tenant).await, 0);
    // A fault that outlasts the retries fails cleanly and changes nothing.
    for _ in 0..5 {
        plan.inject(
            "POST",
            "/statefulsets",
            Fault::Status(503, "ServiceUnavailable"),
        );
    }
    let failed = b
        .create_workload(&tenant, WorkloadSpec::stateful("late", template()))
        .await;
    assert!(matches!(
        failed,
        Err(Error::Backend {
            temporary: true,
            ..
        })
    ));
    assert!(matches!(
        b.find_workload(&tenant, "late").await,
        Err(Error::NotFound { .. })
    ));
    b.create_workload(&tenant, WorkloadSpec::stateful("late", template()))
        .await
        .expect("the name was given back");
}

#[tokio::test]
#[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
async fn a_single_pod_deploy_survives_faults_and_is_replaced_whole() {
    let f = OnACluster::quick().await;
    let b = &f.backend;
    let tenant = order(b).await;
    let mut spec = WorkloadSpec::stateful("order", template());
    spec.kind = WorkloadKind::Deployment;
    f.plan.inject("POST", "/pods", Fault::LostReply);
    f.plan
        .inject("POST", "/pods", Fault::Status(500, "InternalError"));
    let w = b.create_workload(&tenant, spec.clone()).await.unwrap();
    let (got, n) = f.requests(b.get_workload(&tenant, w.id)).await;
    assert_eq!(got.unwrap().status.pods, 1);
    assert_eq!(
        n, 1,
        "a single pod is its own object: a describe is one request"
    );
    let first = pods(b, &tenant, w.id).await;
    assert_eq!(first.items.len(), 1, "made at once, and once");
    Arc::make_mut(&mut spec.template).containers[0].image = "nginx:2".to_owned();
    f.plan
        .inject("DELETE", "/pods/", Fault::Status(429, "TooManyRequests"));
    b.update_workload(&tenant, w.id, spec).await.unwrap();
    // The old pod is shown terminating until its kubelet has stopped it.
    let second = until("the old pod gone", || async {
        let now = pods(b, &tenant, w.id).await;
        (now.items.len() == 1).then_some(now)
    })
    .await;
    assert_ne!(second.items[0].name, first.items[0].name);
    assert_eq!(second.items[0].containers[0].image, "nginx:2");
    // Recreating it makes a new pod too (no controller would).
    assert!(matches!(
        b.recreate_pods(&tenant, w.id, Some(first.items[0].id))
            .await,
        Err(Error::NotFound { .. })
    ));
    b.recreate_pods(&tenant, w.id, Some(second.items[0].id))
        .await
        .unwrap();
    let third = until("the recreated pod alone", || async {
        let now = pods(b, &tenant, w.id).await;
        (now.items.len() == 1).then_some(now)
    })
    .await;
    assert_ne!(third.items[0].id, second.items[0].id, "a new pod, a new id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
async fn claims_never_share_a_pod_and_survive_faults() {
    let f = OnACluster::quick().await;
    let b = f.backend.clone();
    let system = TenantKey::System;
    let p = b
        .create_workload(&system, pool(&unique("p"), 2, 2, true))
        .await
        .unwrap();
    f.settle().await;
    ready(&b, &system, p.id, 2).await;
    // Another claim wins the first pod chosen (409): the claim chooses again.
    f.plan
        .inject("PUT", "/pods/", Fault::Status(409, "Conflict"));
    f.plan
        .inject("PUT", "/pods/", Fault::Status(500, "InternalError"));
    let (a, c) = tokio::join!(
        b.claim_pool_pod(&system, p.id, "i-a"),
        b.claim_pool_pod(&system, p.id, "i-c")
    );
    let (a, c) = (a.unwrap(), c.unwrap());
    assert_ne!(a.id, c.id, "two claims, two pods");
    assert!(matches!(
        b.claim_pool_pod(&system, p.id, "i-x").await,
        Err(Error::IncorrectState(_))
    ));
    // Release: a hung delete is retried; the pod goes, the ReplicaSet replaces it.
    f.plan.inject("DELETE", "/pods/", Fault::Hang);
    b.release_pool_pod(&system, p.id, a.id).await.unwrap();
    assert!(matches!(
        b.release_pool_pod(&system, p.id, a.id).await,
        Err(Error::NotFound { .. })
    ));
    f.settle().await;
    let claimed = b.claim_pool_pod(&system, p.id, "i-d").await.unwrap();
    assert_ne!(claimed.id, a.id);
    // A scalable pool makes an extra pod, once, even when the reply is lost.
    let s = b
        .create_workload(&system, pool(&unique("s"), 1, 2, false))
        .await
        .unwrap();
    f.settle().await;
    ready(&b, &system, s.id, 1).await;
    b.claim_pool_pod(&system, s.id, "i-1").await.unwrap();
    f.plan.inject("POST", "/pods", Fault::LostReply);
    let extra = b.claim_pool_pod(&system, s.id, "i-2").await;
    // The replacement for the first claim may already be idle; either way one pod each.
    let extra = extra.unwrap();
    let of_i2 = pods(&b, &system, s.id)
        .await
        .items
        .iter()
        .filter(|p| p.claimed_by.as_deref() == Some("i-2"))
        .count();
    assert_eq!(of_i2, 1, "{extra:?}");
}

/// Refuses the first `n` calls an interceptor sees of objects of `kind`, with `error`.
fn refuse(
    kind: &'static str,
    n: usize,
    error: fn() -> kube_fake_client::Error,
) -> (
    Arc<std::sync::atomic::AtomicUsize>,
    impl Fn(&serde_json::Value) -> kube_fake_client::Result<Option<serde_json::Value>>
    + Send
    + Sync
    + 'static,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let left = Arc::new(AtomicUsize::new(n));
    let count = left.clone();
    let f = move |object: &serde_json::Value| {
        let ours = object["kind"] == kind;
        if ours
            && count
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
        {
            Err(error())
        } else {
            Ok(None)
        }
    };
    (left, f)
}

#[tokio::test]
async fn refusals_from_the_doubles_own_interceptors_are_reread_or_retried() {
    use std::sync::atomic::Ordering;
    // Another writer got to the StatefulSet first, twice (409 Conflict); the double
    // fails a pod create once (500).
    let (conflicts, replace) = refuse("StatefulSet", 2, || {
        kube_fake_client::Error::Conflict("the object has been modified".into())
    });
    let (failures, create) = refuse("Pod", 1, || {
        kube_fake_client::Error::Internal("etcd is unhappy".into())
    });
    let funcs = kube_fake_client::interceptor::Funcs::new()
        .replace(move |ctx| replace(ctx.object))
        .create(move |ctx| create(ctx.object));
    let (client, _) =
        fake_with(kube_fake_client::ClientBuilder::new().with_interceptor_funcs(funcs)).await;
    let b = &K8sBackend::with_backoff(client, K8sConfig::default(), quick());
    let tenant = ncs_tenant(b).await;
    let w = b
        .create_workload(&tenant, WorkloadSpec::stateful("web", template()))
        .await
        .unwrap();
    let mut spec = WorkloadSpec::stateful("web", template());
    spec.labels.insert("tier".to_owned(), "front".to_owned());
    b.update_workload(&tenant, w.id, spec).await.unwrap();
    assert_eq!(
        conflicts.load(Ordering::SeqCst),
        0,
        "both conflicts were met"
    );
    assert_eq!(
        b.get_workload(&tenant, w.id).await.unwrap().spec.labels["tier"],
        "front",
        "the update is not lost"
    );
    let order = order(b).await;
    let mut single = WorkloadSpec::stateful("order", template());
    single.kind = WorkloadKind::Deployment;
    let made = b.create_workload(&order, single).await.unwrap();
    assert_eq!(failures.load(Ordering::SeqCst), 0, "the failure was met");
    assert_eq!(
        pods(b, &order, made.id).await.total,
        1,
        "made once after the retry"
    );
}

#[tokio::test]
#[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
async fn a_name_claim_is_given_back_only_by_its_holder_and_disks_stay_as_made() {
    let f = OnACluster::quick().await;
    let b = &f.backend;
    let tenant = ncs_tenant(b).await;
    let first = b
        .create_workload(&tenant, WorkloadSpec::stateful("db", template()))
        .await
        .unwrap();
    b.delete_workload(&tenant, first.id).await.unwrap();
    let mut with_disk = WorkloadSpec::stateful("db", template());
    Arc::make_mut(&mut with_disk.template).volumes = vec![podgate_core::model::Volume {
        name: "data".to_owned(),
        source: podgate_core::model::VolumeSource::Disk {
            class: "ssd".to_owned(),
            size_gb: 20,
        },
    }];
    let second = b.create_workload(&tenant, with_disk.clone()).await.unwrap();
    // A late delete of the first one (another instance, which found its object just
    // before it went) gives back only its own claim: the name stays the second's.
    let ns = b.workloads.namespace(&tenant);
    b.workloads.release_claim(&ns, "db", first.id).await;
    assert_eq!(b.find_workload(&tenant, "db").await.unwrap().id, second.id);
    assert!(matches!(
        b.create_workload(&tenant, WorkloadSpec::stateful("db", template()))
            .await,
        Err(Error::AlreadyExists { .. })
    ));
    // A StatefulSet's disks are fixed once made: a change is refused, not half done.
    let mut bigger = with_disk;
    if let podgate_core::model::VolumeSource::Disk { size_gb, .. } =
        &mut Arc::make_mut(&mut bigger.template).volumes[0].source
    {
        *size_gb = 40;
    }
    assert!(matches!(
        b.update_workload(&tenant, second.id, bigger).await,
        Err(Error::Invalid { .. })
    ));
}
