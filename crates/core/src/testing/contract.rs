//! The trait's own contract ([`ClusterBackend`]'s `# Contract`), called directly
//! rather than through a dialect: order and paging, unique names (also at once),
//! tenancy, not-found, ids never reused, failed calls changing nothing, updates to
//! the same spec changing nothing.

use std::sync::Arc;

use super::Fixture;
use crate::model::{
    ContainerSpec, NewTenant, PageRequest, PodQuery, PodTemplate, TenantKey, WorkloadId,
    WorkloadKind, WorkloadQuery, WorkloadSpec,
};
use crate::secret::TokenHash;
use crate::{ClusterBackend, ClusterBackendExt, Error};

/// A tenant of its own: a project with a fresh id.
async fn tenant(backend: &dyn ClusterBackend) -> TenantKey {
    let key = TenantKey::Project(uuid::Uuid::new_v4().simple().to_string());
    backend
        .create_tenant(NewTenant::new(
            key.clone(),
            TokenHash::of(&uuid::Uuid::new_v4().to_string()),
        ))
        .await
        .unwrap();
    key
}

fn spec(name: &str) -> WorkloadSpec {
    WorkloadSpec {
        kind: WorkloadKind::Deployment,
        ..WorkloadSpec::stateful(
            name,
            Arc::new(PodTemplate {
                containers: vec![ContainerSpec {
                    name: "app".to_owned(),
                    image: "nginx:1.25".to_owned(),
                    ..ContainerSpec::default()
                }],
                ..PodTemplate::default()
            }),
        )
    }
}

fn of(tenant: &TenantKey) -> WorkloadQuery {
    WorkloadQuery {
        tenants: Some(vec![tenant.clone()]),
        ..WorkloadQuery::default()
    }
}

async fn ids(
    backend: &dyn ClusterBackend,
    tenant: &TenantKey,
    page: PageRequest,
) -> (u64, Vec<WorkloadId>) {
    let page = backend.list_workloads(&of(tenant), page).await.unwrap();
    (page.total, page.items.iter().map(|w| w.id).collect())
}

/// Lists come by id, ascending; `total` counts every match before paging; a page
/// past the end is empty and still counts them.
pub async fn order_and_paging(fixture: &dyn Fixture) {
    let backend = fixture.backend();
    let t = tenant(&*backend).await;
    let mut made = Vec::new();
    for i in 0..5 {
        made.push(
            backend
                .create_workload(&t, spec(&format!("w{i}")))
                .await
                .unwrap()
                .id,
        );
    }
    made.sort();
    let (total, all) = ids(&*backend, &t, PageRequest::ALL).await;
    assert_eq!((total, &all), (5, &made), "every one, by id");
    let (total, page) = ids(&*backend, &t, PageRequest::new(1, 2)).await;
    assert_eq!((total, page.as_slice()), (5, &made[1..3]));
    let (total, past) = ids(&*backend, &t, PageRequest::new(9, 2)).await;
    assert_eq!(
        (total, past.len()),
        (5, 0),
        "past the end: empty, still counted"
    );
}

