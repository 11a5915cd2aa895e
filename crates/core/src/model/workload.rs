//! Workloads: a named, owned pod template that controllers keep running.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{PodPhase, PodTemplate, TenantKey, TenantKind, Timestamp, WorkloadId};

/// How a workload's pods are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum WorkloadKind {
    /// A StatefulSet: pods with stable names `<name>-<ordinal>`.
    #[default]
    Stateful,
    /// A Deployment: interchangeable pods named `<name>-<template hash>-<suffix>`.
    Deployment,
    /// A pool of pre-warmed pods that instances claim (see [`PoolPolicy`]).
    Pool,
    /// One bare pod and no controller: each change replaces it whole, and a pod that
    /// is lost is not made again. `replicas` is 1.
    Single,
}

/// Scaling a workload's pods between bounds on their load, which the cluster watches
/// (a Kubernetes HorizontalPodAutoscaler). A backend without one keeps it and reports
/// [`crate::Capabilities::autoscaling`] `false`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Autoscaler {
    /// The fewest pods (≥ 1).
    pub min_replicas: u32,
    /// The most pods (≥ `min_replicas`).
    pub max_replicas: u32,
    /// What it scales on: Kubernetes `autoscaling/v2` `MetricSpec`s as JSON; empty is
    /// the cluster's default (80 % CPU).
    #[serde(default)]
    pub metrics: Vec<serde_json::Value>,
    /// How fast it scales: a Kubernetes `HorizontalPodAutoscalerBehavior` as JSON.
    #[serde(default)]
    pub behavior: Option<serde_json::Value>,
}

/// How a pool keeps its pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PoolPolicy {
    /// Pods kept ready.
    pub size: u32,
    /// The most pods the pool scales to (≥ size).
    pub max_size: u32,
    /// `false`: a claimed pod leaves the pool and is replaced at once; `true`: it is
    /// replaced only once destroyed.
    pub reuse: bool,
    /// Seconds an idle pod below `size` may stay idle before it is recycled; -1 never,
    /// 0 not configured.
    pub idle_reserved_seconds: i64,
    /// Seconds an idle pod above `size` may stay idle before it is removed; -1 never, 0
    /// not configured.
    pub idle_scaled_seconds: i64,
}

impl Autoscaler {
    /// Whether `1 ≤ min_replicas ≤ max_replicas`.
    pub fn bounds_in_order(&self) -> bool {
        (1..=self.max_replicas).contains(&self.min_replicas)
    }
}

/// What a caller asks a workload to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadSpec {
    /// Unique among the tenant's workloads.
    pub name: String,
    /// User labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Data the cluster keeps for a dialect on the workload and does not interpret
    /// (Kubernetes annotations on the workload object); changing it replaces no pod.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// The pod it runs (shared: identical templates may be stored once).
    pub template: Arc<PodTemplate>,
    /// How its pods are kept.
    #[serde(default)]
    pub kind: WorkloadKind,
    /// How many pods it keeps (for a pool: its `size`).
    #[serde(default = "one")]
    pub replicas: u32,
    /// The pool's policy, for [`WorkloadKind::Pool`].
    #[serde(default)]
    pub pool: Option<PoolPolicy>,
    /// Its autoscaler, if it has one (boxed: most workloads have none, and a spec is
    /// moved and cloned on every read).
    #[serde(default)]
    pub autoscaler: Option<Box<Autoscaler>>,
    /// The name its cluster object and pods are named after, when that is not `name`
    /// (a DNS label, unique among the tenant's workloads like `name`).
    #[serde(default)]
    pub object_name: Option<String>,
}

fn one() -> u32 {
    1
}

impl WorkloadSpec {
    /// Checks the rules that hold whatever the backend: a name, a pool policy exactly
    /// for a pool, one pod for a single-pod workload, autoscaler bounds in order.
    pub fn check(&self) -> crate::Result<()> {
        if self.name.is_empty() {
            return Err(crate::Error::invalid("name", "must not be empty"));
        }
        if (self.kind == WorkloadKind::Pool) != self.pool.is_some() {
            return Err(crate::Error::invalid(
                "pool",
                "a pool needs a pool policy, and only a pool has one",
            ));
        }
        if self.kind == WorkloadKind::Single && self.replicas != 1 {
            return Err(crate::Error::invalid(
                "replicas",
                "a single-pod workload has exactly one pod",
            ));
        }
        if self
            .autoscaler
            .as_ref()
            .is_some_and(|a| !a.bounds_in_order())
        {
            return Err(crate::Error::invalid(
                "autoscaler",
                "needs 1 ≤ min_replicas ≤ max_replicas",
            ));
        }
        Ok(())
    }

