//! A workload as the Kubernetes object that runs it (a StatefulSet or a Deployment),
//! and back: the object keeps podgate's whole spec in annotations, so a describe
//! answers exactly what was created.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use podgate_core::model::{
    PodTemplate, PoolPolicy, Timestamp, VolumeSource, WorkloadId, WorkloadKind, WorkloadSpec,
};
use podgate_core::pod_spec::{self, TopologyLabels};

use crate::config::K8sConfig;
use crate::labels;

/// The workload's id, on the object and on its pods.
pub(crate) const WORKLOAD_ID: &str = "podgate.io/workload-id";
/// The user's name of the workload.
const NAME: &str = "podgate.io/name";
/// podgate's pod template, as JSON.
const TEMPLATE: &str = "podgate.io/template";
/// The user's labels, as JSON.
const USER_LABELS: &str = "podgate.io/labels";
/// A pool's policy, as JSON.
const POOL: &str = "podgate.io/pool";
/// When the workload was created and last changed (ms since the epoch).
const CREATED_AT: &str = "podgate.io/created-at";
const UPDATED_AT: &str = "podgate.io/updated-at";
/// openYuanrong's pool labels and annotations.
const YR_POD_POOL: &str = "yr-pod-pool";
const YR_REUSE: &str = "yr-reuse";
const YR_IDLE: &str = "yr-idle-to-recycle";

/// The object that runs a workload.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum WorkloadObject {
    /// Stateful workloads.
    StatefulSet(StatefulSet),
    /// Deployments and pools.
    Deployment(Deployment),
}

/// What podgate reads back from a workload's object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stored {
    pub(crate) id: WorkloadId,
    pub(crate) spec: WorkloadSpec,
    pub(crate) created_at: Timestamp,
    pub(crate) updated_at: Timestamp,
    pub(crate) resource_version: Option<String>,
}

/// The object's name: `w-<id>`, or `function-agent-<pool>` for a pool.
pub(crate) fn object_name(id: WorkloadId, spec: &WorkloadSpec) -> String {
    match spec.kind {
        WorkloadKind::Pool => format!("function-agent-{}", spec.name),
        _ => format!("w-{}", id.0),
    }
}

fn topology(config: &K8sConfig) -> TopologyLabels<'_> {
    TopologyLabels {
        region: &config.region_label,
        zone: &config.zone_label,
        group: &config.group_label,
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    // Plain data (strings, numbers, maps with string keys) always serialises.
    serde_json::to_string(value).unwrap_or_default()
}

