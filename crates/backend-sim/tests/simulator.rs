//! The simulator's own behaviour: scheduling, lifecycle on the clock, image pulls,
//! faults, logs, template sharing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::time::Duration;

use podgate_backend_sim::{Delays, SimBackend, SimConfig};
use podgate_core::model::{
    ConfigKind, ContainerPort, ContainerSpec, ContainerState, NamespaceId, NewConfig, NewTenant,
    Node, NodeAffinity, NodeLossPolicy, NodeSelectorRequirement, NodeSelectorTerm, PageRequest,
    Placement, Pod, PodPhase, PodQuery, PodTemplate, ResourceRequirements, Resources,
    RestartPolicy, SelectorOperator, TenantKey, Topology, Volume, VolumeSource, WeightedTerm,
    WorkloadId, WorkloadPhase, WorkloadSpec,
};
use podgate_core::secret::Token;
use podgate_core::{ClusterBackend, Error};

fn node(name: &str, zone: &str, cpu: u64) -> Node {
    Node {
        name: name.to_owned(),
        region: "region1".to_owned(),
        zone: zone.to_owned(),
        group: Some("g".to_owned()),
        capacity: Resources {
            cpu_millis: cpu,
            memory_mib: 4096,
            gpu: 0,
        },
        extended: Default::default(),
        max_pods: 10,
        labels: Default::default(),
        ready: true,
    }
}

fn sim_with(nodes: Vec<Node>, delays: Delays) -> SimBackend {
    SimBackend::new(SimConfig {
        topology: Topology { nodes },
        delays,
        ..SimConfig::default()
    })
}

async fn tenant(sim: &SimBackend) -> TenantKey {
    sim.create_tenant(NewTenant {
        key: TenantKey::Namespace(NamespaceId(0)),
        token_hash: Token::generate().unwrap().hash(),
        privileged: false,
        attributes: serde_json::Value::Null,
    })
    .await
    .unwrap()
    .key
}

fn template(image: &str, cpu: u64, host_port: Option<u16>, zones: &[&str]) -> Arc<PodTemplate> {
    let resources = Resources {
        cpu_millis: cpu,
        memory_mib: 256,
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
            zones: zones.iter().map(|z| (*z).to_owned()).collect(),
            ..Default::default()
        },
        ..Default::default()
    })
}

fn spec(name: &str, template: Arc<PodTemplate>) -> WorkloadSpec {
    WorkloadSpec::stateful(name, template)
}

async fn pod(sim: &SimBackend, tenant: &TenantKey, id: WorkloadId) -> Pod {
    let page = sim
        .list_pods(&PodQuery::Workload(tenant.clone(), id), PageRequest::ALL)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    page.items.into_iter().next().unwrap()
}

#[tokio::test]
async fn lifecycle_follows_the_clock() {
    let sim = sim_with(
        vec![node("n1", "z1", 4000)],
        Delays::fixed(Duration::from_secs(2)),
    );
    let t = tenant(&sim).await;
    let w = sim
        .create_workload(&t, spec("w", template("nginx", 100, None, &[])))
        .await
        .unwrap();
    assert_eq!(w.status.phase, WorkloadPhase::Creating);
    let p = pod(&sim, &t, w.id).await;
    assert_eq!(p.phase, PodPhase::Pending);
    assert_eq!(p.node, None, "not bound before the schedule delay");
    sim.advance(Duration::from_secs(2)).unwrap();
    let p = pod(&sim, &t, w.id).await;
    assert_eq!(p.node.as_deref(), Some("n1"));
    assert_eq!(
        p.containers[0].state,
        ContainerState::Waiting {
            reason: "ContainerCreating".into()
        }
    );
    sim.advance(Duration::from_secs(2)).unwrap();
    let p = pod(&sim, &t, w.id).await;
    assert_eq!(p.phase, PodPhase::Running);
    assert!(p.ip.is_some());
    assert_eq!(
        sim.get_workload(&t, w.id).await.unwrap().status.phase,
        WorkloadPhase::Running
    );
}

