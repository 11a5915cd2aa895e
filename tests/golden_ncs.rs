//! Golden tests against the vendor's own NCS examples (`../shared/fixtures/ncs`):
//! every request example is accepted exactly as it stands, and every reply has the
//! example's field names, nesting and JSON types, except where the example contradicts
//! its own document's table (listed in `tests/common`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::time::Duration;

use podgate::core::ClusterBackend;
use podgate::core::dialects::ncs::{
    NcsAction, NcsCaller, NcsConfig, NcsDefinition, NcsReply, NcsService, wire,
};
use podgate::core::model::{NamespaceId, PageRequest, TenantKey, WorkloadId, WorkloadSpec};
use podgate::sim::{Delays, SimBackend, SimConfig};
use serde_json::{Value, json};

mod common;

use common::NCS;

struct World {
    sim: Arc<SimBackend>,
    ncs: NcsService,
}

fn world() -> World {
    let sim = Arc::new(SimBackend::new(SimConfig::default()));
    let ncs = NcsService::new(sim.clone(), NcsConfig::default());
    World { sim, ncs }
}

const OP: NcsCaller = NcsCaller::Operator;

#[test]
fn the_shape_check_catches_what_it_should() {
    let out = NCS.mismatches(
        &json!({"A": 1, "B": {"C": "x"}, "D": [{"E": true}], "Labels": {"k": "v"}}),
        &json!({"A": "1", "B": {}, "D": [], "Labels": {"other": 1}}),
    );
    assert_eq!(
        out,
        vec![
            "A: example number vs ours string",
            "B.C: missing",
            "D: example has items, ours is empty",
            "Labels.other: example string vs ours number"
        ]
    );
}

#[tokio::test]
async fn create_request_is_accepted_as_it_stands() {
    let w = world();
    w.ncs
        .create_namespace(Some(NamespaceId(1)), false)
        .await
        .unwrap();
    let body = NCS.fixture("create_request.json");
    let _: wire::CreateRequest = serde_json::from_value(body.clone()).unwrap();
    let reply = w
        .ncs
        .call(&OP, NcsAction::CreateStatefulWorkload, &body)
        .await
        .map(NcsReply::into_json)
        .unwrap();
    NCS.assert_shape("create_response.json", &reply);
}

#[tokio::test]
async fn modify_request_is_accepted_as_it_stands() {
    let w = world();
    w.ncs
        .create_namespace(Some(NamespaceId(134_412)), false)
        .await
        .unwrap();
    w.sim.skip_workload_ids_to(WorkloadId(275_041)).unwrap();
    // The example's container is named "containerName", which the create rule (lower
    // case only) would refuse: the workload is seeded through the backend, as one
    // migrated from the vendor would be.
    let existing = json!({
        "NamespaceId": 134_412, "Name": "modify-me", "SpecType": "ncs.n1.small1",
        "ContainerType": "Standard", "Placement": {"ZoneId": []}, "VirtualPrivateCloud": {},
        "Containers": [{"Name": "containername", "Image": "nginx:stable", "LogDirs": ["/var/log/"]}]
    });
    let request: wire::CreateRequest = serde_json::from_value(existing).unwrap();
    let checked = NcsService::new(
        Arc::new(SimBackend::new(SimConfig::default())),
        NcsConfig::default(),
    );
    checked
        .create_namespace(Some(NamespaceId(134_412)), false)
        .await
        .unwrap();
    checked.create(&OP, &request).await.unwrap();
    let mut definition = NcsDefinition::from_template(
        &checked
            .backend()
            .list_workloads(&Default::default(), PageRequest::ALL)
            .await
            .unwrap()
            .items[0]
            .spec
            .template,
    )
    .unwrap();
    definition.containers[0].name = "containerName".to_owned();
    let spec = WorkloadSpec::stateful("modify-me", definition.to_shared_template().unwrap());
    let created = w
        .sim
        .create_workload(&TenantKey::Namespace(NamespaceId(134_412)), spec)
        .await
        .unwrap();
    assert_eq!(created.id, WorkloadId(275_041));
    let body = NCS.fixture("modify_request.json");
    let _: wire::ModifyRequest = serde_json::from_value(body.clone()).unwrap();
    let reply = w
        .ncs
        .call(&OP, NcsAction::ModifyStatefulWorkload, &body)
        .await
        .map(NcsReply::into_json)
        .unwrap();
    NCS.assert_shape("modify_response.json", &reply);
}

