//! From IEF requests to validated definitions: every container rule of SPEC §2.

use std::collections::BTreeSet;

use super::error::IefError;
use super::wire::{
    CommandText, Configs, ConfigsOut, Container, ContainerDef, EnvOut, ExecOut, HttpGetOut,
    NumOrText, PortOut, Probe, ProbeOut, Res, ResOut, ResourcesOut, Spec, VolumeOut,
};
use crate::validate;

type Parsed<T> = Result<T, IefError>;

fn rule(check: validate::Check, field: &str) -> Parsed<()> {
    check.map_err(|reason| IefError::invalid(field, reason))
}

fn required<'a, T>(value: &'a Option<T>, field: &str) -> Parsed<&'a T> {
    value
        .as_ref()
        .ok_or_else(|| IefError::invalid(field, "is required"))
}

/// A number given as a number or a string.
pub(crate) fn number(value: &NumOrText, field: &str) -> Parsed<f64> {
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

fn amount_text(n: f64) -> String {
    format!("{n}")
}

fn amounts(value: Option<&Res>, field: &str, limits: bool) -> Parsed<ResOut> {
    let Some(value) = value else {
        return Ok(ResOut::default());
    };
    let mut out = ResOut::default();
    if let Some(v) = &value.cpu {
        let n = number(v, &format!("{field}.cpu"))?;
        rule(validate::ief_cpu(n), &format!("{field}.cpu"))?;
        out.cpu = Some(amount_text(n));
    }
    if let Some(v) = &value.memory {
        let n = number(v, &format!("{field}.memory"))?;
        rule(validate::ief_memory(n, limits), &format!("{field}.memory"))?;
        out.memory = Some(amount_text(n));
    }
    if let Some(v) = &value.gpu {
        let n = number(v, &format!("{field}.gpu"))?;
        rule(validate::ief_gpu(n), &format!("{field}.gpu"))?;
        out.gpu = Some(amount_text(n));
    }
    if let Some(v) = &value.npu {
        let n = number(v, &format!("{field}.npu"))?;
        rule(validate::ief_npu(n), &format!("{field}.npu"))?;
        out.npu = Some(amount_text(n));
    }
    Ok(out)
}

fn probe(value: Option<&Probe>, field: &str) -> Parsed<Option<ProbeOut>> {
    let Some(value) = value else { return Ok(None) };
    let seconds = |v: Option<i64>, default: i64, name: &str| -> Parsed<i64> {
        let s = v.unwrap_or(default);
        rule(validate::ief_probe_seconds(s), &format!("{field}.{name}"))?;
        Ok(s)
    };
    let http_get = match &value.http_get {
        None => None,
        Some(h) => {
            let path = required(&h.path, &format!("{field}.http_get.path"))?;
            rule(
                validate::ief_http_path(path),
                &format!("{field}.http_get.path"),
            )?;
            let port = *required(&h.port, &format!("{field}.http_get.port"))?;
            rule(validate::port(port), &format!("{field}.http_get.port"))?;
            let scheme = h.scheme.clone().unwrap_or_else(|| "HTTP".to_owned());
            rule(
                validate::ief_scheme(&scheme),
                &format!("{field}.http_get.scheme"),
            )?;
            Some(HttpGetOut {
                path: path.clone(),
                port: u16::try_from(port).unwrap_or_default(),
                host: h.host.clone(),
                scheme,
            })
        }
    };
    let exec = match &value.exec {
        None => None,
        Some(e) => {
            let command = match required(&e.command, &format!("{field}.exec.command"))? {
                CommandText::One(s) => s.clone(),
                CommandText::Many(v) => v.join(" "),
            };
            rule(
                validate::ief_exec_command(&command),
                &format!("{field}.exec.command"),
            )?;
            Some(ExecOut { command })
        }
    };
    if http_get.is_none() && exec.is_none() {
        return Err(IefError::invalid(field, "needs http_get or exec"));
    }
    Ok(Some(ProbeOut {
        http_get,
        exec,
        initial_delay_seconds: seconds(value.initial_delay_seconds, 10, "initial_delay_seconds")?,
        timeout_seconds: seconds(value.timeout_seconds, 1, "timeout_seconds")?,
    }))
}

/// Validates one container.
pub(crate) fn container(def: &Container, field: &str) -> Parsed<ContainerDef> {
    let name = required(&def.name, &format!("{field}.name"))?;
    rule(validate::ief_container_name(name), &format!("{field}.name"))?;
    let image_url = required(&def.image_url, &format!("{field}.image_url"))?;
    if image_url.is_empty() || image_url.len() > 255 || image_url.chars().any(char::is_whitespace) {
        return Err(IefError::invalid(
            &format!("{field}.image_url"),
            "must be a non-empty image reference without spaces",
        ));
    }
    let version = def.version.clone().unwrap_or_default();
    if version.chars().any(char::is_whitespace) || version.len() > 128 {
        return Err(IefError::invalid(
            &format!("{field}.version"),
            "must be an image tag",
        ));
    }
    let mut envs = Vec::new();
    let mut env_names = BTreeSet::new();
    for (i, e) in def.envs.iter().flatten().enumerate() {
        let f = format!("{field}.envs[{i}]");
        let n = required(&e.name, &format!("{f}.name"))?;
        rule(validate::ief_env_name(n), &format!("{f}.name"))?;
        if !env_names.insert(n.clone()) {
            return Err(IefError::invalid(
                &format!("{f}.name"),
                format!("{n} is duplicated"),
            ));
        }
        let v = e.value.clone().unwrap_or_default();
        rule(validate::ief_env_value(&v), &format!("{f}.value"))?;
        envs.push(EnvOut {
            name: n.clone(),
            value: v,
        });
    }
    let mut ports = Vec::new();
    for (i, p) in def.ports.iter().flatten().enumerate() {
        let f = format!("{field}.ports[{i}]");
        let cp = *required(&p.container_port, &format!("{f}.container_port"))?;
        rule(validate::port(cp), &format!("{f}.container_port"))?;
        let hp = match p.host_port {
            Some(hp) => {
                rule(validate::port(hp), &format!("{f}.host_port"))?;
                u16::try_from(hp).ok()
            }
            None => None,
        };
        if let Some(ip) = &p.host_ip
            && ip.parse::<std::net::IpAddr>().is_err()
        {
            return Err(IefError::invalid(
                &format!("{f}.host_ip"),
                format!("{ip:?} is not an IP address"),
            ));
        }
        ports.push(PortOut {
            container_port: u16::try_from(cp).unwrap_or_default(),
            host_port: hp,
            host_ip: p.host_ip.clone(),
        });
    }
    let mut volumes = Vec::new();
    let mut volume_names = BTreeSet::new();
    for (i, v) in def.volumes.iter().flatten().enumerate() {
        let f = format!("{field}.volumes[{i}]");
        let n = required(&v.name, &format!("{f}.name"))?;
        rule(validate::ief_volume_name(n), &format!("{f}.name"))?;
        if !volume_names.insert(n.clone()) {
            return Err(IefError::invalid(
                &format!("{f}.name"),
                format!("{n} is duplicated"),
            ));
        }
        let t = required(&v.type_, &format!("{f}.type"))?;
        rule(validate::ief_volume_type(t), &format!("{f}.type"))?;
        let source = required(&v.source, &format!("{f}.source"))?;
        match t.as_str() {
            "hostPath" => rule(validate::ief_host_path(source), &format!("{f}.source"))?,
            "emptyDir" => rule(
                validate::ief_empty_dir_medium(source),
                &format!("{f}.source"),
            )?,
            _ => rule(validate::dns1123_label(source), &format!("{f}.source"))?,
        }
        let destination = required(&v.destination, &format!("{f}.destination"))?;
        rule(
            validate::absolute_path(destination),
            &format!("{f}.destination"),
        )?;
        volumes.push(VolumeOut {
            name: n.clone(),
            type_: t.clone(),
            read_only: v.read_only.unwrap_or(false),
            source: source.clone(),
            destination: destination.clone(),
        });
    }
    let npu_type = def.npu_type.clone().unwrap_or_default();
    rule(
        validate::ief_npu_type(&npu_type),
        &format!("{field}.npu_type"),
    )?;
    let resources = def.resources.clone().unwrap_or_default();
    Ok(ContainerDef {
        args: def.args.clone().unwrap_or_default(),
        command: def.command.clone().unwrap_or_default(),
        name: name.clone(),
        envs,
        image_url: image_url.clone(),
        version,
        npu_type,
        liveness_probe: probe(
            def.liveness_probe.as_ref(),
            &format!("{field}.liveness_probe"),
        )?,
        readiness_probe: probe(
            def.readiness_probe.as_ref(),
            &format!("{field}.readiness_probe"),
        )?,
        ports,
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
        volumes,
        privileged: def.privileged.unwrap_or(false),
    })
}

/// Validates the pod configs; `group` says whether the deployment targets a node group.
pub(crate) fn configs(value: Option<&Configs>, group: bool) -> Parsed<ConfigsOut> {
    let value = value.cloned().unwrap_or_default();
    let restart_policy = value
        .restart_policy
        .clone()
        .unwrap_or_else(|| "Always".to_owned());
    rule(
        validate::ief_restart_policy(&restart_policy),
        "template.spec.configs.restart_policy",
    )?;
    if group && value.migration.is_none() {
        return Err(IefError::invalid(
            "template.spec.configs.migration",
            "is required when deploying to a node group",
        ));
    }
    if !group && value.toleration_seconds.is_some() {
        return Err(IefError::invalid(
            "template.spec.configs.toleration_seconds",
            "applies to node group deployments only",
        ));
    }
    if let Some(t) = value.toleration_seconds
        && t < 0
    {
        return Err(IefError::invalid(
            "template.spec.configs.toleration_seconds",
            "must be >= 0",
        ));
    }
    Ok(ConfigsOut {
        host_network: value.host_network.unwrap_or(false),
        host_pid: value.host_pid.unwrap_or(false),
        migration: value.migration.unwrap_or(false),
        restart_policy,
        toleration_seconds: value.toleration_seconds,
    })
}

/// Validates the containers of a spec (names unique across containers and init
/// containers).
pub(crate) fn containers(spec: &Spec) -> Parsed<(Vec<ContainerDef>, Vec<ContainerDef>)> {
    let given = required(&spec.containers, "template.spec.containers")?;
    if given.is_empty() {
        return Err(IefError::invalid(
            "template.spec.containers",
            "must not be empty",
        ));
    }
    let mut names = BTreeSet::new();
    let mut out = Vec::new();
    for (i, c) in given.iter().enumerate() {
        let c = container(c, &format!("template.spec.containers[{i}]"))?;
        if !names.insert(c.name.clone()) {
            return Err(IefError::invalid(
                &format!("template.spec.containers[{i}].name"),
                format!("{} is duplicated", c.name),
            ));
        }
        out.push(c);
    }
    let mut init = Vec::new();
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        let c = container(c, &format!("template.spec.init_containers[{i}]"))?;
        if !names.insert(c.name.clone()) {
            return Err(IefError::invalid(
                &format!("template.spec.init_containers[{i}].name"),
                format!("{} is duplicated", c.name),
            ));
        }
        init.push(c);
    }
    Ok((out, init))
}
