//! IEF scenarios: deployments, pods, filters and paging, validation with a check that
//! nothing changed, tenant isolation.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use serde_json::{Value, json};

use super::Fixture;
use crate::dialects::ief::wire::{
    CreateDeploymentRequest, ListPodsParams, NumOrText, PageParams, UpdateDeploymentRequest,
};
use crate::dialects::ief::{IefCaller, IefError, IefService, decode};
use crate::model::Node;

fn service(fixture: &dyn Fixture) -> IefService {
    IefService::new(fixture.backend())
}

async fn project(svc: &IefService) -> (String, IefCaller) {
    let id = format!("p{}", uuid::Uuid::new_v4().simple());
    let token = svc.create_project(&id).await.unwrap();
    let caller = svc.authenticate(token.expose()).await.unwrap();
    assert_eq!(caller, IefCaller::Project(id.clone()));
    (id, caller)
}

async fn grouped_node(fixture: &dyn Fixture) -> Node {
    let nodes = fixture.backend().list_nodes().await.unwrap();
    nodes
        .into_iter()
        .find(|n| n.ready && n.group.is_some())
        .expect("a ready node in a group")
}

fn host_port() -> i64 {
    20_000 + i64::try_from(uuid::Uuid::new_v4().as_u128() % 20_000).unwrap()
}

/// A deployment body like the vendor's pod example, on `node`.
pub fn deployment(name: &str, node: &str, replicas: i64) -> Value {
    json!({"deployment": {
        "name": name, "description": "this is a test pod", "replicas": replicas, "node_ids": [node],
        "template": {"spec": {
            "configs": {"host_network": false, "host_pid": true, "restart_policy": "Always"},
            "containers": [{
                "name": "container-0", "image_url": "nginx", "version": "stable",
                "command": ["/bin/bash"], "args": ["-c", "sleep 1000"],
                "envs": [{"name": "CERT_PATH", "value": "/opt/cert"}],
                "liveness_probe": {"http_get": {"path": "/", "port": 80, "scheme": "http"}, "initial_delay_seconds": 10, "timeout_seconds": 10},
                "readiness_probe": {"exec": {"command": "cat /tmp/ready"}},
                "ports": [{"container_port": 80}],
                "resources": {"limits": {"cpu": 0.25, "memory": 500, "gpu": 500}, "requests": {"cpu": "0.25", "memory": "500"}},
                "volumes": [{"name": "log-volume", "type": "hostPath", "read_only": false, "source": "/var/IEF", "destination": "/var/IEF"}]
            }]
        }}
    }})
}

async fn create(
    svc: &IefService,
    caller: &IefCaller,
    project: &str,
    body: Value,
) -> Result<Value, IefError> {
    let req: CreateDeploymentRequest = decode(body)?;
    svc.create_deployment(caller, project, &req)
        .await
        .map(|r| serde_json::to_value(r).unwrap())
}

async fn pods(
    svc: &IefService,
    caller: &IefCaller,
    project: &str,
    params: Value,
) -> Result<Value, IefError> {
    let params: ListPodsParams = serde_json::from_value(params).unwrap();
    svc.list_pods(caller, project, &params)
        .await
        .map(|r| serde_json::to_value(r).unwrap())
}

async fn snapshot(svc: &IefService, caller: &IefCaller, project: &str) -> Value {
    let all = PageParams {
        limit: Some(NumOrText::Num(1000.0)),
        offset: None,
    };
    serde_json::to_value(svc.list_deployments(caller, project, &all).await.unwrap()).unwrap()
}

fn expect(result: Result<Value, IefError>, code: &str, status: u16, context: &str) -> IefError {
    match result {
        Ok(v) => panic!("{context}: expected {code}, got {v}"),
        Err(e) => {
            assert_eq!((e.code, e.status), (code, status), "{context}: {e}");
            e
        }
    }
}

