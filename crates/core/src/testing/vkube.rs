//! V-Kube scenarios: orders, deploy, status, log, checks, quotas, isolation.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use serde_json::{Value, json};

use super::Fixture;
use crate::dialects::DialectError;
use crate::dialects::vkube::wire::{CheckPortsRequest, DeployRequest, OrderInput};
use crate::dialects::vkube::{VkubeCaller, VkubeConfig, VkubeError, VkubeService, decode};

fn service(fixture: &dyn Fixture) -> VkubeService {
    VkubeService::new(fixture.backend(), VkubeConfig::default())
}

async fn order(svc: &VkubeService, units: u32) -> VkubeCaller {
    let input: OrderInput = serde_json::from_value(json!({
        "serviceOptions": {"resourceUnit": format!("{units}-Unit-Resource"), "portSpecification": "User Specified Service Port"},
        "duration": 100, "amount": 18000, "amountPaid": 18000
    }))
    .unwrap();
    let created = svc.create_order(input).await.unwrap();
    assert_eq!(created.secret.len(), 64);
    let caller = svc.authenticate(&created.secret).await.unwrap();
    assert_eq!(caller.order, created.order.id);
    caller
}

fn port() -> i64 {
    40_000 + i64::try_from(uuid::Uuid::new_v4().as_u128() % 20_000).unwrap()
}

/// A deploy body like the vendor's example, in `region`, binding `host_port`.
pub fn deploy_body(region: &str, host_port: i64, memory: &str) -> Value {
    json!({
        "nodeSelector": {"region": region},
        "containers": [{
            "name": "container1", "imageName": "nginx",
            "ports": [{"containerPort": 80, "hostPort": host_port}],
            "resource": {"memory": memory},
            "command": "/bin/sh\n-c\ntail -f /dev/null",
            "args": "--vm\n1"
        }]
    })
}

async fn deploy(
    svc: &VkubeService,
    caller: &VkubeCaller,
    body: Value,
) -> Result<Value, VkubeError> {
    let req: DeployRequest = decode(body)?;
    svc.deploy(caller, &req)
        .await
        .map(|r| serde_json::to_value(r).unwrap())
}

async fn status(svc: &VkubeService, caller: &VkubeCaller) -> Result<Value, VkubeError> {
    svc.pod_status(caller)
        .await
        .map(|r| serde_json::to_value(r).unwrap())
}

async fn region(svc: &VkubeService) -> String {
    svc.regions().await.into_iter().next().expect("a region")
}