#[tokio::test]
async fn reset_spec_request_is_accepted_as_it_stands() {
    let w = world();
    w.ncs
        .create_namespace(Some(NamespaceId(17)), false)
        .await
        .unwrap();
    w.sim.skip_workload_ids_to(WorkloadId(5241)).unwrap();
    let existing = json!({
        "NamespaceId": 17, "Name": "resize-me", "SpecType": "ncs.n1.medium2",
        "ContainerType": "Standard", "Placement": {"ZoneId": ["cn-east-1b"]}, "VirtualPrivateCloud": {},
        "Containers": [{"Name": "container", "Image": "nginx:stable",
            "ResourceRequirements": {"Limits": {"Cpu": 1000, "Memory": 1024}}}]
    });
    let created = w
        .ncs
        .call(&OP, NcsAction::CreateStatefulWorkload, &existing)
        .await
        .map(NcsReply::into_json)
        .unwrap();
    assert_eq!(created["StatefulWorkloadId"], 5241);
    let body = NCS.fixture("reset_spec_request.json");
    let _: wire::ResetSpecTypeRequest = serde_json::from_value(body.clone()).unwrap();
    let reply = w
        .ncs
        .call(&OP, NcsAction::ResetStatefulWorkloadSpecType, &body)
        .await
        .map(NcsReply::into_json)
        .unwrap();
    NCS.assert_shape("reset_spec_response.json", &reply);
}

/// A workload like the one the running-detail example shows, with an EIP.
async fn described_world() -> (World, Value) {
    let w = world();
    let (ns, _) = w.ncs.create_namespace(None, false).await.unwrap();
    let body = json!({
        "NamespaceId": ns.0, "Name": "sts0822test01", "SpecType": "ncs.n1.small1",
        "ContainerType": "Standard", "Placement": {"ZoneId": ["cn-east-1b"]},
        "VirtualPrivateCloud": {"VpcId": "95fac776-4a8d-41e2-9332-2c94fa88f035", "SubnetId": "e8edc80c-3de4-43ba-9cb8-8c9e8cce2db7"},
        "SecurityGroupIds": ["9b8fee1b-4c73-466e-8b8b-19c2f94260e4"],
        "Labels": {"00": "00", "a.a": "a.a"},
        "SysCmds": ["net.ipv4.tcp_keepalive_time=600"],
        "Containers": [{
            "Name": "container01", "Image": "10.185.8.133:5000/ncetest/cat:s20170301m1",
            "LogDirs": ["/log01/", "/log02/"], "Command": [], "Args": ["run"],
            "Envs": [{"Name": "aaa", "Value": "111"}],
            "ResourceRequirements": {"Limits": {"Cpu": "1000", "Memory": "1024", "Gpu": "0"}, "Requests": {"Cpu": "1000", "Memory": "1024", "Gpu": "0"}},
            "SecurityContext": {"Privilege": false, "Capabilities": ["NET_ADMIN"]},
            "SshKeyIds": [1353, 1359],
            "LivenessProbe": {"Exec": {"Command": ["ls", "-l"]}, "PeriodSeconds": 10, "TimeoutSeconds": 1},
            "ReadinessProbe": {"Exec": {"Command": ["ls", "-l"]}, "PeriodSeconds": 10, "timeoutSeconds": 1},
            "DataDisks": [{"DiskType": "CloudSsd", "DiskName": "b01ssd", "MountPath": "/disk01b/", "DiskSize": 10}],
            "Volumes": [{"VolumeType": "Emptydir", "Emptydirs": [{"Medium": "Memory", "MountPath": "/abc", "Mode": "rw"}]}]
        }]
    });
    let created = w
        .ncs
        .call(&OP, NcsAction::CreateStatefulWorkload, &body)
        .await
        .map(NcsReply::into_json)
        .unwrap();
    let id = created["StatefulWorkloadId"].clone();
    w.ncs.add_eip("eip-1", "203.0.113.7").await.unwrap();
    let params = json!({"NamespaceId": ns.0, "StatefulWorkloadId": id, "EipId": "eip-1"});
    w.ncs
        .call(&OP, NcsAction::AssociateEipOfStatefulWorkload, &params)
        .await
        .map(NcsReply::into_json)
        .unwrap();
    w.sim.advance(Duration::from_secs(60)).unwrap();
    (w, params)
}

