//! NCS scenarios: every Action, every documented error with a check that nothing
//! changed, ids, paging, tenant isolation, concurrency.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::sync::Arc;

use serde_json::{Value, json};

use super::Fixture;
use crate::dialects::DialectError;
use crate::dialects::ncs::wire::{CreateRequest, WorkloadParams};
use crate::dialects::ncs::{NcsAction, NcsCaller, NcsCode, NcsConfig, NcsError, NcsService};
use crate::model::NamespaceId;

/// A service over the fixture's backend with default settings.
pub fn service(fixture: &dyn Fixture) -> NcsService {
    NcsService::new(fixture.backend(), NcsConfig::default())
}

/// A namespace and the caller its token stands for.
pub async fn namespace(svc: &NcsService, privileged: bool) -> (NamespaceId, NcsCaller) {
    let (ns, token) = svc
        .create_namespace(None, privileged)
        .await
        .expect("create namespace");
    let caller = svc
        .authenticate(token.expose())
        .await
        .expect("authenticate");
    assert_eq!(caller, NcsCaller::Namespace { id: ns, privileged });
    (ns, caller)
}

/// A create request like the vendor's example, in namespace `ns`, named `name`.
pub fn create_body(ns: NamespaceId, name: &str) -> Value {
    json!({
        "Placement": {"ZoneId": ["cn-east-1a"]},
        "SpecType": "ncs.n1.medium2",
        "VirtualPrivateCloud": {"VpcId": "xfdjk309f9-fa0e-f9aj9j390-9e02", "SubnetId": "None"},
        "SecurityGroupIds": ["ad2d4e"],
        "Labels": {"test": "test"},
        "ContainerType": "Standard",
        "NamespaceId": ns.0,
        "Name": name,
        "SysCmds": ["net.ipv4.tcp_syncookies=1"],
        "Containers": [{
            "Name": "container",
            "Image": "nginx:stable",
            "LogDirs": ["/var/log/test/", "/var/log/hello/"],
            "Args": ["xxx", "xxx"],
            "Envs": [{"Name": "HOSTNAME", "Value": "test"}],
            "ResourceRequirements": {
                "Limits": {"Cpu": "1000", "Memory": "1024"},
                "Requests": {"Cpu": "1000", "Memory": "1024"}
            },
            "SecurityContext": {"Privilege": false, "Capabilities": ["SYS_ADMIN"]},
            "DataDisks": [{"DiskType": "CloudLocal", "DiskName": "localTest", "MountPath": "/mnt", "DiskSize": 20}],
            "SshKeyIds": [1, 2, 3],
            "Volumes": [{"VolumeType": "Emptydir", "Emptydirs": [{"Medium": "Memory", "MountPath": "/abc", "Mode": "rw"}]}]
        }]
    })
}

/// Runs an Action through the JSON entry point, as the HTTP adapter does.
pub async fn call(
    svc: &NcsService,
    caller: &NcsCaller,
    action: NcsAction,
    params: Value,
) -> Result<Value, NcsError> {
    svc.call(caller, action, &params)
        .await
        .map(crate::dialects::ncs::NcsReply::into_json)
}

/// Creates a workload from `body`, returning its id.
pub async fn create(svc: &NcsService, caller: &NcsCaller, body: Value) -> u64 {
    let reply = call(svc, caller, NcsAction::CreateStatefulWorkload, body)
        .await
        .expect("create");
    let id = reply["StatefulWorkloadId"].as_u64().expect("numeric id");
    assert!(id > 0);
    id
}

fn params(ns: NamespaceId, id: u64) -> Value {
    json!({"NamespaceId": ns.0, "StatefulWorkloadId": id})
}

/// `DescribeStatefulWorkloadInfo` as JSON.
pub async fn info(
    svc: &NcsService,
    caller: &NcsCaller,
    ns: NamespaceId,
    id: u64,
) -> Result<Value, NcsError> {
    call(
        svc,
        caller,
        NcsAction::DescribeStatefulWorkloadInfo,
        params(ns, id),
    )
    .await
}

fn strip_request_ids(mut v: Value) -> Value {
    match &mut v {
        Value::Object(map) => {
            map.remove("RequestId");
            for x in map.values_mut() {
                *x = strip_request_ids(x.take());
            }
        }
        Value::Array(items) => {
            for x in items.iter_mut() {
                *x = strip_request_ids(x.take());
            }
        }
        _ => {}
    }
    v
}

/// Everything a namespace holds, as the dialect shows it (request ids removed).
pub async fn snapshot(svc: &NcsService, ns: NamespaceId) -> Value {
    let op = NcsCaller::Operator;
    let list = call(
        svc,
        &op,
        NcsAction::DescribeStatefulWorkloads,
        json!({"NamespaceId": ns.0}),
    )
    .await
    .expect("list");
    let mut details = Vec::new();
    for w in list["StatefulWorkloads"].as_array().expect("array") {
        let id = w["StatefulWorkloadId"].as_u64().expect("id");
        details.push(info(svc, &op, ns, id).await.expect("info"));
        details.push(
            call(
                svc,
                &op,
                NcsAction::DescribeStatefulWorkloadInstances,
                params(ns, id),
            )
            .await
            .expect("instances"),
        );
    }
    strip_request_ids(json!({"list": list, "details": details}))
}

fn expect_code(result: Result<Value, NcsError>, code: NcsCode, context: &str) -> NcsError {
    match result {
        Ok(v) => panic!("{context}: expected {code:?}, got success {v}"),
        Err(e) => {
            assert_eq!(e.code, code, "{context}: {e}");
            e
        }
    }
}

/// `body` with the value at `pointer` set (a missing last key is added).
fn with(mut body: Value, pointer: &str, value: Value) -> Value {
    if let Some(slot) = body.pointer_mut(pointer) {
        *slot = value;
        return body;
    }
    let (path, key) = pointer.rsplit_once('/').unwrap();
    let parent = if path.is_empty() {
        &mut body
    } else {
        body.pointer_mut(path)
            .unwrap_or_else(|| panic!("no {path}"))
    };
    parent
        .as_object_mut()
        .unwrap_or_else(|| panic!("{path} is not an object"))
        .insert(key.to_owned(), value);
    body
}

fn without(mut body: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let parent = if parent.is_empty() {
        &mut body
    } else {
        body.pointer_mut(parent).unwrap()
    };
    match parent {
        Value::Object(map) => {
            map.remove(key).unwrap_or_else(|| panic!("no {pointer}"));
        }
        _ => panic!("{pointer} is not in an object"),
    }
    body
}

