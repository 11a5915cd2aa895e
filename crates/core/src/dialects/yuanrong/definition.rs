//! A pool's validated definition, stored as an annotation, and its translation into a
//! domain pod template.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerSpec;
use serde::{Deserialize, Serialize};

use super::wire::{IdleRecycle, ResourcesOut};
use crate::Result;
use crate::model::{
    Autoscaler, ContainerSpec, EnvValue, EnvVar, Placement, PodTemplate, ResourceRequirements,
    Resources,
};
use crate::validate::quantity;

/// The annotation holding a pool's definition.
pub const DEFINITION_ANNOTATION: &str = "yuanrong.podgate.io/definition";
/// The label naming a pod's pool.
pub const POOL_LABEL: &str = "yr-pod-pool";
/// The label naming a pool's group.
pub const GROUP_LABEL: &str = "yr-pod-pool-group";

/// A pool's definition after validation and defaulting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolDefinition {
    /// Group.
    pub group: String,
    /// Reuse policy.
    pub reuse: bool,
    /// runtime-manager image.
    pub image: String,
    /// function-agent-init image.
    pub init_image: String,
    /// User labels.
    pub labels: BTreeMap<String, String>,
    /// Environment.
    pub environment: BTreeMap<String, String>,
    /// Volumes (JSON string, as given).
    pub volumes: String,
    /// Volume mounts (JSON string, as given).
    pub volume_mounts: String,
    /// Requests and limits, as given.
    pub resources: ResourcesOut,
    /// Affinity (JSON string, as given).
    pub affinities: String,
    /// Node selector.
    pub node_selector: BTreeMap<String, String>,
    /// Runtime class.
    pub runtime_class_name: String,
    /// Tolerations (JSON string, as given).
    pub tolerations: String,
    /// HPA spec (JSON string, as given).
    pub horizontal_pod_autoscaler_spec: String,
    /// Topology spread constraints (JSON string, as given).
    pub topology_spread_constraints: String,
    /// Idle recycling.
    pub idle_recycle_time: IdleRecycle,
    /// Pod anti-affinities, as given.
    pub pod_anti_affinities: String,
}

/// The model's autoscaler for a HorizontalPodAutoscalerSpec (a negative bound reads
/// as 0, which is out of order).
pub(super) fn autoscaler_of(spec: HorizontalPodAutoscalerSpec) -> Autoscaler {
    let count = |n: i32| u32::try_from(n).unwrap_or(0);
    Autoscaler {
        min_replicas: spec.min_replicas.map_or(1, count),
        max_replicas: count(spec.max_replicas),
        metrics: spec
            .metrics
            .unwrap_or_default()
            .iter()
            .filter_map(|m| serde_json::to_value(m).ok())
            .collect(),
        behavior: spec.behavior.and_then(|b| serde_json::to_value(b).ok()),
    }
}

fn amounts(map: &BTreeMap<String, String>) -> Resources {
    let parse = |key: &str| map.get(key).and_then(|v| quantity(v).ok());
    Resources {
        cpu_millis: parse("cpu").map_or(0, |q| u64::try_from(q.millis()).unwrap_or(u64::MAX)),
        memory_mib: parse("memory").map_or(0, |q| {
            u64::try_from(q.units_ceil().div_ceil(1 << 20)).unwrap_or(u64::MAX)
        }),
        gpu: 0,
    }
}

impl PoolDefinition {
    /// Reads the definition back from a workload's template.
    pub fn from_template(template: &PodTemplate) -> Result<Self> {
        crate::dialects::read_definition(&template.annotations, DEFINITION_ANNOTATION, "pool")
    }

    /// The autoscaler its `horizontal_pod_autoscaler_spec` asks for, if any (the
    /// dialect checked the JSON before it stored it; the scale target is the pool).
    pub fn autoscaler(&self) -> Option<Autoscaler> {
        let text = self.horizontal_pod_autoscaler_spec.trim();
        if text.is_empty() {
            return None;
        }
        serde_json::from_str(text).ok().map(autoscaler_of)
    }

    /// The pod template of the pool's pods: one `runtime-manager` container.
    pub fn to_template(&self) -> Result<Arc<PodTemplate>> {
        let json = crate::dialects::write_definition(self, "pool")?;
        let mut requests = amounts(&self.resources.requests);
        let limits = amounts(&self.resources.limits);
        if self.resources.requests.is_empty() {
            requests = limits;
        }
        let idle = format!(
            "{}:{}",
            self.idle_recycle_time.reserved, self.idle_recycle_time.scaled
        );
        Ok(Arc::new(PodTemplate {
            containers: vec![ContainerSpec {
                name: "runtime-manager".to_owned(),
                image: self.image.clone(),
                env: self
                    .environment
                    .iter()
                    .map(|(k, v)| EnvVar {
                        name: k.clone(),
                        value: EnvValue::Literal(v.clone()),
                    })
                    .collect(),
                resources: ResourceRequirements { requests, limits },
                ..ContainerSpec::default()
            }],
            placement: Placement {
                node_selector: self.node_selector.clone(),
                ..Placement::default()
            },
            annotations: BTreeMap::from([
                (DEFINITION_ANNOTATION.to_owned(), json),
                ("yr-reuse".to_owned(), self.reuse.to_string()),
                ("yr-idle-to-recycle".to_owned(), idle),
            ]),
            ..PodTemplate::default()
        }))
    }
}
