//! IEF requests taken apart and validated: every rule of SPEC §2 and of the IEF API
//! reference, each answered with IEF's error naming the field by its JSON path.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use validator::Validate;

use super::definition::DeploymentMeta;
use super::error::IefError;
use super::rules;
use super::wire::{
    Affinity, Annotations, Attributes, ContainerDef, ContainerDefOut, CreateConfigMapRequest,
    CreateDeploymentRequest, CreateSecretRequest, Env, EnvOut, ExecOut, HostPortRangeOut,
    HttpGetOut, KeyRefOut, MatchExpressions, NumOrText, PodConfigs, PodConfigsOut, PodRequest,
    PodRequestOut, PortOut, Probe, ProbeOut, ResourcesOut, Tag, UpdateConfigMapRequest,
    UpdateDeploymentRequest, UpdateSecretRequest, ValueFromOut, VolumeOut,
};
use crate::model::{ConfigKind, PageRequest};
use crate::validate;

type Parsed<T> = Result<T, IefError>;

/// The seconds a group deployment's pods tolerate a lost node when `migration` is on
/// and `toleration_seconds` is not given (Kubernetes' default).
pub(super) const DEFAULT_TOLERATION_SECONDS: i64 = 300;

fn rule(check: validate::Check, field: &str) -> Parsed<()> {
    check.map_err(|reason| IefError::invalid(field, reason))
}

/// The first field rule `value` breaks (declared on its wire type), as IEF's error
/// naming the field under `path`.
fn check<'de, T: Validate + Deserialize<'de>>(value: &T, path: &str) -> Parsed<()> {
    let Some(broken) = validate::first_broken(value) else {
        return Ok(());
    };
    let field = format!("{path}{}", broken.field);
    Err(match broken.reason {
        _ if broken.is_missing() => IefError::invalid(&field, "is required"),
        Some(reason) => IefError::invalid(&field, reason),
        None => IefError::invalid(&field, format!("breaks the rule {}", broken.code)),
    })
}

fn required<'a, T>(value: &'a Option<T>, field: &str) -> Parsed<&'a T> {
    value
        .as_ref()
        .ok_or_else(|| IefError::invalid(field, "is required"))
}

/// An integer given as a number or as a string of digits; `None` when it is neither.
fn integer(value: &NumOrText) -> Option<i128> {
    match value {
        NumOrText::Num(n) if n.is_finite() && n.fract() == 0.0 => {
            // Whole numbers beyond i64 are clamped: they are out of every range anyway.
            Some(if *n < 0.0 {
                -1
            } else {
                i128::from(super::definition::whole(*n))
            })
        }
        NumOrText::Num(_) => None,
        NumOrText::Text(s) => s.trim().parse::<i128>().ok(),
    }
}

fn shown(value: &NumOrText) -> String {
    match value {
        NumOrText::Num(n) => n.to_string(),
        NumOrText::Text(s) => s.clone(),
    }
}

/// The page a `limit`/`offset` pair asks for: limit 1..=`max` (default `default`),
/// offset 0..=2^63-1 (default 0), integers given as numbers or strings.
pub fn page(
    limit: Option<&NumOrText>,
    offset: Option<&NumOrText>,
    default: u64,
    max: u64,
) -> Parsed<PageRequest> {
    let limit = match limit {
        None => default,
        Some(v) => integer(v)
            .filter(|n| (1..=i128::from(max)).contains(n))
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| IefError::limit(shown(v), max))?,
    };
    let offset = match offset {
        None => 0,
        Some(v) => integer(v)
            .filter(|n| (0..=i128::from(i64::MAX)).contains(n))
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| IefError::offset(shown(v)))?,
    };
    Ok(PageRequest::new(offset, limit))
}

/// A `sort` of `key[:asc|:desc]` with `key` one of `keys`: the key and whether the
/// order is descending; `default` when none is given.
pub(super) fn sort<'a>(
    value: Option<&str>,
    keys: &[&'a str],
    default: (&'a str, bool),
) -> Parsed<(&'a str, bool)> {
    let Some(value) = value else {
        return Ok(default);
    };
    let (key, order) = value.split_once(':').unwrap_or((value, "asc"));
    let desc = match order {
        "asc" => false,
        "desc" => true,
        _ => return Err(IefError::invalid("sort", "the order must be asc or desc")),
    };
    keys.iter()
        .find(|k| **k == key)
        .map(|k| (*k, desc))
        .ok_or_else(|| IefError::invalid("sort", format!("must be one of {keys:?}, got {key:?}")))
}

/// `force_delete`: `true` or `false` (the default).
pub(super) fn force_delete(value: Option<&str>) -> Parsed<bool> {
    match value {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(IefError::force_delete(other)),
    }
}

/// A pod count its rule has accepted (1..=99).
fn replicas(value: Option<i64>) -> u32 {
    value.and_then(|n| u32::try_from(n).ok()).unwrap_or(1)
}

fn tags(value: Option<&Vec<Attributes>>) -> Parsed<Vec<Tag>> {
    let mut keys = BTreeSet::new();
    value
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, t)| {
            check(t, &format!("tags[{i}]."))?;
            let (key, value) = (
                t.key.clone().unwrap_or_default(),
                t.value.clone().unwrap_or_default(),
            );
            if !keys.insert(key.clone()) {
                return Err(IefError::invalid(
                    &format!("tags[{i}].key"),
                    format!("{key} is duplicated"),
                ));
            }
            Ok(Tag { key, value })
        })
        .collect()
}