pub async fn deployment_lifecycle(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (project, caller) = project(&svc).await;
    let node = grouped_node(fixture).await;
    let mut body = deployment("app-test", &node.name, 1);
    let port = host_port();
    body["deployment"]["template"]["spec"]["containers"][0]["ports"][0]["host_port"] = json!(port);
    let created = create(&svc, &caller, &project, body).await.unwrap();
    let d = &created["deployment"];
    let id = d["id"].as_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    assert_eq!(d["name"], "app-test");
    assert_eq!(d["project_id"], project.as_str());
    assert_eq!(d["node_ids"], json!([node.name]));
    assert_eq!(d["replicas"], 1);
    let c = &d["template"]["spec"]["containers"][0];
    assert_eq!(
        c["resources"]["limits"],
        json!({"cpu": "0.25", "memory": "500", "gpu": "500"}),
        "amounts print as strings"
    );
    assert_eq!(c["liveness_probe"]["http_get"]["scheme"], "http");
    assert_eq!(c["readiness_probe"]["initial_delay_seconds"], 10, "default");
    assert_eq!(c["readiness_probe"]["timeout_seconds"], 1, "default");

    fixture.settle().await;
    let shown =
        serde_json::to_value(svc.get_deployment(&caller, &project, &id).await.unwrap()).unwrap();
    assert_eq!(shown["deployment"]["state"], "RUNNING", "{shown}");
    assert_eq!(shown["deployment"]["ready_replicas"], 1);
    let listed = snapshot(&svc, &caller, &project).await;
    assert_eq!(listed["count"], 1);

    let by_deployment = pods(&svc, &caller, &project, json!({"deployment_id": id}))
        .await
        .unwrap();
    assert_eq!(by_deployment["count"], 1);
    let pod = &by_deployment["pods"][0];
    assert!(uuid::Uuid::parse_str(pod["id"].as_str().unwrap()).is_ok());
    assert!(pod["name"].as_str().unwrap().starts_with("app-test-"));
    assert_eq!(pod["node_id"], node.name.as_str());
    assert_eq!(pod["deployment_id"], id.as_str());
    assert_eq!(pod["project_id"], project.as_str());
    assert_eq!(pod["state"], "RUNNING");
    assert_eq!(pod["description"], "this is a test pod");
    assert_eq!(pod["configs"]["restart_policy"], "Always");
    assert_eq!(pod["containers"][0]["restarts"], 0);
    assert_eq!(pod["containers"][0]["is_ready"], "true");
    assert_eq!(pod["containers"][0]["ports"][0]["host_port"], port);
    assert!(pod["created_at"].as_str().unwrap().ends_with('Z'));
    let by_node = pods(&svc, &caller, &project, json!({"node_id": node.name}))
        .await
        .unwrap();
    assert_eq!(by_node["pods"][0]["id"], pod["id"]);
    let by_group = pods(&svc, &caller, &project, json!({"group_id": node.group}))
        .await
        .unwrap();
    assert_eq!(by_group["pods"][0]["id"], pod["id"]);

    // Update: two replicas and a new env var.
    let mut update = deployment("app-test", &node.name, 2)["deployment"].clone();
    update.as_object_mut().unwrap().remove("name");
    update["template"]["spec"]["containers"][0]["envs"] = json!([{"name": "MODE", "value": "v2"}]);
    let update: UpdateDeploymentRequest = decode(json!({"deployment": update})).unwrap();
    svc.update_deployment(&caller, &project, &id, &update)
        .await
        .unwrap();
    fixture.settle().await;
    let after = pods(&svc, &caller, &project, json!({"deployment_id": id}))
        .await
        .unwrap();
    assert_eq!(after["count"], 2, "{after}");
    assert_eq!(
        after["pods"][0]["containers"][0]["envs"],
        json!([{"name": "MODE", "value": "v2"}])
    );

    // Restart one pod: it is replaced.
    let name = after["pods"][0]["name"].as_str().unwrap().to_owned();
    svc.restart_pod(&caller, &project, &id, &name)
        .await
        .unwrap();
    fixture.settle().await;
    let restarted = pods(&svc, &caller, &project, json!({"deployment_id": id}))
        .await
        .unwrap();
    assert_eq!(restarted["count"], 2);
    assert!(
        restarted["pods"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["name"] != name.as_str())
    );
    let e = svc
        .restart_pod(&caller, &project, &id, "no-such-pod")
        .await
        .unwrap_err();
    assert_eq!((e.code, e.status), ("IEF.100012", 404));

    svc.delete_deployment(&caller, &project, &id).await.unwrap();
    let e = svc
        .get_deployment(&caller, &project, &id)
        .await
        .unwrap_err();
    assert_eq!((e.code, e.status), ("IEF.100011", 404));
    assert_eq!(
        pods(&svc, &caller, &project, json!({"deployment_id": id}))
            .await
            .unwrap()["count"],
        0
    );
}

