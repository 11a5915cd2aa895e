//! The event feed of the simulator: each change it makes, pods as they move on with
//! the clock, faults, in order; bounded; kept across a restart on a file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::time::Duration;

use podgate_backend_sim::{Delays, Durability, SimBackend, SimConfig};
use podgate_core::ClusterBackend;
use podgate_core::feed::{FeedEntry, FeedEvent};
use podgate_core::model::{
    ContainerSpec, NamespaceId, NewTenant, PodQuery, PodTemplate, TenantKey, WorkloadKind,
    WorkloadSpec,
};
use podgate_core::secret::TokenHash;

fn config() -> SimConfig {
    SimConfig {
        delays: Delays::REALISTIC,
        durability: Durability::Off,
        ..SimConfig::default()
    }
}

fn spec(name: &str, image: &str) -> WorkloadSpec {
    WorkloadSpec {
        name: name.to_owned(),
        labels: Default::default(),
        annotations: Default::default(),
        kind: WorkloadKind::Stateful,
        replicas: 1,
        pool: None,
        autoscaler: None,
        object_name: None,
        template: Arc::new(PodTemplate {
            containers: vec![ContainerSpec {
                name: "app".to_owned(),
                image: image.to_owned(),
                ..Default::default()
            }],
            ..Default::default()
        }),
    }
}

async fn tenant(sim: &SimBackend, id: u64) -> TenantKey {
    let key = TenantKey::Namespace(NamespaceId(id));
    sim.create_tenant(NewTenant {
        key: key.clone(),
        token_hash: TokenHash::of(&format!("token-{id}")),
        privileged: false,
        attributes: Default::default(),
    })
    .await
    .unwrap();
    key
}

fn entries(sim: &SimBackend) -> Vec<FeedEntry> {
    sim.feed().unwrap().since(0, usize::MAX).entries
}