fn annotations(value: Option<&Annotations>, groups: &[String]) -> Parsed<Option<Annotations>> {
    let Some(a) = value else { return Ok(None) };
    check(a, "deployment.annotations.")?;
    if let Some(group) = &a.autonomy_edge_selector
        && !groups.contains(group)
    {
        return Err(IefError::invalid(
            "deployment.annotations.autonomy_edge_selector",
            format!("node group {group} does not exist"),
        ));
    }
    Ok(Some(a.clone()))
}

/// A create request, validated against the cluster's `nodes` and node `groups`.
pub(super) struct NewDeployment {
    /// The name.
    pub(super) name: String,
    /// What the deployment keeps beside its pods.
    pub(super) meta: DeploymentMeta,
    /// Pods.
    pub(super) replicas: u32,
    /// What the pods run.
    pub(super) pod: PodRequestOut,
}

/// Validates a create request. Node and group must be among `nodes` and `groups`.
pub(super) fn new_deployment(
    req: &CreateDeploymentRequest,
    nodes: &[String],
    groups: &[String],
) -> Parsed<NewDeployment> {
    check(req, "")?;
    let tags = tags(req.tags.as_ref())?;
    let node_ids = req.node_ids.clone().unwrap_or_default();
    let group_id = req.group_id.clone().filter(|g| !g.is_empty());
    match (&node_ids[..], &group_id) {
        ([node], None) => {
            if !nodes.contains(node) {
                return Err(IefError::placement_not_found("Node", node));
            }
        }
        ([], Some(group)) => {
            if !groups.contains(group) {
                return Err(IefError::placement_not_found("Node group", group));
            }
        }
        _ => {
            return Err(IefError::invalid(
                "node_ids",
                "give exactly one node in node_ids, or a group_id",
            ));
        }
    }
    let spec = required(&req.deployment, "deployment")?;
    check(spec, "deployment.")?;
    let template = required(&spec.template, "deployment.template")?;
    let pod = pod_request(template, group_id.is_some(), "deployment.template")?;
    let annotations = annotations(spec.annotations.as_ref(), groups)?;
    Ok(NewDeployment {
        name: req.name.clone().unwrap_or_default(),
        meta: DeploymentMeta {
            description: req.description.clone().unwrap_or_default(),
            tags,
            source: req.source.clone().unwrap_or_default(),
            node_ids,
            group_id,
            annotations,
        },
        replicas: replicas(spec.replicas),
        pod,
    })
}

/// What an update changes; `None` keeps the current value.
pub(super) struct DeploymentChange {
    /// New pod count.
    pub(super) replicas: Option<u32>,
    /// A new template, replacing the old one whole.
    pub(super) pod: Option<PodRequestOut>,
    /// A new description.
    pub(super) description: Option<String>,
}

/// Validates an update request for a deployment to a node group (`group`) or a node.
pub(super) fn deployment_change(
    req: &UpdateDeploymentRequest,
    group: bool,
) -> Parsed<DeploymentChange> {
    check(req, "")?;
    let description = req.description.clone();
    let (replicas, pod) = match &req.deployment {
        None => (None, None),
        Some(d) => {
            check(d, "deployment.")?;
            let template = required(&d.template, "deployment.template")?;
            (
                d.replicas.map(|n| self::replicas(Some(n))),
                Some(pod_request(template, group, "deployment.template")?),
            )
        }
    };
    if description.is_none() && replicas.is_none() && pod.is_none() {
        return Err(IefError::invalid(
            "deployment",
            "give a deployment, a description, or both",
        ));
    }
    Ok(DeploymentChange {
        replicas,
        pod,
        description,
    })
}

