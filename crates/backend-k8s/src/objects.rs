//! A workload as the Kubernetes object that runs it (a StatefulSet or a Deployment),
//! and back: the object keeps podgate's whole spec in annotations, so a describe
//! answers exactly what was created.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, StatefulSet, StatefulSetSpec};
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};
use podgate_core::model::{
    PodTemplate, PoolPolicy, TenantKey, Timestamp, VolumeSource, WorkloadId, WorkloadKind,
    WorkloadSpec,
};
use podgate_core::pod_spec::{self, TopologyLabels};

use crate::config::K8sConfig;
use crate::labels;

/// The workload's id, on the object and on its pods.
pub(crate) const WORKLOAD_ID: &str = "podgate.io/workload-id";
/// The workload a pod was made for, on every pod; unlike `WORKLOAD_ID` (a membership,
/// part of the controller's selector) it stays when a pool pod is claimed out.
pub(crate) const OWNER: &str = "podgate.io/owner-workload";
/// The workload's tenant key, as JSON.
const TENANT: &str = "podgate.io/tenant";
/// A digest of the pod template, on the object and on the pods made from it: a pod
/// whose digest differs from its workload's was made from an older template.
pub(crate) const TEMPLATE_HASH: &str = "podgate.io/template-hash";
/// The label a ReplicaSet adds to the pods it owns (part of its selector): a pod
/// without it is no ReplicaSet's.
pub(crate) const POD_TEMPLATE_HASH: &str = "pod-template-hash";
/// The user's name of the workload.
const NAME: &str = "podgate.io/name";
/// podgate's pod template, as JSON (on the workload object and on each pod).
pub(crate) const TEMPLATE: &str = "podgate.io/template";
/// When the workload's pods were last replaced on request (ms since the epoch).
pub(crate) const RECREATED_AT: &str = "podgate.io/recreated-at";
/// The EIP a workload holds (the EIP's record is the authority; this is its copy on
/// the object a describe reads).
pub(crate) const EIP: &str = "podgate.io/eip";
/// The user's labels, as JSON.
const USER_LABELS: &str = "podgate.io/labels";
/// The dialect's workload annotations, as JSON.
const WORKLOAD_ANNOTATIONS: &str = "podgate.io/annotations";
/// A pool's policy, as JSON.
const POOL: &str = "podgate.io/pool";
/// When the workload was created and last changed (ms since the epoch).
const CREATED_AT: &str = "podgate.io/created-at";
const UPDATED_AT: &str = "podgate.io/updated-at";
/// The workload's autoscaler, as JSON.
const AUTOSCALER: &str = "podgate.io/autoscaler";
/// The name the object is named after, when it is not the workload's name.
const OBJECT_NAME: &str = "podgate.io/object-name";

/// `true` on a Pod that is a workload's object itself (a single-pod workload's pod).
pub(crate) const SINGLE_POD: &str = "podgate.io/single-pod";
/// Which deploy of a single-pod workload made the pod: one more than the newest live
/// pod's when it was made (the first pod has none, read as 0). With the pod id it orders a workload's
/// pods oldest first, the same on every replica: ids alone do not, as replicas hand
/// out ids from blocks of their own.
pub(crate) const GENERATION: &str = "podgate.io/generation";

/// The object that runs a workload.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum WorkloadObject {
    /// Stateful workloads.
    StatefulSet(StatefulSet),
    /// Deployments and pools.
    Deployment(Deployment),
    /// A single-pod workload's pod: the Pod itself, replaced whole by each change.
    Pod(core::Pod),
}

/// Whether a workload is run by a bare Pod (made at once, named when it is made).
pub(crate) fn single_pod(spec: &WorkloadSpec) -> bool {
    spec.kind == WorkloadKind::Single
}

