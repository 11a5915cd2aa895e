//! IEF scenarios in Huawei's shapes: deployments and their pods, filters and paging,
//! nodes and node groups, config maps and secrets, validation with a check that
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

/// A create body like the vendor's example, on `node`.
pub fn deployment(name: &str, node: &str, replicas: i64) -> Value {
    json!({
        "name": name, "description": "this is a test app", "node_ids": [node],
        "tags": [{"key": "app", "value": "test"}],
        "deployment": {"replicas": replicas, "template": {
            "configs": {"host_network": false, "host_pid": true, "restart_policy": "Always"},
            "containers": [{
                "name": "container-0", "image_url": "nginx", "version": "stable",
                "command": ["/bin/bash"], "args": ["-c", "sleep 1000"],
                "envs": [{"name": "CERT_PATH", "value": "/opt/cert"}],
                "liveness_probe": {"http_get": {"path": "/", "port": 80, "scheme": "http"}, "initial_delay_seconds": 10, "timeout_seconds": 10},
                "readiness_probe": {"exec": {"command": "cat /tmp/ready"}},
                "ports": [{"container_port": 80}],
                "resources": {"limits": {"cpu": 0.25, "memory": 500}, "requests": {"cpu": "0.25", "memory": "500"}},
                "volumes": [{"name": "log-volume", "type": "hostPath", "read_only": false, "source": "/var/IEF", "destination": "/var/IEF"}]
            }]
        }}
    })
}

/// Calls `f` with `body` decoded into its request type, as the HTTP adapter does.
macro_rules! call {
    ($svc:expr, $method:ident, $caller:expr, $project:expr, $body:expr) => {{
        let decoded = decode($body);
        match decoded {
            Ok(req) => $svc
                .$method($caller, $project, &req)
                .await
                .map(|r| serde_json::to_value(r).unwrap()),
            Err(e) => Err(e),
        }
    }};
}

async fn create(
    svc: &IefService,
    caller: &IefCaller,
    project: &str,
    body: Value,
) -> Result<Value, IefError> {
    call!(svc, create_deployment, caller, project, body)
}

async fn pods(
    svc: &IefService,
    caller: &IefCaller,
    project: &str,
    params: Value,
) -> Result<Value, IefError> {
    call!(svc, list_pods, caller, project, params)
}

async fn deployments(
    svc: &IefService,
    caller: &IefCaller,
    project: &str,
    params: Value,
) -> Result<Value, IefError> {
    call!(svc, list_deployments, caller, project, params)
}

async fn update(
    svc: &IefService,
    caller: &IefCaller,
    project: &str,
    id: &str,
    body: Value,
) -> Result<Value, IefError> {
    let req = decode(body)?;
    svc.update_deployment(caller, project, id, &req)
        .await
        .map(|r| serde_json::to_value(r).unwrap())
}

async fn delete(
    svc: &IefService,
    caller: &IefCaller,
    project: &str,
    id: &str,
    force: Option<&str>,
) -> Result<(), IefError> {
    let params = decode(json!({"force_delete": force}))?;
    svc.delete_deployment(caller, project, id, &params).await
}

async fn configmap(svc: &IefService, caller: &IefCaller, project: &str, name: &str) -> Value {
    call!(
        svc,
        create_configmap,
        caller,
        project,
        json!({"configmap": {"name": name, "description": "a test cm", "configs": {"key1": "val1", "key2": "val2"}}})
    )
    .unwrap()
}

async fn secret(svc: &IefService, caller: &IefCaller, project: &str, name: &str) -> Value {
    call!(
        svc,
        create_secret,
        caller,
        project,
        json!({"secret": {"name": name, "type": "Opaque", "secrets": {"password": "c2VjcmV0"}}})
    )
    .unwrap()
}