/// A name is unique among the tenant's live workloads: a second create fails with
/// `AlreadyExists`, and of creates at once exactly one wins; another tenant may use
/// the name.
pub async fn names_are_unique(fixture: &dyn Fixture) {
    let backend = fixture.backend();
    let (a, b) = (tenant(&*backend).await, tenant(&*backend).await);
    backend.create_workload(&a, spec("web")).await.unwrap();
    let again = backend.create_workload(&a, spec("web")).await.unwrap_err();
    assert!(matches!(again, Error::AlreadyExists { .. }), "{again:?}");
    backend.create_workload(&b, spec("web")).await.unwrap();
    let twice = backend
        .create_tenant(NewTenant::new(a.clone(), TokenHash::of("another token")))
        .await
        .unwrap_err();
    assert!(matches!(twice, Error::AlreadyExists { .. }), "{twice:?}");
    let racers = (0..4).map(|_| {
        let (backend, a) = (backend.clone(), a.clone());
        tokio::spawn(async move { backend.create_workload(&a, spec("raced")).await })
    });
    let mut won = 0;
    for racer in racers.collect::<Vec<_>>() {
        match racer.await.unwrap() {
            Ok(_) => won += 1,
            Err(Error::AlreadyExists { .. }) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(won, 1, "exactly one create of a name wins");
    let found = backend.find_workload(&a, "raced").await.unwrap();
    assert_eq!(found.spec.name, "raced");
}

/// Another tenant's workload answers exactly like one that does not exist, for every
/// call that names it.
pub async fn tenancy_and_not_found(fixture: &dyn Fixture) {
    let backend = fixture.backend();
    let (owner, other) = (tenant(&*backend).await, tenant(&*backend).await);
    let w = backend.create_workload(&owner, spec("mine")).await.unwrap();
    let missing = WorkloadId(u64::MAX - 1);
    for id in [w.id, missing] {
        let got = backend.get_workload(&other, id).await.unwrap_err();
        assert!(matches!(got, Error::NotFound { .. }), "get {id:?}: {got:?}");
        let updated = backend
            .update_workload(&other, id, spec("mine"))
            .await
            .unwrap_err();
        assert!(
            matches!(updated, Error::NotFound { .. }),
            "update: {updated:?}"
        );
        let deleted = backend.delete_workload(&other, id).await.unwrap_err();
        assert!(
            matches!(deleted, Error::NotFound { .. }),
            "delete: {deleted:?}"
        );
    }
    let found = backend.find_workload(&other, "mine").await.unwrap_err();
    assert!(matches!(found, Error::NotFound { .. }), "{found:?}");
    assert_eq!(ids(&*backend, &other, PageRequest::ALL).await.0, 0);
    assert_eq!(
        backend.get_workload(&owner, w.id).await.unwrap().spec.name,
        "mine",
        "the owner's is untouched"
    );
}

/// Ids are never reused, also after deletion: the same name made again gets a new
/// id, and the old id is not found.
pub async fn ids_never_reused(fixture: &dyn Fixture) {
    let backend = fixture.backend();
    let t = tenant(&*backend).await;
    let first = backend.create_workload(&t, spec("again")).await.unwrap();
    backend.delete_workload(&t, first.id).await.unwrap();
    fixture.settle().await;
    let second = backend.create_workload(&t, spec("again")).await.unwrap();
    assert_ne!(second.id, first.id);
    let old = backend.get_workload(&t, first.id).await.unwrap_err();
    assert!(matches!(old, Error::NotFound { .. }), "{old:?}");
}

/// A call that fails changes nothing: a refused create leaves no workload (and its
/// name free), a refused update leaves the spec as it was.
pub async fn failed_calls_change_nothing(fixture: &dyn Fixture) {
    let backend = fixture.backend();
    let t = tenant(&*backend).await;
    let mut two = spec("single");
    two.kind = WorkloadKind::Single;
    two.replicas = 2;
    let refused = backend.create_workload(&t, two).await.unwrap_err();
    assert!(matches!(refused, Error::Invalid { .. }), "{refused:?}");
    assert_eq!(ids(&*backend, &t, PageRequest::ALL).await.0, 0);
    let w = backend.create_workload(&t, spec("single")).await.unwrap();
    let renamed = backend
        .update_workload(&t, w.id, spec("other"))
        .await
        .unwrap_err();
    assert!(matches!(renamed, Error::Invalid { .. }), "{renamed:?}");
    let mut rekinded = spec("single");
    rekinded.kind = WorkloadKind::Stateful;
    let refused = backend
        .update_workload(&t, w.id, rekinded)
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::Invalid { .. }), "{refused:?}");
    let now = backend.get_workload(&t, w.id).await.unwrap();
    assert_eq!(now.spec, w.spec, "as it was");
    assert_eq!(now.updated_at, w.updated_at);
}

/// An update to the spec a workload already has changes nothing: `updated_at` stays
/// and its pods are the same pods.
pub async fn same_spec_update_changes_nothing(fixture: &dyn Fixture) {
    let backend = fixture.backend();
    let t = tenant(&*backend).await;
    let w = backend.create_workload(&t, spec("steady")).await.unwrap();
    fixture.settle().await;
    let pods = || async {
        let page = backend
            .list_pods(&PodQuery::Workload(t.clone(), w.id), PageRequest::ALL)
            .await
            .unwrap();
        page.items.iter().map(|p| p.id).collect::<Vec<_>>()
    };
    let before = pods().await;
    assert_eq!(before.len(), 1, "{before:?}");
    let again = backend
        .update_workload(&t, w.id, w.spec.clone())
        .await
        .unwrap();
    assert_eq!(again.updated_at, w.updated_at, "nothing changed");
    assert_eq!(again.spec, w.spec);
    fixture.settle().await;
    assert_eq!(pods().await, before, "the same pods");
}
