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
use podgate_core::{ClusterBackend, ClusterBackendExt, Error};

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
    crate::testing::new_tenant(key, "token")
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
    // 30 s (`topology::FRESH`), here now; a list of the nodes is read anew once the
    // last read is a second old (`topology::LISTED`).
    tokio::time::sleep(crate::topology::LISTED).await;
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
    spec.kind = WorkloadKind::Single;
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
    single.kind = WorkloadKind::Single;
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

/// Whether the tenant's name claim of `name` is there.
async fn claimed(b: &K8sBackend, tenant: &TenantKey, name: &str) -> bool {
    let api: Api<k8s_openapi::api::core::v1::ConfigMap> =
        Api::namespaced(b.client.clone(), &b.workloads.namespace(tenant));
    api.get_opt(&crate::workloads::claim_name(name))
        .await
        .unwrap()
        .is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
async fn a_create_cut_off_anywhere_leaves_nothing_that_blocks_its_name() {
    let f = OnACluster::quick().await;
    let b = &f.backend;
    let tenant = ncs_tenant(b).await;
    let spec = WorkloadSpec::stateful("cut", template());
    // The create is dropped (as a cancelled request's future is) after 0, 1, 2, ... ms,
    // until one runs to its end: every await point it has is passed at some cut.
    let mut cut = std::time::Duration::ZERO;
    let mut cuts = 0;
    loop {
        let attempt = tokio::time::timeout(cut, b.create_workload(&tenant, spec.clone())).await;
        if let Ok(done) = attempt {
            done.expect("a create that is not cut off succeeds");
            break;
        }
        cuts += 1;
        // Either the create got as far as its object, and the workload is whole, or
        // what it took is given back: nothing holds the name without a workload.
        let made = until(
            "the cut-off create's claim given back or its workload whole",
            || async {
                match b.find_workload(&tenant, "cut").await {
                    Ok(w) => Some(Some(w)),
                    Err(Error::NotFound { .. }) => {
                        (!claimed(b, &tenant, "cut").await).then_some(None)
                    }
                    Err(e) => panic!("{e}"),
                }
            },
        )
        .await;
        // A reply in flight when the create was cut off may still land after the
        // claim was given back: the sweep gives such an object its claim again.
        let made = match made {
            None if count::<k8s_openapi::api::apps::v1::StatefulSet>(b, &tenant).await > 0 => {
                assert_eq!(b.sweep().await.unwrap().restored, 1);
                Some(b.find_workload(&tenant, "cut").await.unwrap())
            }
            other => other,
        };
        if let Some(w) = made {
            b.delete_workload(&tenant, w.id).await.unwrap();
        }
        assert_eq!(
            count::<k8s_openapi::api::apps::v1::StatefulSet>(b, &tenant).await,
            0,
            "no object without its claim after cut {cut:?}"
        );
        cut += std::time::Duration::from_millis(1);
    }
    assert!(
        cuts > 3,
        "the create was cut off at several points ({cuts})"
    );
    assert_eq!(
        b.find_workload(&tenant, "cut").await.unwrap().spec.name,
        "cut"
    );
}

#[tokio::test]
#[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
async fn claims_left_behind_are_taken_over_when_stale_and_swept() {
    use k8s_openapi::api::core::v1::{ConfigMap, Secret};
    let f = OnACluster::quick().await;
    let b = &f.backend;
    let tenant = ncs_tenant(b).await;
    let ns = b.workloads.namespace(&tenant);
    let configmaps: Api<ConfigMap> = Api::namespaced(b.client.clone(), &ns);
    // A create that crashed after its claim: the claim of a workload never made.
    let left = crate::claims::new(
        crate::claims::Claimed::Name,
        crate::workloads::claim_name("crashed"),
        &tenant,
        WorkloadId(999_999),
        std::collections::BTreeMap::from([("name".to_owned(), "crashed".to_owned())]),
    );
    configmaps.create(&Default::default(), &left).await.unwrap();
    let spec = WorkloadSpec::stateful("crashed", template());
    assert!(
        matches!(
            b.create_workload(&tenant, spec.clone()).await,
            Err(Error::AlreadyExists { .. })
        ),
        "a young claim may be a create under way: it holds"
    );
    b.clock
        .advance(i64::try_from(b.config.stale_claims_after.as_millis()).unwrap());
    let made = b
        .create_workload(&tenant, spec)
        .await
        .expect("a stale claim without its workload is taken over");
    assert_eq!(
        b.find_workload(&tenant, "crashed").await.unwrap().id,
        made.id
    );

    // The sweep: another claim left behind goes; a workload that lost its claim, and
    // a tenant that lost its token's index, get them back.
    configmaps
        .create(
            &Default::default(),
            &crate::claims::new(
                crate::claims::Claimed::Name,
                crate::workloads::claim_name("gone"),
                &tenant,
                WorkloadId(999_998),
                std::collections::BTreeMap::from([("name".to_owned(), "gone".to_owned())]),
            ),
        )
        .await
        .unwrap();
    configmaps
        .delete(
            &crate::workloads::claim_name("crashed"),
            &Default::default(),
        )
        .await
        .unwrap();
    let secrets: Api<Secret> = Api::namespaced(b.client.clone(), &b.config.system_namespace);
    let index = crate::tenants::index_name(
        podgate_core::model::TenantKind::Namespace,
        &TokenHash::of("token"),
    );
    secrets.delete(&index, &Default::default()).await.unwrap();
    assert!(matches!(
        b.find_tenant_by_token(
            podgate_core::model::TenantKind::Namespace,
            &TokenHash::of("token")
        )
        .await,
        Err(Error::NotFound { .. })
    ));
    let swept = b.sweep().await.unwrap();
    assert!(swept.removed >= 1, "{swept:?}");
    assert!(swept.restored >= 2, "{swept:?}");
    assert!(
        !claimed(b, &tenant, "gone").await,
        "the claim left behind went"
    );
    assert_eq!(
        b.find_workload(&tenant, "crashed").await.unwrap().id,
        made.id,
        "the workload has its claim back"
    );
    assert!(
        b.find_tenant_by_token(
            podgate_core::model::TenantKind::Namespace,
            &TokenHash::of("token")
        )
        .await
        .is_ok(),
        "the tenant is found by its token again"
    );
    let again = b.sweep().await.unwrap();
    assert_eq!(again, crate::Swept::default(), "nothing more to put right");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
async fn a_host_port_in_a_region_goes_to_one_order_of_several_at_once() {
    let f = OnACluster::quick().await;
    let port = 30_000 + u16::try_from(uuid::Uuid::new_v4().as_u128() % 2_000).unwrap();
    let mut spec = WorkloadSpec::stateful("order", template());
    spec.kind = WorkloadKind::Single;
    {
        let t = Arc::make_mut(&mut spec.template);
        t.placement.region = Some("region3".to_owned());
        t.placement.host_ports_unique_in_region = true;
        t.containers[0].ports = vec![podgate_core::model::ContainerPort {
            container_port: 80,
            host_port: Some(port),
            host_ip: None,
        }];
    }
    // Eight orders, each deployed through a replica of its own at once.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let replica =
            K8sBackend::with_backoff(f.backend.client.clone(), f.backend.config.clone(), quick());
        let tenant = order(&replica).await;
        let spec = spec.clone();
        tasks.spawn(async move {
            let made = replica.create_workload(&tenant, spec).await;
            (tenant, made)
        });
    }
    let results = tasks.join_all().await;
    let won: Vec<_> = results.iter().filter(|(_, r)| r.is_ok()).collect();
    assert_eq!(won.len(), 1, "one order holds the port in the region");
    for (_, r) in &results {
        if let Err(e) = r {
            assert!(matches!(e, Error::IncorrectState(_)), "{e}");
        }
    }
    let b = &f.backend;
    assert_eq!(
        b.occupied_host_ports("region3", &[port, port + 1], None)
            .await
            .unwrap(),
        vec![port]
    );
    let (winner, made) = won[0];
    let id = made.as_ref().unwrap().id;
    assert_eq!(
        b.occupied_host_ports("region3", &[port], Some((winner, id)))
            .await
            .unwrap(),
        Vec::<u16>::new(),
        "its own port does not count against it"
    );
    // Deleted, the order gives the port back.
    b.delete_workload(winner, id).await.unwrap();
    assert!(
        b.occupied_host_ports("region3", &[port], None)
            .await
            .unwrap()
            .is_empty()
    );
    let (loser, _) = results.iter().find(|(t, _)| t != winner).unwrap();
    b.create_workload(loser, spec)
        .await
        .expect("the port is free again");
}

/// What each operation may cost, on the real API server: an NCS create is its name claim and its
/// object (two requests; a block of ids leased now and then on top), a describe two, a
/// page of pods one list, finding a tenant by its token one read, a V-Kube deploy at
/// most four with no list beyond the order's namespace, and a read writes nothing.
#[tokio::test]
#[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
async fn each_operation_costs_no_more_requests_than_its_target() {
    use podgate_core::dialects::ncs::{NcsConfig, NcsService};
    use podgate_core::dialects::vkube::{VkubeConfig, VkubeService};
    let f = OnACluster::quick().await;
    let b = &f.backend;
    let tenant = ncs_tenant(b).await;

    // Creates: ten in a row, from one block of ids after the first lease.
    let mut creates = Vec::new();
    for i in 0..10 {
        let spec = WorkloadSpec::stateful(format!("w{i}"), template());
        let (made, sent) = f.sent(b.create_workload(&tenant, spec)).await;
        made.unwrap();
        creates.push(sent);
    }
    assert!(
        creates.iter().skip(1).all(|s| s.len() == 2),
        "a create after the lease is its claim and its object: {creates:?}"
    );
    let total: usize = creates.iter().map(Vec::len).sum();
    assert!(total <= 3 * creates.len(), "≤ 3 amortised: {total}");

    let (found, sent) = f
        .sent(b.find_tenant_by_token(
            podgate_core::model::TenantKind::Namespace,
            &TokenHash::of("token"),
        ))
        .await;
    assert!(found.is_ok());
    assert_eq!(sent.len(), 1, "authentication is one read: {sent:?}");

    // Reads, once the pods are numbered: no writes.
    let w = b
        .find_workload(&tenant, "w0")
        .await
        .expect("the first create is there");
    ready(b, &tenant, w.id, 1).await;
    b.number_pods().await.unwrap();
    let (got, sent) = f.sent(b.get_workload(&tenant, w.id)).await;
    got.unwrap();
    assert!(sent.len() <= 2, "a describe: {sent:?}");
    let (page, pages) = f
        .sent(b.list_pods(&PodQuery::Workload(tenant.clone(), w.id), PageRequest::ALL))
        .await;
    assert_eq!(page.unwrap().items.len(), 1);
    assert_eq!(pages.len(), 1, "a page of pods is one list: {pages:?}");
    let query = podgate_core::model::WorkloadQuery {
        tenants: Some(vec![tenant.clone()]),
        ..Default::default()
    };
    let (listed, lists) = f
        .sent(b.list_workloads(&query, PageRequest::new(0, 5)))
        .await;
    assert_eq!(listed.unwrap().items.len(), 5);
    assert_eq!(
        lists.len(),
        4,
        "StatefulSets, Deployments and single Pods of the tenant, the page's pods: {lists:?}"
    );
    for request in sent.iter().chain(&pages).chain(&lists) {
        assert!(
            request.starts_with("GET "),
            "a read writes nothing: {request}"
        );
        assert!(
            request.contains("/namespaces/"),
            "a tenant's read stays in its namespace: {request}"
        );
    }

    // V-Kube: a deploy of an order, after one deploy of another (which leased the
    // blocks of ids its kinds need).
    let vkube = VkubeService::new(f.backend.clone(), VkubeConfig::default());
    let body = serde_json::json!({
        "nodeSelector": {"region": "region2"},
        "containers": [{"name": "web", "imageName": "nginx", "resource": {"memory": "64Mi"}}]
    });
    let body = serde_json::from_value(body).unwrap();
    let mut costs = Vec::new();
    for _ in 0..2 {
        let input = serde_json::json!({"serviceOptions": {"resourceUnit": "1-Unit-Resource"}});
        let made = vkube
            .create_order(serde_json::from_value(input).unwrap())
            .await
            .unwrap();
        let (caller, auth) = f.sent(vkube.authenticate(made.secret.as_str())).await;
        let (reply, deploy) = f.sent(vkube.deploy(&caller.unwrap(), &body)).await;
        reply.unwrap();
        costs.push((auth, deploy));
    }
    let (auth, deploy) = &costs[1];
    // NCS through its dialect: the token, then the create (the namespace's record came
    // with the token, the zones with a read of the nodes at most a second old).
    let ncs = NcsService::new(f.backend.clone(), NcsConfig::default());
    let (ns, token) = ncs.create_namespace(None, false).await.unwrap();
    let mut sent = Vec::new();
    for i in 0..10 {
        let body = serde_json::json!({
            "NamespaceId": ns.0, "Name": format!("n{i}"), "SpecType": "ncs.n1.small1",
            "ContainerType": "Standard", "Placement": {"ZoneId": ["cn-east-1a"]},
            "VirtualPrivateCloud": {"VpcId": "v", "SubnetId": "None"},
            "Containers": [{"Name": "app", "Image": "nginx:stable",
                            "ResourceRequirements": {"Limits": {"Cpu": 10, "Memory": 16}}}]
        });
        let (caller, mut auth) = f.sent(ncs.authenticate(token.expose())).await;
        let request = serde_json::from_value(body).unwrap();
        let (made, create) = f.sent(ncs.create(&caller.unwrap(), &request)).await;
        made.unwrap();
        auth.extend(create);
        sent.push(auth);
    }
    let total: usize = sent.iter().map(Vec::len).sum();
    assert!(
        total <= 3 * sent.len(),
        "an NCS create with its token is ≤ 3 amortised: {sent:?}"
    );
    assert_eq!(auth.len(), 1, "the secret is one read: {auth:?}");
    assert!(
        deploy.len() <= 4,
        "a deploy is at most four requests: {deploy:?}"
    );
    for request in deploy {
        assert!(
            !request.contains("/api/v1/pods") && !request.contains("/apis/apps/v1/statefulsets"),
            "no cluster-wide list: {request}"
        );
    }
}