// ---- scenarios -------------------------------------------------------------------

pub async fn create_happy_path(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (ns, caller) = namespace(&svc, false).await;
    let id = create(&svc, &caller, create_body(ns, "web")).await;

    let before = info(&svc, &caller, ns, id).await.unwrap();
    assert_eq!(
        before["Status"], "Creating",
        "a fresh workload is Creating: {before}"
    );
    fixture.settle().await;
    let detail = info(&svc, &caller, ns, id).await.unwrap();
    assert_eq!(detail["Status"], "Running", "{detail}");
    assert_eq!(detail["StatefulWorkloadStatus"], "Running");
    assert_eq!(detail["StatefulWorkloadId"], id);
    assert_eq!(detail["NamespaceId"], ns.0);
    assert_eq!(detail["Name"], "web");
    assert_eq!(detail["SpecType"], "ncs.n1.medium2");
    assert_eq!(detail["PayType"], "PostPaid");
    assert_eq!(detail["ContainerType"], "Standard");
    assert_eq!(detail["Kind"], "statefulsets");
    assert_eq!(detail["Placement"]["ZoneId"], json!(["cn-east-1a"]));
    assert_eq!(detail["SysCmds"], json!(["net.ipv4.tcp_syncookies=1"]));
    assert_eq!(detail["SecurityGroupIds"], json!(["ad2d4e"]));
    assert_eq!(
        detail["VirtualPrivateCloud"]["VpcId"],
        "xfdjk309f9-fa0e-f9aj9j390-9e02"
    );
    assert_eq!(detail["OperationLocks"], json!([]));
    assert_eq!(detail["Labels"]["test"], "test");
    assert_eq!(detail["Labels"]["netease/tenantId"], ns.0.to_string());
    let created_at = detail["CreateAt"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(created_at).is_ok() && created_at.ends_with('Z'),
        "{created_at}"
    );
    let c = &detail["Containers"][0];
    assert_eq!(c["Name"], "container");
    assert_eq!(c["Image"], "nginx:stable");
    assert_eq!(c["LogDirs"], json!(["/var/log/test/", "/var/log/hello/"]));
    assert_eq!(c["Envs"], json!([{"Name": "HOSTNAME", "Value": "test"}]));
    assert_eq!(
        c["ResourceRequirements"]["Limits"],
        json!({"Cpu": "1000", "Memory": "1024", "Gpu": "0"})
    );
    assert_eq!(
        c["SecurityContext"],
        json!({"Privilege": false, "Capabilities": ["SYS_ADMIN"]})
    );
    assert_eq!(c["SshKeyIds"], json!([1, 2, 3]));
    assert_eq!(c["DataDisks"][0]["DiskName"], "localTest");
    assert_eq!(c["DataDisks"][0]["DiskSize"], 20);
    assert!(
        c["DataDisks"][0]["DiskId"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert!(uuid::Uuid::parse_str(c["DataDisks"][0]["DiskUuid"].as_str().unwrap()).is_ok());
    let dir = &c["Volumes"][0]["Emptydirs"][0];
    assert_eq!(dir["Name"], "emptydir-1", "a generated emptyDir name");
    assert_eq!(dir["MountPath"], "/abc");
    assert!(uuid::Uuid::parse_str(detail["RequestId"].as_str().unwrap()).is_ok());

    let list = call(
        &svc,
        &caller,
        NcsAction::DescribeStatefulWorkloads,
        json!({"NamespaceId": ns.0}),
    )
    .await
    .unwrap();
    assert_eq!(list["TotalCount"], 1);
    assert_eq!(list["StatefulWorkloads"][0]["StatefulWorkloadId"], id);
    assert_eq!(
        list["StatefulWorkloads"][0]["Images"],
        json!(["nginx:stable"])
    );
    assert_eq!(list["StatefulWorkloads"][0]["Status"], "Running");

    let images = call(
        &svc,
        &caller,
        NcsAction::DescribeStatefulWorkloadImages,
        params(ns, id),
    )
    .await
    .unwrap();
    assert_eq!(
        images["Containers"],
        json!([{"ContainerName": "container", "Image": "nginx:stable"}])
    );
    assert_eq!(images["NamespaceId"], ns.0);
    assert_eq!(images["StatefulWorkloadId"], id);

    let inst = call(
        &svc,
        &caller,
        NcsAction::DescribeStatefulWorkloadInstances,
        params(ns, id),
    )
    .await
    .unwrap();
    let pods = inst["Pods"].as_array().unwrap();
    assert_eq!(pods.len(), 1, "a stateful workload keeps one pod: {inst}");
    assert_eq!(pods[0]["Status"], "Running");
    assert!(pods[0]["PodId"].as_u64().unwrap() > 0);
    assert!(!pods[0]["Ip"].as_str().unwrap().is_empty());
    assert_eq!(
        pods[0]["ZoneId"],
        json!(["cn-east-1a"]),
        "placed in the asked zone"
    );
    let container = &pods[0]["Containers"][0];
    assert_eq!(container["Status"], "running");
    assert!(container["ContainerId"].as_u64().unwrap() > 0);
    assert!(!container["DockerContainerId"].as_str().unwrap().is_empty());
}

pub async fn create_missing_parameters(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (ns, caller) = namespace(&svc, false).await;
    let before = snapshot(&svc, ns).await;
    let base = create_body(ns, "web");
    for (pointer, field) in [
        ("/Placement", "Placement"),
        ("/ContainerType", "ContainerType"),
        ("/Containers", "Containers"),
        ("/VirtualPrivateCloud", "VirtualPrivateCloud"),
        ("/NamespaceId", "NamespaceId"),
        ("/Name", "Name"),
        ("/SpecType", "SpecType"),
        ("/Containers/0/Name", "Containers[0].Name"),
        ("/Containers/0/Image", "Containers[0].Image"),
        ("/Containers/0/Envs/0/Name", "Containers[0].Envs[0].Name"),
        ("/Containers/0/Envs/0/Value", "Containers[0].Envs[0].Value"),
        (
            "/Containers/0/Volumes/0/VolumeType",
            "Containers[0].Volumes[0].VolumeType",
        ),
        (
            "/Containers/0/Volumes/0/Emptydirs",
            "Containers[0].Volumes[0].Emptydirs",
        ),
        (
            "/Containers/0/Volumes/0/Emptydirs/0/MountPath",
            "Containers[0].Volumes[0].Emptydirs[0].MountPath",
        ),
        (
            "/Containers/0/DataDisks/0/DiskType",
            "Containers[0].DataDisks[0].DiskType",
        ),
        (
            "/Containers/0/DataDisks/0/DiskSize",
            "Containers[0].DataDisks[0].DiskSize",
        ),
    ] {
        let e = expect_code(
            call(
                &svc,
                &caller,
                NcsAction::CreateStatefulWorkload,
                without(base.clone(), pointer),
            )
            .await,
            NcsCode::MissingParameter,
            pointer,
        );
        assert!(
            e.message.contains(&format!("parameter {field} ")),
            "{pointer}: {}",
            e.message
        );
        assert_eq!(e.http_status(), 400);
    }
    // A secret env var needs SecretId and Key.
    let secret_env = with(
        base.clone(),
        "/Containers/0/Envs/0",
        json!({"Name": "PASSWORD", "Type": "Secret", "Key": "k"}),
    );
    expect_code(
        call(&svc, &caller, NcsAction::CreateStatefulWorkload, secret_env).await,
        NcsCode::MissingParameter,
        "secret env",
    );
    // PrePaid needs no SpecType.
    let prepaid = with(
        without(base.clone(), "/SpecType"),
        "/PayType",
        json!("PrePaid"),
    );
    assert_eq!(
        snapshot(&svc, ns).await,
        before,
        "a refused create changes nothing"
    );
    create(&svc, &caller, prepaid).await;
}

pub async fn create_invalid_values(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (ns, caller) = namespace(&svc, false).await;
    // The cluster settles first: a snapshot compares what calls changed.
    fixture.settle().await;
    let before = snapshot(&svc, ns).await;
    let base = create_body(ns, "web");
    let cases: Vec<(&str, Value)> = vec![
        (
            "bad workload name",
            with(base.clone(), "/Name", json!("Bad_Name")),
        ),
        (
            "long workload name",
            with(base.clone(), "/Name", json!("a".repeat(64))),
        ),
        (
            "container type",
            with(base.clone(), "/ContainerType", json!("Huge")),
        ),
        ("pay type", with(base.clone(), "/PayType", json!("Free"))),
        (
            "unknown spec type",
            with(base.clone(), "/SpecType", json!("ncs.x9.giant")),
        ),
        (
            "unknown zone",
            with(base.clone(), "/Placement/ZoneId", json!(["mars-1a"])),
        ),
        (
            "no containers",
            with(base.clone(), "/Containers", json!([])),
        ),
        (
            "container name digit first",
            with(base.clone(), "/Containers/0/Name", json!("1abc")),
        ),
        (
            "container name too long",
            with(base.clone(), "/Containers/0/Name", json!("a".repeat(25))),
        ),
        (
            "image with space",
            with(base.clone(), "/Containers/0/Image", json!("nginx stable")),
        ),
        (
            "limits exceed spec",
            with(
                base.clone(),
                "/Containers/0/ResourceRequirements/Limits/Cpu",
                json!("4000"),
            ),
        ),
        (
            "requests exceed limits",
            with(
                base.clone(),
                "/Containers/0/ResourceRequirements/Requests/Memory",
                json!(2048),
            ),
        ),
        (
            "negative cpu",
            with(
                base.clone(),
                "/Containers/0/ResourceRequirements/Limits/Cpu",
                json!(-1),
            ),
        ),
        (
            "cpu not a number",
            with(
                base.clone(),
                "/Containers/0/ResourceRequirements/Limits/Cpu",
                json!("lots"),
            ),
        ),
        (
            "namespace zero",
            with(base.clone(), "/NamespaceId", json!(0)),
        ),
        (
            "namespace text",
            with(base.clone(), "/NamespaceId", json!("abc")),
        ),
        (
            "sysctl format",
            with(base.clone(), "/SysCmds", json!(["xxx"])),
        ),
        (
            "log dir relative",
            with(base.clone(), "/Containers/0/LogDirs", json!(["var/log"])),
        ),
        (
            "volume type",
            with(
                base.clone(),
                "/Containers/0/Volumes/0/VolumeType",
                json!("HostPath"),
            ),
        ),
        (
            "mount mode",
            with(
                base.clone(),
                "/Containers/0/Volumes/0/Emptydirs/0/Mode",
                json!("rx"),
            ),
        ),
        (
            "mount path relative",
            with(
                base.clone(),
                "/Containers/0/Volumes/0/Emptydirs/0/MountPath",
                json!("abc"),
            ),
        ),
        (
            "medium",
            with(
                base.clone(),
                "/Containers/0/Volumes/0/Emptydirs/0/Medium",
                json!("Tape"),
            ),
        ),
        (
            "secret volume rw",
            with(
                base.clone(),
                "/Containers/0/Volumes/0",
                json!({"VolumeType": "Secret", "Secrets": [{"SecretId": 7, "MountPath": "/s", "Mode": "rw"}]}),
            ),
        ),
        (
            "disk type",
            with(
                base.clone(),
                "/Containers/0/DataDisks/0/DiskType",
                json!("Floppy"),
            ),
        ),
        (
            "disk size zero",
            with(base.clone(), "/Containers/0/DataDisks/0/DiskSize", json!(0)),
        ),
        (
            "env type",
            with(base.clone(), "/Containers/0/Envs/0/Type", json!("Plain")),
        ),
        (
            "env name",
            with(base.clone(), "/Containers/0/Envs/0/Name", json!("1X")),
        ),
        (
            "probe period",
            with(
                base.clone(),
                "/Containers/0/LivenessProbe",
                json!({"Exec": {"Command": ["ls"]}, "PeriodSeconds": 0}),
            ),
        ),
        (
            "ssh key id",
            with(base.clone(), "/Containers/0/SshKeyIds", json!([0])),
        ),
        (
            "system label",
            with(base.clone(), "/Labels", json!({"netease/tenantId": "x"})),
        ),
    ];
    for (what, body) in cases {
        expect_code(
            call(&svc, &caller, NcsAction::CreateStatefulWorkload, body).await,
            NcsCode::InvalidParameterValue,
            what,
        );
    }
    assert_eq!(
        snapshot(&svc, ns).await,
        before,
        "refused creates change nothing"
    );
}

pub async fn invalid_format(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (ns, caller) = namespace(&svc, false).await;
    let before = snapshot(&svc, ns).await;
    let base = create_body(ns, "web");
    for (what, body) in [
        (
            "containers not an array",
            with(base.clone(), "/Containers", json!("container")),
        ),
        (
            "namespace an object",
            with(base.clone(), "/NamespaceId", json!({"id": 1})),
        ),
        (
            "labels an array",
            with(base.clone(), "/Labels", json!(["a"])),
        ),
        (
            "privilege a string",
            with(
                base.clone(),
                "/Containers/0/SecurityContext/Privilege",
                json!("yes"),
            ),
        ),
        ("body not an object", json!([1, 2])),
    ] {
        let e = expect_code(
            call(&svc, &caller, NcsAction::CreateStatefulWorkload, body).await,
            NcsCode::InvalidFormat,
            what,
        );
        assert_eq!(e.http_status(), 400);
    }
    let e = expect_code(
        call(
            &svc,
            &caller,
            NcsAction::DescribeStatefulWorkloadInfo,
            json!({"NamespaceId": ns.0, "StatefulWorkloadId": [1]}),
        )
        .await,
        NcsCode::InvalidFormat,
        "id an array",
    );
    assert!(e.message.contains("StatefulWorkloadId"), "{}", e.message);
    assert_eq!(snapshot(&svc, ns).await, before);
}

pub async fn no_private(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (ns, caller) = namespace(&svc, false).await;
    let before = snapshot(&svc, ns).await;
    let base = create_body(ns, "web");
    let cases = [
        (
            "privileged",
            with(
                base.clone(),
                "/Containers/0/SecurityContext/Privilege",
                json!(true),
            ),
        ),
        (
            "capability",
            with(
                base.clone(),
                "/Containers/0/SecurityContext/Capabilities",
                json!(["SYS_PTRACE"]),
            ),
        ),
        (
            "sysctl",
            with(base.clone(), "/SysCmds", json!(["kernel.msgmax=65536"])),
        ),
    ];
    for (what, body) in &cases {
        expect_code(
            call(
                &svc,
                &caller,
                NcsAction::CreateStatefulWorkload,
                body.clone(),
            )
            .await,
            NcsCode::NoPrivate,
            what,
        );
    }
    assert_eq!(snapshot(&svc, ns).await, before);
    // A namespace allowed privileged settings may use them.
    let (pns, pcaller) = namespace(&svc, true).await;
    for (i, (_, body)) in cases.into_iter().enumerate() {
        let body = with(
            with(body, "/NamespaceId", json!(pns.0)),
            "/Name",
            json!(format!("web-{i}")),
        );
        create(&svc, &pcaller, body).await;
    }
}

pub async fn duplicate_names(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (ns, caller) = namespace(&svc, false).await;
    create(&svc, &caller, create_body(ns, "web")).await;
    // The cluster settles first: a snapshot compares what calls changed.
    fixture.settle().await;
    let before = snapshot(&svc, ns).await;
    expect_code(
        call(
            &svc,
            &caller,
            NcsAction::CreateStatefulWorkload,
            create_body(ns, "web"),
        )
        .await,
        NcsCode::DuplicateNameError,
        "same workload name",
    );
    let mut two = create_body(ns, "two");
    let c = two["Containers"][0].clone();
    two["Containers"] = json!([c.clone(), c]);
    two["SpecType"] = json!("ncs.n1.medium8");
    expect_code(
        call(&svc, &caller, NcsAction::CreateStatefulWorkload, two).await,
        NcsCode::DuplicateNameError,
        "same container name",
    );
    let dirs = with(
        create_body(ns, "dirs"),
        "/Containers/0/Volumes/0/Emptydirs",
        json!([{"Name": "d", "MountPath": "/a"}, {"Name": "d", "MountPath": "/b"}]),
    );
    expect_code(
        call(&svc, &caller, NcsAction::CreateStatefulWorkload, dirs).await,
        NcsCode::DuplicateNameError,
        "same emptyDir name",
    );
    assert_eq!(snapshot(&svc, ns).await, before);
    // The same name in another namespace is fine.
    let (other, other_caller) = namespace(&svc, false).await;
    create(&svc, &other_caller, create_body(other, "web")).await;
}

pub async fn modify_full_replace(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (ns, caller) = namespace(&svc, false).await;
    let id = create(&svc, &caller, create_body(ns, "web")).await;
    fixture.settle().await;
    let before = info(&svc, &caller, ns, id).await.unwrap();
    let body = json!({
        "NamespaceId": ns.0, "StatefulWorkloadId": id,
        "Containers": [{
            "Name": "container", "Image": "nginx:latest",
            "LogDirs": ["/home/logs/", "/home/more/"],
            "ResourceRequirements": {"Limits": {"Cpu": 500, "Memory": 512}},
            "Envs": [{"Name": "MODE", "Value": "new"}]
        }]
    });
    call(&svc, &caller, NcsAction::ModifyStatefulWorkload, body)
        .await
        .unwrap();
    let during = info(&svc, &caller, ns, id).await.unwrap();
    assert_eq!(during["Status"], "Updating", "{during}");
    fixture.settle().await;
    let after = info(&svc, &caller, ns, id).await.unwrap();
    assert_eq!(after["Status"], "Running");
    let c = &after["Containers"][0];
    assert_eq!(c["Image"], "nginx:latest");
    assert_eq!(c["Envs"], json!([{"Name": "MODE", "Value": "new"}]));
    assert_eq!(c["Args"], json!([]), "omitted fields are cleared");
    assert_eq!(c["Volumes"], json!([]));
    assert_eq!(
        c["ResourceRequirements"]["Requests"]["Cpu"], "500",
        "requests default to limits"
    );
    assert_eq!(after["SysCmds"], json!([]));
    assert_eq!(
        after["Labels"].as_object().unwrap().len(),
        1,
        "only the system label is left: {}",
        after["Labels"]
    );
    assert_eq!(
        c["DataDisks"], before["Containers"][0]["DataDisks"],
        "data disks stay"
    );
    assert_eq!(after["CreateAt"], before["CreateAt"]);
    let images = call(
        &svc,
        &caller,
        NcsAction::DescribeStatefulWorkloadImages,
        params(ns, id),
    )
    .await
    .unwrap();
    assert_eq!(images["Containers"][0]["Image"], "nginx:latest");
}

pub async fn modify_errors(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (ns, caller) = namespace(&svc, false).await;
    let id = create(&svc, &caller, create_body(ns, "web")).await;
    fixture.settle().await;
    let before = snapshot(&svc, ns).await;
    let container =
        json!({"Name": "container", "Image": "nginx:latest", "LogDirs": ["/a/", "/b/"]});
    let body = |containers: Value| json!({"NamespaceId": ns.0, "StatefulWorkloadId": id, "Containers": containers});
    let renamed = json!([{"Name": "renamed", "Image": "nginx:latest", "LogDirs": ["/a/", "/b/"]}]);
    for (what, containers) in [
        (
            "added",
            json!([container.clone(), {"Name": "extra", "Image": "nginx:latest"}]),
        ),
        ("removed", json!([])),
        ("renamed", renamed),
    ] {
        expect_code(
            call(
                &svc,
                &caller,
                NcsAction::ModifyStatefulWorkload,
                body(containers),
            )
            .await,
            NcsCode::ContainerNumNotMatch,
            what,
        );
    }
    let fewer_logs = json!([{"Name": "container", "Image": "nginx:latest", "LogDirs": ["/a/"]}]);
    expect_code(
        call(
            &svc,
            &caller,
            NcsAction::ModifyStatefulWorkload,
            body(fewer_logs),
        )
        .await,
        NcsCode::InvalidParameterValue,
        "log dirs",
    );
    expect_code(
        call(
            &svc,
            &caller,
            NcsAction::ModifyStatefulWorkload,
            json!({"NamespaceId": ns.0, "StatefulWorkloadId": id}),
        )
        .await,
        NcsCode::MissingParameter,
        "no containers",
    );
    expect_code(
        call(&svc, &caller, NcsAction::ModifyStatefulWorkload, json!({"NamespaceId": ns.0, "StatefulWorkloadId": id + 1_000_000, "Containers": [container]})).await,
        NcsCode::ResourceNotFound,
        "unknown workload",
    );
    assert_eq!(
        snapshot(&svc, ns).await,
        before,
        "refused modifies change nothing"
    );
}

pub async fn reset_spec_type(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (ns, caller) = namespace(&svc, false).await;
    let id = create(&svc, &caller, create_body(ns, "web")).await;
    fixture.settle().await;
    let body = |spec: &str, cpu: &str, mem: &str| {
        json!({
            "NamespaceId": ns.0, "StatefulWorkloadId": id, "SpecType": spec,
            "Containers": [{"Name": "container", "ResourceRequirements": {
                "Limits": {"Cpu": cpu, "Memory": mem}, "Requests": {"Cpu": cpu, "Memory": mem}}}]
        })
    };
    let before = snapshot(&svc, ns).await;
    for (spec, cpu, mem, code, what) in [
        (
            "ncs.n1.medium2",
            "1000",
            "1024",
            NcsCode::NothingToUpdate,
            "same spec",
        ),
        (
            "ncs.n9.none",
            "1000",
            "1024",
            NcsCode::InvalidParameterValue,
            "unknown spec",
        ),
        (
            "ncs.n1.small1",
            "2000",
            "4096",
            NcsCode::InvalidParameterValue,
            "exceeds spec",
        ),
    ] {
        expect_code(
            call(
                &svc,
                &caller,
                NcsAction::ResetStatefulWorkloadSpecType,
                body(spec, cpu, mem),
            )
            .await,
            code,
            what,
        );
    }
    expect_code(
        call(
            &svc,
            &caller,
            NcsAction::ResetStatefulWorkloadSpecType,
            body("ncs.n1.medium8", "2000", "4096")
                .as_object()
                .map(|o| {
                    let mut o = o.clone();
                    o.remove("SpecType");
                    Value::Object(o)
                })
                .unwrap(),
        )
        .await,
        NcsCode::MissingParameter,
        "no spec type",
    );
    let mut unknown_container = body("ncs.n1.medium8", "2000", "4096");
    unknown_container["Containers"][0]["Name"] = json!("ghost");
    expect_code(
        call(
            &svc,
            &caller,
            NcsAction::ResetStatefulWorkloadSpecType,
            unknown_container,
        )
        .await,
        NcsCode::InvalidParameterValue,
        "unknown container",
    );
    let mut no_requests = body("ncs.n1.medium8", "2000", "4096");
    no_requests["Containers"][0]["ResourceRequirements"]
        .as_object_mut()
        .unwrap()
        .remove("Requests");
    expect_code(
        call(
            &svc,
            &caller,
            NcsAction::ResetStatefulWorkloadSpecType,
            no_requests,
        )
        .await,
        NcsCode::MissingParameter,
        "no requests",
    );
    assert_eq!(
        snapshot(&svc, ns).await,
        before,
        "refused resets change nothing"
    );

    call(
        &svc,
        &caller,
        NcsAction::ResetStatefulWorkloadSpecType,
        body("ncs.n1.medium8", "2000", "4096"),
    )
    .await
    .unwrap();
    fixture.settle().await;
    let after = info(&svc, &caller, ns, id).await.unwrap();
    assert_eq!(after["SpecType"], "ncs.n1.medium8");
    assert_eq!(
        after["Containers"][0]["ResourceRequirements"]["Limits"],
        json!({"Cpu": "2000", "Memory": "4096", "Gpu": "0"})
    );
    assert_eq!(after["Status"], "Running", "{after}");
}

pub async fn delete(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (ns, caller) = namespace(&svc, false).await;
    let id = create(&svc, &caller, create_body(ns, "web")).await;
    let before = snapshot(&svc, ns).await;
    expect_code(
        call(
            &svc,
            &caller,
            NcsAction::DeleteStatefulWorkload,
            params(ns, id),
        )
        .await,
        NcsCode::IncorrectState,
        "delete while Creating",
    );
    if fixture.holds_transient_states() {
        assert_eq!(snapshot(&svc, ns).await, before);
    } else {
        // The pods move on by themselves meanwhile; the workload is still there.
        assert_eq!(info(&svc, &caller, ns, id).await.unwrap()["Name"], "web");
    }
    fixture.settle().await;
    call(
        &svc,
        &caller,
        NcsAction::DeleteStatefulWorkload,
        params(ns, id),
    )
    .await
    .unwrap();
    expect_code(
        info(&svc, &caller, ns, id).await,
        NcsCode::ResourceNotFound,
        "describe after delete",
    );
    expect_code(
        call(
            &svc,
            &caller,
            NcsAction::DeleteStatefulWorkload,
            params(ns, id),
        )
        .await,
        NcsCode::ResourceNotFound,
        "delete twice",
    );
    let list = call(
        &svc,
        &caller,
        NcsAction::DescribeStatefulWorkloads,
        json!({"NamespaceId": ns.0}),
    )
    .await
    .unwrap();
    assert_eq!(list["TotalCount"], 0);
    // The name is free again; the id is not reused.
    let again = create(&svc, &caller, create_body(ns, "web")).await;
    assert!(again > id);
    // Updating also refuses deletion.
    fixture.settle().await;
    call(
        &svc,
        &caller,
        NcsAction::RedeployStatefulWorkload,
        params(ns, again),
    )
    .await
    .unwrap();
    expect_code(
        call(
            &svc,
            &caller,
            NcsAction::DeleteStatefulWorkload,
            params(ns, again),
        )
        .await,
        NcsCode::IncorrectState,
        "delete while Updating",
    );
}

async fn pod_of(svc: &NcsService, caller: &NcsCaller, ns: NamespaceId, id: u64) -> Value {
    let inst = call(
        svc,
        caller,
        NcsAction::DescribeStatefulWorkloadInstances,
        params(ns, id),
    )
    .await
    .unwrap();
    let pods = inst["Pods"].as_array().unwrap();
    assert_eq!(pods.len(), 1, "{inst}");
    pods[0].clone()
}

pub async fn redeploy_and_restart_instance(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (ns, caller) = namespace(&svc, false).await;
    let id = create(&svc, &caller, create_body(ns, "web")).await;
    fixture.settle().await;
    let first = pod_of(&svc, &caller, ns, id).await;
    for action in [
        NcsAction::RedeployStatefulWorkload,
        NcsAction::RestartStatefulWorkloadInstance,
    ] {
        let old = pod_of(&svc, &caller, ns, id).await;
        call(&svc, &caller, action, params(ns, id)).await.unwrap();
        assert_eq!(
            info(&svc, &caller, ns, id).await.unwrap()["Status"],
            "Updating",
            "{action:?}"
        );
        fixture.settle().await;
        let new = pod_of(&svc, &caller, ns, id).await;
        assert!(
            new["PodId"].as_u64() > old["PodId"].as_u64(),
            "{action:?} makes a new pod"
        );
        assert_ne!(
            new["Containers"][0]["ContainerId"],
            old["Containers"][0]["ContainerId"]
        );
        assert_eq!(new["Status"], "Running");
        assert_eq!(
            info(&svc, &caller, ns, id).await.unwrap()["Status"],
            "Running"
        );
    }
    assert_eq!(
        pod_of(&svc, &caller, ns, id).await["PodName"],
        first["PodName"],
        "a stateful pod keeps its name"
    );
    expect_code(
        call(
            &svc,
            &caller,
            NcsAction::RedeployStatefulWorkload,
            params(ns, id + 1_000_000),
        )
        .await,
        NcsCode::ResourceNotFound,
        "unknown",
    );
}

pub async fn restart_container(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (ns, caller) = namespace(&svc, false).await;
    let id = create(&svc, &caller, create_body(ns, "web")).await;
    fixture.settle().await;
    let before = pod_of(&svc, &caller, ns, id).await;
    let docker_id = before["Containers"][0]["DockerContainerId"]
        .as_str()
        .unwrap()
        .to_owned();
    let with_container =
        |c: &str| json!({"NamespaceId": ns.0, "StatefulWorkloadId": id, "ContainerId": c});
    expect_code(
        call(&svc, &caller, NcsAction::RestartContainer, params(ns, id)).await,
        NcsCode::MissingParameter,
        "no container",
    );
    expect_code(
        call(
            &svc,
            &caller,
            NcsAction::RestartContainer,
            with_container("154h9fjnhgorahg9e4qeho9th49f38994fh9fh93r"),
        )
        .await,
        NcsCode::ResourceNotFound,
        "unknown container",
    );
    if !fixture.backend().capabilities().restart_container {
        expect_code(
            call(
                &svc,
                &caller,
                NcsAction::RestartContainer,
                with_container(&docker_id),
            )
            .await,
            NcsCode::UnsupportedOperation,
            "unsupported",
        );
        return;
    }
    call(
        &svc,
        &caller,
        NcsAction::RestartContainer,
        with_container(&docker_id),
    )
    .await
    .unwrap();
    fixture.settle().await;
    let after = pod_of(&svc, &caller, ns, id).await;
    assert_eq!(
        after["PodId"], before["PodId"],
        "restarting a container keeps the pod"
    );
    assert_eq!(
        after["Containers"][0]["DockerContainerId"],
        docker_id.as_str()
    );
    assert_eq!(after["Containers"][0]["Status"], "running");
    let pods = fixture
        .backend()
        .list_pods(
            &crate::model::PodQuery::Workload(
                crate::model::TenantKey::Namespace(ns),
                crate::model::WorkloadId(id),
            ),
            crate::model::PageRequest::ALL,
        )
        .await
        .unwrap();
    assert_eq!(
        pods.items[0].containers[0].restart_count, 1,
        "restartCount + 1"
    );
}

pub async fn eips(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (ns, caller) = namespace(&svc, false).await;
    let a = create(&svc, &caller, create_body(ns, "a")).await;
    let b = create(&svc, &caller, create_body(ns, "b")).await;
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let (e1, e2) = (format!("eip-1-{suffix}"), format!("eip-2-{suffix}"));
    svc.add_eip(&e1, "203.0.113.7").await.unwrap();
    svc.add_eip(&e2, "203.0.113.8").await.unwrap();
    assert!(
        svc.add_eip(&e1, "203.0.113.9").await.is_err(),
        "EIP ids are unique"
    );
    assert!(svc.add_eip("eip-bad", "not-an-ip").await.is_err());
    let eip = |id: u64, e: &str| json!({"NamespaceId": ns.0, "StatefulWorkloadId": id, "EipId": e});

    call(
        &svc,
        &caller,
        NcsAction::AssociateEipOfStatefulWorkload,
        eip(a, &e1),
    )
    .await
    .unwrap();
    assert_eq!(
        info(&svc, &caller, ns, a).await.unwrap()["EipId"],
        e1.as_str()
    );
    // The cluster settles first: a snapshot compares what calls changed.
    fixture.settle().await;
    let before = snapshot(&svc, ns).await;
    expect_code(
        call(
            &svc,
            &caller,
            NcsAction::AssociateEipOfStatefulWorkload,
            eip(a, "eip-unknown"),
        )
        .await,
        NcsCode::InvalidParameterValue,
        "unknown EIP",
    );
    expect_code(
        call(
            &svc,
            &caller,
            NcsAction::AssociateEipOfStatefulWorkload,
            eip(b, &e1),
        )
        .await,
        NcsCode::IncorrectState,
        "held by another",
    );
    expect_code(
        call(
            &svc,
            &caller,
            NcsAction::AssociateEipOfStatefulWorkload,
            eip(a, &e2),
        )
        .await,
        NcsCode::IncorrectState,
        "second EIP",
    );
    expect_code(
        call(
            &svc,
            &caller,
            NcsAction::UnAssociateEipOfStatefulWorkload,
            eip(b, &e1),
        )
        .await,
        NcsCode::IncorrectState,
        "not associated",
    );
    expect_code(
        call(
            &svc,
            &caller,
            NcsAction::UnAssociateEipOfStatefulWorkload,
            eip(b, "eip-unknown"),
        )
        .await,
        NcsCode::InvalidParameterValue,
        "unknown EIP",
    );
    expect_code(
        call(
            &svc,
            &caller,
            NcsAction::AssociateEipOfStatefulWorkload,
            params(ns, a),
        )
        .await,
        NcsCode::MissingParameter,
        "no EipId",
    );
    assert_eq!(
        snapshot(&svc, ns).await,
        before,
        "refused EIP calls change nothing"
    );

    call(
        &svc,
        &caller,
        NcsAction::UnAssociateEipOfStatefulWorkload,
        eip(a, &e1),
    )
    .await
    .unwrap();
    assert!(
        info(&svc, &caller, ns, a)
            .await
            .unwrap()
            .get("EipId")
            .is_none()
    );
    call(
        &svc,
        &caller,
        NcsAction::AssociateEipOfStatefulWorkload,
        eip(b, &e1),
    )
    .await
    .unwrap();
    // Deleting the holder frees the EIP.
    fixture.settle().await;
    call(
        &svc,
        &caller,
        NcsAction::DeleteStatefulWorkload,
        params(ns, b),
    )
    .await
    .unwrap();
    call(
        &svc,
        &caller,
        NcsAction::AssociateEipOfStatefulWorkload,
        eip(a, &e1),
    )
    .await
    .unwrap();
    let listed = svc.backend().list_eips().await.unwrap();
    let held = listed.iter().find(|x| x.id == e1).unwrap();
    assert_eq!(held.holder.as_ref().map(|h| h.1.0), Some(a));
}

pub async fn ids_never_reused(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (ns, caller) = namespace(&svc, false).await;
    let mut seen = std::collections::BTreeSet::new();
    let mut last = 0;
    for i in 0..5 {
        let id = create(&svc, &caller, create_body(ns, &format!("w{i}"))).await;
        assert!(id > last, "ids grow");
        assert!(seen.insert(id));
        last = id;
    }
    fixture.settle().await;
    for id in seen.clone() {
        call(
            &svc,
            &caller,
            NcsAction::DeleteStatefulWorkload,
            params(ns, id),
        )
        .await
        .unwrap();
    }
    for i in 0..5 {
        let id = create(&svc, &caller, create_body(ns, &format!("w{i}"))).await;
        assert!(seen.insert(id), "id {id} reused");
    }
    let (ns2, _) = namespace(&svc, false).await;
    assert_ne!(ns, ns2);
    assert!(ns2.0 > 0);
}

pub async fn paging_edges(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (ns, caller) = namespace(&svc, false).await;
    let mut ids = Vec::new();
    for i in 0..25 {
        ids.push(create(&svc, &caller, create_body(ns, &format!("w{i:02}"))).await);
    }
    let page = |p: Value| {
        let svc = svc.clone();
        async move {
            call(
                &svc,
                &caller,
                NcsAction::DescribeStatefulWorkloadsAllNamespaces,
                p,
            )
            .await
        }
    };
    let ids_of = |v: &Value| {
        v["StatefulWorkloads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["StatefulWorkloadId"].as_u64().unwrap())
            .collect::<Vec<_>>()
    };
    let default = page(json!({})).await.unwrap();
    assert_eq!(default["TotalCount"], 25);
    assert_eq!(
        ids_of(&default),
        ids[..20],
        "default Limit 20, Offset 0, by id"
    );
    let second = page(json!({"Limit": 10, "Offset": 20})).await.unwrap();
    assert_eq!(ids_of(&second), ids[20..]);
    let strings = page(json!({"Limit": "2", "Offset": "1"})).await.unwrap();
    assert_eq!(ids_of(&strings), ids[1..3], "query-string numbers");
    let past = page(json!({"Offset": 25})).await.unwrap();
    assert_eq!(past["TotalCount"], 25);
    assert_eq!(ids_of(&past), Vec::<u64>::new());
    let huge = page(json!({"Offset": i64::MAX.to_string(), "Limit": i64::MAX.to_string()}))
        .await
        .unwrap();
    assert_eq!(ids_of(&huge), Vec::<u64>::new(), "no overflow");
    let all = page(json!({"Limit": 1000})).await.unwrap();
    assert_eq!(ids_of(&all), ids);
    for bad in [
        json!({"Limit": 0}),
        json!({"Limit": -1}),
        json!({"Offset": u64::MAX.to_string()}),
        json!({"Limit": "x"}),
        json!({"Offset": -1}),
        json!({"Offset": "1.5"}),
    ] {
        expect_code(
            page(bad.clone()).await,
            NcsCode::InvalidParameterValue,
            &bad.to_string(),
        );
    }
}

pub async fn tenant_isolation(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (ns_a, a) = namespace(&svc, false).await;
    let (ns_b, b) = namespace(&svc, false).await;
    let wa = create(&svc, &a, create_body(ns_a, "mine")).await;
    let wb = create(&svc, &b, create_body(ns_b, "theirs")).await;
    // The cluster settles first: a snapshot compares what calls changed.
    fixture.settle().await;
    let before = snapshot(&svc, ns_b).await;
    let unknown_ns = NamespaceId(ns_a.0.max(ns_b.0) + 1_000_000);
    let unknown_wl = wa.max(wb) + 1_000_000;

    // A foreign namespace answers exactly like an unknown one.
    for action in [
        NcsAction::DescribeStatefulWorkloadInfo,
        NcsAction::DeleteStatefulWorkload,
        NcsAction::RedeployStatefulWorkload,
        NcsAction::DescribeStatefulWorkloadInstances,
    ] {
        let foreign = call(&svc, &a, action, params(ns_b, wb)).await.unwrap_err();
        let unknown = call(&svc, &a, action, params(unknown_ns, wb))
            .await
            .unwrap_err();
        assert_eq!(foreign.code, unknown.code, "{action:?}");
        assert_eq!(
            foreign.message.replace(&ns_b.0.to_string(), "N"),
            unknown.message.replace(&unknown_ns.0.to_string(), "N"),
            "{action:?}"
        );
    }
    let foreign = call(
        &svc,
        &a,
        NcsAction::DescribeStatefulWorkloads,
        json!({"NamespaceId": ns_b.0}),
    )
    .await
    .unwrap_err();
    assert_eq!(foreign.code, NcsCode::ResourceNotFound);
    let foreign_create = call(
        &svc,
        &a,
        NcsAction::CreateStatefulWorkload,
        create_body(ns_b, "intruder"),
    )
    .await
    .unwrap_err();
    assert_eq!(foreign_create.code, NcsCode::ResourceNotFound);
    // A foreign workload id in one's own namespace answers like an unknown id.
    let foreign = call(
        &svc,
        &a,
        NcsAction::DescribeStatefulWorkloadInfo,
        params(ns_a, wb),
    )
    .await
    .unwrap_err();
    let unknown = call(
        &svc,
        &a,
        NcsAction::DescribeStatefulWorkloadInfo,
        params(ns_a, unknown_wl),
    )
    .await
    .unwrap_err();
    assert_eq!(foreign.code, NcsCode::ResourceNotFound);
    assert_eq!(
        foreign.message.replace(&wb.to_string(), "N"),
        unknown.message.replace(&unknown_wl.to_string(), "N")
    );
    // The operator reaches every namespace. An unknown one is what an error names,
    // whatever else is wrong; in a known one, an unknown workload is.
    let op = NcsCaller::Operator;
    let describe = |params: Value| call(&svc, &op, NcsAction::DescribeStatefulWorkloadInfo, params);
    let missing_ns = format!("The specified namespace {} does not exist.", unknown_ns.0);
    for bad in [
        params(unknown_ns, wa),
        json!({"NamespaceId": unknown_ns.0}),
        json!({"NamespaceId": unknown_ns.0, "StatefulWorkloadId": "x"}),
    ] {
        let e = describe(bad.clone()).await.unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (NcsCode::ResourceNotFound, missing_ns.as_str()),
            "{bad}"
        );
    }
    let e = describe(params(ns_a, unknown_wl)).await.unwrap_err();
    assert_eq!(
        e.message,
        format!("The specified StatefulWorkload {unknown_wl} does not exist.")
    );
    let e = describe(json!({"NamespaceId": ns_a.0})).await.unwrap_err();
    assert_eq!(e.code, NcsCode::MissingParameter);
    let found = describe(params(ns_a, wa)).await.unwrap();
    assert_eq!(found["StatefulWorkloadId"], json!(wa));
    // Listing all namespaces shows only one's own.
    let all = call(
        &svc,
        &a,
        NcsAction::DescribeStatefulWorkloadsAllNamespaces,
        json!({"Limit": 1000}),
    )
    .await
    .unwrap();
    assert_eq!(all["TotalCount"], 1);
    assert_eq!(all["StatefulWorkloads"][0]["StatefulWorkloadId"], wa);
    assert_eq!(snapshot(&svc, ns_b).await, before, "nothing of B changed");
}

pub async fn concurrent_creates(fixture: &dyn Fixture) {
    let svc = Arc::new(service(fixture));
    let (ns, caller) = namespace(&svc, false).await;
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let svc = svc.clone();
        tasks.push(tokio::spawn(async move {
            svc.call(
                &caller,
                NcsAction::CreateStatefulWorkload,
                &create_body(ns, "race"),
            )
            .await
        }));
    }
    let mut won = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => won += 1,
            Err(e) => assert_eq!(e.code, NcsCode::DuplicateNameError, "{e}"),
        }
    }
    assert_eq!(won, 1, "exactly one create wins");
    let list = call(
        &svc,
        &caller,
        NcsAction::DescribeStatefulWorkloads,
        json!({"NamespaceId": ns.0}),
    )
    .await
    .unwrap();
    assert_eq!(list["TotalCount"], 1);
}