pub async fn deploy_status_and_log(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let caller = order(&svc, 2).await;
    let region = region(&svc).await;
    let host_port = port();
    let order = serde_json::to_value(svc.order(&caller).await.unwrap()).unwrap();
    assert_eq!(order["serviceOptions"]["resourceUnit"], "2-Unit-Resource");
    assert_eq!(order["amount"], 18000);
    assert!(order["createdAt"].as_i64().unwrap() > 0);

    let reply = deploy(&svc, &caller, deploy_body(&region, host_port, "100Mi"))
        .await
        .unwrap();
    assert_eq!(reply["status"], "OK");
    let name = reply["name"].as_str().unwrap().to_owned();
    let pending = status(&svc, &caller).await.unwrap();
    assert_eq!(pending["name"], name.as_str());
    assert_eq!(pending["podStatus"]["phase"], "Pending");

    fixture.settle().await;
    let s = status(&svc, &caller).await.unwrap();
    assert_eq!(s["podStatus"]["phase"], "Running", "{s}");
    let conditions: Vec<&str> = s["podStatus"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    for want in ["Initialized", "Ready", "ContainersReady", "PodScheduled"] {
        assert!(conditions.contains(&want), "{conditions:?}");
    }
    let cs = &s["podStatus"]["containerStatuses"][0];
    assert_eq!(cs["name"], "container1");
    assert_eq!(cs["ready"], true);
    assert_eq!(cs["restartCount"], 0);
    assert!(cs["state"]["running"]["startedAt"].is_string());
    assert!(s["podStatus"]["podIP"].is_string());
    assert!(s["podStatus"]["hostIP"].is_string());
    assert!(s["podStatus"]["qosClass"].is_string());
    let spec = &s["podSpec"];
    assert_eq!(spec["dnsPolicy"], "ClusterFirst");
    assert_eq!(spec["restartPolicy"], "Always");
    assert_eq!(spec["schedulerName"], "default-scheduler");
    assert_eq!(spec["terminationGracePeriodSeconds"], 30);
    assert!(
        spec["nodeSelector"]
            .as_object()
            .unwrap()
            .values()
            .any(|v| *v == region.as_str()),
        "placed in its region by a node selector: {spec}"
    );
    let tolerations: Vec<&str> = spec["tolerations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap())
        .collect();
    assert!(
        tolerations.contains(&"node.kubernetes.io/not-ready")
            && tolerations.contains(&"node.kubernetes.io/unreachable")
    );
    let container = &spec["containers"][0];
    assert_eq!(container["image"], "nginx");
    assert_eq!(
        container["command"],
        json!(["/bin/sh", "-c", "tail -f /dev/null"]),
        "newline-separated"
    );
    assert_eq!(container["args"], json!(["--vm", "1"]));
    assert_eq!(container["ports"][0]["hostPort"], host_port);
    assert_eq!(container["resources"]["limits"]["memory"], "100Mi");
    assert_eq!(container["terminationMessagePath"], "/dev/termination-log");
    assert_eq!(container["terminationMessagePolicy"], "File");
    assert!(container["imagePullPolicy"].is_string());
    assert_eq!(s["annotations"]["kubernetes.io/ingress-bandwidth"], "1024M");

    let log = svc.pod_log(&caller, None, None).await.unwrap();
    assert!(!log.is_empty());
    let tail = svc
        .pod_log(&caller, Some("container1"), Some("1"))
        .await
        .unwrap();
    assert_eq!(tail.lines().count(), 1);
    assert_eq!(
        svc.pod_log(&caller, Some("ghost"), None)
            .await
            .unwrap_err()
            .status,
        400
    );
    assert_eq!(
        svc.pod_log(&caller, None, Some("-1"))
            .await
            .unwrap_err()
            .status,
        400
    );

    let ports: CheckPortsRequest =
        serde_json::from_value(json!({"region": region, "ports": [host_port, 1]})).unwrap();
    let checked = svc.check_ports(&ports).await.unwrap();
    assert_eq!(checked.occupied, vec![u16::try_from(host_port).unwrap()]);
    assert_eq!(checked.status, "PortsOccupied");
}

pub async fn errors_change_nothing(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let caller = order(&svc, 1).await;
    let region = region(&svc).await;
    for before_deploy in [
        status(&svc, &caller).await.unwrap_err(),
        svc.pod_log(&caller, None, None).await.unwrap_err(),
    ] {
        assert_eq!(before_deploy.reply().error.code, 404);
        assert_eq!(before_deploy.message, "pod not found");
    }
    let base = deploy_body(&region, port(), "100Mi");
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "no region",
            json!({"containers": base["containers"]}),
            "item field empty",
        ),
        (
            "no containers",
            json!({"nodeSelector": {"region": region}, "containers": []}),
            "item field empty",
        ),
        (
            "no memory",
            json!({"nodeSelector": {"region": region}, "containers": [{"name": "a", "imageName": "nginx"}]}),
            "item field empty",
        ),
        (
            "no image",
            json!({"nodeSelector": {"region": region}, "containers": [{"name": "a", "resource": {"memory": "1Mi"}}]}),
            "item field empty",
        ),
        (
            "unknown region",
            deploy_body("atlantis", port(), "100Mi"),
            "",
        ),
        ("over quota", deploy_body(&region, port(), "2Gi"), ""),
        ("memory unit", deploy_body(&region, port(), "100M"), ""),
        ("host port range", deploy_body(&region, 70_000, "100Mi"), ""),
    ];
    for (what, body, message) in cases {
        let e = deploy(&svc, &caller, body).await.unwrap_err();
        assert_eq!(e.status, 400, "{what}: {e}");
        if !message.is_empty() {
            assert_eq!(e.message, message, "{what}");
        }
    }
    let mut bad_name = base.clone();
    bad_name["containers"][0]["name"] = json!("Bad_Name");
    assert_eq!(
        deploy(&svc, &caller, bad_name).await.unwrap_err().status,
        400
    );
    let mut twice = base.clone();
    let c = twice["containers"][0].clone();
    let mut c2 = c.clone();
    c2["name"] = json!("other");
    twice["containers"] = json!([c, c2]);
    assert_eq!(
        deploy(&svc, &caller, twice).await.unwrap_err().status,
        400,
        "same host port twice"
    );
    assert_eq!(
        status(&svc, &caller).await.unwrap_err().status,
        404,
        "refused deploys leave no pod"
    );
    assert_eq!(
        decode::<DeployRequest>(json!({"containers": "x"}))
            .unwrap_err()
            .status,
        400
    );
    assert_eq!(
        svc.authenticate("not-a-secret").await.unwrap_err().status,
        401
    );
}

