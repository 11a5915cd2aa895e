//! A tour of the NCS dialect on the simulator: provisioning, every Action, the pod
//! lifecycle on the simulated clock, and a fault. Prints each call and its reply.
//!
//! Run it with `cargo run --release --example ncs_tour`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;
use std::time::Duration;

use podgate::core::dialects::DialectError;
use podgate::core::dialects::ncs::{NcsAction, NcsCaller, NcsConfig, NcsReply, NcsService};
use podgate::sim::{ClockMode, Delays, SimBackend, SimConfig};
use serde_json::{Value, json};

async fn step(ncs: &NcsService, caller: &NcsCaller, action: NcsAction, params: Value) -> Value {
    println!("\n>>> {} {}", action.name(), params);
    match ncs
        .call(caller, action, &params)
        .await
        .map(NcsReply::into_json)
    {
        Ok(reply) => {
            println!("<<< {}", serde_json::to_string_pretty(&reply).unwrap());
            reply
        }
        Err(e) => {
            let body = e.reply();
            println!(
                "<<< HTTP {} {}",
                e.http_status(),
                serde_json::to_string(&body).unwrap()
            );
            Value::Null
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), podgate::core::Error> {
    let sim = Arc::new(SimBackend::new(SimConfig {
        delays: Delays::REALISTIC,
        clock: ClockMode::Wall,
        ..SimConfig::default()
    }));
    let ncs = NcsService::new(sim.clone(), NcsConfig::default());

    println!("== provisioning: a namespace with its token, and an EIP");
    let (ns, token) = ncs.create_namespace(None, false).await.unwrap();
    println!(
        "namespace {ns} (token shown once, stored hashed: {}...)",
        &token.expose()[..8]
    );
    ncs.add_eip("eip-demo", "203.0.113.7").await.unwrap();
    let caller = ncs.authenticate(token.expose()).await.unwrap();

    println!("\n== create, and watch the pod come up on the simulated clock");
    let created = step(&ncs, &caller, NcsAction::CreateStatefulWorkload, json!({
        "NamespaceId": ns.0, "Name": "web", "SpecType": "ncs.n1.medium2", "ContainerType": "Standard",
        "Placement": {"ZoneId": ["cn-east-1a"]}, "VirtualPrivateCloud": {"VpcId": "vpc-demo", "SubnetId": "None"},
        "Labels": {"app": "web"}, "SysCmds": ["net.ipv4.tcp_syncookies=1"],
        "Containers": [{
            "Name": "nginx", "Image": "nginx:stable", "LogDirs": ["/var/log/nginx/"],
            "Envs": [{"Name": "MODE", "Value": "demo"}],
            "ResourceRequirements": {"Limits": {"Cpu": "1000", "Memory": "1024"}},
            "DataDisks": [{"DiskType": "CloudSsd", "DiskName": "data", "MountPath": "/data", "DiskSize": 20}]
        }]
    })).await;
    let id = created["StatefulWorkloadId"].as_u64().unwrap();
    let wl = json!({"NamespaceId": ns.0, "StatefulWorkloadId": id});
    for _ in 0..3 {
        let info = ncs
            .call(&caller, NcsAction::DescribeStatefulWorkloadInfo, &wl)
            .await
            .map(NcsReply::into_json)
            .unwrap();
        println!(
            "t={} Status={} StatefulWorkloadStatus={}",
            sim.now().to_iso8601(),
            info["Status"],
            info["StatefulWorkloadStatus"]
        );
        sim.advance(Duration::from_secs(2))?;
    }

    println!("\n== refused requests get NCS's own errors and change nothing");
    step(
        &ncs,
        &caller,
        NcsAction::CreateStatefulWorkload,
        json!({"NamespaceId": ns.0, "Name": "web"}),
    )
    .await;
    step(
        &ncs,
        &caller,
        NcsAction::DeleteStatefulWorkload,
        json!({"NamespaceId": ns.0, "StatefulWorkloadId": 424242}),
    )
    .await;

    println!("\n== describe");
    step(
        &ncs,
        &caller,
        NcsAction::DescribeStatefulWorkloadInfo,
        wl.clone(),
    )
    .await;
    let instances = step(
        &ncs,
        &caller,
        NcsAction::DescribeStatefulWorkloadInstances,
        wl.clone(),
    )
    .await;
    step(
        &ncs,
        &caller,
        NcsAction::DescribeStatefulWorkloadImages,
        wl.clone(),
    )
    .await;
    step(
        &ncs,
        &caller,
        NcsAction::DescribeStatefulWorkloads,
        json!({"NamespaceId": ns.0}),
    )
    .await;
    step(
        &ncs,
        &caller,
        NcsAction::DescribeStatefulWorkloadsAllNamespaces,
        json!({"Limit": 10, "Offset": 0}),
    )
    .await;

    println!("\n== EIPs");
    step(
        &ncs,
        &caller,
        NcsAction::AssociateEipOfStatefulWorkload,
        json!({"NamespaceId": ns.0, "StatefulWorkloadId": id, "EipId": "eip-demo"}),
    )
    .await;
    step(
        &ncs,
        &caller,
        NcsAction::UnAssociateEipOfStatefulWorkload,
        json!({"NamespaceId": ns.0, "StatefulWorkloadId": id, "EipId": "eip-demo"}),
    )
    .await;

    println!("\n== restart a container, then a crash injected by the simulator");
    let docker_id = instances["Pods"][0]["Containers"][0]["DockerContainerId"]
        .as_str()
        .unwrap()
        .to_owned();
    step(
        &ncs,
        &caller,
        NcsAction::RestartContainer,
        json!({"NamespaceId": ns.0, "StatefulWorkloadId": id, "ContainerId": docker_id}),
    )
    .await;
    sim.advance(Duration::from_secs(5))?;
    let pod_id = podgate::core::model::PodId(instances["Pods"][0]["PodId"].as_u64().unwrap());
    sim.crash_container(pod_id, "nginx").unwrap();
    let info = ncs
        .call(&caller, NcsAction::DescribeStatefulWorkloadInfo, &wl)
        .await
        .map(NcsReply::into_json)
        .unwrap();
    println!("after the crash: Status={}", info["Status"]);
    sim.advance(Duration::from_secs(15))?;
    let info = ncs
        .call(&caller, NcsAction::DescribeStatefulWorkloadInfo, &wl)
        .await
        .map(NcsReply::into_json)
        .unwrap();
    println!("after the back-off: Status={}", info["Status"]);
    let tenant = podgate::core::model::TenantKey::Namespace(ns);
    let log = podgate::core::ClusterBackend::container_log(
        sim.as_ref(),
        &tenant,
        pod_id,
        "nginx",
        Some(3),
    )
    .await
    .unwrap();
    println!("last log lines:\n{log}");

    println!("\n== modify, reset the spec type, redeploy, restart the instance");
    step(&ncs, &caller, NcsAction::ModifyStatefulWorkload, json!({
        "NamespaceId": ns.0, "StatefulWorkloadId": id,
        "Containers": [{"Name": "nginx", "Image": "nginx:latest", "LogDirs": ["/var/log/nginx/"],
            "ResourceRequirements": {"Limits": {"Cpu": "1000", "Memory": "1024"}}}]
    })).await;
    sim.advance(Duration::from_secs(10))?;
    step(&ncs, &caller, NcsAction::ResetStatefulWorkloadSpecType, json!({
        "NamespaceId": ns.0, "StatefulWorkloadId": id, "SpecType": "ncs.n1.medium8",
        "Containers": [{"Name": "nginx", "ResourceRequirements": {
            "Limits": {"Cpu": "2000", "Memory": "4096"}, "Requests": {"Cpu": "2000", "Memory": "4096"}}}]
    })).await;
    sim.advance(Duration::from_secs(10))?;
    step(
        &ncs,
        &caller,
        NcsAction::RedeployStatefulWorkload,
        wl.clone(),
    )
    .await;
    sim.advance(Duration::from_secs(10))?;
    step(
        &ncs,
        &caller,
        NcsAction::RestartStatefulWorkloadInstance,
        wl.clone(),
    )
    .await;
    sim.advance(Duration::from_secs(10))?;

    println!("\n== delete");
    step(&ncs, &caller, NcsAction::DeleteStatefulWorkload, wl.clone()).await;
    step(&ncs, &caller, NcsAction::DescribeStatefulWorkloadInfo, wl).await;
    Ok(())
}