/// Validates a `PodRequest`; `group` says whether the deployment targets a node group.
pub(super) fn pod_request(value: &PodRequest, group: bool, field: &str) -> Parsed<PodRequestOut> {
    check(value, &format!("{field}."))?;
    let configs = configs(value.configs.as_ref(), group, &format!("{field}.configs"))?;
    let affinity = value
        .affinity
        .as_ref()
        .map(|a| affinity(a, &format!("{field}.affinity")))
        .transpose()?;
    let given = required(&value.containers, &format!("{field}.containers"))?;
    let mut names = BTreeSet::new();
    let mut volumes: BTreeMap<String, VolumeOut> = BTreeMap::new();
    let mut each = |list: &[ContainerDef], key: &str| -> Parsed<Vec<ContainerDefOut>> {
        list.iter()
            .enumerate()
            .map(|(i, c)| {
                let at = format!("{field}.{key}[{i}]");
                let c = container(c, &at)?;
                if !names.insert(c.name.clone()) {
                    return Err(IefError::invalid(
                        &format!("{at}.name"),
                        format!("{} is duplicated", c.name),
                    ));
                }
                // A volume name shared by containers must mean the same volume.
                for (j, v) in c.volumes.iter().enumerate() {
                    let same = |known: &VolumeOut| {
                        known.type_ == v.type_
                            && known.source == v.source
                            && known.default_mode == v.default_mode
                    };
                    match volumes.get(&v.name) {
                        Some(known) if !same(known) => {
                            return Err(IefError::invalid(
                                &format!("{at}.volumes[{j}]"),
                                format!(
                                    "volume {} is declared differently by another container",
                                    v.name
                                ),
                            ));
                        }
                        Some(_) => {}
                        None => {
                            volumes.insert(v.name.clone(), v.clone());
                        }
                    }
                }
                Ok(c)
            })
            .collect()
    };
    let init_containers = each(
        value.init_containers.as_deref().unwrap_or_default(),
        "init_containers",
    )?;
    let containers = each(given, "containers")?;
    Ok(PodRequestOut {
        configs,
        affinity,
        init_containers,
        containers,
    })
}

fn configs(value: Option<&PodConfigs>, group: bool, field: &str) -> Parsed<PodConfigsOut> {
    let value = value.cloned().unwrap_or_default();
    check(&value, &format!("{field}."))?;
    let restart_policy = value
        .restart_policy
        .clone()
        .unwrap_or_else(|| "Always".to_owned());
    let host_network = value.host_network.unwrap_or(false);
    let dns_policy = value
        .dns_policy
        .clone()
        .unwrap_or_else(|| "Default".to_owned());
    rule(
        rules::dns_policy(&dns_policy, host_network),
        &format!("{field}.dns_policy"),
    )?;
    if group && value.migration.is_none() {
        return Err(IefError::invalid(
            &format!("{field}.migration"),
            "is required when deploying to a node group",
        ));
    }
    if !group && value.migration == Some(true) {
        return Err(IefError::invalid(
            &format!("{field}.migration"),
            "applies to node group deployments only",
        ));
    }
    if !group && value.toleration_seconds.is_some() {
        return Err(IefError::invalid(
            &format!("{field}.toleration_seconds"),
            "applies to node group deployments only",
        ));
    }
    let toleration_seconds = match value.toleration_seconds {
        None if group => Some(DEFAULT_TOLERATION_SECONDS),
        given => given,
    };
    Ok(PodConfigsOut {
        host_network,
        host_pid: value.host_pid.unwrap_or(false),
        migration: value.migration.unwrap_or(false),
        restart_policy,
        toleration_seconds,
        dns_policy,
    })
}

fn term(value: &MatchExpressions, field: &str) -> Parsed<MatchExpressions> {
    check(value, &format!("{field}."))?;
    for (i, e) in value.match_expressions.iter().flatten().enumerate() {
        let at = format!("{field}.matchExpressions[{i}]");
        check(e, &format!("{at}."))?;
        let Some(op) = e
            .operator
            .as_deref()
            .and_then(crate::model::SelectorOperator::parse)
        else {
            return Err(IefError::invalid(&format!("{at}.operator"), "is required"));
        };
        let values = e.values.as_deref().unwrap_or_default();
        use crate::model::SelectorOperator as Op;
        let ok = match op {
            Op::In | Op::NotIn => !values.is_empty(),
            Op::Exists | Op::DoesNotExist => values.is_empty(),
            Op::Gt | Op::Lt => matches!(values, [v] if v.parse::<i64>().is_ok()),
        };
        if !ok {
            return Err(IefError::invalid(
                &format!("{at}.values"),
                format!(
                    "{} takes {}",
                    op.as_str(),
                    match op {
                        Op::In | Op::NotIn => "one or more values",
                        Op::Exists | Op::DoesNotExist => "no values",
                        Op::Gt | Op::Lt => "exactly one integer",
                    }
                ),
            ));
        }
    }
    Ok(value.clone())
}