pub async fn list_pods_filters_and_paging(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (project, caller) = project(&svc).await;
    let node = grouped_node(fixture).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let d = create(
            &svc,
            &caller,
            &project,
            deployment(&format!("app-{i}"), &node.name, 2),
        )
        .await
        .unwrap();
        ids.push(d["deployment"]["id"].as_str().unwrap().to_owned());
    }
    // On a cluster the controllers make the pods moments after the create.
    fixture.settle().await;
    for none_or_many in [
        json!({}),
        json!({"node_id": node.name, "group_id": node.group}),
        json!({"deployment_id": ids[0], "deployment_ids": ids[1]}),
    ] {
        expect(
            pods(&svc, &caller, &project, none_or_many.clone()).await,
            "IEF.100006",
            400,
            &none_or_many.to_string(),
        );
    }
    let two = format!("{},{}", ids[0], ids[1]);
    let all = pods(&svc, &caller, &project, json!({"deployment_ids": two}))
        .await
        .unwrap();
    assert_eq!(all["count"], 4);
    assert_eq!(all["pods"].as_array().unwrap().len(), 4);
    let page = pods(
        &svc,
        &caller,
        &project,
        json!({"deployment_ids": two, "limit": 1, "offset": 1}),
    )
    .await
    .unwrap();
    assert_eq!(page["count"], 4);
    assert_eq!(page["pods"].as_array().unwrap().len(), 1);
    assert_eq!(page["pods"][0]["id"], all["pods"][1]["id"]);
    let strings = pods(
        &svc,
        &caller,
        &project,
        json!({"deployment_ids": two, "limit": "2", "offset": "3"}),
    )
    .await
    .unwrap();
    assert_eq!(strings["pods"].as_array().unwrap().len(), 1);
    let past = pods(
        &svc,
        &caller,
        &project,
        json!({"deployment_ids": two, "offset": "99999999999999999"}),
    )
    .await
    .unwrap();
    assert_eq!(
        (
            past["count"].as_u64(),
            past["pods"].as_array().unwrap().len()
        ),
        (Some(4), 0)
    );
    let default = pods(&svc, &caller, &project, json!({"node_id": node.name}))
        .await
        .unwrap();
    assert_eq!(default["count"], 6);
    assert_eq!(
        default["pods"].as_array().unwrap().len(),
        6,
        "default limit 10"
    );
    for bad in [json!(0), json!(1001), json!("abc"), json!(-1), json!(1.5)] {
        expect(
            pods(
                &svc,
                &caller,
                &project,
                json!({"node_id": node.name, "limit": bad}),
            )
            .await,
            "IEF.100005",
            400,
            &bad.to_string(),
        );
    }
    for bad in [json!(-1), json!("x"), json!(0.5)] {
        expect(
            pods(
                &svc,
                &caller,
                &project,
                json!({"node_id": node.name, "offset": bad}),
            )
            .await,
            "IEF.100004",
            400,
            &bad.to_string(),
        );
    }
    let unknown = pods(
        &svc,
        &caller,
        &project,
        json!({"deployment_id": "a71077f0-a491-4e1c-a41a-7d6910da26cb"}),
    )
    .await
    .unwrap();
    assert_eq!(unknown["count"], 0);
    let empty_node = pods(&svc, &caller, &project, json!({"node_id": "no-such-node"}))
        .await
        .unwrap();
    assert_eq!(empty_node["count"], 0);
}