/// `call` answers `DescribeStatefulWorkloadInfo` with the typed reply: the text is byte
/// for byte the typed method's, and it follows every change to the workload (its pods'
/// progress on the clock, its labels, its EIP).
#[tokio::test]
async fn a_describe_call_is_the_typed_reply_and_follows_every_change() {
    let (w, params) = described_world().await;
    let typed_params: wire::WorkloadParams = serde_json::from_value(params.clone()).unwrap();
    let ask = || async {
        let reply = w
            .ncs
            .call(&OP, NcsAction::DescribeStatefulWorkloadInfo, &params)
            .await
            .unwrap();
        let NcsReply::Info(answered) = &reply else {
            panic!("not an Info reply");
        };
        let mut text = Vec::new();
        reply.write_json(&mut text).unwrap();
        let mut typed = w.ncs.describe_info(&OP, &typed_params).await.unwrap();
        typed.RequestId = answered.RequestId.clone();
        assert_eq!(
            String::from_utf8(text.clone()).unwrap(),
            serde_json::to_string(&typed).unwrap()
        );
        serde_json::from_slice::<Value>(&text).unwrap()
    };
    let first = ask().await;
    let again = ask().await;
    assert_ne!(first["RequestId"], again["RequestId"]);
    assert_eq!(first["Labels"]["00"], "00");
    assert_eq!(first["EipId"], "eip-1");

    // A new workload's pod progresses on the clock alone (with delays, on a simulator
    // of its own).
    let slow = Arc::new(SimBackend::new(SimConfig {
        delays: Delays::REALISTIC,
        ..SimConfig::default()
    }));
    let ncs = NcsService::new(slow.clone(), NcsConfig::default());
    let (ns, _) = ncs.create_namespace(None, false).await.unwrap();
    let mut body = NCS.fixture("create_request.json");
    body["NamespaceId"] = json!(ns.0);
    let created = ncs
        .call(&OP, NcsAction::CreateStatefulWorkload, &body)
        .await
        .map(NcsReply::into_json)
        .unwrap();
    let fresh = json!({"NamespaceId": ns.0, "StatefulWorkloadId": created["StatefulWorkloadId"]});
    let status = || async {
        ncs.call(&OP, NcsAction::DescribeStatefulWorkloadInfo, &fresh)
            .await
            .map(NcsReply::into_json)
            .unwrap()["Status"]
            .clone()
    };
    assert_eq!(status().await, "Creating");
    slow.advance(Duration::from_secs(120)).unwrap();
    assert_eq!(status().await, "Running");

    // Labels and the EIP.
    w.ncs
        .call(
            &OP,
            NcsAction::ModifyStatefulWorkload,
            &json!({"NamespaceId": params["NamespaceId"], "StatefulWorkloadId": params["StatefulWorkloadId"],
                   "Labels": {"00": "changed"},
                   "Containers": [{"Name": "container01", "Image": "10.185.8.133:5000/ncetest/cat:s20170301m1",
                                   "LogDirs": ["/log01/", "/log02/"]}]}),
        )
        .await
        .unwrap();
    w.sim.advance(Duration::from_secs(120)).unwrap();
    assert_eq!(ask().await["Labels"]["00"], "changed");
    w.ncs
        .call(&OP, NcsAction::UnAssociateEipOfStatefulWorkload, &params)
        .await
        .unwrap();
    assert!(ask().await.get("EipId").is_none());
}

#[tokio::test]
async fn describe_replies_have_the_examples_shapes() {
    let (w, params) = described_world().await;
    let info = w
        .ncs
        .call(&OP, NcsAction::DescribeStatefulWorkloadInfo, &params)
        .await
        .map(NcsReply::into_json)
        .unwrap();
    NCS.assert_shape("describe_info_response.json", &info);
    NCS.assert_shape("describe_info_response_running.json", &info);
    assert_eq!(info["Status"], "Running");
    let keys: Vec<&String> = info["Labels"].as_object().unwrap().keys().collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "labels are sorted by key");

    let instances = w
        .ncs
        .call(&OP, NcsAction::DescribeStatefulWorkloadInstances, &params)
        .await
        .map(NcsReply::into_json)
        .unwrap();
    NCS.assert_shape("describe_instances_response.json", &instances);
    let images = w
        .ncs
        .call(&OP, NcsAction::DescribeStatefulWorkloadImages, &params)
        .await
        .map(NcsReply::into_json)
        .unwrap();
    NCS.assert_shape("describe_images_response.json", &images);
    let all = w
        .ncs
        .call(
            &OP,
            NcsAction::DescribeStatefulWorkloadsAllNamespaces,
            &json!({}),
        )
        .await
        .map(NcsReply::into_json)
        .unwrap();
    NCS.assert_shape("describe_all_namespaces_response.json", &all);
}

#[test]
fn every_ncs_fixture_is_covered() {
    let covered = [
        "create_request.json",
        "create_response.json",
        "describe_all_namespaces_response.json",
        "describe_images_response.json",
        "describe_info_response.json",
        "describe_info_response_running.json",
        "describe_instances_response.json",
        "modify_request.json",
        "modify_response.json",
        "reset_spec_request.json",
        "reset_spec_response.json",
    ];
    assert_eq!(
        NCS.files(),
        covered,
        "a fixture was added or removed: cover it here"
    );
}