fn affinity(value: &Affinity, field: &str) -> Parsed<Affinity> {
    check(value, &format!("{field}."))?;
    if let Some(node) = &value.node_affinity {
        let at = format!("{field}.nodeAffinity");
        if let Some(required) = &node.required {
            let at = format!("{at}.requiredDuringSchedulingIgnoredDuringExecution");
            check(required, &format!("{at}."))?;
            for (i, t) in required.node_selector_terms.iter().flatten().enumerate() {
                term(t, &format!("{at}.nodeSelectorTerms[{i}]"))?;
            }
        }
        for (i, p) in node.preferred.iter().flatten().enumerate() {
            let f = format!("{at}.preferredDuringSchedulingIgnoredDuringExecution[{i}]");
            check(p, &format!("{f}."))?;
            if let Some(preference) = &p.preference {
                term(preference, &format!("{f}.preference"))?;
            }
        }
    }
    Ok(value.clone())
}

fn number(value: &NumOrText, field: &str) -> Parsed<f64> {
    let n = match value {
        NumOrText::Num(n) => *n,
        NumOrText::Text(s) => s
            .parse::<f64>()
            .map_err(|_| IefError::invalid(field, format!("{s:?} is not a number")))?,
    };
    if n.is_finite() {
        Ok(n)
    } else {
        Err(IefError::invalid(field, "is not a number"))
    }
}

fn amounts(
    value: Option<&BTreeMap<String, NumOrText>>,
    field: &str,
    limits: bool,
) -> Parsed<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (key, v) in value.into_iter().flatten() {
        let at = format!("{field}.{key}");
        let n = number(v, &at)?;
        let check = match key.as_str() {
            "cpu" => rules::cpu(n),
            "memory" => rules::memory(n, limits),
            "gpu" => rules::gpu(n),
            "npu" => rules::npu(n),
            _ => {
                return Err(IefError::invalid(
                    &at,
                    "is not a resource: use cpu, memory, gpu or npu",
                ));
            }
        };
        rule(check, &at)?;
        out.insert(key.clone(), format!("{n}"));
    }
    Ok(out)
}

fn probe(value: Option<&Probe>, field: &str) -> Parsed<Option<ProbeOut>> {
    let Some(value) = value else { return Ok(None) };
    check(value, &format!("{field}."))?;
    let exec = match &value.exec {
        None => None,
        Some(e) => {
            check(e, &format!("{field}.exec."))?;
            Some(ExecOut {
                command: e
                    .command
                    .as_ref()
                    .map(rules::command_line)
                    .unwrap_or_default(),
            })
        }
    };
    let http_get = match &value.http_get {
        None => None,
        Some(h) => {
            check(h, &format!("{field}.http_get."))?;
            Some(HttpGetOut {
                path: h.path.clone().unwrap_or_default(),
                port: h
                    .port
                    .and_then(|p| u16::try_from(p).ok())
                    .unwrap_or_default(),
                host: h.host.clone(),
                scheme: h.scheme.clone().unwrap_or_else(|| "HTTP".to_owned()),
            })
        }
    };
    if exec.is_some() == http_get.is_some() {
        return Err(IefError::invalid(
            field,
            "needs exactly one of exec and http_get",
        ));
    }
    Ok(Some(ProbeOut {
        exec,
        http_get,
        initial_delay_seconds: value.initial_delay_seconds.unwrap_or(10),
        timeout_seconds: value.timeout_seconds.unwrap_or(1),
    }))
}

fn env(e: &Env, field: &str) -> Parsed<EnvOut> {
    check(e, &format!("{field}."))?;
    let sources = [
        e.value.is_some(),
        e.value_from.is_some(),
        e.field_path.is_some(),
    ];
    if sources.iter().filter(|s| **s).count() != 1 {
        return Err(IefError::invalid(
            field,
            "needs exactly one of value, value_from and field_path",
        ));
    }
    let key_ref = |r: &super::wire::KeyRef, at: &str| -> Parsed<KeyRefOut> {
        check(r, &format!("{at}."))?;
        Ok(KeyRefOut {
            name: r.name.clone().unwrap_or_default(),
            key: r.key.clone().unwrap_or_default(),
        })
    };
    let value_from = match &e.value_from {
        None => None,
        Some(from) => {
            let at = format!("{field}.value_from");
            match (&from.configmap, &from.secret) {
                (Some(c), None) => Some(ValueFromOut {
                    configmap: Some(key_ref(c, &format!("{at}.configmap"))?),
                    secret: None,
                }),
                (None, Some(s)) => Some(ValueFromOut {
                    configmap: None,
                    secret: Some(key_ref(s, &format!("{at}.secret"))?),
                }),
                _ => {
                    return Err(IefError::invalid(
                        &at,
                        "needs exactly one of configmap and secret",
                    ));
                }
            }
        }
    };
    Ok(EnvOut {
        name: e.name.clone().unwrap_or_default(),
        value: e.value.clone(),
        value_from,
        field_path: e.field_path.clone(),
    })
}