    /// Checks `self` as the new spec of a workload now named `name`, of `kind` and
    /// `object_name`: what names a workload cannot change.
    pub fn check_replacing(
        &self,
        name: &str,
        kind: WorkloadKind,
        object_name: Option<&str>,
    ) -> crate::Result<()> {
        if self.name != name {
            return Err(crate::Error::invalid("name", "cannot change"));
        }
        if self.kind != kind {
            return Err(crate::Error::invalid("kind", "cannot change"));
        }
        if self.object_name.as_deref() != object_name {
            return Err(crate::Error::invalid("object_name", "cannot change"));
        }
        Ok(())
    }

    /// A stateful workload with one pod.
    pub fn stateful(name: impl Into<String>, template: Arc<PodTemplate>) -> Self {
        Self {
            name: name.into(),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            template,
            kind: WorkloadKind::Stateful,
            replicas: 1,
            pool: None,
            autoscaler: None,
            object_name: None,
        }
    }
}

/// A stored workload with its observed state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workload {
    /// Its owner.
    pub tenant: TenantKey,
    /// Its id.
    pub id: WorkloadId,
    /// What it should be.
    pub spec: WorkloadSpec,
    /// When it was created.
    pub created_at: Timestamp,
    /// When its spec last changed.
    pub updated_at: Timestamp,
    /// The EIP it holds, if any.
    pub eip: Option<String>,
    /// What it is doing now.
    pub status: WorkloadStatus,
}

/// A workload's observed state, derived from its pods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadStatus {
    /// The workload-level phase.
    pub phase: WorkloadPhase,
    /// The phase of its first pod (Pending when it has none).
    pub pod_phase: PodPhase,
    /// Why it is in this phase, when that is not obvious.
    pub message: Option<String>,
    /// Pods that run now.
    pub ready: u32,
    /// Pods it keeps (for a pool: its members, claimed ones included).
    pub pods: u32,
    /// The controller has not acted on the latest change yet.
    pub pending: bool,
    /// It is being deleted: it stays visible until its pods are gone.
    pub deleting: bool,
}

/// The workload-level lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WorkloadPhase {
    /// Its first pods are not running yet.
    Creating,
    /// Its first pods could not start (bad image, cannot be placed).
    CreateFailed,
    /// Its pods run.
    Running,
    /// A change is being rolled out: pods are being replaced.
    Updating,
    /// It ran before, and its pods are not healthy now.
    Abnormal,
}

/// Which workloads a list returns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkloadQuery {
    /// Only these tenants' workloads; `None` for every tenant.
    pub tenants: Option<Vec<TenantKey>>,
    /// Only workloads of tenants of this kind.
    pub tenant_kind: Option<TenantKind>,
    /// Only workloads with this label (key, value).
    pub label: Option<(String, String)>,
    /// Only the workload with this name.
    pub name: Option<String>,
    /// Only workloads whose name contains this text.
    pub name_contains: Option<String>,
    /// The order of the list.
    pub order: WorkloadOrder,
}

/// The order of a workload list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WorkloadOrder {
    /// By id, ascending (oldest first).
    #[default]
    Id,
    /// By id, descending (newest first).
    IdDesc,
    /// By last change, newest first (ties by id, descending).
    UpdatedDesc,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn spec(kind: WorkloadKind) -> WorkloadSpec {
        WorkloadSpec {
            kind,
            ..WorkloadSpec::stateful("w", Arc::new(PodTemplate::default()))
        }
    }

    #[test]
    fn the_shape_rules_hold_whatever_the_backend() {
        assert!(spec(WorkloadKind::Stateful).check().is_ok());
        assert!(spec(WorkloadKind::Single).check().is_ok());
        let mut two = spec(WorkloadKind::Single);
        two.replicas = 2;
        assert!(two.check().is_err(), "a single pod is one pod");
        assert!(
            spec(WorkloadKind::Pool).check().is_err(),
            "a pool needs its policy"
        );
        let mut unnamed = spec(WorkloadKind::Deployment);
        unnamed.name.clear();
        assert!(unnamed.check().is_err());
        let mut scaled = spec(WorkloadKind::Deployment);
        let bounds = |min_replicas, max_replicas| Autoscaler {
            min_replicas,
            max_replicas,
            metrics: Vec::new(),
            behavior: None,
        };
        scaled.autoscaler = Some(Box::new(bounds(2, 6)));
        assert!(scaled.check().is_ok());
        let named = spec(WorkloadKind::Deployment);
        assert!(
            named
                .check_replacing("w", WorkloadKind::Deployment, None)
                .is_ok()
        );
        assert!(
            named
                .check_replacing("v", WorkloadKind::Deployment, None)
                .is_err()
        );
        assert!(
            named
                .check_replacing("w", WorkloadKind::Stateful, None)
                .is_err()
        );
        assert!(
            named
                .check_replacing("w", WorkloadKind::Deployment, Some("x"))
                .is_err(),
            "the object name cannot change"
        );
        for (min, max) in [(0, 3), (4, 3)] {
            scaled.autoscaler = Some(Box::new(bounds(min, max)));
            assert!(scaled.check().is_err(), "{min}..{max}");
        }
    }
}
