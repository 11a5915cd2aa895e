//! The nodes' topology (zone and group by node name) that pods are shown with, read
//! from the cluster at most every [`FRESH`]: a node's labels change rarely, and pods
//! are listed often.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use podgate_core::Result;
use podgate_core::model::{Node, Pod};

use crate::config::K8sConfig;
use crate::nodes;
use crate::retry::Backoff;

/// How long a read of the nodes serves pods' zones and groups.
pub(crate) const FRESH: Duration = Duration::from_secs(30);

/// How long a read of the nodes answers a list of the nodes: a burst of requests that
/// each check a zone or a region (an NCS create, a V-Kube deploy) reads them once.
pub(crate) const LISTED: Duration = Duration::from_secs(1);

type Read = (Instant, Arc<Vec<Node>>);

/// The nodes as last read.
#[derive(Clone)]
pub(crate) struct Topology {
    client: kube::Client,
    config: K8sConfig,
    backoff: Backoff,
    last: Arc<Mutex<Option<Read>>>,
}

impl Topology {
    pub(crate) fn new(client: kube::Client, config: K8sConfig, backoff: Backoff) -> Self {
        Self {
            client,
            config,
            backoff,
            last: Arc::default(),
        }
    }

    /// Every node, read now (and kept for pods).
    pub(crate) async fn read(&self) -> Result<Arc<Vec<Node>>> {
        let nodes = Arc::new(nodes::list(&self.client, &self.config, &self.backoff).await?);
        if let Ok(mut last) = self.last.lock() {
            *last = Some((Instant::now(), nodes.clone()));
        }
        Ok(nodes)
    }

    /// Every node, as read within [`FRESH`], or read now.
    pub(crate) async fn recent(&self) -> Result<Arc<Vec<Node>>> {
        self.within(FRESH).await
    }

    /// Every node, as read within `age`, or read now.
    pub(crate) async fn within(&self, age: Duration) -> Result<Arc<Vec<Node>>> {
        let kept = self
            .last
            .lock()
            .ok()
            .and_then(|last| last.clone())
            .filter(|(at, _)| at.elapsed() < age);
        match kept {
            Some((_, nodes)) => Ok(nodes),
            None => self.read().await,
        }
    }

    /// Gives each placed pod its node's zone and group; a node not seen yet makes the
    /// nodes be read again.
    pub(crate) async fn place(&self, pods: &mut [Pod]) -> Result<()> {
        if pods.iter().all(|p| p.node.is_none()) {
            return Ok(());
        }
        let mut nodes = self.recent().await?;
        let known = |nodes: &[Node], pod: &Pod| {
            pod.node
                .as_ref()
                .is_none_or(|name| nodes.iter().any(|n| n.name == *name))
        };
        if !pods.iter().all(|p| known(&nodes, p)) {
            nodes = self.read().await?;
        }
        for pod in pods {
            if let Some(node) = pod
                .node
                .as_ref()
                .and_then(|name| nodes.iter().find(|n| n.name == *name))
            {
                pod.zone = Some(node.zone.clone());
                pod.group.clone_from(&node.group);
            }
        }
        Ok(())
    }
}