#[tokio::test]
async fn zero_delays_run_at_once() {
    let sim = sim_with(vec![node("n1", "z1", 4000)], Delays::ZERO);
    let t = tenant(&sim).await;
    let w = sim
        .create_workload(&t, spec("w", template("nginx", 100, None, &[])))
        .await
        .unwrap();
    assert_eq!(w.status.phase, WorkloadPhase::Running);
}

#[tokio::test]
async fn placement_honours_zones_capacity_and_host_ports() {
    let sim = sim_with(
        vec![node("a", "z1", 1000), node("b", "z2", 1000)],
        Delays::ZERO,
    );
    let t = tenant(&sim).await;
    // Zone selection.
    let w = sim
        .create_workload(&t, spec("zoned", template("nginx", 100, None, &["z2"])))
        .await
        .unwrap();
    assert_eq!(pod(&sim, &t, w.id).await.node.as_deref(), Some("b"));
    // A host port is used once per node: the second pod goes to the other node, the
    // third cannot be placed.
    let p1 = sim
        .create_workload(&t, spec("p1", template("nginx", 10, Some(8080), &[])))
        .await
        .unwrap();
    let p2 = sim
        .create_workload(&t, spec("p2", template("nginx", 10, Some(8080), &[])))
        .await
        .unwrap();
    let n1 = pod(&sim, &t, p1.id).await.node.unwrap();
    let n2 = pod(&sim, &t, p2.id).await.node.unwrap();
    assert_ne!(n1, n2);
    let p3 = sim
        .create_workload(&t, spec("p3", template("nginx", 10, Some(8080), &[])))
        .await
        .unwrap();
    let stuck = pod(&sim, &t, p3.id).await;
    assert_eq!(stuck.phase, PodPhase::Pending);
    assert_eq!(stuck.reason.as_deref(), Some("Unschedulable"));
    assert_eq!(
        sim.get_workload(&t, p3.id).await.unwrap().status.phase,
        WorkloadPhase::CreateFailed
    );
    // Freeing the port lets the waiting pod in.
    sim.delete_workload(&t, p1.id).await.unwrap();
    assert_eq!(pod(&sim, &t, p3.id).await.phase, PodPhase::Running);
    // Capacity: 2000m in total, ~1100m used; a 1000m pod fits nowhere.
    let big = sim
        .create_workload(&t, spec("big", template("nginx", 1000, None, &[])))
        .await
        .unwrap();
    assert_eq!(
        pod(&sim, &t, big.id).await.reason.as_deref(),
        Some("Unschedulable")
    );
    let fits = sim
        .create_workload(&t, spec("fits", template("nginx", 400, None, &[])))
        .await
        .unwrap();
    assert_eq!(pod(&sim, &t, fits.id).await.phase, PodPhase::Running);
}

#[tokio::test]
async fn missing_images_fail_creation_and_back_off() {
    let sim = sim_with(
        vec![node("n1", "z1", 4000)],
        Delays::fixed(Duration::from_secs(1)),
    );
    let t = tenant(&sim).await;
    let w = sim
        .create_workload(&t, spec("w", template("nginx:nope", 100, None, &[])))
        .await
        .unwrap();
    sim.advance(Duration::from_secs(2)).unwrap();
    let p = pod(&sim, &t, w.id).await;
    assert_eq!(
        p.containers[0].state,
        ContainerState::Waiting {
            reason: "ErrImagePull".into()
        }
    );
    assert_eq!(
        sim.get_workload(&t, w.id).await.unwrap().status.phase,
        WorkloadPhase::CreateFailed
    );
    sim.advance(Duration::from_secs(1)).unwrap();
    let p = pod(&sim, &t, w.id).await;
    assert_eq!(
        p.containers[0].state,
        ContainerState::Waiting {
            reason: "ImagePullBackOff".into()
        }
    );
    // Once the image exists the pull succeeds.
    sim.add_image("nginx:nope").unwrap();
    assert_eq!(pod(&sim, &t, w.id).await.phase, PodPhase::Running);
    // A later update to a missing image makes a workload that ran Abnormal.
    let updated = sim
        .update_workload(&t, w.id, spec("w", template("nginx:gone", 100, None, &[])))
        .await
        .unwrap();
    assert_eq!(updated.status.phase, WorkloadPhase::Updating);
    sim.advance(Duration::from_secs(5)).unwrap();
    assert_eq!(
        sim.get_workload(&t, w.id).await.unwrap().status.phase,
        WorkloadPhase::Abnormal
    );
}

