//! IEF requests taken apart and validated: every rule of SPEC §2 and of the IEF API
//! reference, each answered with IEF's error naming the field by its JSON path.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use validator::Validate;

use super::definition::DeploymentMeta;
use super::error::IefError;
use super::rules;
use super::wire::{
    Affinity, Annotations, Attributes, ContainerDef, ContainerDefOut, CreateDeploymentRequest, Env,
    EnvOut, ExecOut, HostPortRangeOut, HttpGetOut, KeyRefOut, MatchExpressions, NumOrText,
    PodConfigs, PodConfigsOut, PodRequest, PodRequestOut, PortOut, Probe, ProbeOut, ResourcesOut,
    Tag, UpdateDeploymentRequest, ValueFromOut, VolumeOut,
};
use crate::model::{ConfigKind, PageRequest};
use crate::validate;

type Parsed<T> = Result<T, IefError>;

/// The seconds a group deployment's pods tolerate a lost node when `migration` is on
/// and `toleration_seconds` is not given (Kubernetes' default).
pub(super) const DEFAULT_TOLERATION_SECONDS: i64 = 300;

/// The most tags a deployment carries.
const MAX_TAGS: usize = 20;

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
/// offset ≥ 0 (default 0), integers given as numbers or strings.
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
            .filter(|n| *n >= 0)
            .map(|n| u64::try_from(n).unwrap_or(u64::MAX))
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

/// A description: optional, at most 255 characters of the allowed ones.
pub(super) fn description(value: Option<&String>, field: &str) -> Parsed<String> {
    let text = value.cloned().unwrap_or_default();
    rule(rules::description(&text), field)?;
    Ok(text)
}

fn replicas(value: Option<i64>, field: &str) -> Parsed<u32> {
    let n = *required(&value, field)?;
    if (1..100).contains(&n) {
        Ok(u32::try_from(n).unwrap_or(1))
    } else {
        Err(IefError::invalid(field, format!("must be 1..=99, got {n}")))
    }
}

fn tags(value: Option<&Vec<Attributes>>) -> Parsed<Vec<Tag>> {
    let given = value.map(Vec::as_slice).unwrap_or_default();
    if given.len() > MAX_TAGS {
        return Err(IefError::invalid(
            "tags",
            format!("at most {MAX_TAGS} tags"),
        ));
    }
    let mut keys = BTreeSet::new();
    given
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let key = required(&t.key, &format!("tags[{i}].key"))?;
            rule(rules::tag_key(key), &format!("tags[{i}].key"))?;
            let value = required(&t.value, &format!("tags[{i}].value"))?;
            rule(rules::tag_value(value), &format!("tags[{i}].value"))?;
            if !keys.insert(key.clone()) {
                return Err(IefError::invalid(
                    &format!("tags[{i}].key"),
                    format!("{key} is duplicated"),
                ));
            }
            Ok(Tag {
                key: key.clone(),
                value: value.clone(),
            })
        })
        .collect()
}