pub async fn quota_and_replace(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let caller = order(&svc, 1).await;
    let region = region(&svc).await;
    let host_port = port();
    let first = deploy(&svc, &caller, deploy_body(&region, host_port, "1Gi"))
        .await
        .unwrap();
    fixture.settle().await;
    let refused = deploy(&svc, &caller, deploy_body(&region, host_port, "1025Mi"))
        .await
        .unwrap_err();
    assert_eq!(refused.status, 400);
    let still = status(&svc, &caller).await.unwrap();
    assert_eq!(
        still["name"], first["name"],
        "a refused deploy keeps the running pod"
    );
    assert_eq!(still["podStatus"]["phase"], "Running");
    // A second deploy replaces the first, and may reuse its own host port.
    let second = deploy(&svc, &caller, deploy_body(&region, host_port, "512Mi"))
        .await
        .unwrap();
    assert_ne!(second["name"], first["name"]);
    fixture.settle().await;
    let s = status(&svc, &caller).await.unwrap();
    assert_eq!(s["name"], second["name"]);
    assert_eq!(
        s["podSpec"]["containers"][0]["resources"]["limits"]["memory"],
        "512Mi"
    );
}

pub async fn tenant_isolation(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let a = order(&svc, 2).await;
    let b = order(&svc, 2).await;
    let region = region(&svc).await;
    let host_port = port();
    deploy(&svc, &a, deploy_body(&region, host_port, "100Mi"))
        .await
        .unwrap();
    assert_eq!(
        status(&svc, &b).await.unwrap_err().status,
        404,
        "B sees no pod of A"
    );
    assert_ne!(svc.order(&b).await.unwrap().id, a.order);
    // Host ports are the region's: B cannot take A's.
    let taken = deploy(&svc, &b, deploy_body(&region, host_port, "100Mi"))
        .await
        .unwrap_err();
    assert_eq!(taken.status, 400, "{taken}");
    assert_eq!(status(&svc, &b).await.unwrap_err().status, 404);
}

pub async fn checks(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let regions = svc.regions().await;
    assert!(!regions.is_empty());
    let mut sorted = regions.clone();
    sorted.sort();
    assert_eq!(regions, sorted);
    if fixture.backend().capabilities().image_lookup {
        assert_eq!(
            svc.check_image(Some("nginx"), Some("stable"))
                .await
                .unwrap()
                .status,
            "OK"
        );
        let missing = svc
            .check_image(Some("nginx"), Some("no-such-tag-ever"))
            .await
            .unwrap_err();
        assert_eq!(
            serde_json::to_value(missing.reply()).unwrap(),
            json!({"error": {"code": 404, "message": "image does not exist."}})
        );
    } else {
        // The backend cannot look images up: the check says so, as a server error.
        let e = svc
            .check_image(Some("nginx"), Some("stable"))
            .await
            .unwrap_err();
        assert_eq!(e.status, 500, "{e:?}");
    }
    for (image, tag) in [
        (None, Some("stable")),
        (Some("nginx"), None),
        (Some("nginx:stable"), Some("x")),
        (Some(""), Some("x")),
        (Some("nginx"), Some("")),
    ] {
        let e = svc.check_image(image, tag).await.unwrap_err();
        assert_eq!(
            serde_json::to_value(e.reply()).unwrap(),
            json!({"error": {"code": 400, "message": "image format not allow.Format: image:tag"}})
        );
    }
    let req = |v: Value| serde_json::from_value::<CheckPortsRequest>(v).unwrap();
    for empty in [
        json!({"ports": [22]}),
        json!({"region": "region1"}),
        json!({"region": "region1", "ports": []}),
        json!({"region": "", "ports": [22]}),
    ] {
        let e = svc.check_ports(&req(empty)).await.unwrap_err();
        assert_eq!(
            serde_json::to_value(e.reply()).unwrap(),
            json!({"error": {"code": 400, "message": "item field empty"}})
        );
    }
    let nowhere = svc
        .check_ports(&req(json!({"region": "atlantis", "ports": [22]})))
        .await
        .unwrap();
    assert_eq!(
        (nowhere.status.as_str(), nowhere.occupied.len()),
        ("NoResource", 0)
    );
    let free = svc
        .check_ports(&req(json!({"region": regions[0], "ports": [port()]})))
        .await
        .unwrap();
    assert_eq!(free.status, "NotOccupied");
    assert_eq!(
        svc.check_ports(&req(json!({"region": regions[0], "ports": [0]})))
            .await
            .unwrap_err()
            .status,
        400
    );
}