pub async fn validation(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (project, caller) = project(&svc).await;
    let node = grouped_node(fixture).await;
    let before = snapshot(&svc, &caller, &project).await;
    let base = deployment("app", &node.name, 1);
    let c = "/deployment/template/spec/containers/0";
    let set = |pointer: &str, value: Value| {
        let mut b = base.clone();
        let (path, key) = pointer.rsplit_once('/').unwrap();
        match b.pointer_mut(pointer) {
            Some(slot) => *slot = value,
            None => {
                b.pointer_mut(path)
                    .unwrap_or_else(|| panic!("{path}"))
                    .as_object_mut()
                    .unwrap()
                    .insert(key.to_owned(), value);
            }
        }
        b
    };
    let cases: Vec<(&str, Value)> = vec![
        ("deployment name", set("/deployment/name", json!("App_1"))),
        (
            "container name",
            set(&format!("{c}/name"), json!("Container-0")),
        ),
        (
            "container name long",
            set(&format!("{c}/name"), json!("c".repeat(33))),
        ),
        ("env name", set(&format!("{c}/envs/0/name"), json!("1CERT"))),
        (
            "env value",
            set(&format!("{c}/envs/0/value"), json!("v".repeat(20481))),
        ),
        (
            "volume type",
            set(&format!("{c}/volumes/0/type"), json!("nfs")),
        ),
        (
            "volume name",
            set(&format!("{c}/volumes/0/name"), json!("Log")),
        ),
        (
            "host path",
            set(&format!("{c}/volumes/0/source"), json!("var/IEF")),
        ),
        (
            "empty dir medium",
            set(
                &format!("{c}/volumes/0"),
                json!({"name": "v", "type": "emptyDir", "source": "tmpfs", "destination": "/v"}),
            ),
        ),
        (
            "destination",
            set(&format!("{c}/volumes/0/destination"), json!("var")),
        ),
        ("cpu", set(&format!("{c}/resources/limits/cpu"), json!(0))),
        (
            "cpu text",
            set(&format!("{c}/resources/limits/cpu"), json!("lots")),
        ),
        (
            "memory limit",
            set(&format!("{c}/resources/limits/memory"), json!(3)),
        ),
        ("gpu", set(&format!("{c}/resources/limits/gpu"), json!(0))),
        (
            "npu",
            set(
                &format!("{c}/resources/limits"),
                json!({"cpu": 1, "memory": 500, "npu": 1.5}),
            ),
        ),
        (
            "container port",
            set(&format!("{c}/ports/0/container_port"), json!(0)),
        ),
        (
            "host port",
            set(
                &format!("{c}/ports/0"),
                json!({"container_port": 80, "host_port": 70000}),
            ),
        ),
        (
            "initial delay",
            set(
                &format!("{c}/liveness_probe/initial_delay_seconds"),
                json!(0),
            ),
        ),
        (
            "timeout",
            set(&format!("{c}/liveness_probe/timeout_seconds"), json!(3601)),
        ),
        (
            "http path",
            set(
                &format!("{c}/liveness_probe/http_get/path"),
                json!("healthz"),
            ),
        ),
        (
            "scheme",
            set(&format!("{c}/liveness_probe/http_get/scheme"), json!("ftp")),
        ),
        (
            "exec command",
            set(
                &format!("{c}/readiness_probe/exec/command"),
                json!("x".repeat(10241)),
            ),
        ),
        (
            "restart policy",
            set(
                "/deployment/template/spec/configs/restart_policy",
                json!("Sometimes"),
            ),
        ),
        (
            "toleration on node",
            set(
                "/deployment/template/spec/configs/toleration_seconds",
                json!(30),
            ),
        ),
        ("npu type", set(&format!("{c}/npu_type"), json!("D910"))),
        (
            "two nodes",
            set("/deployment/node_ids", json!([node.name, node.name])),
        ),
        (
            "no containers",
            set("/deployment/template/spec/containers", json!([])),
        ),
        ("no image", set(&format!("{c}/image_url"), json!(""))),
        ("replicas", set("/deployment/replicas", json!(-1))),
    ];
    for (what, body) in cases {
        expect(
            create(&svc, &caller, &project, body).await,
            "IEF.100002",
            400,
            what,
        );
    }
    let mut both = base.clone();
    both["deployment"]["group_id"] = json!(node.group);
    expect(
        create(&svc, &caller, &project, both).await,
        "IEF.100002",
        400,
        "node and group",
    );
    let mut group_no_migration = base.clone();
    group_no_migration["deployment"]["node_ids"] = json!([]);
    group_no_migration["deployment"]["group_id"] = json!(node.group);
    expect(
        create(&svc, &caller, &project, group_no_migration).await,
        "IEF.100002",
        400,
        "group without migration",
    );
    expect(
        create(
            &svc,
            &caller,
            &project,
            set("/deployment/node_ids", json!(["no-such-node"])),
        )
        .await,
        "IEF.100014",
        400,
        "unknown node",
    );
    expect(
        create(&svc, &caller, &project, json!({"deployment": {"name": 5}})).await,
        "IEF.100002",
        400,
        "wrong type",
    );
    assert_eq!(
        snapshot(&svc, &caller, &project).await,
        before,
        "refused creates change nothing"
    );
}

