//! Host ports bound in a region: the host ports of podgate's pods on the region's
//! nodes.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1 as core;
use kube::Api;
use kube::api::ListParams;
use podgate_core::model::WorkloadId;
use podgate_core::{Error, Result};

use crate::config::K8sConfig;
use crate::error::to_core;
use crate::labels;
use crate::nodes;
use crate::objects::WORKLOAD_ID;
use crate::retry::Backoff;

/// Which of `ports` a pod of podgate's binds on some node of `region` (or will, once
/// placed: its node selector names the region), not counting
/// the pods of `ignore` (a workload in a namespace). Two requests: the nodes, and
/// podgate's pods in every namespace. An unknown region is `NotFound`.
pub(crate) async fn occupied(
    client: &kube::Client,
    config: &K8sConfig,
    backoff: &Backoff,
    region: &str,
    ports: &[u16],
    ignore: Option<(&str, WorkloadId)>,
) -> Result<Vec<u16>> {
    let in_region: BTreeSet<String> = nodes::list(client, config, backoff)
        .await?
        .into_iter()
        .filter(|n| n.region == region)
        .map(|n| n.name)
        .collect();
    if in_region.is_empty() {
        return Err(Error::not_found("region", region));
    }
    let api: Api<core::Pod> = Api::all(client.clone());
    let params = ListParams::default().labels(&labels::selector(&[]));
    let pods = backoff
        .call(|| api.list(&params))
        .await
        .map_err(|e| to_core(e, "region", region))?;
    let ignored = |pod: &core::Pod| {
        ignore.is_some_and(|(ns, id)| {
            pod.metadata.namespace.as_deref() == Some(ns)
                && labels::value(&pod.metadata, WORKLOAD_ID) == Some(id.0.to_string().as_str())
        })
    };
    let bound: BTreeSet<u16> = pods
        .items
        .iter()
        .filter(|p| !ignored(p))
        .filter_map(|p| p.spec.as_ref())
        .filter(|s| match &s.node_name {
            Some(node) => in_region.contains(node),
            // Not placed yet: it holds its ports in the region it is bound for.
            None => s
                .node_selector
                .as_ref()
                .and_then(|sel| sel.get(&config.region_label))
                .is_some_and(|r| r == region),
        })
        .flat_map(|s| s.containers.iter())
        .flat_map(|c| c.ports.iter().flatten())
        .filter_map(|p| p.host_port.and_then(|h| u16::try_from(h).ok()))
        .collect();
    let mut taken: Vec<u16> = ports
        .iter()
        .copied()
        .filter(|p| bound.contains(p))
        .collect();
    taken.sort_unstable();
    taken.dedup();
    Ok(taken)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use kube::api::PostParams;

    use super::*;
    use crate::conformance::{OnACluster, unique};
    use crate::pods::tests::podgate_pod;

    /// A pod of podgate's for `workload` on `node`, its first container binding
    /// `host_port`.
    fn pod(name: &str, workload: u64, node: &str, host_port: i32) -> core::Pod {
        let mut pod = podgate_pod(name, workload);
        let spec = pod.spec.as_mut().unwrap();
        spec.node_name = Some(node.to_owned());
        spec.containers[0].ports = Some(vec![core::ContainerPort {
            container_port: 80,
            host_port: Some(host_port),
            ..Default::default()
        }]);
        pod
    }

    #[tokio::test]
    #[ignore = "needs a cluster: scripts/cluster.sh start DIR, then KUBECONFIG=DIR/kubeconfig"]
    async fn ports_bound_in_a_region_are_found_across_namespaces() {
        let f = OnACluster::quick().await;
        let (client, config, backoff) = (&f.backend.client, &f.backend.config, &f.backend.backoff);
        let (a, b) = (unique("podgate-vkube-a"), unique("podgate-vkube-b"));
        let post = PostParams::default();
        // node-1 is in region1, node-3 in region2 (`scripts/cluster.sh`).
        for (ns, p) in [
            (&a, pod("d-1", 1, "node-1", 22)),
            (&b, pod("d-2", 2, "node-1", 3306)),
            (&b, pod("d-3", 3, "node-3", 8080)),
        ] {
            crate::namespaces::ensure(client, backoff, ns)
                .await
                .unwrap();
            Api::<core::Pod>::namespaced(client.clone(), ns)
                .create(&post, &p)
                .await
                .unwrap();
        }
        let wanted = [22, 80, 3306, 8080];
        let check = |ignore| occupied(client, config, backoff, "region1", &wanted, ignore);
        assert_eq!(check(None).await.unwrap(), vec![22, 3306]);
        assert_eq!(
            check(Some((a.as_str(), WorkloadId(1)))).await.unwrap(),
            vec![3306],
            "a workload's own ports do not count against it"
        );
        let (taken, n) = f
            .requests(occupied(client, config, backoff, "region2", &wanted, None))
            .await;
        assert_eq!(taken.unwrap(), vec![8080]);
        assert_eq!(n, 2, "the nodes, and podgate's pods");
        assert!(matches!(
            occupied(client, config, backoff, "nowhere", &[22], None).await,
            Err(Error::NotFound { kind: "region", .. })
        ));
    }
}