/// What podgate reads back from a workload's object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stored {
    pub(crate) id: WorkloadId,
    pub(crate) tenant: TenantKey,
    pub(crate) spec: WorkloadSpec,
    pub(crate) created_at: Timestamp,
    pub(crate) updated_at: Timestamp,
    pub(crate) resource_version: Option<String>,
    /// The EIP it holds.
    pub(crate) eip: Option<String>,
    /// Its pods were replaced on request.
    pub(crate) recreated: bool,
    /// The controller has not acted on the latest change (its observed generation is
    /// behind the object's).
    pub(crate) pending: bool,
    /// The object is being deleted.
    pub(crate) deleting: bool,
    /// The digest of its current pod template.
    pub(crate) template_hash: String,
}

/// The longest user name used as an object name: its pods' names (`<name>-<hash>-<5>`)
/// must stay within a DNS label's 63 characters.
const LONGEST_NAME: usize = 45;

/// A reference to a workload's `apps/v1` object of `kind` (`Deployment`,
/// `StatefulSet`) from what it owns but does not control (pods no ReplicaSet keeps, an
/// autoscaler): they go when the object goes.
pub(crate) fn owned_by(kind: &str, owner: &ObjectMeta) -> OwnerReference {
    OwnerReference {
        api_version: "apps/v1".to_owned(),
        kind: kind.to_owned(),
        name: owner.name.clone().unwrap_or_default(),
        uid: owner.uid.clone().unwrap_or_default(),
        block_owner_deletion: Some(true),
        controller: None,
    }
}

/// [`owned_by`] a pool's Deployment.
pub(crate) fn owned_by_deployment(deployment: &ObjectMeta) -> OwnerReference {
    owned_by("Deployment", deployment)
}

/// The object's name: the spec's `object_name` when it has one, else the user's name
/// when it is a DNS label short enough for its pods' names (so pods are named after
/// it, as the vendors show them), else `w-<id>`. A name of the form `w-<digits>` is never used as is, so
/// the two kinds of name cannot meet.
pub(crate) fn object_name(id: WorkloadId, spec: &WorkloadSpec) -> String {
    if let Some(name) = &spec.object_name {
        return name.clone();
    }
    let name = spec.name.as_str();
    let label = !name.is_empty()
        && name.len() <= LONGEST_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    let fallback_form = name
        .strip_prefix("w-")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()));
    if label && !fallback_form {
        name.to_owned()
    } else {
        format!("w-{}", id.0)
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

/// When a workload was created and last changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Times {
    pub(crate) created: Timestamp,
    pub(crate) updated: Timestamp,
}