#[tokio::test]
async fn crashes_back_off_and_count_restarts() {
    let sim = sim_with(
        vec![node("n1", "z1", 4000)],
        Delays::fixed(Duration::from_secs(1)),
    );
    let t = tenant(&sim).await;
    let w = sim
        .create_workload(&t, spec("w", template("nginx", 100, None, &[])))
        .await
        .unwrap();
    let p = pod(&sim, &t, w.id).await;
    assert!(
        matches!(
            sim.crash_container(p.id, "app"),
            Err(Error::IncorrectState(_))
        ),
        "not running yet"
    );
    sim.advance(Duration::from_secs(5)).unwrap();
    sim.crash_container(p.id, "app").unwrap();
    let crashed = pod(&sim, &t, w.id).await;
    assert_eq!(crashed.id, p.id, "same pod");
    assert_eq!(crashed.containers[0].restart_count, 1);
    assert_eq!(
        crashed.containers[0].state,
        ContainerState::Waiting {
            reason: "CrashLoopBackOff".into()
        }
    );
    assert_eq!(
        sim.get_workload(&t, w.id).await.unwrap().status.phase,
        WorkloadPhase::Abnormal
    );
    sim.advance(Duration::from_secs(1)).unwrap();
    assert_eq!(pod(&sim, &t, w.id).await.phase, PodPhase::Running);
    assert!(matches!(
        sim.crash_container(p.id, "nope"),
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn losing_a_node_moves_its_pods() {
    let sim = sim_with(
        vec![node("a", "z1", 4000), node("b", "z1", 4000)],
        Delays::fixed(Duration::from_secs(1)),
    );
    let t = tenant(&sim).await;
    let w = sim
        .create_workload(&t, spec("w", template("nginx", 100, None, &[])))
        .await
        .unwrap();
    sim.advance(Duration::from_secs(5)).unwrap();
    let before = pod(&sim, &t, w.id).await;
    let lost = before.node.clone().unwrap();
    sim.lose_node(&lost).unwrap();
    let moved = pod(&sim, &t, w.id).await;
    assert!(moved.id > before.id, "a replacement pod");
    assert_eq!(
        sim.get_workload(&t, w.id).await.unwrap().status.phase,
        WorkloadPhase::Abnormal
    );
    sim.advance(Duration::from_secs(5)).unwrap();
    let moved = pod(&sim, &t, w.id).await;
    assert_ne!(moved.node.as_deref(), Some(lost.as_str()));
    assert_eq!(
        sim.get_workload(&t, w.id).await.unwrap().status.phase,
        WorkloadPhase::Running
    );
    // With every node lost the pod waits, and comes back with a node.
    let other = moved.node.unwrap();
    sim.lose_node(&other).unwrap();
    assert_eq!(
        pod(&sim, &t, w.id).await.reason.as_deref(),
        Some("Unschedulable")
    );
    sim.restore_node(&lost).unwrap();
    sim.advance(Duration::from_secs(5)).unwrap();
    assert_eq!(
        pod(&sim, &t, w.id).await.node.as_deref(),
        Some(lost.as_str())
    );
    assert!(sim.lose_node("ghost").is_err());
}

#[tokio::test]
async fn logs_are_synthetic_and_tailable() {
    let sim = sim_with(vec![node("n1", "z1", 4000)], Delays::ZERO);
    let t = tenant(&sim).await;
    let w = sim
        .create_workload(&t, spec("w", template("nginx", 100, None, &[])))
        .await
        .unwrap();
    sim.advance(Duration::from_secs(60)).unwrap();
    let p = pod(&sim, &t, w.id).await;
    let log = sim.container_log(&t, p.id, "app", None).await.unwrap();
    assert!(log.contains("pulling image nginx"), "{log}");
    assert!(log.contains("app: heartbeat 6"), "{log}");
    let tail = sim.container_log(&t, p.id, "app", Some(2)).await.unwrap();
    assert_eq!(tail.lines().count(), 2);
    assert!(matches!(
        sim.container_log(&t, p.id, "nope", None).await,
        Err(Error::NotFound { .. })
    ));
    let other = tenant(&sim).await;
    assert!(matches!(
        sim.container_log(&other, p.id, "app", None).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn identical_templates_are_stored_once() {
    let sim = sim_with(vec![node("n1", "z1", 64_000)], Delays::ZERO);
    let t = tenant(&sim).await;
    let mut ids = Vec::new();
    for i in 0..10 {
        ids.push(
            sim.create_workload(&t, spec(&format!("w{i}"), template("nginx", 1, None, &[])))
                .await
                .unwrap()
                .id,
        );
    }
    assert_eq!(sim.stored_templates().unwrap(), 1);
    sim.update_workload(&t, ids[0], spec("w0", template("redis:7", 1, None, &[])))
        .await
        .unwrap();
    assert_eq!(sim.stored_templates().unwrap(), 2);
    for id in &ids[1..] {
        sim.delete_workload(&t, *id).await.unwrap();
    }
    assert_eq!(
        sim.stored_templates().unwrap(),
        1,
        "unused templates are forgotten"
    );
    assert!(matches!(
        sim.update_workload(
            &t,
            ids[0],
            spec("renamed", template("redis:7", 1, None, &[]))
        )
        .await,
        Err(Error::Invalid { .. })
    ));
}

#[tokio::test]
async fn tenants_and_ids() {
    let sim = sim_with(vec![node("n1", "z1", 4000)], Delays::ZERO);
    let hash = Token::generate().unwrap().hash();
    let fixed = sim
        .create_tenant(NewTenant {
            key: TenantKey::Namespace(NamespaceId(1)),
            token_hash: hash,
            privileged: false,
            attributes: serde_json::Value::Null,
        })
        .await
        .unwrap();
    assert_eq!(fixed.key, TenantKey::Namespace(NamespaceId(1)));
    let again = sim
        .create_tenant(NewTenant {
            key: TenantKey::Namespace(NamespaceId(1)),
            token_hash: hash,
            privileged: false,
            attributes: serde_json::Value::Null,
        })
        .await;
    assert!(matches!(again, Err(Error::AlreadyExists { .. })));
    let allocated = tenant(&sim).await;
    assert_eq!(
        allocated,
        TenantKey::Namespace(NamespaceId(2)),
        "allocation skips taken ids"
    );
    assert_eq!(
        sim.find_tenant_by_token(allocated.kind(), &hash)
            .await
            .unwrap()
            .key,
        fixed.key
    );
    let w = sim
        .create_workload(&fixed.key, spec("w", template("nginx", 1, None, &[])))
        .await
        .unwrap();
    assert!(
        matches!(
            sim.get_workload(&allocated, w.id).await,
            Err(Error::NotFound { .. })
        ),
        "foreign = unknown"
    );
    assert!(matches!(
        sim.create_workload(
            &TenantKey::Namespace(NamespaceId(99)),
            spec("w", template("nginx", 1, None, &[]))
        )
        .await,
        Err(Error::NotFound { .. })
    ));
}

/// Two nodes in one group, with the given extended resources on the first.
fn two_nodes(extended: &[(&str, u64)]) -> Vec<Node> {
    let mut first = node("n1", "z1", 4000);
    first.extended = extended
        .iter()
        .map(|(k, v)| ((*k).to_owned(), *v))
        .collect();
    vec![first, node("n2", "z2", 4000)]
}

#[tokio::test]
async fn a_lost_node_keeps_or_evicts_pods_as_their_policy_says() {
    let sim = sim_with(two_nodes(&[]), Delays::ZERO);
    let t = tenant(&sim).await;
    let placed = |policy| {
        let mut tpl = (*template("nginx", 100, None, &[])).clone();
        tpl.placement.node = Some("n1".to_owned());
        tpl.placement.node_loss = policy;
        Arc::new(tpl)
    };
    // Both end up on n1: the evictable one by the tie-break (the first node), the
    // other pinned there.
    let mut evict_tpl = (*placed(NodeLossPolicy::EvictAfter(30))).clone();
    evict_tpl.placement.node = None;
    let evict = sim
        .create_workload(&t, spec("evict", Arc::new(evict_tpl)))
        .await
        .unwrap();
    let stay = sim
        .create_workload(&t, spec("stay", placed(NodeLossPolicy::Stay)))
        .await
        .unwrap();
    let evicted_first = pod(&sim, &t, evict.id).await;
    let stayed = pod(&sim, &t, stay.id).await;
    assert_eq!(evicted_first.node.as_deref(), Some("n1"));
    assert_eq!(stayed.node.as_deref(), Some("n1"));
    sim.lose_node("n1").unwrap();
    let p = pod(&sim, &t, evict.id).await;
    assert_eq!(
        p.id, evicted_first.id,
        "tolerated for 30 s: still the same pod"
    );
    assert_eq!(p.phase, PodPhase::Unknown);
    assert_eq!(p.reason.as_deref(), Some("NodeLost"));
    assert!(!p.containers[0].ready);
    assert_eq!(
        sim.get_workload(&t, evict.id).await.unwrap().status.phase,
        WorkloadPhase::Abnormal
    );
    sim.advance(Duration::from_secs(29)).unwrap();
    assert_eq!(pod(&sim, &t, evict.id).await.id, evicted_first.id);
    sim.advance(Duration::from_secs(1)).unwrap();
    let moved = pod(&sim, &t, evict.id).await;
    assert_ne!(
        moved.id, evicted_first.id,
        "replaced once the toleration ran out"
    );
    assert_eq!(moved.node.as_deref(), Some("n2"));
    assert_eq!(moved.phase, PodPhase::Running);

    let p = pod(&sim, &t, stay.id).await;
    assert_eq!(
        (p.id, p.phase),
        (stayed.id, PodPhase::Unknown),
        "stays with its node"
    );
    sim.restore_node("n1").unwrap();
    let back = pod(&sim, &t, stay.id).await;
    assert_eq!(
        (back.id, back.phase),
        (stayed.id, PodPhase::Running),
        "runs again when the node is back"
    );
}

#[tokio::test]
async fn init_containers_run_first_and_a_missing_image_holds_the_pod() {
    let sim = sim_with(vec![node("n1", "z1", 4000)], Delays::ZERO);
    let t = tenant(&sim).await;
    let with_init = |image: &str| {
        let mut tpl = (*template("nginx", 100, None, &[])).clone();
        tpl.init_containers = vec![ContainerSpec {
            name: "setup".to_owned(),
            image: image.to_owned(),
            ..Default::default()
        }];
        Arc::new(tpl)
    };
    let good = sim
        .create_workload(&t, spec("good", with_init("nginx")))
        .await
        .unwrap();
    let p = pod(&sim, &t, good.id).await;
    assert_eq!(p.phase, PodPhase::Running);
    assert_eq!(
        p.init_containers[0].state,
        ContainerState::Terminated {
            reason: "Completed".into(),
            exit_code: 0
        }
    );
    assert_ne!(p.init_containers[0].id, p.containers[0].id);
    let bad = sim
        .create_workload(&t, spec("bad", with_init("registry.invalid/none:1")))
        .await
        .unwrap();
    let p = pod(&sim, &t, bad.id).await;
    assert_eq!(p.phase, PodPhase::Pending);
    assert!(
        matches!(&p.init_containers[0].state, ContainerState::Waiting { reason } if reason.contains("Image"))
    );
    assert_eq!(
        p.containers[0].state,
        ContainerState::Waiting {
            reason: "PodInitializing".into()
        }
    );
}

#[tokio::test]
async fn a_crash_under_restart_policy_never_ends_the_container() {
    let sim = sim_with(vec![node("n1", "z1", 4000)], Delays::ZERO);
    let t = tenant(&sim).await;
    let mut tpl = (*template("nginx", 100, None, &[])).clone();
    tpl.restart_policy = RestartPolicy::Never;
    let w = sim
        .create_workload(&t, spec("once", Arc::new(tpl)))
        .await
        .unwrap();
    let p = pod(&sim, &t, w.id).await;
    sim.crash_container(p.id, "app").unwrap();
    sim.advance(Duration::from_secs(600)).unwrap();
    let p = pod(&sim, &t, w.id).await;
    assert_eq!(p.phase, PodPhase::Failed);
    assert_eq!(p.containers[0].restart_count, 0, "nothing restarted");
    assert!(matches!(
        p.containers[0].state,
        ContainerState::Terminated { .. }
    ));
    assert!(
        sim.crash_container(p.id, "app").is_err(),
        "an ended container cannot crash again"
    );
}

#[tokio::test]
async fn extended_resources_and_node_affinity_choose_the_node() {
    let sim = sim_with(two_nodes(&[("example.com/gpu-memory", 1000)]), Delays::ZERO);
    let t = tenant(&sim).await;
    let asking = |amount: u64| {
        let mut tpl = (*template("nginx", 100, None, &[])).clone();
        tpl.containers[0]
            .extended_resources
            .insert("example.com/gpu-memory".to_owned(), amount);
        Arc::new(tpl)
    };
    let fits = sim
        .create_workload(&t, spec("fits", asking(600)))
        .await
        .unwrap();
    assert_eq!(pod(&sim, &t, fits.id).await.node.as_deref(), Some("n1"));
    let waits = sim
        .create_workload(&t, spec("waits", asking(600)))
        .await
        .unwrap();
    let p = pod(&sim, &t, waits.id).await;
    assert_eq!(
        (p.node, p.reason.as_deref()),
        (None, Some("Unschedulable")),
        "400 left on n1, none on n2"
    );
    sim.delete_workload(&t, fits.id).await.unwrap();
    assert_eq!(pod(&sim, &t, waits.id).await.node.as_deref(), Some("n1"));

    let term = |op: SelectorOperator, values: &[&str]| NodeSelectorTerm {
        match_expressions: vec![NodeSelectorRequirement {
            key: "zone".to_owned(),
            operator: op,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        }],
    };
    let with_affinity = |affinity: NodeAffinity| {
        let mut tpl = (*template("nginx", 100, None, &[])).clone();
        tpl.placement.node_affinity = Some(affinity);
        Arc::new(tpl)
    };
    let required = sim
        .create_workload(
            &t,
            spec(
                "required",
                with_affinity(NodeAffinity {
                    required: vec![term(SelectorOperator::NotIn, &["z1"])],
                    preferred: vec![],
                }),
            ),
        )
        .await
        .unwrap();
    assert_eq!(pod(&sim, &t, required.id).await.node.as_deref(), Some("n2"));
    let preferred = sim
        .create_workload(
            &t,
            spec(
                "preferred",
                with_affinity(NodeAffinity {
                    required: vec![],
                    preferred: vec![WeightedTerm {
                        weight: 50,
                        term: term(SelectorOperator::In, &["z1"]),
                    }],
                }),
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        pod(&sim, &t, preferred.id).await.node.as_deref(),
        Some("n1"),
        "preferred over the emptier n2"
    );
    let nowhere = sim
        .create_workload(
            &t,
            spec(
                "nowhere",
                with_affinity(NodeAffinity {
                    required: vec![term(SelectorOperator::DoesNotExist, &[])],
                    preferred: vec![],
                }),
            ),
        )
        .await
        .unwrap();
    assert_eq!(pod(&sim, &t, nowhere.id).await.node, None);
}

#[tokio::test]
async fn config_objects_are_a_tenants_own_and_in_use_ones_stay() {
    let sim = sim_with(vec![node("n1", "z1", 4000)], Delays::ZERO);
    let t = tenant(&sim).await;
    let other = tenant(&sim).await;
    let new = |name: &str| NewConfig {
        kind: ConfigKind::ConfigMap,
        name: name.to_owned(),
        data: [("k".to_owned(), "v".to_owned())].into(),
        attributes: Default::default(),
    };
    let cm = sim.create_config(&t, new("cfg")).await.unwrap();
    assert!(matches!(
        sim.create_config(&t, new("cfg")).await,
        Err(Error::AlreadyExists { .. })
    ));
    let theirs = sim.create_config(&other, new("cfg")).await.unwrap();
    assert_ne!(
        theirs.id, cm.id,
        "the same name in another tenant is another object"
    );
    assert!(matches!(
        sim.get_config(&other, ConfigKind::ConfigMap, &cm.id).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        sim.get_config(&t, ConfigKind::Secret, &cm.id).await,
        Err(Error::NotFound { .. })
    ));
    let mut tpl = (*template("nginx", 100, None, &[])).clone();
    tpl.volumes.push(Volume {
        name: "cfg".to_owned(),
        source: VolumeSource::ConfigMap {
            name: "cfg".to_owned(),
            default_mode: None,
        },
    });
    let reader = sim
        .create_workload(&t, spec("reader", Arc::new(tpl)))
        .await
        .unwrap();
    assert!(matches!(
        sim.delete_config(&t, ConfigKind::ConfigMap, &cm.id).await,
        Err(Error::IncorrectState(_))
    ));
    sim.delete_config(&other, ConfigKind::ConfigMap, &theirs.id)
        .await
        .unwrap();
    sim.delete_workload(&t, reader.id).await.unwrap();
    sim.delete_config(&t, ConfigKind::ConfigMap, &cm.id)
        .await
        .unwrap();
    let again = sim.create_config(&t, new("cfg")).await.unwrap();
    assert_ne!(again.id, cm.id, "ids are never reused");
}

#[tokio::test]
async fn an_autoscaler_is_kept_and_shown_back_but_not_acted_on() {
    let sim = sim_with(vec![node("n1", "z1", 4000)], Delays::ZERO);
    assert!(
        !sim.capabilities().autoscaling,
        "the simulator says it does not scale"
    );
    let t = tenant(&sim).await;
    let mut scaled = spec("scaled", template("nginx", 100, None, &[]));
    scaled.kind = podgate_core::model::WorkloadKind::Deployment;
    scaled.autoscaler = Some(Box::new(podgate_core::model::Autoscaler {
        min_replicas: 3,
        max_replicas: 5,
        metrics: Vec::new(),
        behavior: None,
    }));
    let w = sim.create_workload(&t, scaled.clone()).await.unwrap();
    sim.advance(Duration::from_secs(10)).unwrap();
    let now = sim.get_workload(&t, w.id).await.unwrap();
    assert_eq!(now.spec.autoscaler, scaled.autoscaler, "kept as given");
    assert_eq!(
        now.status.pods, 1,
        "the replicas asked for, not the autoscaler's minimum"
    );
}

#[tokio::test]
async fn a_rollout_goes_over_the_waiting_pods_once() {
    // Found by the yuanrong_pools fuzz target: replacing a workload's pods one at a
    // time went over every waiting pod once per replaced pod (16 s for 5 000 pods).
    let sim = sim_with(vec![node("n1", "z1", 4000)], Delays::fixed(Duration::ZERO));
    let t = tenant(&sim).await;
    let mut many = spec("w", template("nginx:stable", 1000, None, &[]));
    many.replicas = 300;
    let w = sim.create_workload(&t, many.clone()).await.unwrap();
    let waiting = 300 - 4;
    let before = sim.placements_tried().unwrap();
    many.template = template("redis:7", 1000, None, &[]);
    sim.update_workload(&t, w.id, many).await.unwrap();
    let tried = sim.placements_tried().unwrap() - before;
    // One new placement per replaced pod, and the waiting ones gone over a few times:
    // linear in the pods, where one pass per replaced pod is 300 x 296.
    assert!(
        tried <= 3 * 300,
        "{tried} placements tried to replace 300 pods ({waiting} waiting)"
    );
    assert!(tried >= 300, "every replaced pod is placed: {tried}");
}