fn volume(v: &super::wire::Volume, field: &str) -> Parsed<VolumeOut> {
    check(v, &format!("{field}."))?;
    let t = v.type_.clone().unwrap_or_default();
    let source = v.source.clone().unwrap_or_default();
    // What `source` names, and which settings apply, depend on the volume's type.
    let object = matches!(t.as_str(), "configMap" | "secret");
    match t.as_str() {
        "hostPath" => rule(rules::host_path(&source), &format!("{field}.source"))?,
        "emptyDir" => rule(rules::empty_dir_medium(&source), &format!("{field}.source"))?,
        _ => rule(rules::config_name(&source), &format!("{field}.source"))?,
    }
    if object && v.read_only == Some(false) {
        return Err(IefError::invalid(
            &format!("{field}.read_only"),
            "configMap and secret volumes are read-only",
        ));
    }
    let default_mode = match (v.default_mode, object) {
        (Some(_), false) => {
            return Err(IefError::invalid(
                &format!("{field}.default_mode"),
                "applies to configMap and secret volumes only",
            ));
        }
        (Some(mode), true) => u32::try_from(mode).ok(),
        (None, true) => Some(420),
        (None, false) => None,
    };
    Ok(VolumeOut {
        name: v.name.clone().unwrap_or_default(),
        type_: t,
        source,
        destination: v.destination.clone().unwrap_or_default(),
        read_only: v.read_only.unwrap_or(object),
        default_mode,
    })
}

/// Validates one container.
fn container(def: &ContainerDef, field: &str) -> Parsed<ContainerDefOut> {
    check(def, &format!("{field}."))?;
    let name = def.name.clone().unwrap_or_default();
    let image_url = def.image_url.clone().unwrap_or_default();
    let version = def.version.clone();
    let args = def.args.clone().unwrap_or_default();
    let command = def.command.clone().unwrap_or_default();
    let length: usize = args.iter().chain(&command).map(|s| s.chars().count()).sum();
    if length > 65536 {
        return Err(IefError::invalid(
            &format!("{field}.command"),
            "command and args must be at most 65536 characters together",
        ));
    }
    let mut env_names = BTreeSet::new();
    let envs = def
        .envs
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, e)| {
            let at = format!("{field}.envs[{i}]");
            let e = env(e, &at)?;
            if !env_names.insert(e.name.clone()) {
                return Err(IefError::invalid(
                    &format!("{at}.name"),
                    format!("{} is duplicated", e.name),
                ));
            }
            Ok(e)
        })
        .collect::<Parsed<Vec<_>>>()?;
    let ports = def
        .ports
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, p)| {
            let at = format!("{field}.ports[{i}]");
            check(p, &format!("{at}."))?;
            let number = |value: Option<i64>| value.and_then(|v| u16::try_from(v).ok());
            let host_port = number(p.host_port);
            let host_port_range = match &p.host_port_range {
                None => None,
                Some(_) if host_port.is_some() => {
                    return Err(IefError::invalid(
                        &format!("{at}.host_port_range"),
                        "give host_port or host_port_range, not both",
                    ));
                }
                Some(r) => {
                    let rf = format!("{at}.host_port_range");
                    check(r, &format!("{rf}."))?;
                    let (min, max) = (number(r.min_port), number(r.max_port));
                    if max <= min {
                        return Err(IefError::invalid(
                            &format!("{rf}.max_port"),
                            "must be greater than min_port",
                        ));
                    }
                    Some(HostPortRangeOut {
                        min_port: min.unwrap_or_default(),
                        max_port: max.unwrap_or_default(),
                    })
                }
            };
            let container_port = number(p.container_port).unwrap_or_default();
            Ok(PortOut {
                container_port,
                host_port,
                host_ip: p.host_ip.clone(),
                host_port_range,
            })
        })
        .collect::<Parsed<Vec<_>>>()?;
    let mut volume_names = BTreeSet::new();
    let volumes = def
        .volumes
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, v)| {
            let at = format!("{field}.volumes[{i}]");
            let v = volume(v, &at)?;
            if !volume_names.insert(v.name.clone()) {
                return Err(IefError::invalid(
                    &format!("{at}.name"),
                    format!("{} is duplicated", v.name),
                ));
            }
            Ok(v)
        })
        .collect::<Parsed<Vec<_>>>()?;
    let npu_type = def.npu_type.clone().unwrap_or_default();
    rule(rules::npu_type(&npu_type), &format!("{field}.npu_type"))?;
    if let Some(uid) = def.run_as_user {
        rule(rules::run_as_user(uid), &format!("{field}.run_as_user"))?;
    }
    let resources = def.resources.clone().unwrap_or_default();
    Ok(ContainerDefOut {
        name,
        image_url,
        args,
        command,
        resources: ResourcesOut {
            limits: amounts(
                resources.limits.as_ref(),
                &format!("{field}.resources.limits"),
                true,
            )?,
            requests: amounts(
                resources.requests.as_ref(),
                &format!("{field}.resources.requests"),
                false,
            )?,
        },
        envs,
        ports,
        privileged: def.privileged.unwrap_or(false),
        run_as_user: def.run_as_user,
        readiness_probe: probe(
            def.readiness_probe.as_ref(),
            &format!("{field}.readiness_probe"),
        )?,
        liveness_probe: probe(
            def.liveness_probe.as_ref(),
            &format!("{field}.liveness_probe"),
        )?,
        version,
        volumes,
        npu_type,
    })
}