pub async fn authentication(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (_ns, _caller) = namespace(&svc, false).await;
    for bad in ["", "not-a-token", &"0".repeat(64)] {
        let e = svc.authenticate(bad).await.unwrap_err();
        assert_eq!(e.code, NcsCode::AuthFailure);
        assert_eq!(e.http_status(), 401);
    }
}

pub async fn image_pull_failure(fixture: &dyn Fixture) {
    let svc = service(fixture);
    let (ns, caller) = namespace(&svc, false).await;
    let body = with(
        create_body(ns, "broken"),
        "/Containers/0/Image",
        json!(fixture.missing_image()),
    );
    let id = create(&svc, &caller, body).await;
    fixture.settle().await;
    let detail = info(&svc, &caller, ns, id).await.unwrap();
    assert_eq!(detail["Status"], "CreateFail", "{detail}");
    assert_eq!(detail["StatefulWorkloadStatus"], "Pending");
    let pod = pod_of(&svc, &caller, ns, id).await;
    assert_eq!(pod["Containers"][0]["Status"], "waiting");
    // A fix recovers it: the pod stuck pulling is replaced by one of the new image.
    let fixed = json!({
        "NamespaceId": ns.0, "StatefulWorkloadId": id,
        "Containers": [{
            "Name": "container", "Image": "nginx:stable",
            "LogDirs": ["/var/log/test/", "/var/log/hello/"],
            "ResourceRequirements": {"Limits": {"Cpu": 1000, "Memory": 1024}}
        }]
    });
    call(&svc, &caller, NcsAction::ModifyStatefulWorkload, fixed)
        .await
        .unwrap();
    fixture.settle().await;
    let detail = info(&svc, &caller, ns, id).await.unwrap();
    assert_eq!(detail["Status"], "Running", "recovered: {detail}");
    // A failed workload can be deleted.
    call(
        &svc,
        &caller,
        NcsAction::DeleteStatefulWorkload,
        params(ns, id),
    )
    .await
    .unwrap();
}

pub async fn version_and_action(_fixture: &dyn Fixture) {
    assert_eq!(
        NcsService::check_version(None).unwrap_err().code,
        NcsCode::MissingParameter
    );
    assert_eq!(
        NcsService::check_version(Some("2020-01-01"))
            .unwrap_err()
            .code,
        NcsCode::InvalidParameterValue
    );
    assert!(NcsService::check_version(Some("2017-11-16")).is_ok());
    assert_eq!(
        NcsService::action(None).unwrap_err().code,
        NcsCode::MissingParameter
    );
    let unknown = NcsService::action(Some("DropAllTables")).unwrap_err();
    assert_eq!(unknown.code, NcsCode::InvalidParameterValue);
    assert_eq!(unknown.http_status(), 400);
    for action in NcsAction::ALL {
        assert_eq!(NcsService::action(Some(action.name())).unwrap(), action);
    }
    let _: CreateRequest = serde_json::from_value(create_body(NamespaceId(1), "x")).unwrap();
    let _ = WorkloadParams::default();
}