async fn snapshot(svc: &IefService, caller: &IefCaller, project: &str) -> Value {
    deployments(svc, caller, project, json!({"limit": 100}))
        .await
        .unwrap()
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

fn names(list: &Value, key: &str) -> Vec<String> {
    list[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_owned())
        .collect()
}

pub async fn deployment_lifecycle(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (project, caller) = project(&svc).await;
    let node = grouped_node(fixture).await;
    configmap(&svc, &caller, &project, "app-config").await;
    secret(&svc, &caller, &project, "app-secret").await;
    let mut body = deployment("app-test", &node.name, 1);
    let port = host_port();
    let c = "/deployment/template/containers/0";
    *body.pointer_mut(&format!("{c}/ports/0")).unwrap() =
        json!({"container_port": 80, "host_port": port});
    body.pointer_mut(&format!("{c}/envs")).unwrap().as_array_mut().unwrap().extend([
        json!({"name": "FROM_CM", "value_from": {"configmap": {"name": "app-config", "key": "key1"}}}),
        json!({"name": "FROM_SECRET", "value_from": {"secret": {"name": "app-secret", "key": "password"}}}),
        json!({"name": "HOST_IP", "field_path": "status.hostIP"}),
    ]);
    body.pointer_mut(&format!("{c}/volumes")).unwrap().as_array_mut().unwrap().extend([
        json!({"name": "cm", "type": "configMap", "source": "app-config", "destination": "/etc/app"}),
        json!({"name": "sec", "type": "secret", "source": "app-secret", "destination": "/etc/secret", "default_mode": 256}),
    ]);
    let created = create(&svc, &caller, &project, body.clone()).await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    assert_eq!(created["name"], "app-test");
    assert_eq!(created["project_id"], project.as_str());
    assert_eq!(created["node_ids"], json!([node.name]));
    assert_eq!(
        created["group_id"], "",
        "a node deployment's group_id is empty"
    );
    assert_eq!(created["replicas"], 1);
    assert_eq!(created["api_version"], "v3");
    assert_eq!(created["tags"], json!([{"key": "app", "value": "test"}]));
    assert_eq!(created["state"], "");
    assert!(
        created.get("deployment").is_none(),
        "the reply is flat: {created}"
    );
    let t = &created["template"];
    assert!(t.get("spec").is_none(), "the template is flat: {t}");
    assert_eq!(
        t["configs"]["dns_policy"], "Default",
        "IEF's default DNS policy"
    );
    let c0 = &t["containers"][0];
    assert_eq!(
        c0["resources"]["limits"],
        json!({"cpu": "0.25", "memory": "500"}),
        "amounts as strings"
    );
    assert_eq!(c0["liveness_probe"]["http_get"]["scheme"], "http");
    assert_eq!(
        c0["readiness_probe"]["initial_delay_seconds"], 10,
        "default"
    );
    assert_eq!(c0["readiness_probe"]["timeout_seconds"], 1, "default");
    assert_eq!(
        c0["volumes"][1],
        json!({"name": "cm", "type": "configMap", "source": "app-config", "destination": "/etc/app", "read_only": true, "default_mode": 420})
    );
    assert_eq!(c0["volumes"][2]["default_mode"], 256);
    assert_eq!(
        c0["envs"][3],
        json!({"name": "HOST_IP", "field_path": "status.hostIP"}),
        "no value is added"
    );
    assert_eq!(
        c0["envs"][1]["value_from"],
        json!({"configmap": {"name": "app-config", "key": "key1"}})
    );

    // The pod names its node from the start.
    let early = pods(&svc, &caller, &project, json!({"deployment_id": id}))
        .await
        .unwrap();
    for p in early["pods"].as_array().unwrap() {
        assert_eq!(p["node_id"], node.name.as_str(), "{p}");
    }

    fixture.settle().await;
    let shown =
        serde_json::to_value(svc.get_deployment(&caller, &project, &id).await.unwrap()).unwrap();
    assert_eq!(shown["ready_replicas"], 1, "{shown}");
    assert_eq!(shown["template"], created["template"]);
    assert_eq!(snapshot(&svc, &caller, &project).await["count"], 1);

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
    assert_eq!(pod["state"], "RUNNING", "{pod}");
    assert_eq!(pod["description"], "this is a test app");
    assert_eq!(pod["configs"]["restart_policy"], "Always");
    assert_eq!(pod["containers"][0]["restarts"], 0);
    assert_eq!(pod["containers"][0]["is_ready"], "true");
    assert_eq!(pod["containers"][0]["state"], "running");
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
    let plugin = pods(
        &svc,
        &caller,
        &project,
        json!({"deployment_id": id, "plugin_instance_name": "x"}),
    )
    .await
    .unwrap();
    assert_eq!(
        plugin,
        json!({"count": 0, "pods": []}),
        "podgate runs no plugins"
    );
    let first_pod = pod["name"].as_str().unwrap().to_owned();

    // The description alone: no pod is touched.
    let described = update(
        &svc,
        &caller,
        &project,
        &id,
        json!({"description": "new words"}),
    )
    .await
    .unwrap();
    assert_eq!(described["description"], "new words");
    assert_eq!(described["template"], created["template"]);
    fixture.settle().await;
    let same = pods(&svc, &caller, &project, json!({"deployment_id": id}))
        .await
        .unwrap();
    assert_eq!(
        names(&same, "pods"),
        vec![first_pod.clone()],
        "a description change rolls no pod"
    );
    assert_eq!(same["pods"][0]["description"], "new words");

    // A new template and two replicas: the pods roll to it.
    // (Without the host port: two pods on one node cannot both bind it.)
    let mut template = body["deployment"]["template"].clone();
    template["containers"][0]["envs"] = json!([{"name": "MODE", "value": "v2"}]);
    template["containers"][0]["ports"] = json!([{"container_port": 80}]);
    let rolled = update(
        &svc,
        &caller,
        &project,
        &id,
        json!({"deployment": {"replicas": 2, "template": template}}),
    )
    .await
    .unwrap();
    assert_eq!(rolled["replicas"], 2);
    assert_eq!(rolled["description"], "new words", "the description stays");
    assert_eq!(
        rolled["template"]["containers"][0]["envs"],
        json!([{"name": "MODE", "value": "v2"}])
    );
    fixture.settle().await;
    let after = pods(&svc, &caller, &project, json!({"deployment_id": id}))
        .await
        .unwrap();
    assert_eq!(after["count"], 2, "{after}");
    assert!(
        !names(&after, "pods").contains(&first_pod),
        "the old pod went"
    );
    for p in after["pods"].as_array().unwrap() {
        assert_eq!(
            p["containers"][0]["envs"],
            json!([{"name": "MODE", "value": "v2"}])
        );
        assert_eq!(p["state"], "RUNNING", "{p}");
    }

    // Restart one pod and delete another: each is replaced.
    let one = after["pods"][0]["name"].as_str().unwrap().to_owned();
    let two = after["pods"][1]["name"].as_str().unwrap().to_owned();
    svc.restart_pod(&caller, &project, &id, &one).await.unwrap();
    svc.delete_pod(&caller, &project, &id, &two).await.unwrap();
    fixture.settle().await;
    let replaced = pods(&svc, &caller, &project, json!({"deployment_id": id}))
        .await
        .unwrap();
    let now: Vec<String> = replaced["pods"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["state"] != "TERMINATING")
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(now.len(), 2, "{replaced}");
    assert!(!now.contains(&one) && !now.contains(&two), "{replaced}");
    for (what, e) in [
        (
            "restart",
            svc.restart_pod(&caller, &project, &id, "no-such-pod")
                .await
                .unwrap_err(),
        ),
        (
            "delete",
            svc.delete_pod(&caller, &project, &id, "no-such-pod")
                .await
                .unwrap_err(),
        ),
    ] {
        assert_eq!((e.code, e.status), ("IEF.100404", 404), "{what}");
    }

    expect(
        delete(&svc, &caller, &project, &id, Some("maybe"))
            .await
            .map(|()| Value::Null),
        "IEF.100100",
        400,
        "force_delete must be true or false",
    );
    delete(&svc, &caller, &project, &id, Some("true"))
        .await
        .unwrap();
    let e = svc
        .get_deployment(&caller, &project, &id)
        .await
        .unwrap_err();
    assert_eq!((e.code, e.status), ("IEF.100404", 404));
    assert_eq!(snapshot(&svc, &caller, &project).await["count"], 0);
    // The name is free at once.
    create(
        &svc,
        &caller,
        &project,
        deployment("app-test", &node.name, 1),
    )
    .await
    .unwrap();
}

pub async fn list_deployments_filters(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (project, caller) = project(&svc).await;
    let node = grouped_node(fixture).await;
    for name in ["web-a", "web-b", "db"] {
        create(&svc, &caller, &project, deployment(name, &node.name, 1))
            .await
            .unwrap();
    }
    let mut grouped = deployment("grouped", &node.name, 1);
    grouped["node_ids"] = json!([]);
    grouped["group_id"] = json!(node.group);
    grouped["deployment"]["template"]["configs"]["migration"] = json!(false);
    create(&svc, &caller, &project, grouped).await.unwrap();

    let all = deployments(&svc, &caller, &project, json!({}))
        .await
        .unwrap();
    assert_eq!(all["count"], 4);
    assert_eq!(
        names(&all, "deployments"),
        ["grouped", "db", "web-b", "web-a"],
        "newest first by default"
    );
    let asc = deployments(&svc, &caller, &project, json!({"sort": "created_at:asc"}))
        .await
        .unwrap();
    assert_eq!(
        names(&asc, "deployments"),
        ["web-a", "web-b", "db", "grouped"]
    );
    let fuzzy = deployments(&svc, &caller, &project, json!({"name": "web"}))
        .await
        .unwrap();
    assert_eq!(
        (fuzzy["count"].as_u64(), names(&fuzzy, "deployments").len()),
        (Some(2), 2)
    );
    let on_node = deployments(&svc, &caller, &project, json!({"node_id": node.name}))
        .await
        .unwrap();
    assert_eq!(on_node["count"], 3);
    let on_group = deployments(&svc, &caller, &project, json!({"group_id": node.group}))
        .await
        .unwrap();
    assert_eq!(names(&on_group, "deployments"), ["grouped"]);
    let page = deployments(
        &svc,
        &caller,
        &project,
        json!({"limit": 1, "offset": 1, "sort": "created_at:asc"}),
    )
    .await
    .unwrap();
    assert_eq!(
        (page["count"].as_u64(), names(&page, "deployments")),
        (Some(4), vec!["web-b".to_owned()])
    );
    for bad in [json!(0), json!(101), json!("x")] {
        expect(
            deployments(&svc, &caller, &project, json!({"limit": bad})).await,
            "IEF.100005",
            400,
            &bad.to_string(),
        );
    }
    expect(
        deployments(&svc, &caller, &project, json!({"offset": -1})).await,
        "IEF.100004",
        400,
        "offset",
    );
    expect(
        deployments(
            &svc,
            &caller,
            &project,
            json!({"node_id": node.name, "group_id": node.group}),
        )
        .await,
        "IEF.100002",
        400,
        "node_id and group_id",
    );
    expect(
        deployments(&svc, &caller, &project, json!({"sort": "name"})).await,
        "IEF.100002",
        400,
        "sort",
    );
    expect(
        deployments(&svc, &caller, &project, json!({"colour": "red"})).await,
        "IEF.100002",
        400,
        "unknown parameter",
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
        ids.push(d["id"].as_str().unwrap().to_owned());
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
    configmap(&svc, &caller, &project, "known-cm").await;
    let before = snapshot(&svc, &caller, &project).await;
    let base = deployment("app", &node.name, 1);
    let c = "/deployment/template/containers/0";
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
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "deployment name",
            set("/name", json!("App_1")),
            "IEF.100012",
        ),
        ("no name", set("/name", Value::Null), "IEF.100012"),
        (
            "description",
            set("/description", json!("a#b")),
            "IEF.100002",
        ),
        (
            "tag key",
            set("/tags", json!([{"key": "a.b", "value": "x"}])),
            "IEF.100002",
        ),
        (
            "tag twice",
            set(
                "/tags",
                json!([{"key": "a", "value": "x"}, {"key": "a", "value": "y"}]),
            ),
            "IEF.100002",
        ),
        (
            "container name",
            set(&format!("{c}/name"), json!("Container-0")),
            "IEF.100002",
        ),
        (
            "container name long",
            set(&format!("{c}/name"), json!("c".repeat(33))),
            "IEF.100002",
        ),
        (
            "version",
            set(&format!("{c}/version"), json!("v 1")),
            "IEF.100010",
        ),
        (
            "env name",
            set(&format!("{c}/envs/0/name"), json!("1CERT")),
            "IEF.100013",
        ),
        (
            "env value",
            set(&format!("{c}/envs/0/value"), json!("v".repeat(20481))),
            "IEF.100013",
        ),
        (
            "env two sources",
            set(&format!("{c}/envs/0/field_path"), json!("status.hostIP")),
            "IEF.100013",
        ),
        (
            "env field path",
            set(
                &format!("{c}/envs/0"),
                json!({"name": "X", "field_path": "status.podIP"}),
            ),
            "IEF.100013",
        ),
        (
            "env unknown configmap",
            set(
                &format!("{c}/envs/0"),
                json!({"name": "X", "value_from": {"configmap": {"name": "no-such-cm", "key": "k"}}}),
            ),
            "IEF.100013",
        ),
        (
            "env unknown key",
            set(
                &format!("{c}/envs/0"),
                json!({"name": "X", "value_from": {"configmap": {"name": "known-cm", "key": "nokey"}}}),
            ),
            "IEF.100013",
        ),
        (
            "env both refs",
            set(
                &format!("{c}/envs/0"),
                json!({"name": "X", "value_from": {"configmap": {"name": "known-cm", "key": "key1"}, "secret": {"name": "known-cm", "key": "key1"}}}),
            ),
            "IEF.100013",
        ),
        (
            "volume type",
            set(&format!("{c}/volumes/0/type"), json!("nfs")),
            "IEF.100009",
        ),
        (
            "volume name",
            set(&format!("{c}/volumes/0/name"), json!("Log")),
            "IEF.100009",
        ),
        (
            "host path",
            set(&format!("{c}/volumes/0/source"), json!("var/IEF")),
            "IEF.100009",
        ),
        (
            "empty dir medium",
            set(
                &format!("{c}/volumes/0"),
                json!({"name": "v", "type": "emptyDir", "source": "tmpfs", "destination": "/v"}),
            ),
            "IEF.100009",
        ),
        (
            "destination",
            set(&format!("{c}/volumes/0/destination"), json!("var")),
            "IEF.100009",
        ),
        (
            "mode on host path",
            set(&format!("{c}/volumes/0/default_mode"), json!(420)),
            "IEF.100009",
        ),
        (
            "writable config map",
            set(
                &format!("{c}/volumes/0"),
                json!({"name": "v", "type": "configMap", "source": "known-cm", "destination": "/v", "read_only": false}),
            ),
            "IEF.100009",
        ),
        (
            "unknown config map",
            set(
                &format!("{c}/volumes/0"),
                json!({"name": "v", "type": "configMap", "source": "no-such-cm", "destination": "/v"}),
            ),
            "IEF.100009",
        ),
        (
            "unknown secret",
            set(
                &format!("{c}/volumes/0"),
                json!({"name": "v", "type": "secret", "source": "known-cm", "destination": "/v"}),
            ),
            "IEF.100009",
        ),
        (
            "mode",
            set(
                &format!("{c}/volumes/0"),
                json!({"name": "v", "type": "configMap", "source": "known-cm", "destination": "/v", "default_mode": 1000}),
            ),
            "IEF.100009",
        ),
        (
            "cpu",
            set(&format!("{c}/resources/limits/cpu"), json!(0)),
            "IEF.100002",
        ),
        (
            "cpu text",
            set(&format!("{c}/resources/limits/cpu"), json!("lots")),
            "IEF.100002",
        ),
        (
            "memory limit",
            set(&format!("{c}/resources/limits/memory"), json!(3)),
            "IEF.100002",
        ),
        (
            "unknown resource",
            set(&format!("{c}/resources/limits/disk"), json!(3)),
            "IEF.100002",
        ),
        (
            "npu",
            set(
                &format!("{c}/resources/limits"),
                json!({"cpu": 1, "memory": 500, "npu": 1.5}),
            ),
            "IEF.100002",
        ),
        (
            "container port",
            set(&format!("{c}/ports/0/container_port"), json!(0)),
            "IEF.100002",
        ),
        (
            "host port",
            set(
                &format!("{c}/ports/0"),
                json!({"container_port": 80, "host_port": 70000}),
            ),
            "IEF.100002",
        ),
        (
            "host port and range",
            set(
                &format!("{c}/ports/0"),
                json!({"container_port": 80, "host_port": 8080, "host_port_range": {"min_port": 1, "max_port": 2}}),
            ),
            "IEF.100002",
        ),
        (
            "range",
            set(
                &format!("{c}/ports/0"),
                json!({"container_port": 80, "host_port_range": {"min_port": 9, "max_port": 9}}),
            ),
            "IEF.100002",
        ),
        (
            "host ip",
            set(&format!("{c}/ports/0/host_ip"), json!("nowhere")),
            "IEF.100002",
        ),
        (
            "initial delay",
            set(
                &format!("{c}/liveness_probe/initial_delay_seconds"),
                json!(0),
            ),
            "IEF.100002",
        ),
        (
            "timeout",
            set(&format!("{c}/liveness_probe/timeout_seconds"), json!(3601)),
            "IEF.100002",
        ),
        (
            "http path",
            set(
                &format!("{c}/liveness_probe/http_get/path"),
                json!("healthz"),
            ),
            "IEF.100002",
        ),
        (
            "scheme",
            set(&format!("{c}/liveness_probe/http_get/scheme"), json!("ftp")),
            "IEF.100002",
        ),
        (
            "probe with both",
            set(
                &format!("{c}/liveness_probe/exec"),
                json!({"command": "true"}),
            ),
            "IEF.100002",
        ),
        (
            "exec command",
            set(
                &format!("{c}/readiness_probe/exec/command"),
                json!("x".repeat(10241)),
            ),
            "IEF.100002",
        ),
        (
            "run as user",
            set(&format!("{c}/run_as_user"), json!(65535)),
            "IEF.100002",
        ),
        (
            "restart policy",
            set(
                "/deployment/template/configs/restart_policy",
                json!("Sometimes"),
            ),
            "IEF.100002",
        ),
        (
            "dns policy",
            set(
                "/deployment/template/configs/dns_policy",
                json!("ClusterFirstWithHostNet"),
            ),
            "IEF.100002",
        ),
        (
            "toleration on node",
            set("/deployment/template/configs/toleration_seconds", json!(30)),
            "IEF.100002",
        ),
        (
            "pod affinity",
            set("/deployment/template/affinity", json!({"podAffinity": {}})),
            "IEF.100002",
        ),
        (
            "affinity operator",
            set(
                "/deployment/template/affinity",
                json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "Near", "values": ["a"]}]}]}}}),
            ),
            "IEF.100002",
        ),
        (
            "affinity weight",
            set(
                "/deployment/template/affinity",
                json!({"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 0, "preference": {"matchExpressions": [{"key": "zone", "operator": "Exists"}]}}]}}),
            ),
            "IEF.100002",
        ),
        (
            "npu type",
            set(&format!("{c}/npu_type"), json!("D910")),
            "IEF.100002",
        ),
        (
            "two nodes",
            set("/node_ids", json!([node.name, node.name])),
            "IEF.100002",
        ),
        (
            "no containers",
            set("/deployment/template/containers", json!([])),
            "IEF.100002",
        ),
        (
            "no image",
            set(&format!("{c}/image_url"), json!("")),
            "IEF.100002",
        ),
        (
            "replicas",
            set("/deployment/replicas", json!(0)),
            "IEF.100002",
        ),
        (
            "replicas 100",
            set("/deployment/replicas", json!(100)),
            "IEF.100002",
        ),
        (
            "ring controller",
            set(
                "/deployment/annotations",
                json!({"ring_controller": "ascend-910"}),
            ),
            "IEF.100002",
        ),
        ("unknown field", set("/colour", json!("red")), "IEF.100002"),
        (
            "old shape",
            json!({"deployment": {"name": "app", "node_ids": [node.name], "template": {"spec": {}}}}),
            "IEF.100002",
        ),
    ];
    for (what, body, code) in cases {
        expect(create(&svc, &caller, &project, body).await, code, 400, what);
    }
    let mut both = base.clone();
    both["group_id"] = json!(node.group);
    expect(
        create(&svc, &caller, &project, both).await,
        "IEF.100002",
        400,
        "node and group",
    );
    let mut group_no_migration = base.clone();
    group_no_migration["node_ids"] = json!([]);
    group_no_migration["group_id"] = json!(node.group);
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
            set("/node_ids", json!(["no-such-node"])),
        )
        .await,
        "IEF.100014",
        400,
        "unknown node",
    );
    expect(
        create(&svc, &caller, &project, json!({"name": 5})).await,
        "IEF.100002",
        400,
        "wrong type",
    );
    assert_eq!(
        snapshot(&svc, &caller, &project).await,
        before,
        "refused creates change nothing"
    );

    // A refused update changes nothing either.
    let created = create(&svc, &caller, &project, base.clone()).await.unwrap();
    let id = created["id"].as_str().unwrap();
    // The cluster settles first: a snapshot compares what calls changed.
    fixture.settle().await;
    let before = snapshot(&svc, &caller, &project).await;
    let mut bad_template = base["deployment"]["template"].clone();
    bad_template["containers"][0]["name"] = json!("Bad");
    for (what, body) in [
        ("nothing", json!({})),
        (
            "bad template",
            json!({"deployment": {"template": bad_template}}),
        ),
        ("no template", json!({"deployment": {"replicas": 2}})),
        (
            "bad replicas",
            json!({"deployment": {"replicas": 0, "template": base["deployment"]["template"]}}),
        ),
        ("bad description", json!({"description": "x".repeat(256)})),
        ("unknown field", json!({"description": "ok", "tags": []})),
    ] {
        expect(
            update(&svc, &caller, &project, id, body).await,
            "IEF.100002",
            400,
            what,
        );
    }
    assert_eq!(
        snapshot(&svc, &caller, &project).await,
        before,
        "refused updates change nothing"
    );
}

