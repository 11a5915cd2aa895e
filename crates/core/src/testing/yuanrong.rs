//! openYuanrong scenarios: pool lifecycle and statuses, validation, paging, claims,
//! idle recycling, deletion.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use serde_json::{Value, json};

use super::Fixture;
use crate::ClusterBackendExt;
use crate::dialects::yuanrong::wire::{
    CreatePoolsRequest, DeleteParams, QueryParams, UpdatePoolRequest,
};
use crate::dialects::yuanrong::{YrConfig, YuanrongService, decode};

fn service(fixture: &dyn Fixture) -> YuanrongService {
    YuanrongService::new(fixture.backend(), YrConfig::default(), None)
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// A pool like the vendor's example.
pub fn pool(id: &str, group: &str, size: i64, max_size: i64, reuse: bool) -> Value {
    json!({
        "id": id, "group": group, "size": size, "max_size": max_size, "reuse": reuse,
        "image": "nginx:stable", "init_image": "",
        "resources": {"requests": {"cpu": "600m", "memory": "512Mi"}, "limits": {"cpu": "600m", "memory": "512Mi"}},
        "volumes": "", "volume_mounts": "", "pod_anti_affinities": "",
        "horizontal_pod_autoscaler_spec": "", "topology_spread_constraints": "",
        "idle_recycle_time": {"reserved": 80, "scaled": 20}
    })
}

async fn create(svc: &YuanrongService, pools: Vec<Value>) -> Value {
    let req: CreatePoolsRequest = decode(json!({"pools": pools})).unwrap();
    serde_json::to_value(svc.create(&req).await.unwrap()).unwrap()
}

async fn query(svc: &YuanrongService, params: Value) -> Value {
    let params: QueryParams = serde_json::from_value(params).unwrap();
    serde_json::to_value(svc.query(&params).await.unwrap()).unwrap()
}

async fn one(svc: &YuanrongService, id: &str) -> Value {
    let found = query(svc, json!({"id": id})).await;
    assert_eq!(found["count"], 1, "{found}");
    found["pools"][0].clone()
}

pub async fn lifecycle(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let group = unique("rg");
    let (p1, p2) = (unique("pool"), unique("pool"));
    let created = create(
        &svc,
        vec![
            pool(&p1, &group, 2, 0, true),
            pool(&p2, &group, 1, 3, false),
        ],
    )
    .await;
    assert_eq!(created["failed_pools"], Value::Null);
    let fresh = one(&svc, &p1).await;
    if fixture.holds_transient_states() {
        assert_eq!(fresh["status"], 0, "New until the controller acts: {fresh}");
    } else {
        assert!(
            fresh["status"] == 0 || fresh["status"] == 1,
            "New or Creating, not yet running: {fresh}"
        );
    }
    assert_eq!(fresh["max_size"], 2, "max_size defaults to size");
    assert_eq!(fresh["labels"], Value::Null);
    fixture.settle().await;
    let running = one(&svc, &p1).await;
    assert_eq!(
        (running["status"].as_i64(), running["msg"].as_str()),
        (Some(4), Some("Running"))
    );
    assert_eq!(running["ready_count"], 2);
    assert_eq!(running["resources"]["requests"]["cpu"], "600m");
    assert_eq!(
        running["idle_recycle_time"],
        json!({"reserved": 80, "scaled": 20})
    );
    let both = query(&svc, json!({"group": group})).await;
    assert_eq!(both["count"], 2);
    assert_eq!(both["pools"][0]["id"], p2.as_str(), "newest first");

    // Update: PUT → 2 (Update) → 3/4.
    let update = |size: i64| UpdatePoolRequest {
        size: Some(size),
        max_size: Some(9),
        horizontal_pod_autoscaler_spec: None,
    };
    svc.update(&p1, &update(3)).await.unwrap();
    let pending = one(&svc, &p1).await;
    assert_eq!(
        pending["max_size"], 3,
        "a pool that does not scale ignores max_size"
    );
    if fixture.holds_transient_states() {
        assert_eq!(pending["status"], 2, "{pending}");
        let refused = svc.update(&p1, &update(4)).await.unwrap_err();
        assert_eq!(
            (refused.code, refused.status),
            (4104, 500),
            "PUT is refused in status 2"
        );
    }
    fixture.settle().await;
    let grown = one(&svc, &p1).await;
    assert_eq!(
        (
            grown["status"].as_i64(),
            grown["ready_count"].as_u64(),
            grown["size"].as_u64()
        ),
        (Some(4), Some(3), Some(3))
    );
    let bad = svc
        .update(
            &p1,
            &UpdatePoolRequest {
                size: Some(-1),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(bad.code, 4104);
    assert_eq!(
        svc.update("no-such-pool", &update(1))
            .await
            .unwrap_err()
            .code,
        4120
    );

    // Delete: status 6 until its pods are gone, then the pool disappears.
    svc.delete(&DeleteParams {
        id: Some(p1.clone()),
        group: None,
    })
    .await
    .unwrap();
    let deleting = query(&svc, json!({"id": p1})).await;
    if deleting["count"] == 1 {
        assert_eq!(deleting["pools"][0]["status"], 6);
        let refused = svc.update(&p1, &update(1)).await.unwrap_err().code;
        // On a real cluster the pool may be gone (4120) by the time the PUT arrives.
        assert!(
            refused == 4104 || (refused == 4120 && !fixture.holds_transient_states()),
            "PUT is refused in status 6: {refused}"
        );
        // (Only where the deleting state holds: on a cluster the pool may go at any
        // moment, and a create would then make a new one.)
        if fixture.holds_transient_states() {
            let again = create(&svc, vec![pool(&p1, &group, 1, 1, true)]).await;
            assert!(
                again["failed_pools"][0]["reason"]
                    .as_str()
                    .unwrap()
                    .contains("exists"),
                "an id stays taken while deleting"
            );
        }
    }
    fixture.settle().await;
    assert_eq!(query(&svc, json!({"id": p1})).await["count"], 0);
    assert_eq!(
        svc.delete(&DeleteParams {
            id: Some(p1.clone()),
            group: None
        })
        .await
        .unwrap_err()
        .code,
        4120
    );
    assert_eq!(
        create(&svc, vec![pool(&p1, &group, 1, 1, true)]).await["failed_pools"],
        Value::Null,
        "the id is free again"
    );
}

pub async fn validation(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let group = unique("rg");
    let good = unique("good");
    let with = |field: &str, value: Value| {
        let mut p = pool(&unique("bad"), &group, 1, 1, true);
        p[field] = value;
        p
    };
    let bad = vec![
        ("id", with("id", json!("Bad_Id"))),
        ("group", with("group", json!("-g"))),
        ("size", with("size", json!(-1))),
        (
            "max_size",
            with("max_size", json!(0))
                .as_object()
                .map(|o| {
                    let mut o = o.clone();
                    o.insert("size".into(), json!(3));
                    o.insert("max_size".into(), json!(2));
                    Value::Object(o)
                })
                .unwrap(),
        ),
        ("hpa on a scalable pool", {
            let mut p = with("max_size", json!(3));
            p["horizontal_pod_autoscaler_spec"] = json!(r#"{"maxReplicas": 3}"#);
            p
        }),
        (
            "hpa json",
            with("horizontal_pod_autoscaler_spec", json!("{not json")),
        ),
        (
            "hpa type",
            with(
                "horizontal_pod_autoscaler_spec",
                json!(r#"{"maxReplicas": "three"}"#),
            ),
        ),
        ("volumes", with("volumes", json!(r#"[{"name": 5}]"#))),
        (
            "volume mounts",
            with("volume_mounts", json!(r#"{"name": "x"}"#)),
        ),
        (
            "tolerations",
            with("tolerations", json!(r#"[{"tolerationSeconds": "soon"}]"#)),
        ),
        ("affinities", with("affinities", json!("[]"))),
        (
            "topology",
            with(
                "topology_spread_constraints",
                json!(r#"[{"maxSkew": "one"}]"#),
            ),
        ),
        (
            "idle",
            with("idle_recycle_time", json!({"reserved": -2, "scaled": 0})),
        ),
        ("image", with("image", json!("i".repeat(201)))),
        (
            "runtime class",
            with("runtime_class_name", json!("r".repeat(65))),
        ),
        (
            "quantity",
            with("resources", json!({"requests": {"cpu": "5x"}})),
        ),
    ];
    let mut all = vec![pool(&good, &group, 1, 1, true)];
    all.extend(bad.iter().map(|(_, p)| p.clone()));
    let result = create(&svc, all).await;
    let failed = result["failed_pools"].as_array().unwrap();
    assert_eq!(failed.len(), bad.len(), "{result}");
    for ((what, p), f) in bad.iter().zip(failed) {
        assert_eq!(f["id"], p["id"], "{what}");
        assert!(!f["reason"].as_str().unwrap().is_empty(), "{what}");
    }
    let created = query(&svc, json!({"group": group})).await;
    assert_eq!(
        created["count"], 1,
        "the good pool stays created, the bad ones do not exist"
    );
    assert_eq!(created["pools"][0]["id"], good.as_str());
    let valid_json = create(
        &svc,
        vec![{
            let mut p = pool(&unique("k8s"), &group, 1, 1, true);
            p["volumes"] = json!(r#"[{"name": "v", "hostPath": {"path": "/data"}}]"#);
            p["volume_mounts"] = json!(r#"[{"name": "v", "mountPath": "/data"}]"#);
            p["tolerations"] =
                json!(r#"[{"key": "k", "operator": "Exists", "effect": "NoSchedule"}]"#);
            p["horizontal_pod_autoscaler_spec"] = json!(
                r#"{"maxReplicas": 3, "scaleTargetRef": {"kind": "Deployment", "name": "x"}}"#
            );
            p
        }],
    )
    .await;
    assert_eq!(valid_json["failed_pools"], Value::Null, "{valid_json}");
    let e = decode::<CreatePoolsRequest>(json!({"pools": {"id": 1}})).unwrap_err();
    assert_eq!((e.code, e.status), (130_600, 500));
}

pub async fn query_paging(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let group = unique("rg");
    let ids: Vec<String> = (0..5).map(|_| unique("p")).collect();
    for id in &ids {
        create(&svc, vec![pool(id, &group, 0, 0, true)]).await;
    }
    let newest_first: Vec<String> = ids.iter().rev().cloned().collect();
    let page_ids = |v: &Value| {
        v["pools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let first = query(&svc, json!({"group": group, "limit": "2"})).await;
    assert_eq!(first["count"], 5);
    assert_eq!(page_ids(&first), newest_first[..2]);
    assert_eq!(
        page_ids(&query(&svc, json!({"group": group, "limit": "2", "offset": "0"})).await),
        newest_first[..2],
        "offset 0 is page 1"
    );
    assert_eq!(
        page_ids(&query(&svc, json!({"group": group, "limit": "2", "offset": "1"})).await),
        newest_first[..2]
    );
    assert_eq!(
        page_ids(&query(&svc, json!({"group": group, "limit": "2", "offset": "3"})).await),
        newest_first[4..]
    );
    for empty in [
        json!({"group": group, "offset": "-1"}),
        json!({"group": group, "limit": "0"}),
        json!({"group": group, "limit": "-5"}),
    ] {
        let r = query(&svc, empty).await;
        assert_eq!(r, json!({"count": 0, "pools": []}));
    }
    let far = query(
        &svc,
        json!({"group": group, "limit": "9223372036854775807", "offset": "9223372036854775807"}),
    )
    .await;
    assert_eq!(
        (far["count"].as_u64(), page_ids(&far).len()),
        (Some(5), 0),
        "no overflow"
    );
    assert_eq!(
        page_ids(&query(&svc, json!({"group": group})).await).len(),
        5,
        "default limit 10"
    );
    for bad in [json!({"limit": "x"}), json!({"offset": "1.5"})] {
        let params: QueryParams = serde_json::from_value(bad).unwrap();
        let e = svc.query(&params).await.unwrap_err();
        assert_eq!((e.code, e.status), (4104, 500));
    }
    let both = query(&svc, json!({"group": group, "id": ids[2]})).await;
    assert_eq!(page_ids(&both), vec![ids[2].clone()]);
    assert_eq!(
        query(&svc, json!({"group": "other-group", "id": ids[2]})).await["count"],
        0,
        "filters are ANDed"
    );
}

pub async fn claim_and_release(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let group = unique("rg");
    // reuse=false: a claimed pod leaves the pool, which replaces it at once.
    let once = unique("once");
    create(&svc, vec![pool(&once, &group, 2, 2, false)]).await;
    fixture.settle().await;
    let pod = svc.claim(&once, "instance-1").await.unwrap();
    assert_eq!(pod.claimed_by.as_deref(), Some("instance-1"));
    fixture.settle().await;
    let p = one(&svc, &once).await;
    assert_eq!(
        (p["ready_count"].as_u64(), p["status"].as_i64()),
        (Some(2), Some(4)),
        "replenished: {p}"
    );
    svc.release(&once, pod.id).await.unwrap();
    assert_eq!(
        svc.release(&once, pod.id).await.unwrap_err().code,
        4120,
        "released pods are gone"
    );

    // reuse=true: the claimed pod stays a member and is replaced only once destroyed;
    // a scalable pool grows up to max_size.
    let reuse = unique("reuse");
    create(&svc, vec![pool(&reuse, &group, 1, 2, true)]).await;
    fixture.settle().await;
    let a = svc.claim(&reuse, "i-a").await.unwrap();
    let b = svc.claim(&reuse, "i-b").await.unwrap();
    assert_ne!(a.id, b.id, "the second claim scales the pool up");
    let exhausted = svc.claim(&reuse, "i-c").await.unwrap_err();
    assert_eq!(exhausted.code, 4104, "at max_size with nothing idle");
    svc.release(&reuse, a.id).await.unwrap();
    fixture.settle().await;
    let p = one(&svc, &reuse).await;
    assert!(p["ready_count"].as_u64().unwrap() >= 1, "{p}");
    let c = svc.claim(&reuse, "i-c").await.unwrap();
    assert_ne!(c.id, a.id);
    assert_eq!(svc.claim("no-such-pool", "i").await.unwrap_err().code, 4120);
    assert_eq!(svc.claim(&reuse, "").await.unwrap_err().code, 4104);
}

pub async fn idle_recycle(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let group = unique("rg");
    // `reserved`: an idle pod within the size is recycled (replaced) after its time.
    let recycled = unique("rsv");
    let mut p = pool(&recycled, &group, 1, 1, true);
    p["idle_recycle_time"] = json!({"reserved": 30, "scaled": 0});
    create(&svc, vec![p]).await;
    fixture.settle().await;
    let before = fixture
        .backend()
        .find_workload(&crate::model::TenantKey::System, &recycled)
        .await
        .unwrap();
    let pods_before = fixture
        .backend()
        .list_pods(
            &crate::model::PodQuery::Workload(crate::model::TenantKey::System, before.id),
            crate::model::PageRequest::ALL,
        )
        .await
        .unwrap();
    fixture.settle().await;
    let pods_after = fixture
        .backend()
        .list_pods(
            &crate::model::PodQuery::Workload(crate::model::TenantKey::System, before.id),
            crate::model::PageRequest::ALL,
        )
        .await
        .unwrap();
    assert_eq!(pods_after.items.len(), 1);
    assert_ne!(
        pods_after.items[0].id, pods_before.items[0].id,
        "the idle pod was recycled"
    );

    // `scaled`: pods above the size are removed once idle that long; -1 keeps them.
    let p = shrunk_to_one(fixture, &svc, &unique("scl"), &group, 30).await;
    assert_eq!(
        (p["size"].as_u64(), p["ready_count"].as_u64()),
        (Some(1), Some(1)),
        "the scaled pod went: {p}"
    );
    let p = shrunk_to_one(fixture, &svc, &unique("keep"), &group, -1).await;
    assert_eq!(p["ready_count"], 2, "-1: never recycled");
}

/// A pool of two (`reserved` -1, `scaled` as given), settled, resized to one and given
/// time to recycle: the pool as queried then.
async fn shrunk_to_one(
    fixture: &dyn Fixture,
    svc: &YuanrongService,
    name: &str,
    group: &str,
    scaled: i64,
) -> Value {
    let mut p = pool(name, group, 2, 4, true);
    p["idle_recycle_time"] = json!({"reserved": -1, "scaled": scaled});
    create(svc, vec![p]).await;
    fixture.settle().await;
    svc.update(
        name,
        &UpdatePoolRequest {
            size: Some(1),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    fixture.settle().await;
    fixture.settle().await;
    one(svc, name).await
}

pub async fn delete_by_group(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let group = unique("rg");
    let other = unique("rg");
    let (a, b, c) = (unique("a"), unique("b"), unique("c"));
    create(
        &svc,
        vec![
            pool(&a, &group, 1, 1, true),
            pool(&b, &group, 1, 1, true),
            pool(&c, &other, 1, 1, true),
        ],
    )
    .await;
    let neither = svc.delete(&DeleteParams::default()).await.unwrap_err();
    assert_eq!((neither.code, neither.status), (4104, 500));
    let mismatch = svc
        .delete(&DeleteParams {
            id: Some(c.clone()),
            group: Some(group.clone()),
        })
        .await
        .unwrap_err();
    assert_eq!(
        (mismatch.code, mismatch.status),
        (4120, 404),
        "id and group are ANDed"
    );
    svc.delete(&DeleteParams {
        id: None,
        group: Some(group.clone()),
    })
    .await
    .unwrap();
    fixture.settle().await;
    assert_eq!(query(&svc, json!({"group": group})).await["count"], 0);
    assert_eq!(
        query(&svc, json!({"group": other})).await["count"],
        1,
        "other groups stay"
    );
}

/// A pool's `horizontal_pod_autoscaler_spec` becomes its workload's autoscaler, shown
/// back as given, dropped with an empty spec; bounds out of order are refused and
/// change nothing.
pub async fn autoscaler(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let backend = fixture.backend();
    let (id, group) = (unique("scaled"), unique("rg"));
    let hpa = r#"{"minReplicas":2,"maxReplicas":6,"scaleTargetRef":{"kind":"Deployment","name":"x"},"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":70}}}]}"#;
    let mut p = pool(&id, &group, 2, 2, true);
    p["horizontal_pod_autoscaler_spec"] = json!(hpa);
    let made = create(&svc, vec![p]).await;
    assert!(made["failed_pools"].is_null(), "{made}");
    assert_eq!(one(&svc, &id).await["horizontal_pod_autoscaler_spec"], hpa);
    let workload = || async {
        backend
            .find_workload(&crate::model::TenantKey::System, &id)
            .await
            .unwrap()
    };
    let scaled = workload().await.spec.autoscaler.unwrap();
    assert_eq!((scaled.min_replicas, scaled.max_replicas), (2, 6));
    assert_eq!(
        scaled.metrics[0]["resource"]["target"]["averageUtilization"],
        70
    );
    let before = workload().await.spec;
    for bounds in [
        r#"{"minReplicas":7,"maxReplicas":6,"scaleTargetRef":{"kind":"Deployment","name":"x"}}"#,
        r#"{"minReplicas":0,"maxReplicas":6,"scaleTargetRef":{"kind":"Deployment","name":"x"}}"#,
    ] {
        let update = UpdatePoolRequest {
            horizontal_pod_autoscaler_spec: Some(bounds.to_owned()),
            ..Default::default()
        };
        let refused = svc.update(&id, &update).await.unwrap_err();
        assert_eq!(refused.code, 4104, "{bounds}: {refused:?}");
        assert_eq!(one(&svc, &id).await["horizontal_pod_autoscaler_spec"], hpa);
    }
    assert_eq!(workload().await.spec, before, "nothing changed");
    fixture.settle().await;
    let update = UpdatePoolRequest {
        horizontal_pod_autoscaler_spec: Some(String::new()),
        ..Default::default()
    };
    svc.update(&id, &update).await.unwrap();
    assert!(workload().await.spec.autoscaler.is_none());
}
