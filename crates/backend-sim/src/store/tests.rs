//! A reloaded file holds exactly the live state: every record, counter and index.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use podgate_core::ClusterBackend;
use podgate_core::model::{
    ContainerPort, ContainerSpec, NamespaceId, NewTenant, Placement, PodTemplate, PoolPolicy,
    ResourceRequirements, Resources, TenantKey, WorkloadId, WorkloadKind, WorkloadSpec,
};
use podgate_core::secret::TokenHash;

use crate::{Delays, Durability, SimBackend, SimConfig};

fn config() -> SimConfig {
    SimConfig {
        delays: Delays::fixed(Duration::from_secs(1)),
        durability: Durability::Off,
        ..SimConfig::default()
    }
}

fn template(
    image: &str,
    cpu: u64,
    host_port: Option<u16>,
    group: Option<&str>,
) -> Arc<PodTemplate> {
    let resources = Resources {
        cpu_millis: cpu,
        memory_mib: 128,
        gpu: 0,
    };
    Arc::new(PodTemplate {
        containers: vec![ContainerSpec {
            name: "app".to_owned(),
            image: image.to_owned(),
            resources: ResourceRequirements {
                requests: resources,
                limits: resources,
            },
            ports: vec![ContainerPort {
                host_ip: None,
                container_port: 80,
                host_port,
            }],
            ..Default::default()
        }],
        placement: Placement {
            group: group.map(str::to_owned),
            ..Default::default()
        },
        ..Default::default()
    })
}

fn live_digest(sim: &SimBackend) -> String {
    sim.state.read().unwrap().digest()
}

