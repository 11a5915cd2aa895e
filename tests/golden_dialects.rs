//! Golden tests against the openYuanrong, IEF and V-Kube examples
//! (`../shared/fixtures/{yuanrong,ief,vkube}`): requests accepted as they stand, replies
//! with the examples' fields, nesting and JSON types, error bodies exactly as printed.
//! The exceptions are listed with their reasons.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{IEF, VKUBE, YUANRONG};
use podgate::core::dialects::DialectError;
use podgate::core::dialects::ief::wire::{CreateDeploymentRequest, ListPodsParams};
use podgate::core::dialects::ief::{GPU_MEMORY_RESOURCE, IefCaller, IefError, IefService};
use podgate::core::dialects::vkube::wire::{CheckPortsRequest, DeployRequest, OrderInput};
use podgate::core::dialects::vkube::{VkubeConfig, VkubeService};
use podgate::core::dialects::yuanrong::wire::{CreatePoolsRequest, Envelope, QueryParams};
use podgate::core::dialects::yuanrong::{YrConfig, YuanrongService};
use podgate::core::model::Topology;
use podgate::sim::{SimBackend, SimConfig, default_topology};
use serde_json::json;

/// A simulator whose topology also has the regions the V-Kube examples name, and
/// whose group-a nodes have the GPU memory the IEF example asks for.
fn sim() -> Arc<SimBackend> {
    let mut topology: Topology = default_topology();
    for node in &mut topology.nodes {
        if node.group.as_deref() == Some("group-a") {
            node.extended.insert(GPU_MEMORY_RESOURCE.to_owned(), 16_384);
        }
    }
    for (i, region) in ["ausrine", "giltine"].into_iter().enumerate() {
        let mut node = topology.nodes[0].clone();
        node.name = format!("{region}-node-{i}");
        node.region = region.to_owned();
        topology.nodes.push(node);
    }
    Arc::new(SimBackend::new(SimConfig {
        topology,
        ..SimConfig::default()
    }))
}

#[test]
fn every_fixture_is_covered() {
    assert_eq!(YUANRONG.files(), ["query_podpools_response.json"]);
    assert_eq!(
        IEF.files(),
        [
            "error_400.json",
            "error_500.json",
            "list_pods_response.json"
        ]
    );
    assert_eq!(
        VKUBE.files(),
        [
            "checkports_missing_field_400.json",
            "checkports_request.json",
            "checkports_response.json",
            "deploy_request.json",
            "image_bad_format_400.json",
            "image_not_found_404.json",
            "order_response.json",
            "pod_status_response.json",
            "regions_response.json",
        ]
    );
}

#[tokio::test]
async fn yuanrong_query_reply_has_the_examples_shape() {
    let backend = sim();
    let svc = YuanrongService::new(backend.clone(), YrConfig::default(), None);
    let example = YUANRONG.fixture("query_podpools_response.json");
    // Create the example's pool from its own fields, then query it as the example does.
    let mut pool = example["result"]["pools"][0].clone();
    for runtime in ["status", "msg", "ready_count"] {
        pool.as_object_mut().unwrap().remove(runtime);
    }
    let created = svc
        .create(&serde_json::from_value::<CreatePoolsRequest>(json!({"pools": [pool]})).unwrap())
        .await
        .unwrap();
    assert_eq!(created.failed_pools, None);
    backend.advance(Duration::from_secs(60)).unwrap();
    let params: QueryParams =
        serde_json::from_value(json!({"id": "pool1", "group": "rg1"})).unwrap();
    let result = svc.query(&params).await.unwrap();
    let reply = serde_json::to_value(Envelope {
        code: 0,
        message: String::new(),
        result: Some(result),
    })
    .unwrap();
    YUANRONG.assert_shape("query_podpools_response.json", &reply);
    let ours = &reply["result"]["pools"][0];
    assert_eq!(ours["status"], 4);
    assert_eq!(ours["msg"], "Running");
    assert_eq!(ours["ready_count"], 1);
    assert_eq!(
        ours["labels"],
        serde_json::Value::Null,
        "no labels print as null, as in the example"
    );
}