/// The object for workload `id` of `tenant`, holding `eip`.
pub(crate) fn render(
    id: WorkloadId,
    tenant: &TenantKey,
    spec: &WorkloadSpec,
    times: Times,
    eip: Option<&str>,
    config: &K8sConfig,
) -> WorkloadObject {
    let id_text = id.0.to_string();
    let template_json = json(&*spec.template);
    let hash = labels::digest(&template_json);
    let mut pod_labels = spec.template.labels.clone();
    pod_labels.extend(labels::base());
    pod_labels.insert(WORKLOAD_ID.to_owned(), id_text.clone());
    pod_labels.insert(OWNER.to_owned(), id_text.clone());
    pod_labels.insert(TEMPLATE_HASH.to_owned(), hash);
    let mut object_labels = pod_labels.clone();
    object_labels.remove(OWNER);
    object_labels.insert(
        labels::TENANT_KIND.to_owned(),
        tenant.kind().name().to_owned(),
    );
    let mut pod_annotations = spec.template.annotations.clone();
    pod_annotations.insert(TEMPLATE.to_owned(), template_json.clone());
    let mut annotations = BTreeMap::from([
        (NAME.to_owned(), spec.name.clone()),
        (TENANT.to_owned(), json(tenant)),
        (TEMPLATE.to_owned(), template_json),
        (USER_LABELS.to_owned(), json(&spec.labels)),
        (WORKLOAD_ANNOTATIONS.to_owned(), json(&spec.annotations)),
        (CREATED_AT.to_owned(), times.created.0.to_string()),
        (UPDATED_AT.to_owned(), times.updated.0.to_string()),
    ]);
    if let Some(eip) = eip {
        annotations.insert(EIP.to_owned(), eip.to_owned());
    }
    if let Some(pool) = &spec.pool {
        annotations.insert(POOL.to_owned(), json(pool));
    }
    if let Some(autoscaler) = &spec.autoscaler {
        annotations.insert(AUTOSCALER.to_owned(), json(autoscaler));
    }
    if let Some(name) = &spec.object_name {
        annotations.insert(OBJECT_NAME.to_owned(), name.clone());
    }
    let disk_claims = spec.kind == WorkloadKind::Stateful;
    let mut pod = pod_spec::pod_spec(&spec.template, &topology(config), &|_| None);
    pod.volumes = {
        // A stateful workload's disks come from its claim templates; others get
        // none (their pods are interchangeable), so their disk volumes become empty dirs.
        let mut volumes = pod.volumes.unwrap_or_default();
        if !disk_claims {
            volumes.extend(disks(&spec.template).map(|(name, _, _)| core::Volume {
                name: name.to_owned(),
                empty_dir: Some(core::EmptyDirVolumeSource::default()),
                ..Default::default()
            }));
        }
        (!volumes.is_empty()).then_some(volumes)
    };
    let template = core::PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(pod_labels.clone()),
            annotations: Some(pod_annotations),
            ..ObjectMeta::default()
        }),
        spec: Some(pod),
    };
    if single_pod(spec) {
        // The pod's own name is completed when it is numbered (`-<pod id>`).
        let mut pod_labels = object_labels;
        pod_labels.insert(OWNER.to_owned(), id_text);
        pod_labels.insert(SINGLE_POD.to_owned(), "true".to_owned());
        annotations.extend(
            template
                .metadata
                .and_then(|m| m.annotations)
                .unwrap_or_default(),
        );
        let short = pod_labels
            .get(TEMPLATE_HASH)
            .and_then(|h| h.get(..10))
            .unwrap_or_default()
            .to_owned();
        return WorkloadObject::Pod(core::Pod {
            metadata: ObjectMeta {
                name: Some(format!("{}-{short}", object_name(id, spec))),
                labels: Some(pod_labels),
                annotations: Some(annotations),
                ..ObjectMeta::default()
            },
            spec: template.spec,
            status: None,
        });
    }
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
            let claims: Vec<core::PersistentVolumeClaim> = disks(&spec.template)
                .map(|(name, class, size_gb)| core::PersistentVolumeClaim {
                    metadata: ObjectMeta {
                        name: Some(name.to_owned()),
                        ..ObjectMeta::default()
                    },
                    spec: Some(core::PersistentVolumeClaimSpec {
                        access_modes: Some(vec!["ReadWriteOnce".to_owned()]),
                        storage_class_name: (!class.is_empty())
                            .then(|| config.storage_class(class)),
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
                    // A deleted workload's disks go with it: a new one of the same
                    // name starts empty, as on the simulator.
                    persistent_volume_claim_retention_policy: (!claims.is_empty()).then(|| {
                        k8s_openapi::api::apps::v1::StatefulSetPersistentVolumeClaimRetentionPolicy {
                            when_deleted: Some("Delete".to_owned()),
                            when_scaled: Some("Retain".to_owned()),
                        }
                    }),
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

/// A template's disks: name, storage class, size in GB.
pub(crate) fn disks(template: &PodTemplate) -> impl Iterator<Item = (&str, &str, u64)> {
    template.volumes.iter().filter_map(|v| match &v.source {
        VolumeSource::Disk { class, size_gb } => Some((v.name.as_str(), class.as_str(), *size_gb)),
        _ => None,
    })
}

/// Reads a workload back from its object's metadata, replica count and observed
/// generation; `None` when the object is not a podgate workload (or was written by
/// something else).
pub(crate) fn read(
    metadata: &ObjectMeta,
    kind: WorkloadKind,
    replicas: Option<i32>,
    observed: Option<i64>,
) -> Option<Stored> {
    let labels = metadata.labels.as_ref()?;
    let id = WorkloadId(labels.get(WORKLOAD_ID)?.parse().ok()?);
    let notes = metadata.annotations.as_ref()?;
    let template: PodTemplate = serde_json::from_str(notes.get(TEMPLATE)?).ok()?;
    let pool: Option<PoolPolicy> = notes.get(POOL).and_then(|p| serde_json::from_str(p).ok());
    let stamp = |key: &str| notes.get(key).and_then(|v| v.parse().ok()).map(Timestamp);
    Some(Stored {
        id,
        tenant: serde_json::from_str(notes.get(TENANT)?).ok()?,
        spec: WorkloadSpec {
            name: notes.get(NAME)?.clone(),
            labels: notes
                .get(USER_LABELS)
                .and_then(|l| serde_json::from_str(l).ok())
                .unwrap_or_default(),
            annotations: notes
                .get(WORKLOAD_ANNOTATIONS)
                .and_then(|l| serde_json::from_str(l).ok())
                .unwrap_or_default(),
            template: Arc::new(template),
            kind,
            replicas: replicas.and_then(|r| u32::try_from(r).ok()).unwrap_or(0),
            pool,
            autoscaler: notes
                .get(AUTOSCALER)
                .and_then(|a| serde_json::from_str(a).ok()),
            object_name: notes.get(OBJECT_NAME).cloned(),
        },
        created_at: stamp(CREATED_AT)?,
        updated_at: stamp(UPDATED_AT)?,
        resource_version: metadata.resource_version.clone(),
        eip: notes.get(EIP).cloned(),
        recreated: notes.contains_key(RECREATED_AT),
        pending: observed.is_none() || observed < metadata.generation,
        deleting: metadata.deletion_timestamp.is_some(),
        template_hash: labels.get(TEMPLATE_HASH).cloned().unwrap_or_default(),
    })
}

impl WorkloadObject {
    /// The object's metadata.
    pub(crate) fn metadata(&self) -> &ObjectMeta {
        match self {
            Self::StatefulSet(s) => &s.metadata,
            Self::Deployment(d) => &d.metadata,
            Self::Pod(p) => &p.metadata,
        }
    }

    /// The object's metadata, to change.
    pub(crate) fn metadata_mut(&mut self) -> &mut ObjectMeta {
        match self {
            Self::StatefulSet(s) => &mut s.metadata,
            Self::Deployment(d) => &mut d.metadata,
            Self::Pod(p) => &mut p.metadata,
        }
    }

    /// The kind of workload it runs: a Deployment with a pool policy is a pool.
    pub(crate) fn kind(&self) -> WorkloadKind {
        match self {
            Self::StatefulSet(_) => WorkloadKind::Stateful,
            Self::Deployment(d)
                if d.metadata
                    .annotations
                    .as_ref()
                    .is_some_and(|a| a.contains_key(POOL)) =>
            {
                WorkloadKind::Pool
            }
            Self::Deployment(_) => WorkloadKind::Deployment,
            Self::Pod(_) => WorkloadKind::Single,
        }
    }

    /// The workload it stores.
    pub(crate) fn stored(&self) -> Option<Stored> {
        let kind = self.kind();
        let (replicas, observed) = match self {
            Self::StatefulSet(s) => (
                s.spec.as_ref().and_then(|s| s.replicas),
                s.status.as_ref().and_then(|s| s.observed_generation),
            ),
            Self::Deployment(d) => (
                d.spec.as_ref().and_then(|s| s.replicas),
                d.status.as_ref().and_then(|s| s.observed_generation),
            ),
            // The pod is its own controller: nothing waits to act on it.
            Self::Pod(p) => (Some(1), Some(p.metadata.generation.unwrap_or(0))),
        };
        read(self.metadata(), kind, replicas, observed)
    }
}

/// Where a single pod stands among its workload's pods: later deploys sort after
/// earlier ones, and of pods made at once the one with the greater id is newer.
pub(crate) fn newness(pod: &core::Pod) -> (u64, Option<podgate_core::model::PodId>) {
    let generation = pod
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(GENERATION))
        .and_then(|g| g.parse().ok())
        .unwrap_or(0);
    (generation, crate::pods::pod_id(pod))
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
            &TenantKey::Namespace(podgate_core::model::NamespaceId(3)),
            &spec(WorkloadKind::Stateful),
            Times {
                created: Timestamp(1),
                updated: Timestamp(2),
            },
            Some("eip-1"),
            &config,
        );
        let WorkloadObject::StatefulSet(set) = &object else {
            panic!("{object:?}")
        };
        assert_eq!(
            set.metadata.name.as_deref(),
            Some("db"),
            "named as the user named it"
        );
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
        let stored = object.stored().unwrap();
        assert_eq!(stored.id, WorkloadId(7));
        assert_eq!(stored.spec, spec(WorkloadKind::Stateful));
        assert_eq!(
            (stored.created_at, stored.updated_at),
            (Timestamp(1), Timestamp(2))
        );
        assert_eq!(stored.eip.as_deref(), Some("eip-1"));
        assert!(stored.pending, "no controller has seen it yet");
        assert_eq!(
            set.metadata.labels.as_ref().unwrap()[labels::TENANT_KIND],
            "namespace"
        );
        assert_eq!(
            pod_labels[TEMPLATE_HASH], stored.template_hash,
            "pods carry their template's digest"
        );
    }

    #[test]
    fn a_pool_is_a_deployment_named_and_labelled_as_its_spec_says() {
        let mut pool = spec(WorkloadKind::Pool);
        pool.name = "pool1".to_owned();
        pool.object_name = Some("function-agent-pool1".to_owned());
        Arc::make_mut(&mut pool.template)
            .labels
            .insert("yr-pod-pool".to_owned(), "pool1".to_owned());
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
            &TenantKey::System,
            &pool,
            Times {
                created: Timestamp(1),
                updated: Timestamp(1),
            },
            None,
            &K8sConfig::default(),
        );
        let WorkloadObject::Deployment(d) = &object else {
            panic!("{object:?}")
        };
        assert_eq!(d.metadata.name.as_deref(), Some("function-agent-pool1"));
        let pod_labels = d.spec.as_ref().unwrap().template.metadata.as_ref().unwrap();
        assert_eq!(pod_labels.labels.as_ref().unwrap()["yr-pod-pool"], "pool1");
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
        assert_eq!(
            object.stored().unwrap().spec,
            pool,
            "it reads back as written"
        );
    }

    #[test]
    fn names_that_are_not_dns_labels_fall_back_to_the_id() {
        let named = |name: &str| {
            let mut s = spec(WorkloadKind::Deployment);
            s.name = name.to_owned();
            object_name(WorkloadId(4), &s)
        };
        assert_eq!(named("app-test"), "app-test");
        assert_eq!(named("Bad_Name"), "w-4");
        assert_eq!(named("-edge"), "w-4");
        assert_eq!(named(&"a".repeat(46)), "w-4");
        assert_eq!(
            named("w-12"),
            "w-4",
            "the fallback's own form is never a user's"
        );
        assert_eq!(named("w-x"), "w-x");
    }

    #[test]
    fn objects_podgate_did_not_write_read_as_none() {
        assert!(
            read(
                &ObjectMeta::default(),
                WorkloadKind::Stateful,
                Some(1),
                None
            )
            .is_none()
        );
    }
}