/// Builds a state that uses every kind of record: tenants of each kind, stateful,
/// deployment and pool workloads, claimed pods (kept and taken out), a graceful
/// deletion under way, idle checks queued, a crashed container, a lost node with
/// pods waiting for room, EIPs, an added image, an advanced clock and skipped ids.
async fn populate(sim: &SimBackend) {
    let ns = sim
        .create_tenant(NewTenant {
            key: TenantKey::Namespace(NamespaceId(0)),
            token_hash: TokenHash::of("ns-token"),
            privileged: true,
            attributes: serde_json::Value::Null,
        })
        .await
        .unwrap()
        .key;
    let project = sim
        .create_tenant(NewTenant {
            key: TenantKey::Project("p1".to_owned()),
            token_hash: TokenHash::of("project-token"),
            privileged: false,
            attributes: serde_json::json!({"note": "kept"}),
        })
        .await
        .unwrap()
        .key;
    let db = sim
        .create_workload(
            &ns,
            WorkloadSpec::stateful("db", template("redis:7", 500, Some(6379), None)),
        )
        .await
        .unwrap();
    sim.skip_workload_ids_to(WorkloadId(100)).unwrap();
    let mut web = WorkloadSpec::stateful("web", template("nginx", 300, None, Some("group-a")));
    web.kind = WorkloadKind::Deployment;
    web.replicas = 3;
    web.labels.insert("app".to_owned(), "web".to_owned());
    sim.create_workload(&project, web).await.unwrap();
    let mut hog = WorkloadSpec::stateful("hog", template("nginx", 15_000, None, None));
    hog.kind = WorkloadKind::Deployment;
    hog.replicas = 6;
    sim.create_workload(&project, hog).await.unwrap();
    for (name, reuse) in [
        ("pool-keep", true),
        ("pool-take", false),
        ("pool-gone", true),
    ] {
        let mut pool = WorkloadSpec::stateful(name, template("nginx", 100, None, None));
        pool.kind = WorkloadKind::Pool;
        pool.replicas = 2;
        pool.pool = Some(PoolPolicy {
            size: 2,
            max_size: 4,
            reuse,
            idle_reserved_seconds: 600,
            idle_scaled_seconds: 30,
        });
        sim.create_workload(&TenantKey::System, pool).await.unwrap();
    }
    sim.advance(Duration::from_secs(10)).unwrap();
    let pools = sim
        .list_workloads(
            &podgate_core::model::WorkloadQuery {
                tenants: Some(vec![TenantKey::System]),
                ..Default::default()
            },
            podgate_core::model::PageRequest::ALL,
        )
        .await
        .unwrap();
    for pool in &pools.items {
        match pool.spec.name.as_str() {
            "pool-keep" | "pool-take" => {
                sim.claim_pool_pod(&TenantKey::System, pool.id, "instance-1")
                    .await
                    .unwrap();
            }
            _ => sim
                .delete_workload(&TenantKey::System, pool.id)
                .await
                .unwrap(),
        }
    }
    let db_pod = sim
        .list_pods(
            &podgate_core::model::PodQuery::Workload(ns.clone(), db.id),
            podgate_core::model::PageRequest::ALL,
        )
        .await
        .unwrap()
        .items
        .remove(0);
    sim.crash_container(db_pod.id, "app").unwrap();
    sim.lose_node("node-2").unwrap();
    sim.create_eip("eip-1", "10.0.0.1").await.unwrap();
    sim.create_eip("eip-2", "10.0.0.2").await.unwrap();
    sim.associate_eip(&ns, db.id, "eip-1").await.unwrap();
    sim.add_image("registry.local/app:1").unwrap();
    // Config objects: made, changed, one deleted (its id is never reused).
    let config = |kind, name: &str| podgate_core::model::NewConfig {
        kind,
        name: name.to_owned(),
        data: [("k".to_owned(), "dg==".to_owned())].into(),
        attributes: [("description".to_owned(), name.to_owned())].into(),
    };
    use podgate_core::model::ConfigKind;
    let kept = sim
        .create_config(&ns, config(ConfigKind::ConfigMap, "kept"))
        .await
        .unwrap();
    sim.update_config(
        &ns,
        ConfigKind::ConfigMap,
        &kept.id,
        [("k2".to_owned(), "v2".to_owned())].into(),
        Default::default(),
    )
    .await
    .unwrap();
    sim.create_config(&ns, config(ConfigKind::Secret, "secret"))
        .await
        .unwrap();
    let gone = sim
        .create_config(&ns, config(ConfigKind::ConfigMap, "gone"))
        .await
        .unwrap();
    sim.delete_config(&ns, ConfigKind::ConfigMap, &gone.id)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_reloaded_file_holds_the_live_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.db");
    let sim = SimBackend::open(config(), &path).unwrap();
    populate(&sim).await;
    let live = live_digest(&sim);
    assert!(
        live.contains("unschedulable={PodId("),
        "a pod waits for room:\n{live}"
    );
    assert!(live.contains("Purge("), "a deletion is under way:\n{live}");
    assert!(
        live.contains("IdleCheck("),
        "idle checks are queued:\n{live}"
    );
    let now = sim.now();
    drop(sim);

    let reloaded = SimBackend::open(config(), &path).unwrap();
    assert_eq!(live_digest(&reloaded), live);
    assert_eq!(reloaded.now(), now, "the clock is kept");
    assert!(reloaded.has_image("registry.local/app:1"));

    // Work goes on from the reloaded state: the grace period ends, ids continue.
    reloaded.advance(Duration::from_secs(30)).unwrap();
    reloaded.list_nodes().await.unwrap(); // a read does the timed work that is due
    let after = live_digest(&reloaded);
    assert!(
        !after.contains("pool-gone"),
        "the deletion completes:\n{after}"
    );
    let next = reloaded
        .create_workload(
            &TenantKey::Project("p1".to_owned()),
            WorkloadSpec::stateful("later", template("nginx", 10, None, None)),
        )
        .await
        .unwrap()
        .id; // only the id: the workload's template is the simulator's alone to hold
    assert!(next.0 > 100, "ids are never reused: {next:?}");
    // After a reload, a change of a workload's template is written, and one of its
    // pods alone keeps the template the row holds.
    let mut changed = WorkloadSpec::stateful("later", template("nginx:2", 10, None, None));
    changed.labels.insert("v".to_owned(), "2".to_owned());
    reloaded
        .update_workload(&TenantKey::Project("p1".to_owned()), next, changed)
        .await
        .unwrap();
    reloaded
        .recreate_pods(&TenantKey::Project("p1".to_owned()), next, None)
        .await
        .unwrap();
    let digest = live_digest(&reloaded);
    drop(reloaded);
    assert_eq!(
        live_digest(&SimBackend::open(config(), &path).unwrap()),
        digest
    );
}

#[tokio::test]
async fn an_in_memory_simulator_tracks_nothing() {
    let sim = SimBackend::new(config());
    populate(&sim).await;
    let state = sim.state.read().unwrap();
    assert!(state.workloads.changed_is_off() && state.pods.changed_is_off());
}