/// Every config map and secret a template reads, with the key it reads (`None` for
/// a volume, which reads them all) and the field that names it.
pub(super) fn config_refs(
    pod: &PodRequestOut,
    field: &str,
) -> Vec<(ConfigKind, String, Option<String>, String)> {
    let mut refs = Vec::new();
    for (key, list) in [
        ("init_containers", &pod.init_containers),
        ("containers", &pod.containers),
    ] {
        for (i, c) in list.iter().enumerate() {
            for (j, v) in c.volumes.iter().enumerate() {
                let kind = match v.type_.as_str() {
                    "configMap" => ConfigKind::ConfigMap,
                    "secret" => ConfigKind::Secret,
                    _ => continue,
                };
                refs.push((
                    kind,
                    v.source.clone(),
                    None,
                    format!("{field}.{key}[{i}].volumes[{j}].source"),
                ));
            }
            for (j, e) in c.envs.iter().enumerate() {
                let Some(from) = &e.value_from else { continue };
                let at = format!("{field}.{key}[{i}].envs[{j}].value_from");
                if let Some(r) = &from.configmap {
                    refs.push((
                        ConfigKind::ConfigMap,
                        r.name.clone(),
                        Some(r.key.clone()),
                        format!("{at}.configmap.name"),
                    ));
                }
                if let Some(r) = &from.secret {
                    refs.push((
                        ConfigKind::Secret,
                        r.name.clone(),
                        Some(r.key.clone()),
                        format!("{at}.secret.name"),
                    ));
                }
            }
        }
    }
    refs
}

/// A config map's or secret's data: keys by the rule, the whole map as JSON at most
/// 1048576 characters, secret values base64; `null` values dropped.
fn config_data(
    value: &BTreeMap<String, Option<String>>,
    field: &str,
    secret: bool,
) -> Parsed<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (key, v) in value {
        rule(rules::config_key(key), &format!("{field}.{key}"))?;
        let Some(v) = v else { continue };
        if secret {
            rule(rules::base64(v), &format!("{field}.{key}"))?;
        }
        out.insert(key.clone(), v.clone());
    }
    let size = serde_json::to_string(&out).map_or(usize::MAX, |s| s.chars().count());
    if size > 1_048_576 {
        return Err(IefError::invalid(
            field,
            "must be at most 1048576 characters as JSON",
        ));
    }
    Ok(out)
}

/// A config map or secret to create, validated.
pub(super) struct NewConfigBody {
    /// The name.
    pub(super) name: String,
    /// The description (empty when none is given).
    pub(super) description: String,
    /// The keys and values, `null` values dropped.
    pub(super) data: BTreeMap<String, String>,
}

/// What a config map or secret update changes; `None` keeps the current value.
pub(super) struct ConfigChange {
    /// A new description.
    pub(super) description: Option<String>,
    /// New data, replacing the current data whole.
    pub(super) data: Option<BTreeMap<String, String>>,
}

/// Validates a config map create request.
pub(super) fn new_configmap(req: &CreateConfigMapRequest) -> Parsed<NewConfigBody> {
    check(req, "")?;
    let body = required(&req.configmap, "configmap")?;
    check(body, "configmap.")?;
    let none = BTreeMap::new();
    Ok(NewConfigBody {
        name: body.name.clone().unwrap_or_default(),
        description: body.description.clone().unwrap_or_default(),
        data: config_data(
            body.configs.as_ref().unwrap_or(&none),
            "configmap.configs",
            false,
        )?,
    })
}

/// Validates a secret create request (its type, when given, is `Opaque`).
pub(super) fn new_secret(req: &CreateSecretRequest) -> Parsed<NewConfigBody> {
    check(req, "")?;
    let body = required(&req.secret, "secret")?;
    check(body, "secret.")?;
    let secrets = required(&body.secrets, "secret.secrets")?;
    Ok(NewConfigBody {
        name: body.name.clone().unwrap_or_default(),
        description: body.description.clone().unwrap_or_default(),
        data: config_data(secrets, "secret.secrets", true)?,
    })
}

/// Validates a config map update request.
pub(super) fn configmap_change(req: &UpdateConfigMapRequest) -> Parsed<ConfigChange> {
    check(req, "")?;
    let body = required(&req.configmap, "configmap")?;
    check(body, "configmap.")?;
    config_change(
        body.description.as_ref(),
        body.configs.as_ref(),
        "configmap",
        false,
    )
}