fn annotations(value: Option<&Annotations>, groups: &[String]) -> Parsed<Option<Annotations>> {
    let Some(a) = value else { return Ok(None) };
    if let Some(ring) = &a.ring_controller
        && ring != "ascend-1980"
    {
        return Err(IefError::invalid(
            "deployment.annotations.ring_controller",
            format!("must be ascend-1980, got {ring:?}"),
        ));
    }
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
    let name = required(&req.name, "name")?;
    rule(rules::deployment_name(name), "name")?;
    let description = description(req.description.as_ref(), "description")?;
    let source = req.source.clone().unwrap_or_default();
    if source.chars().count() > 64 {
        return Err(IefError::invalid("source", "must be at most 64 characters"));
    }
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
    let replicas = replicas(spec.replicas, "deployment.replicas")?;
    let template = required(&spec.template, "deployment.template")?;
    let pod = pod_request(template, group_id.is_some(), "deployment.template")?;
    let annotations = annotations(spec.annotations.as_ref(), groups)?;
    Ok(NewDeployment {
        name: name.clone(),
        meta: DeploymentMeta {
            description,
            tags,
            source,
            node_ids,
            group_id,
            annotations,
        },
        replicas,
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
    let description = req
        .description
        .as_ref()
        .map(|d| description(Some(d), "description"))
        .transpose()?;
    let (replicas, pod) = match &req.deployment {
        None => (None, None),
        Some(d) => {
            let replicas = d
                .replicas
                .map(|n| replicas(Some(n), "deployment.replicas"))
                .transpose()?;
            let template = required(&d.template, "deployment.template")?;
            (
                replicas,
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
    let configs = configs(value.configs.as_ref(), group, &format!("{field}.configs"))?;
    let affinity = value
        .affinity
        .as_ref()
        .map(|a| affinity(a, &format!("{field}.affinity")))
        .transpose()?;
    let given = required(&value.containers, &format!("{field}.containers"))?;
    if given.is_empty() {
        return Err(IefError::invalid(
            &format!("{field}.containers"),
            "must not be empty",
        ));
    }
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
    let restart_policy = value
        .restart_policy
        .clone()
        .unwrap_or_else(|| "Always".to_owned());
    rule(
        rules::restart_policy(&restart_policy),
        &format!("{field}.restart_policy"),
    )?;
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
        Some(t) if !(0..=i64::from(u32::MAX)).contains(&t) => {
            return Err(IefError::invalid(
                &format!("{field}.toleration_seconds"),
                "must be >= 0",
            ));
        }
        Some(t) => Some(t),
        None if group => Some(DEFAULT_TOLERATION_SECONDS),
        None => None,
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
    let given = required(
        &value.match_expressions,
        &format!("{field}.matchExpressions"),
    )?;
    if given.is_empty() {
        return Err(IefError::invalid(
            &format!("{field}.matchExpressions"),
            "must not be empty",
        ));
    }
    for (i, e) in given.iter().enumerate() {
        let at = format!("{field}.matchExpressions[{i}]");
        let key = required(&e.key, &format!("{at}.key"))?;
        if key.is_empty() || key.len() > 316 {
            return Err(IefError::invalid(
                &format!("{at}.key"),
                "must be a label key",
            ));
        }
        let op = required(&e.operator, &format!("{at}.operator"))?;
        let op = crate::model::SelectorOperator::parse(op).ok_or_else(|| {
            IefError::invalid(
                &format!("{at}.operator"),
                format!("must be In, NotIn, Exists, DoesNotExist, Gt or Lt, got {op:?}"),
            )
        })?;
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
    if value.pod_affinity.is_some() {
        return Err(IefError::invalid(
            &format!("{field}.podAffinity"),
            "is not supported: IEF gives pods no labels a selector could name",
        ));
    }
    if value.pod_anti_affinity.is_some() {
        return Err(IefError::invalid(
            &format!("{field}.podAntiAffinity"),
            "is not supported: IEF gives pods no labels a selector could name",
        ));
    }
    if let Some(node) = &value.node_affinity {
        let at = format!("{field}.nodeAffinity");
        if let Some(required) = &node.required {
            let terms = self::required(
                &required.node_selector_terms,
                &format!("{at}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"),
            )?;
            for (i, t) in terms.iter().enumerate() {
                term(
                    t,
                    &format!(
                        "{at}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[{i}]"
                    ),
                )?;
            }
        }
        for (i, p) in node.preferred.iter().flatten().enumerate() {
            let f = format!("{at}.preferredDuringSchedulingIgnoredDuringExecution[{i}]");
            let weight = *required(&p.weight, &format!("{f}.weight"))?;
            if !(1..=100).contains(&weight) {
                return Err(IefError::invalid(&format!("{f}.weight"), "must be 1..=100"));
            }
            term(
                required(&p.preference, &format!("{f}.preference"))?,
                &format!("{f}.preference"),
            )?;
        }
    }
    Ok(value.clone())
}

fn number(value: &NumOrText, field: &str) -> Parsed<f64> {
    let n = match value {
        NumOrText::Num(n) => *n,
        NumOrText::Text(s) => s
            .trim()
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
pub(super) fn config_data(
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

/// A config map's or secret's name.
pub(super) fn config_name(value: Option<&String>, field: &str) -> Parsed<String> {
    let name = required(&value.cloned(), field)?.clone();
    rule(rules::config_name(&name), field)?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for bad in [n(-1.0), t("-3"), n(0.5)] {
            assert_eq!(
                page(None, Some(&bad), 10, 100).unwrap_err().code,
                "IEF.100004"
            );
        }
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
