//! The cluster's nodes as podgate's topology: region, zone and group from the
//! configured labels, capacity from what the node can allocate.

use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use kube::Api;
use kube::api::ListParams;
use podgate_core::Result;
use podgate_core::model::{Node, Resources};
use podgate_core::validate::quantity;

use crate::config::K8sConfig;
use crate::error::to_core;
use crate::retry::Backoff;

/// A CPU quantity in millicores (`"2"`, `"1500m"`); unreadable → 0.
fn millicores(q: &Quantity) -> u64 {
    quantity(&q.0).map_or(0, |q| u64::try_from(q.millis()).unwrap_or(u64::MAX))
}

/// A memory quantity in MiB (`"64Gi"`, `"1024Mi"`, `"65536Ki"`, bytes), rounded down;
/// unreadable → 0.
fn mebibytes(q: &Quantity) -> u64 {
    quantity(&q.0).map_or(0, |q| {
        u64::try_from(q.millis() / 1000 / (1 << 20)).unwrap_or(u64::MAX)
    })
}

/// podgate's view of a Kubernetes node.
pub(crate) fn to_node(node: &core::Node, config: &K8sConfig) -> Node {
    let labels = node.metadata.labels.clone().unwrap_or_default();
    let label = |key: &str| labels.get(key).cloned();
    let allocatable = node
        .status
        .as_ref()
        .and_then(|s| s.allocatable.as_ref().or(s.capacity.as_ref()));
    let quantity = |key: &str| allocatable.and_then(|a| a.get(key));
    let ready = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True");
    let unschedulable = node
        .spec
        .as_ref()
        .and_then(|s| s.unschedulable)
        .unwrap_or(false);
    Node {
        name: node.metadata.name.clone().unwrap_or_default(),
        region: label(&config.region_label).unwrap_or_default(),
        zone: label(&config.zone_label).unwrap_or_default(),
        group: label(&config.group_label),
        capacity: Resources {
            cpu_millis: quantity("cpu").map_or(0, millicores),
            memory_mib: quantity("memory").map_or(0, mebibytes),
            gpu: quantity("nvidia.com/gpu")
                .and_then(|q| q.0.parse().ok())
                .unwrap_or(0),
        },
        extended: allocatable
            .into_iter()
            .flatten()
            .filter(|(name, _)| name.contains('/') && name.as_str() != "nvidia.com/gpu")
            .filter_map(|(name, q)| Some((name.clone(), q.0.parse().ok()?)))
            .collect(),
        max_pods: quantity("pods")
            .and_then(|q| q.0.parse().ok())
            .unwrap_or(110),
        labels,
        ready: ready && !unschedulable,
    }
}

/// Every node, by name.
pub(crate) async fn list(
    client: &kube::Client,
    config: &K8sConfig,
    backoff: &Backoff,
) -> Result<Vec<Node>> {
    let api: Api<core::Node> = Api::all(client.clone());
    let params = ListParams::default();
    let found = backoff
        .call(|| api.list(&params))
        .await
        .map_err(|e| to_core(e, "node", "all"))?;
    let mut nodes: Vec<Node> = found.items.iter().map(|n| to_node(n, config)).collect();
    nodes.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use std::collections::BTreeMap;

    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    use super::*;
    use crate::conformance::OnACluster;

    /// A Node object in region1 and group-a, labelled with its region, zone and group,
    /// with room for 15.8 cores, 64 GiB and 110 pods; its Ready condition `ready`.
    fn node(name: &str, zone: &str, ready: bool) -> core::Node {
        let labels = BTreeMap::from([
            ("topology.kubernetes.io/region", "region1"),
            ("topology.kubernetes.io/zone", zone),
            ("podgate.io/node-group", "group-a"),
        ])
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        core::Node {
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                labels: Some(labels),
                ..ObjectMeta::default()
            },
            spec: None,
            status: Some(core::NodeStatus {
                allocatable: Some(BTreeMap::from([
                    ("cpu".to_owned(), Quantity("15800m".to_owned())),
                    ("memory".to_owned(), Quantity("65536Mi".to_owned())),
                    ("pods".to_owned(), Quantity("110".to_owned())),
                ])),
                conditions: Some(vec![core::NodeCondition {
                    type_: "Ready".to_owned(),
                    status: if ready { "True" } else { "False" }.to_owned(),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn quantities_read_as_kubernetes_writes_them() {
        for (q, m) in [("2", 2000), ("1500m", 1500), ("0.5", 500), ("x", 0)] {
            assert_eq!(millicores(&Quantity(q.to_owned())), m, "{q}");
        }
        for (q, mib) in [
            ("64Gi", 65536),
            ("1024Mi", 1024),
            ("65536Ki", 64),
            ("1048576", 1),
            ("2G", 1907),
        ] {
            assert_eq!(mebibytes(&Quantity(q.to_owned())), mib, "{q}");
        }
    }

    #[test]
    fn a_node_shows_its_topology_room_and_readiness() {
        let config = K8sConfig::default();
        let n = to_node(&node("node-1", "cn-east-1a", true), &config);
        assert_eq!(
            (n.name.as_str(), n.region.as_str(), n.zone.as_str()),
            ("node-1", "region1", "cn-east-1a")
        );
        assert_eq!(n.group.as_deref(), Some("group-a"));
        assert_eq!(
            (n.capacity.cpu_millis, n.capacity.memory_mib, n.max_pods),
            (15_800, 65_536, 110)
        );
        assert!(n.ready);
        let not_ready = to_node(&node("node-2", "cn-east-1b", false), &config);
        assert!(!not_ready.ready, "a NotReady node runs nothing new");
        let mut cordoned = node("node-3", "cn-east-1b", true);
        cordoned.spec = Some(core::NodeSpec {
            unschedulable: Some(true),
            ..Default::default()
        });
        assert!(
            !to_node(&cordoned, &config).ready,
            "nor does a cordoned one"
        );
    }

    #[tokio::test]
    #[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
    async fn nodes_are_listed_with_their_topology() {
        let f = OnACluster::quick().await;
        let b = &f.backend;
        let (nodes, n) = f.requests(list(&b.client, &b.config, &b.backoff)).await;
        let nodes = nodes.unwrap();
        assert_eq!(n, 1);
        // KWOK's six nodes, as `scripts/cluster.sh` lays them out.
        let names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(
            names,
            ["node-1", "node-2", "node-3", "node-4", "node-5", "node-6"]
        );
        let topology: Vec<(&str, &str, Option<&str>)> = nodes
            .iter()
            .map(|n| (n.region.as_str(), n.zone.as_str(), n.group.as_deref()))
            .collect();
        assert_eq!(
            topology,
            [
                ("region1", "cn-east-1a", Some("group-a")),
                ("region1", "cn-east-1b", Some("group-a")),
                ("region2", "cn-east-1a", Some("group-b")),
                ("region2", "cn-east-1b", Some("group-b")),
                ("region3", "cn-east-1a", Some("group-c")),
                ("region3", "cn-east-1b", None),
            ]
        );
        // scripts/cluster.sh gives each node 110 pods unless told otherwise.
        let max_pods = std::env::var("PODGATE_CLUSTER_NODE_PODS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(110);
        for n in &nodes {
            assert_eq!(
                (n.capacity.cpu_millis, n.capacity.memory_mib, n.max_pods),
                (16_000, 65_536, max_pods),
                "{}",
                n.name
            );
            assert!(n.ready, "{} is Ready", n.name);
        }
    }
}