/// Validates a secret update request.
pub(super) fn secret_change(req: &UpdateSecretRequest) -> Parsed<ConfigChange> {
    check(req, "")?;
    let body = required(&req.secret, "secret")?;
    check(body, "secret.")?;
    config_change(
        body.description.as_ref(),
        body.secrets.as_ref(),
        "secret",
        true,
    )
}

fn config_change(
    description: Option<&String>,
    data: Option<&BTreeMap<String, Option<String>>>,
    field: &str,
    secret: bool,
) -> Parsed<ConfigChange> {
    if description.is_none() && data.is_none() {
        return Err(IefError::invalid(
            field,
            "give a description, the data, or both",
        ));
    }
    let data_field = format!("{field}.{}", if secret { "secrets" } else { "configs" });
    Ok(ConfigChange {
        description: description.cloned(),
        data: data
            .map(|d| config_data(d, &data_field, secret))
            .transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_array_is_no_object() {
        // Found by the HTTP fuzz run: serde's derive read `[null, null]` as `Resources`.
        let body = serde_json::json!({"deployment": {"replicas": 1, "template": {"containers": [
            {"name": "a", "image_url": "nginx", "resources": [null, null]}]}}});
        let err =
            super::super::service::decode::<super::super::wire::UpdateDeploymentRequest>(body)
                .unwrap_err();
        assert!(
            err.message
                .contains("deployment.template.containers[0].resources")
                && err.message.contains("expected struct"),
            "{}",
            err.message
        );
    }

    #[test]
    fn an_amount_is_a_number_or_exactly_its_text() {
        let limits = |v: NumOrText| {
            amounts(
                Some(&BTreeMap::from([("cpu".to_owned(), v)])),
                "limits",
                true,
            )
        };
        let t = |v: &str| NumOrText::Text(v.to_owned());
        for good in [t("0.5"), t(".5"), t("+0.5"), t("5e-1"), NumOrText::Num(0.5)] {
            assert_eq!(limits(good).unwrap()["cpu"], "0.5");
        }
        // The document's pattern takes no space around the number, nor does the rule.
        for bad in [
            t(" 0.5"),
            t("0.5\n"),
            t(""),
            t("inf"),
            t("NaN"),
            t("0.5cores"),
        ] {
            assert_eq!(limits(bad).unwrap_err().code, "IEF.100002");
        }
    }

    #[test]
    fn pages_and_sorts() {
        let n = |v: f64| NumOrText::Num(v);
        let t = |v: &str| NumOrText::Text(v.to_owned());
        assert_eq!(page(None, None, 10, 100).unwrap(), PageRequest::new(0, 10));
        assert_eq!(
            page(Some(&t("5")), Some(&n(3.0)), 10, 100).unwrap(),
            PageRequest::new(3, 5)
        );
        for bad in [n(0.0), n(101.0), t("x"), n(1.5), n(-1.0)] {
            assert_eq!(
                page(Some(&bad), None, 10, 100).unwrap_err().code,
                "IEF.100005"
            );
        }
        for bad in [n(-1.0), t("-3"), n(0.5), t("9223372036854775808")] {
            assert_eq!(
                page(None, Some(&bad), 10, 100).unwrap_err().code,
                "IEF.100004",
                "{bad:?}"
            );
        }
        assert_eq!(
            page(None, Some(&t("9223372036854775807")), 10, 100).unwrap(),
            PageRequest::new(u64::try_from(i64::MAX).unwrap(), 10),
            "the largest offset"
        );
        let keys = ["created_at"];
        assert_eq!(
            sort(None, &keys, ("created_at", true)).unwrap(),
            ("created_at", true)
        );
        assert_eq!(
            sort(Some("created_at:asc"), &keys, ("created_at", true)).unwrap(),
            ("created_at", false)
        );
        assert_eq!(
            sort(Some("created_at"), &keys, ("created_at", true)).unwrap(),
            ("created_at", false)
        );
        assert!(sort(Some("name"), &keys, ("created_at", true)).is_err());
        assert!(sort(Some("created_at:up"), &keys, ("created_at", true)).is_err());
        assert!(force_delete(Some("maybe")).is_err());
        assert!(force_delete(Some("true")).unwrap());
        assert!(!force_delete(None).unwrap());
    }

    /// The rules declared on the deployment and config types answer with the path of
    /// the first field that breaks one, in the document's order.
    #[test]
    fn declared_rules_name_the_first_broken_field() {
        let deployment = |patch: serde_json::Value| {
            let mut body = serde_json::json!({
                "name": "app", "node_ids": ["node-1"],
                "tags": [{"key": "a", "value": "1"}],
                "deployment": {"replicas": 1, "template": {
                    "containers": [{"name": "c", "image_url": "nginx:1"}]}},
            });
            json_patch(&mut body, patch);
            let req: CreateDeploymentRequest = serde_json::from_value(body).unwrap();
            new_deployment(&req, &["node-1".to_owned()], &[])
                .err()
                .map(|e| e.message)
        };
        assert_eq!(deployment(serde_json::json!({})), None);
        let cases = [
            (
                serde_json::json!({"name": "Bad_Name", "source": "x".repeat(65)}),
                "name",
            ),
            (serde_json::json!({"source": "x".repeat(65)}), "source"),
            (
                serde_json::json!({"tags": vec![serde_json::json!({"key": "a", "value": "1"}); 21]}),
                "tags",
            ),
            (
                serde_json::json!({"tags": [{"key": "a", "value": "1"}, {"value": "2"}]}),
                "tags[1].key",
            ),
            (
                serde_json::json!({"tags": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]}),
                "tags[1].key",
            ),
            (
                serde_json::json!({"deployment": {"replicas": 100}}),
                "deployment.replicas",
            ),
            (
                serde_json::json!({"deployment": {"replicas": 2, "template": null}}),
                "deployment.template",
            ),
            (
                serde_json::json!({"deployment": {"annotations": {"ring_controller": "x"}}}),
                "deployment.annotations.ring_controller",
            ),
            (
                serde_json::json!({"deployment": {"template": {"containers": []}}}),
                "deployment.template.containers",
            ),
            (
                serde_json::json!({"deployment": {"template": {"configs": {"restart_policy": "Sometimes"}}}}),
                "deployment.template.configs.restart_policy",
            ),
            (
                serde_json::json!({"deployment": {"template": {"affinity": {"podAffinity": {}}}}}),
                "deployment.template.affinity.podAffinity",
            ),
            (
                serde_json::json!({"deployment": {"template": {"affinity": {"nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                        {"matchExpressions": [{"key": "zone", "operator": "Near"}]}]}}}}}}),
                "deployment.template.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator",
            ),
            (
                serde_json::json!({"deployment": {"template": {"affinity": {"nodeAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 0,
                        "preference": {"matchExpressions": []}}]}}}}}),
                "deployment.template.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
            ),
            (
                serde_json::json!({"deployment": {"template": {"affinity": {"nodeAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1,
                        "preference": {"matchExpressions": []}}]}}}}}),
                "deployment.template.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions",
            ),
        ];
        for (patch, field) in cases {
            let message = deployment(patch.clone()).unwrap_or_default();
            assert!(
                message.starts_with(&format!("Invalid parameter {field}: ")),
                "{patch}: {message}"
            );
        }

        let secret = |body: serde_json::Value| {
            new_secret(&serde_json::from_value(body).unwrap())
                .err()
                .map(|e| e.message)
        };
        let good = serde_json::json!({"secret": {"name": "db-pass", "secrets": {"a": "dmFsMQ=="}}});
        assert_eq!(secret(good), None);
        for (body, field) in [
            (serde_json::json!({}), "secret"),
            (
                serde_json::json!({"secret": {"name": "x", "type": "tls"}}),
                "secret.name",
            ),
            (
                serde_json::json!({"secret": {"name": "db-pass", "type": "tls"}}),
                "secret.type",
            ),
            (
                serde_json::json!({"secret": {"name": "db-pass"}}),
                "secret.secrets",
            ),
        ] {
            let message = secret(body.clone()).unwrap_or_default();
            assert!(
                message.starts_with(&format!("Invalid parameter {field}: ")),
                "{body}: {message}"
            );
        }
        let change: UpdateConfigMapRequest =
            serde_json::from_value(serde_json::json!({"configmap": {}})).unwrap();
        assert!(
            configmap_change(&change).is_err(),
            "an update changes something"
        );
    }

    /// Merges `patch` into `body`, object by object (RFC 7396 without deletion).
    fn json_patch(body: &mut serde_json::Value, patch: serde_json::Value) {
        match (body, patch) {
            (serde_json::Value::Object(body), serde_json::Value::Object(patch)) => {
                for (key, value) in patch {
                    json_patch(body.entry(key).or_insert(serde_json::Value::Null), value);
                }
            }
            (body, patch) => *body = patch,
        }
    }

    #[test]
    fn config_data_checks_keys_values_and_size() {
        let map = |pairs: &[(&str, Option<&str>)]| -> BTreeMap<String, Option<String>> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
                .collect()
        };
        let good = config_data(&map(&[("a", Some("1")), ("b", None)]), "configs", false).unwrap();
        assert_eq!(good.len(), 1, "a null drops the key");
        assert!(config_data(&map(&[("1a", Some("x"))]), "configs", false).is_err());
        assert!(config_data(&map(&[("a", Some("not base64!"))]), "secrets", true).is_err());
        assert!(config_data(&map(&[("a", Some("dmFsMQ=="))]), "secrets", true).is_ok());
        let big = "x".repeat(1_048_600);
        assert!(config_data(&map(&[("a", Some(&big))]), "configs", false).is_err());
    }
}