pub async fn group_deployment(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (project, caller) = project(&svc).await;
    let node = grouped_node(fixture).await;
    let group = node.group.clone().unwrap();
    let mut body = deployment("grouped", &node.name, 2);
    body["node_ids"] = json!([]);
    body["group_id"] = json!(group);
    body["deployment"]["template"]["configs"] =
        json!({"migration": true, "restart_policy": "Always"});
    body["deployment"]["annotations"] = json!({"autonomy_edge_selector": group});
    let created = create(&svc, &caller, &project, body).await.unwrap();
    assert_eq!(created["group_id"], json!(group));
    assert_eq!(created["node_ids"], json!([]));
    assert_eq!(
        created["template"]["configs"]["toleration_seconds"], 300,
        "the default toleration"
    );
    assert_eq!(
        created["annotations"],
        json!({"autonomy_edge_selector": group})
    );
    fixture.settle().await;
    let listed = pods(&svc, &caller, &project, json!({"group_id": group}))
        .await
        .unwrap();
    assert_eq!(listed["count"], 2);
    let group_nodes: Vec<String> = fixture
        .backend()
        .list_nodes()
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.group.as_ref() == Some(&group))
        .map(|n| n.name)
        .collect();
    for p in listed["pods"].as_array().unwrap() {
        assert!(
            group_nodes.contains(&p["node_id"].as_str().unwrap().to_owned()),
            "placed in the group: {p}"
        );
        assert_eq!(p["configs"]["toleration_seconds"], 300);
    }
    let shown =
        serde_json::to_value(svc.get_group(&caller, &project, &group).await.unwrap()).unwrap();
    assert_eq!(shown["deployments"][0]["id"], created["id"]);
    assert_eq!(shown["deployments"][0]["name"], "grouped");
}