#[tokio::test]
async fn ief_pod_list_has_the_examples_shape_and_errors_their_bodies() {
    let backend = sim();
    let svc = IefService::new(backend.clone());
    let token = svc
        .create_project("bcd83056c918480f8f190844bd425b23")
        .await
        .unwrap();
    let caller = svc.authenticate(token.expose()).await.unwrap();
    let project = "bcd83056c918480f8f190844bd425b23";
    let example = IEF.fixture("list_pods_response.json");
    let pod = &example["pods"][0];
    // A deployment made of the example pod's own containers (less what only a pod's
    // state shows: restarts, message, reason) and configs.
    let mut container = pod["containers"][0].clone();
    for status in ["restarts", "message", "reason"] {
        container.as_object_mut().unwrap().remove(status);
    }
    container["image_url"] = json!("nginx");
    container["version"] = json!("stable");
    let body = json!({
        "name": "app-test", "description": pod["description"], "group_id": "group-a",
        "deployment": {"replicas": 1, "template": {"containers": [container], "configs": pod["configs"]}}
    });
    let created = svc
        .create_deployment(
            &caller,
            project,
            &serde_json::from_value::<CreateDeploymentRequest>(body).unwrap(),
        )
        .await
        .unwrap();
    backend.advance(Duration::from_secs(60)).unwrap();
    let params: ListPodsParams =
        serde_json::from_value(json!({"deployment_ids": created.id})).unwrap();
    let reply =
        serde_json::to_value(svc.list_pods(&caller, project, &params).await.unwrap()).unwrap();
    IEF.assert_shape("list_pods_response.json", &reply);
    assert_eq!(reply["pods"][0]["state"], "RUNNING");

    let unknown = svc
        .list_pods(&IefCaller::Operator, "no-such-project", &params)
        .await
        .unwrap_err();
    assert_eq!(unknown.status, 400);
    assert_eq!(
        serde_json::to_value(unknown.reply()).unwrap(),
        IEF.fixture("error_400.json"),
        "exactly the example's body"
    );
    let internal = IefError::from(podgate::core::Error::backend("gpu driver gone"));
    assert_eq!(internal.status, 500);
    IEF.assert_shape(
        "error_500.json",
        &serde_json::to_value(internal.reply()).unwrap(),
    );
}

#[tokio::test]
async fn vkube_requests_are_accepted_and_replies_shaped_alike() {
    let backend = sim();
    let svc = VkubeService::new(backend.clone(), VkubeConfig::default());
    let regions = serde_json::to_value(svc.regions().await).unwrap();
    VKUBE.assert_shape("regions_response.json", &regions);

    let created = svc
        .create_order(serde_json::from_value::<OrderInput>(json!({"serviceOptions": {"resourceUnit": "2-Unit-Resource", "portSpecification": "User Specified Service Port"}, "duration": 100, "amount": 18000, "amountPaid": 18000})).unwrap())
        .await
        .unwrap();
    let caller = svc.authenticate(&created.secret).await.unwrap();
    VKUBE.assert_shape(
        "order_response.json",
        &serde_json::to_value(svc.order(&caller).await.unwrap()).unwrap(),
    );

    let deploy: DeployRequest =
        serde_json::from_value(VKUBE.fixture("deploy_request.json")).unwrap();
    let reply = svc.deploy(&caller, &deploy).await.unwrap();
    assert_eq!(reply.status, "OK");
    backend.advance(Duration::from_secs(60)).unwrap();
    let status = serde_json::to_value(svc.pod_status(&caller).await.unwrap()).unwrap();
    VKUBE.assert_shape("pod_status_response.json", &status);
    assert_eq!(status["podSpec"]["nodeSelector"]["region"], "ausrine");

    // Another order binds 22 and 3306 in the region, as the check-ports example shows.
    let other = svc
        .create_order(
            serde_json::from_value::<OrderInput>(
                json!({"serviceOptions": {"resourceUnit": "1-Unit-Resource"}}),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let other = svc.authenticate(&other.secret).await.unwrap();
    let binds: DeployRequest = serde_json::from_value(json!({"nodeSelector": {"region": "ausrine"}, "containers": [
        {"name": "ssh", "imageName": "nginx", "ports": [{"containerPort": 22, "hostPort": 22}], "resource": {"memory": "64Mi"}},
        {"name": "db", "imageName": "nginx", "ports": [{"containerPort": 3306, "hostPort": 3306}], "resource": {"memory": "64Mi"}}
    ]}))
    .unwrap();
    svc.deploy(&other, &binds).await.unwrap();
    let check: CheckPortsRequest =
        serde_json::from_value(VKUBE.fixture("checkports_request.json")).unwrap();
    let ports = serde_json::to_value(svc.check_ports(&check).await.unwrap()).unwrap();
    assert_eq!(
        ports,
        VKUBE.fixture("checkports_response.json"),
        "the example's very reply"
    );

    let missing = svc
        .check_ports(&serde_json::from_value::<CheckPortsRequest>(json!({"ports": [22]})).unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        serde_json::to_value(missing.reply()).unwrap(),
        VKUBE.fixture("checkports_missing_field_400.json")
    );
    let format = svc.check_image(Some("nginx"), None).await.unwrap_err();
    assert_eq!(
        serde_json::to_value(format.reply()).unwrap(),
        VKUBE.fixture("image_bad_format_400.json")
    );
    let absent = svc
        .check_image(Some("nginx"), Some("no-such-tag"))
        .await
        .unwrap_err();
    assert_eq!(
        serde_json::to_value(absent.reply()).unwrap(),
        VKUBE.fixture("image_not_found_404.json")
    );
}