pub async fn group_deployment(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (project, caller) = project(&svc).await;
    let node = grouped_node(fixture).await;
    let mut body = deployment("grouped", &node.name, 2);
    body["deployment"]["node_ids"] = json!([]);
    body["deployment"]["group_id"] = json!(node.group);
    body["deployment"]["template"]["spec"]["configs"] =
        json!({"migration": true, "toleration_seconds": 300, "restart_policy": "Always"});
    let created = create(&svc, &caller, &project, body).await.unwrap();
    assert_eq!(created["deployment"]["group_id"], json!(node.group));
    fixture.settle().await;
    let listed = pods(&svc, &caller, &project, json!({"group_id": node.group}))
        .await
        .unwrap();
    assert_eq!(listed["count"], 2);
    let group_nodes: Vec<String> = fixture
        .backend()
        .list_nodes()
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.group == node.group)
        .map(|n| n.name)
        .collect();
    for p in listed["pods"].as_array().unwrap() {
        assert!(
            group_nodes.contains(&p["node_id"].as_str().unwrap().to_owned()),
            "placed in the group: {p}"
        );
        assert_eq!(p["configs"]["toleration_seconds"], 300);
    }
    let groups = serde_json::to_value(
        svc.list_groups(&caller, &project, &PageParams::default())
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(
        groups["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["id"] == json!(node.group))
    );
    let nodes = serde_json::to_value(
        svc.list_nodes(&caller, &project, &PageParams::default())
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(nodes["count"].as_u64().unwrap() >= 1);
}

pub async fn tenant_isolation(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (a, caller_a) = project(&svc).await;
    let (b, caller_b) = project(&svc).await;
    let node = grouped_node(fixture).await;
    let theirs = create(&svc, &caller_b, &b, deployment("theirs", &node.name, 1))
        .await
        .unwrap();
    let their_id = theirs["deployment"]["id"].as_str().unwrap().to_owned();
    let before = snapshot(&svc, &caller_b, &b).await;
    let foreign = svc
        .list_deployments(&caller_a, &b, &PageParams::default())
        .await
        .unwrap_err();
    let unknown = svc
        .list_deployments(&caller_a, "no-such-project", &PageParams::default())
        .await
        .unwrap_err();
    assert_eq!(
        foreign, unknown,
        "a foreign project answers like an unknown one"
    );
    assert_eq!((foreign.code, foreign.status), ("IEF.100001", 400));
    assert_eq!(foreign.message, "PROJECT_ID not found");
    let foreign = svc
        .get_deployment(&caller_a, &a, &their_id)
        .await
        .unwrap_err();
    let unknown_id = "a71077f0-a491-4e1c-a41a-7d6910da26cb";
    let unknown = svc
        .get_deployment(&caller_a, &a, unknown_id)
        .await
        .unwrap_err();
    assert_eq!(
        (foreign.code, foreign.status),
        (unknown.code, unknown.status)
    );
    assert_eq!(
        foreign.message.replace(&their_id, "X"),
        unknown.message.replace(unknown_id, "X")
    );
    assert!(
        svc.delete_deployment(&caller_a, &a, &their_id)
            .await
            .is_err()
    );
    let seen = pods(&svc, &caller_a, &a, json!({"deployment_id": their_id}))
        .await
        .unwrap();
    assert_eq!(seen["count"], 0);
    let on_node = pods(&svc, &caller_a, &a, json!({"node_id": node.name}))
        .await
        .unwrap();
    assert_eq!(on_node["count"], 0, "another project's pods stay unseen");
    assert_eq!(snapshot(&svc, &caller_b, &b).await, before);
}

pub async fn authentication(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let _ = project(&svc).await;
    for bad in ["", "nope", &"0".repeat(64)] {
        let e = svc.authenticate(bad).await.unwrap_err();
        assert_eq!((e.code, e.status), ("IEF.011005", 401));
    }
    assert!(svc.create_project("bad project!").await.is_err());
}

pub async fn name_conflict(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (project, caller) = project(&svc).await;
    let node = grouped_node(fixture).await;
    create(&svc, &caller, &project, deployment("same", &node.name, 1))
        .await
        .unwrap();
    let before = snapshot(&svc, &caller, &project).await;
    expect(
        create(&svc, &caller, &project, deployment("same", &node.name, 1)).await,
        "IEF.100013",
        409,
        "same name",
    );
    assert_eq!(snapshot(&svc, &caller, &project).await, before);
}