pub async fn nodes_and_groups(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (project, caller) = project(&svc).await;
    let all_nodes = fixture.backend().list_nodes().await.unwrap();
    let node = grouped_node(fixture).await;
    let group = node.group.clone().unwrap();
    create(
        &svc,
        &caller,
        &project,
        deployment("on-node", &node.name, 1),
    )
    .await
    .unwrap();

    let list = |params: Value| {
        let svc = svc.clone();
        let caller = caller.clone();
        let project = project.clone();
        async move { call!(svc, list_nodes, &caller, &project, params) }
    };
    let nodes = list(json!({})).await.unwrap();
    assert_eq!(nodes["count"].as_u64(), Some(all_nodes.len() as u64));
    let raw = serde_json::to_string(
        &svc.list_nodes(&caller, &project, &decode(json!({})).unwrap())
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(
        raw.starts_with(r#"{"nodes":["#),
        "nodes first, as the vendor: {raw}"
    );
    let shown = nodes["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == node.name.as_str())
        .unwrap()
        .clone();
    assert_eq!(shown["name"], node.name.as_str());
    assert_eq!(shown["state"], "RUNNING");
    assert_eq!(shown["group_ids"], json!([group]));
    assert_eq!(shown["cpu"], node.capacity.cpu_millis / 1000);
    assert_eq!(shown["memory"], node.capacity.memory_mib);
    assert!(shown["deployment_num"].as_u64().unwrap() >= 1);
    assert_eq!(shown["project_id"], project.as_str());
    let in_group = list(json!({"group_id": group})).await.unwrap();
    let expected = all_nodes
        .iter()
        .filter(|n| n.group.as_ref() == Some(&group))
        .count();
    assert_eq!(in_group["count"].as_u64(), Some(expected as u64));
    let by_name = list(json!({"name": node.name})).await.unwrap();
    assert!(
        by_name["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["name"].as_str().unwrap().contains(&node.name))
    );
    let running = list(json!({"state": "RUNNING"})).await.unwrap();
    assert!(
        running["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["state"] == "RUNNING")
    );
    let none = list(json!({"state": "FREEZE"})).await.unwrap();
    assert_eq!(none["count"], 0);
    let page = list(json!({"limit": 1, "offset": 1, "sort": "name:desc"}))
        .await
        .unwrap();
    let mut sorted: Vec<&str> = all_nodes.iter().map(|n| n.name.as_str()).collect();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(page["nodes"][0]["name"], sorted[1]);
    expect(
        list(json!({"limit": 1001})).await,
        "IEF.100005",
        400,
        "node limit",
    );
    expect(
        list(json!({"state": "SLEEPING"})).await,
        "IEF.100002",
        400,
        "node state",
    );
    expect(
        list(json!({"device_id": "d"})).await,
        "IEF.100002",
        400,
        "unsupported filter",
    );

    let detail =
        serde_json::to_value(svc.get_node(&caller, &project, &node.name).await.unwrap()).unwrap();
    assert_eq!(detail["node"], shown);
    let e = svc
        .get_node(&caller, &project, "no-such-node")
        .await
        .unwrap_err();
    assert_eq!((e.code, e.status), ("IEF.100404", 404));

    let groups = call!(svc, list_groups, &caller, &project, json!({})).unwrap();
    let found = groups["edge_groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == group.as_str())
        .unwrap()
        .clone();
    assert_eq!(found["name"], group.as_str());
    assert_eq!(found["nodes"].as_array().unwrap().len(), expected);
    assert!(
        found["nodes"][0]["id"].is_string(),
        "nodes are node objects"
    );
    assert_eq!(
        found["deployments"],
        json!([]),
        "a node deployment is not the group's"
    );
    let one = call!(svc, list_groups, &caller, &project, json!({"name": group})).unwrap();
    assert_eq!(one["count"], 1);
    let detail =
        serde_json::to_value(svc.get_group(&caller, &project, &group).await.unwrap()).unwrap();
    assert_eq!(detail, found);
    let e = svc
        .get_group(&caller, &project, "no-such-group")
        .await
        .unwrap_err();
    assert_eq!((e.code, e.status), ("IEF.100404", 404));
}

pub async fn configmaps_and_secrets(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (project, caller) = project(&svc).await;
    let node = grouped_node(fixture).await;
    let cm = configmap(&svc, &caller, &project, "test-cm").await;
    let cm = &cm["configmap"];
    let cm_id = cm["id"].as_str().unwrap().to_owned();
    assert_eq!(cm["name"], "test-cm");
    assert_eq!(cm["description"], "a test cm");
    assert_eq!(cm["configs"], json!({"key1": "val1", "key2": "val2"}));
    assert_eq!(cm["project_id"], project.as_str());
    configmap(&svc, &caller, &project, "other-cm").await;
    let sec = secret(&svc, &caller, &project, "test-secret").await;
    let sec_id = sec["secret"]["id"].as_str().unwrap().to_owned();
    assert_eq!(sec["secret"]["type"], "Opaque");
    assert_eq!(sec["secret"]["secrets"], json!({"password": "c2VjcmV0"}));

    let shown =
        serde_json::to_value(svc.get_configmap(&caller, &project, &cm_id).await.unwrap()).unwrap();
    assert_eq!(&shown["configmap"], cm);
    let list = call!(svc, list_configmaps, &caller, &project, json!({})).unwrap();
    assert_eq!(list["count"], 2);
    assert_eq!(
        names(&list, "configmaps"),
        ["test-cm", "other-cm"],
        "oldest first"
    );
    let sorted = call!(
        svc,
        list_configmaps,
        &caller,
        &project,
        json!({"sort": "name"})
    )
    .unwrap();
    assert_eq!(names(&sorted, "configmaps"), ["other-cm", "test-cm"]);
    let fuzzy = call!(
        svc,
        list_configmaps,
        &caller,
        &project,
        json!({"name": "other", "limit": "1"})
    )
    .unwrap();
    assert_eq!(names(&fuzzy, "configmaps"), ["other-cm"]);
    let secrets = call!(
        svc,
        list_secrets,
        &caller,
        &project,
        json!({"sort": "created_at:desc"})
    )
    .unwrap();
    assert_eq!(names(&secrets, "secrets"), ["test-secret"]);

    // Update: a null drops a key, the description stays when not given.
    let req =
        decode(json!({"configmap": {"configs": {"key1": "new", "key2": null, "key3": "v3"}}}))
            .unwrap();
    let updated = serde_json::to_value(
        svc.update_configmap(&caller, &project, &cm_id, &req)
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        updated["configmap"]["configs"],
        json!({"key1": "new", "key3": "v3"})
    );
    assert_eq!(updated["configmap"]["description"], "a test cm");
    let req =
        decode(json!({"secret": {"description": "rotated", "secrets": {"password": "bmV3"}}}))
            .unwrap();
    let updated = serde_json::to_value(
        svc.update_secret(&caller, &project, &sec_id, &req)
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(updated["secret"]["secrets"], json!({"password": "bmV3"}));
    assert_eq!(updated["secret"]["description"], "rotated");

    // Refusals change nothing.
    let before = call!(svc, list_configmaps, &caller, &project, json!({})).unwrap();
    let bad_creates = [
        (json!({"configmap": {"name": "abc"}}), "IEF.100012"),
        (json!({"configmap": {"name": "Test-cm"}}), "IEF.100012"),
        (json!({"configmap": {"name": "test-cm"}}), "IEF.100409"),
        (
            json!({"configmap": {"name": "good-cm", "configs": {"1bad": "x"}}}),
            "IEF.100002",
        ),
        (
            json!({"configmap": {"name": "good-cm", "description": "a<b"}}),
            "IEF.100002",
        ),
        (
            json!({"configmap": {"name": "good-cm", "extra": 1}}),
            "IEF.100002",
        ),
        (json!({}), "IEF.100002"),
    ];
    for (body, code) in bad_creates {
        let status = if code == "IEF.100409" { 409 } else { 400 };
        expect(
            call!(svc, create_configmap, &caller, &project, body.clone()),
            code,
            status,
            &body.to_string(),
        );
    }
    for (body, code) in [
        (
            json!({"secret": {"name": "good-secret", "secrets": {"k": "not base64!"}}}),
            "IEF.100002",
        ),
        (json!({"secret": {"name": "good-secret"}}), "IEF.100002"),
        (
            json!({"secret": {"name": "good-secret", "type": "kubernetes.io/tls", "secrets": {}}}),
            "IEF.100002",
        ),
    ] {
        expect(
            call!(svc, create_secret, &caller, &project, body.clone()),
            code,
            400,
            &body.to_string(),
        );
    }
    let req = decode(json!({"configmap": {}})).unwrap();
    let e = svc
        .update_configmap(&caller, &project, &cm_id, &req)
        .await
        .unwrap_err();
    assert_eq!(e.code, "IEF.100002");
    assert_eq!(
        call!(svc, list_configmaps, &caller, &project, json!({})).unwrap(),
        before
    );

    // One in use cannot be deleted; once its deployment is gone it can.
    let mut body = deployment("reader", &node.name, 1);
    body["deployment"]["template"]["containers"][0]["volumes"] =
        json!([{"name": "cm", "type": "configMap", "source": "test-cm", "destination": "/etc/cm"}]);
    body["deployment"]["template"]["containers"][0]["envs"] = json!([{"name": "PASSWORD", "value_from": {"secret": {"name": "test-secret", "key": "password"}}}]);
    let reader = create(&svc, &caller, &project, body).await.unwrap();
    for e in [
        svc.delete_configmap(&caller, &project, &cm_id)
            .await
            .unwrap_err(),
        svc.delete_secret(&caller, &project, &sec_id)
            .await
            .unwrap_err(),
    ] {
        assert_eq!((e.code, e.status), ("IEF.100015", 409), "{e}");
    }
    assert!(svc.get_configmap(&caller, &project, &cm_id).await.is_ok());
    delete(
        &svc,
        &caller,
        &project,
        reader["id"].as_str().unwrap(),
        None,
    )
    .await
    .unwrap();
    svc.delete_configmap(&caller, &project, &cm_id)
        .await
        .unwrap();
    svc.delete_secret(&caller, &project, &sec_id).await.unwrap();
    for e in [
        svc.get_configmap(&caller, &project, &cm_id)
            .await
            .unwrap_err(),
        svc.get_secret(&caller, &project, &sec_id)
            .await
            .unwrap_err(),
        svc.delete_configmap(&caller, &project, &cm_id)
            .await
            .unwrap_err(),
    ] {
        assert_eq!((e.code, e.status), ("IEF.100404", 404));
    }
    // The name is free again.
    configmap(&svc, &caller, &project, "test-cm").await;
}

pub async fn tenant_isolation(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (a, caller_a) = project(&svc).await;
    let (b, caller_b) = project(&svc).await;
    let node = grouped_node(fixture).await;
    let theirs = create(&svc, &caller_b, &b, deployment("theirs", &node.name, 1))
        .await
        .unwrap();
    let their_id = theirs["id"].as_str().unwrap().to_owned();
    let their_cm = configmap(&svc, &caller_b, &b, "their-cm").await;
    let their_cm = their_cm["configmap"]["id"].as_str().unwrap().to_owned();
    // The cluster settles first: a snapshot compares what calls changed.
    fixture.settle().await;
    let before = snapshot(&svc, &caller_b, &b).await;
    let foreign = deployments(&svc, &caller_a, &b, json!({}))
        .await
        .unwrap_err();
    let unknown = deployments(&svc, &caller_a, "no-such-project", json!({}))
        .await
        .unwrap_err();
    assert_eq!(
        foreign, unknown,
        "a foreign project answers like an unknown one"
    );
    assert_eq!((foreign.code, foreign.status), ("IEF.100001", 400));
    assert_eq!(foreign.message, "PROJECT_ID not found");
    let unknown_id = "a71077f0-a491-4e1c-a41a-7d6910da26cb";
    let foreign = svc
        .get_deployment(&caller_a, &a, &their_id)
        .await
        .unwrap_err();
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
    assert!(delete(&svc, &caller_a, &a, &their_id, None).await.is_err());
    let foreign = svc
        .get_configmap(&caller_a, &a, &their_cm)
        .await
        .unwrap_err();
    let unknown = svc
        .get_configmap(&caller_a, &a, "c0f19e5a-0000-4c01-8000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(
        (foreign.code, foreign.status),
        (unknown.code, unknown.status)
    );
    assert!(
        svc.delete_configmap(&caller_a, &a, &their_cm)
            .await
            .is_err()
    );
    // Another project's config map cannot be mounted either.
    let mut body = deployment("borrower", &node.name, 1);
    body["deployment"]["template"]["containers"][0]["volumes"] = json!([{"name": "cm", "type": "configMap", "source": "their-cm", "destination": "/etc/cm"}]);
    expect(
        create(&svc, &caller_a, &a, body).await,
        "IEF.100009",
        400,
        "a foreign config map",
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
    assert!(svc.get_configmap(&caller_b, &b, &their_cm).await.is_ok());
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
    // The cluster settles first: a snapshot compares what calls changed.
    fixture.settle().await;
    let before = snapshot(&svc, &caller, &project).await;
    expect(
        create(&svc, &caller, &project, deployment("same", &node.name, 1)).await,
        "IEF.100409",
        409,
        "same name",
    );
    assert_eq!(snapshot(&svc, &caller, &project).await, before);
}

pub async fn one_host_port_per_node(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (project, caller) = project(&svc).await;
    let node = grouped_node(fixture).await;
    let mut body = deployment("ported", &node.name, 2);
    body["deployment"]["template"]["containers"][0]["ports"] =
        json!([{"container_port": 80, "host_port": host_port()}]);
    let created = create(&svc, &caller, &project, body).await.unwrap();
    fixture.settle().await;
    let listed = pods(
        &svc,
        &caller,
        &project,
        json!({"deployment_id": created["id"]}),
    )
    .await
    .unwrap();
    let mut states: Vec<&str> = listed["pods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["state"].as_str().unwrap())
        .collect();
    states.sort_unstable();
    assert_eq!(
        states,
        ["PENDING", "RUNNING"],
        "two pods on one node cannot bind one host port: {listed}"
    );
    for p in listed["pods"].as_array().unwrap() {
        assert_eq!(
            p["node_id"],
            node.name.as_str(),
            "both name their node: {p}"
        );
    }
    let shown = serde_json::to_value(
        svc.get_deployment(&caller, &project, created["id"].as_str().unwrap())
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(shown["ready_replicas"], 1);
}