/// The object for workload `id`, created or updated at `at` (created at `created`).
pub(crate) fn render(
    id: WorkloadId,
    spec: &WorkloadSpec,
    created: Timestamp,
    at: Timestamp,
    config: &K8sConfig,
) -> WorkloadObject {
    let id_text = id.0.to_string();
    let mut pod_labels = labels::base();
    pod_labels.insert(WORKLOAD_ID.to_owned(), id_text.clone());
    let mut object_labels = pod_labels.clone();
    let mut annotations = BTreeMap::from([
        (NAME.to_owned(), spec.name.clone()),
        (TEMPLATE.to_owned(), json(&*spec.template)),
        (USER_LABELS.to_owned(), json(&spec.labels)),
        (CREATED_AT.to_owned(), created.0.to_string()),
        (UPDATED_AT.to_owned(), at.0.to_string()),
    ]);
    if let Some(pool) = &spec.pool {
        annotations.insert(POOL.to_owned(), json(pool));
        annotations.insert(YR_REUSE.to_owned(), pool.reuse.to_string());
        annotations.insert(
            YR_IDLE.to_owned(),
            json(&serde_json::json!({
                "reserved": pool.idle_reserved_seconds,
                "scaled": pool.idle_scaled_seconds,
            })),
        );
        object_labels.insert(YR_POD_POOL.to_owned(), spec.name.clone());
        pod_labels.insert(YR_POD_POOL.to_owned(), spec.name.clone());
    }
    let disk_claims = spec.kind == WorkloadKind::Stateful;
    let mut pod = pod_spec::pod_spec(&spec.template, &topology(config), &|_| None);
    pod.volumes = {
        // A stateful workload's disks come from its claim templates; others get
        // none (their pods are interchangeable), so their disk volumes become empty dirs.
        let mut volumes = pod.volumes.unwrap_or_default();
        if !disk_claims {
            volumes.extend(
                disk_volumes(&spec.template).map(|(name, _, _)| core::Volume {
                    name: name.to_owned(),
                    empty_dir: Some(core::EmptyDirVolumeSource::default()),
                    ..Default::default()
                }),
            );
        }
        (!volumes.is_empty()).then_some(volumes)
    };
    let template = core::PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(pod_labels.clone()),
            annotations: (!spec.template.annotations.is_empty())
                .then(|| spec.template.annotations.clone()),
            ..ObjectMeta::default()
        }),
        spec: Some(pod),
    };
    let metadata = ObjectMeta {
        name: Some(object_name(id, spec)),
        labels: Some(object_labels),
        annotations: Some(annotations),
        ..ObjectMeta::default()
    };
    let selector = LabelSelector {
        match_labels: Some(BTreeMap::from([(WORKLOAD_ID.to_owned(), id_text)])),
        ..LabelSelector::default()
    };
    let replicas = i32::try_from(spec.replicas).ok();
    match spec.kind {
        WorkloadKind::Stateful => {
            let claims: Vec<core::PersistentVolumeClaim> = disk_volumes(&spec.template)
                .map(|(name, class, size_gb)| core::PersistentVolumeClaim {
                    metadata: ObjectMeta {
                        name: Some(name.to_owned()),
                        ..ObjectMeta::default()
                    },
                    spec: Some(core::PersistentVolumeClaimSpec {
                        access_modes: Some(vec!["ReadWriteOnce".to_owned()]),
                        storage_class_name: (!class.is_empty()).then(|| class.to_owned()),
                        resources: Some(core::VolumeResourceRequirements {
                            requests: Some(BTreeMap::from([(
                                "storage".to_owned(),
                                Quantity(format!("{size_gb}Gi")),
                            )])),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }),
                    ..Default::default()
                })
                .collect();
            WorkloadObject::StatefulSet(StatefulSet {
                metadata,
                spec: Some(StatefulSetSpec {
                    replicas,
                    selector,
                    service_name: None,
                    template,
                    volume_claim_templates: (!claims.is_empty()).then_some(claims),
                    ..Default::default()
                }),
                status: None,
            })
        }
        _ => WorkloadObject::Deployment(Deployment {
            metadata,
            spec: Some(DeploymentSpec {
                replicas,
                selector,
                template,
                ..Default::default()
            }),
            status: None,
        }),
    }
}

fn disk_volumes(template: &PodTemplate) -> impl Iterator<Item = (&str, &str, u64)> {
    template.volumes.iter().filter_map(|v| match &v.source {
        VolumeSource::Disk { class, size_gb } => Some((v.name.as_str(), class.as_str(), *size_gb)),
        _ => None,
    })
}

/// Reads a workload back from its object's metadata and replica count; `None` when the
/// object is not a podgate workload (or was written by something else).
pub(crate) fn read(
    metadata: &ObjectMeta,
    kind: WorkloadKind,
    replicas: Option<i32>,
) -> Option<Stored> {
    let labels = metadata.labels.as_ref()?;
    let id = WorkloadId(labels.get(WORKLOAD_ID)?.parse().ok()?);
    let notes = metadata.annotations.as_ref()?;
    let template: PodTemplate = serde_json::from_str(notes.get(TEMPLATE)?).ok()?;
    let pool: Option<PoolPolicy> = notes.get(POOL).and_then(|p| serde_json::from_str(p).ok());
    let stamp = |key: &str| notes.get(key).and_then(|v| v.parse().ok()).map(Timestamp);
    Some(Stored {
        id,
        spec: WorkloadSpec {
            name: notes.get(NAME)?.clone(),
            labels: notes
                .get(USER_LABELS)
                .and_then(|l| serde_json::from_str(l).ok())
                .unwrap_or_default(),
            template: Arc::new(template),
            kind,
            replicas: replicas.and_then(|r| u32::try_from(r).ok()).unwrap_or(0),
            pool,
        },
        created_at: stamp(CREATED_AT)?,
        updated_at: stamp(UPDATED_AT)?,
        resource_version: metadata.resource_version.clone(),
    })
}

impl WorkloadObject {
    /// The object's metadata.
    pub(crate) fn metadata(&self) -> &ObjectMeta {
        match self {
            Self::StatefulSet(s) => &s.metadata,
            Self::Deployment(d) => &d.metadata,
        }
    }

    /// The workload it stores.
    pub(crate) fn stored(&self, kind: WorkloadKind) -> Option<Stored> {
        let replicas = match self {
            Self::StatefulSet(s) => s.spec.as_ref().and_then(|s| s.replicas),
            Self::Deployment(d) => d.spec.as_ref().and_then(|s| s.replicas),
        };
        read(self.metadata(), kind, replicas)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

    use podgate_core::model::{ContainerSpec, Volume};

    use super::*;

    fn spec(kind: WorkloadKind) -> WorkloadSpec {
        let mut spec = WorkloadSpec::stateful(
            "db",
            Arc::new(PodTemplate {
                containers: vec![ContainerSpec {
                    name: "app".to_owned(),
                    image: "redis:7".to_owned(),
                    ..Default::default()
                }],
                volumes: vec![Volume {
                    name: "data".to_owned(),
                    source: VolumeSource::Disk {
                        class: "ssd".to_owned(),
                        size_gb: 20,
                    },
                }],
                annotations: BTreeMap::from([("podgate.io/ncs".to_owned(), "{}".to_owned())]),
                ..Default::default()
            }),
        );
        spec.kind = kind;
        spec.labels.insert("team".to_owned(), "a".to_owned());
        spec
    }

    #[test]
    fn a_stateful_workload_is_a_stateful_set_that_reads_back_whole() {
        let config = K8sConfig::default();
        let object = render(
            WorkloadId(7),
            &spec(WorkloadKind::Stateful),
            Timestamp(1),
            Timestamp(2),
            &config,
        );
        let WorkloadObject::StatefulSet(set) = &object else {
            panic!("{object:?}")
        };
        assert_eq!(set.metadata.name.as_deref(), Some("w-7"));
        let inner = set.spec.as_ref().unwrap();
        assert_eq!(inner.replicas, Some(1));
        let claims = inner.volume_claim_templates.as_ref().unwrap();
        assert_eq!(claims[0].metadata.name.as_deref(), Some("data"));
        let pod_labels = inner
            .template
            .metadata
            .as_ref()
            .unwrap()
            .labels
            .as_ref()
            .unwrap();
        assert_eq!(pod_labels[WORKLOAD_ID], "7");
        assert!(
            inner.template.spec.as_ref().unwrap().volumes.is_none(),
            "the disk is a claim"
        );
        let stored = object.stored(WorkloadKind::Stateful).unwrap();
        assert_eq!(stored.id, WorkloadId(7));
        assert_eq!(stored.spec, spec(WorkloadKind::Stateful));
        assert_eq!(
            (stored.created_at, stored.updated_at),
            (Timestamp(1), Timestamp(2))
        );
    }

    #[test]
    fn a_pool_is_a_function_agent_deployment_with_the_pool_labels() {
        let mut pool = spec(WorkloadKind::Pool);
        pool.name = "pool1".to_owned();
        pool.replicas = 2;
        pool.pool = Some(PoolPolicy {
            size: 2,
            max_size: 4,
            reuse: true,
            idle_reserved_seconds: 600,
            idle_scaled_seconds: -1,
        });
        let object = render(
            WorkloadId(9),
            &pool,
            Timestamp(1),
            Timestamp(1),
            &K8sConfig::default(),
        );
        let WorkloadObject::Deployment(d) = &object else {
            panic!("{object:?}")
        };
        assert_eq!(d.metadata.name.as_deref(), Some("function-agent-pool1"));
        assert_eq!(d.metadata.labels.as_ref().unwrap()[YR_POD_POOL], "pool1");
        let notes = d.metadata.annotations.as_ref().unwrap();
        assert_eq!(notes[YR_REUSE], "true");
        assert!(notes[YR_IDLE].contains("600"));
        let volumes = d
            .spec
            .as_ref()
            .unwrap()
            .template
            .spec
            .as_ref()
            .unwrap()
            .volumes
            .as_ref()
            .unwrap();
        assert!(volumes[0].empty_dir.is_some(), "pool pods keep no disks");
        assert_eq!(object.stored(WorkloadKind::Pool).unwrap().spec, pool);
    }

    #[test]
    fn objects_podgate_did_not_write_read_as_none() {
        assert!(read(&ObjectMeta::default(), WorkloadKind::Stateful, Some(1)).is_none());
    }
}