/// The pod entries: (ms after `start`, phase, reason, restarts).
fn pod_story(entries: &[FeedEntry], start: i64) -> Vec<(i64, String, Option<String>, u32)> {
    entries
        .iter()
        .filter_map(|e| match &e.event {
            FeedEvent::Pod {
                phase,
                reason,
                restarts,
                ..
            } => Some((e.at.0 - start, phase.to_string(), reason.clone(), *restarts)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_pod_is_seen_from_creation_to_running_at_the_instants_it_changes() {
    let sim = SimBackend::new(config());
    let start = sim.now().0;
    let key = tenant(&sim, 1).await;
    let workload = sim
        .create_workload(&key, spec("web", "nginx:stable"))
        .await
        .unwrap();
    let pending = |reason: &str| ("Pending".to_owned(), Some(reason.to_owned()), 0);

    // Created: one pod, Pending while its container is created.
    let kinds: Vec<&str> = entries(&sim)
        .iter()
        .map(|e| match &e.event {
            FeedEvent::TenantCreated { .. } => "tenant",
            FeedEvent::WorkloadCreated { .. } => "workload",
            FeedEvent::Pod { .. } => "pod",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["tenant", "workload", "pod"]);
    let created = pod_story(&entries(&sim), start);
    assert_eq!(created.len(), 1);
    assert_eq!(
        (created[0].1.clone(), created[0].2.clone(), created[0].3),
        pending("ContainerCreating")
    );

    // A minute later: bound at 0.5 s, running at 3.5 s, each at its own instant.
    sim.advance(Duration::from_secs(60)).unwrap();
    let story = pod_story(&entries(&sim), start);
    let times: Vec<i64> = story.iter().map(|s| s.0).collect();
    assert_eq!(times, [0, 500, 3500]);
    assert_eq!(story[2].1, "Running");
    assert_eq!(story[2].2, None);
    let all = entries(&sim);
    let FeedEvent::Pod {
        node, workload: w, ..
    } = &all[all.len() - 2].event
    else {
        panic!("{all:?}");
    };
    assert_eq!(node.as_deref(), Some("node-1"));
    assert_eq!(*w, workload.id.0);
    // Then the clock's move, at the new now.
    assert!(matches!(
        all.last().unwrap().event,
        FeedEvent::Clock {
            advanced_ms: 60_000,
            paused: true
        }
    ));

    // Sequence numbers grow by one, and time never goes back.
    let all = entries(&sim);
    for pair in all.windows(2) {
        assert_eq!(pair[1].seq, pair[0].seq + 1);
        assert!(pair[1].at >= pair[0].at, "{pair:?}");
    }

    // Reading changes nothing: no entry for a pod that did not change.
    let before = sim.feed().unwrap().last();
    sim.list_pods(
        &PodQuery::Workload(key.clone(), workload.id),
        podgate_core::model::PageRequest::new(0, 10),
    )
    .await
    .unwrap();
    assert_eq!(sim.feed().unwrap().last(), before);
}

#[tokio::test]
async fn faults_and_their_recovery_are_recorded() {
    let sim = SimBackend::new(config());
    let key = tenant(&sim, 1).await;
    let workload = sim
        .create_workload(&key, spec("web", "nginx:stable"))
        .await
        .unwrap();
    sim.advance(Duration::from_secs(60)).unwrap();
    let pod = sim
        .list_pods(
            &PodQuery::Workload(key.clone(), workload.id),
            podgate_core::model::PageRequest::new(0, 1),
        )
        .await
        .unwrap()
        .items
        .remove(0);
    let mark = sim.feed().unwrap().last();
    let start = sim.now().0;

    sim.crash_container(pod.id, "app").unwrap();
    sim.advance(Duration::from_secs(60)).unwrap();
    let after = sim.feed().unwrap().since(mark, usize::MAX).entries;
    assert!(matches!(
        &after[0].event,
        FeedEvent::ContainerCrashed { pod: p, container, workload: w, tenant }
            if *p == pod.id.0 && container == "app" && *w == workload.id.0 && tenant.to_string() == "namespace 1"
    ));
    let story = pod_story(&after, start);
    assert_eq!(
        story,
        [
            (
                0,
                "Pending".to_owned(),
                Some("CrashLoopBackOff".to_owned()),
                1
            ),
            (10_000, "Running".to_owned(), None, 1),
        ]
    );

    // A node lost and restored: both recorded, with what its pod shows.
    let node = pod.node.clone().unwrap();
    let mark = sim.feed().unwrap().last();
    sim.lose_node(&node).unwrap();
    sim.restore_node(&node).unwrap();
    let kinds: Vec<String> = sim
        .feed()
        .unwrap()
        .since(mark, usize::MAX)
        .entries
        .iter()
        .map(|e| {
            serde_json::to_value(e).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(kinds[0], "node_lost");
    assert!(kinds.contains(&"node_restored".to_owned()), "{kinds:?}");

    // An image made unpullable: a new pod of it waits, and says why.
    sim.remove_image("redis:7").unwrap();
    let mark = sim.feed().unwrap().last();
    sim.create_workload(&key, spec("cache", "redis:7"))
        .await
        .unwrap();
    sim.advance(Duration::from_secs(5)).unwrap();
    let story = pod_story(&sim.feed().unwrap().since(mark, usize::MAX).entries, 0);
    assert_eq!(story.last().unwrap().2.as_deref(), Some("ErrImagePull"));
    assert!(sim.remove_image("redis:7").is_err(), "removed twice");
}

#[tokio::test]
async fn the_ring_is_bounded_and_a_feed_can_be_off() {
    let sim = SimBackend::new(SimConfig {
        feed_capacity: 3,
        ..config()
    });
    for id in 1..=5 {
        tenant(&sim, id).await;
    }
    let page = sim.feed().unwrap().since(0, 100);
    assert_eq!(page.entries.len(), 3);
    assert_eq!((page.first, page.last), (3, 5));

    let off = SimBackend::new(SimConfig {
        feed_capacity: 0,
        ..config()
    });
    tenant(&off, 1).await;
    assert!(off.feed().is_none());
}

#[tokio::test]
async fn a_failed_call_records_nothing() {
    let sim = SimBackend::new(config());
    let key = tenant(&sim, 1).await;
    sim.create_workload(&key, spec("web", "nginx:stable"))
        .await
        .unwrap();
    let before = sim.feed().unwrap().last();
    assert!(
        sim.create_workload(&key, spec("web", "nginx:stable"))
            .await
            .is_err()
    );
    assert!(
        sim.create_tenant(NewTenant {
            key: key.clone(),
            token_hash: TokenHash::of("again"),
            privileged: false,
            attributes: Default::default(),
        })
        .await
        .is_err()
    );
    assert_eq!(sim.feed().unwrap().last(), before);
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn the_feed_survives_a_restart_on_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sim.db");
    let config = || SimConfig {
        feed_capacity: 4,
        ..config()
    };
    let kept = {
        let sim = SimBackend::open(config(), &path).unwrap();
        for id in 1..=6 {
            tenant(&sim, id).await;
        }
        // Recorded by a user of the feed (the HTTP adapter's requests), stored with the
        // next tick.
        sim.feed().unwrap().record(
            sim.now(),
            FeedEvent::NodeRestored {
                node: "recorded".to_owned(),
            },
        );
        sim.tick().unwrap();
        entries(&sim)
    };
    assert_eq!(kept.iter().map(|e| e.seq).collect::<Vec<_>>(), [4, 5, 6, 7]);
    let sim = SimBackend::open(config(), &path).unwrap();
    assert_eq!(entries(&sim), kept);
    // Numbering goes on after the last entry kept.
    tenant(&sim, 7).await;
    assert_eq!(sim.feed().unwrap().last(), 8);
    // A reopened simulator records nothing for what it finds.
    assert_eq!(entries(&sim).len(), 4);

    // An image made unpullable stays so after a restart, though the configured
    // catalogue lists it.
    sim.remove_image("redis:7").unwrap();
    drop(sim);
    let sim = SimBackend::open(config(), &path).unwrap();
    assert!(!sim.has_image("redis:7"));
    sim.add_image("redis:7").unwrap();
    drop(sim);
    let sim = SimBackend::open(config(), &path).unwrap();
    assert!(sim.has_image("redis:7"));
}
