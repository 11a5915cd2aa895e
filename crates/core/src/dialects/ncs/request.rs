//! From wire requests to validated definitions: every NCS rule of SPEC §4, each
//! answered with the vendor's code naming the field.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use validator::Validate;

use super::config::NcsConfig;
use super::definition::{NcsContainer, NcsDefinition};
use super::error::{NcsCode, NcsError};
use super::rules;
use super::wire::{
    ContainerDef, DataDiskOut, EmptyDirOut, EnvOut, Num, ProbeOut, ResourceAmounts,
    ResourceRequirements as WireResources, SecretVolumeOut, VolumeOut,
};
use crate::model::{ResourceRequirements, Resources};
use crate::validate;

type Parsed<T> = Result<T, NcsError>;

/// A required field.
pub(crate) fn required<'a, T>(value: &'a Option<T>, field: &str) -> Parsed<&'a T> {
    value.as_ref().ok_or_else(|| NcsError::missing(field))
}

/// A positive integer id or count given as a number or a string of digits.
pub(crate) fn positive(value: &Num, field: &str) -> Parsed<u64> {
    rules::positive(value).ok_or_else(|| NcsError::invalid_value(field, value))
}

/// A required positive integer id: missing, or not a positive integer, each with its
/// own error naming `field`.
pub(crate) fn required_id(value: Option<&Num>, field: &str) -> Parsed<u64> {
    positive(value.ok_or_else(|| NcsError::missing(field))?, field)
}

fn rule(check: validate::Check, field: &str) -> Parsed<()> {
    check.map_err(|reason| NcsError::invalid_because(field, reason))
}

/// The first field rule `value` breaks (declared on its wire type), as NCS's error naming
/// the field under `path`: a missing field is `MissingParameter`, a refused one
/// `InvalidParameterValue` with the rule's reason or the value.
pub(crate) fn check<'de, T: Validate + Deserialize<'de>>(value: &T, path: &str) -> Parsed<()> {
    let Some(broken) = validate::first_broken(value) else {
        return Ok(());
    };
    let field = format!("{path}{}", broken.field);
    Err(match &broken.reason {
        _ if broken.is_missing() => NcsError::missing(&field),
        Some(reason) => NcsError::invalid_because(&field, reason),
        None => NcsError::invalid_value(&field, broken.value_text()),
    })
}

/// What parsing a definition needs to know besides the request.
pub(crate) struct Context<'a> {
    pub(crate) config: &'a NcsConfig,
    /// Zones that exist.
    pub(crate) zones: &'a BTreeSet<String>,
    /// The namespace may use privileged settings.
    pub(crate) privileged: bool,
}

impl Context<'_> {
    fn spec_type(&self, value: &str) -> Parsed<()> {
        if self.config.spec_types.contains_key(value) {
            Ok(())
        } else {
            Err(NcsError::invalid_value("SpecType", value))
        }
    }

    pub(crate) fn sys_cmds(&self, entries: &[String]) -> Parsed<Vec<String>> {
        for (i, entry) in entries.iter().enumerate() {
            let field = format!("SysCmds[{i}]");
            // The format is a field rule (`rules::sys_cmds_field`), checked before.
            let Ok(sysctl) = rules::sysctl(entry) else {
                return Err(NcsError::invalid_value(&field, entry));
            };
            if !self.privileged
                && rules::sysctl_allowed(&sysctl.name, &self.config.allowed_sysctls).is_err()
            {
                return Err(NcsError::no_private(&field, entry));
            }
        }
        Ok(entries.to_vec())
    }

    /// Checks the containers' limits against the spec type's amounts.
    pub(crate) fn fits_spec(
        &self,
        spec_type: Option<&str>,
        containers: &[NcsContainer],
    ) -> Parsed<()> {
        let Some(name) = spec_type else { return Ok(()) };
        let Some(spec) = self.config.spec_types.get(name) else {
            return Err(NcsError::invalid_value("SpecType", name));
        };
        let total = containers
            .iter()
            .fold(Resources::default(), |sum, c| sum.plus(c.resources.limits));
        if total.fits_in(spec.resources()) {
            Ok(())
        } else {
            Err(NcsError::invalid_because(
                "Containers.ResourceRequirements",
                format!(
                    "the containers' limits ({}m cpu, {} MB) exceed SpecType {name} ({}m cpu, {} MB)",
                    total.cpu_millis, total.memory_mib, spec.cpu_millis, spec.memory_mb
                ),
            ))
        }
    }
}

fn amounts(value: Option<&ResourceAmounts>, field: &str) -> Parsed<Option<Resources>> {
    let Some(value) = value else { return Ok(None) };
    check(value, &format!("{field}."))?;
    let part = |v: &Option<Num>| v.as_ref().and_then(rules::non_negative).unwrap_or(0);
    Ok(Some(Resources {
        cpu_millis: part(&value.Cpu),
        memory_mib: part(&value.Memory),
        gpu: u32::try_from(part(&value.Gpu)).unwrap_or_default(),
    }))
}

/// Resources of a container. Absent → none reserved (best effort); only limits →
/// requests equal limits; only requests → limits equal requests.
pub(crate) fn resources(
    value: Option<&WireResources>,
    field: &str,
) -> Parsed<ResourceRequirements> {
    let Some(value) = value else {
        return Ok(ResourceRequirements::default());
    };
    let limits = amounts(value.Limits.as_ref(), &format!("{field}.Limits"))?;
    let requests = amounts(value.Requests.as_ref(), &format!("{field}.Requests"))?;
    let (requests, limits) = match (requests, limits) {
        (Some(r), Some(l)) => (r, l),
        (Some(r), None) => (r, r),
        (None, Some(l)) => (l, l),
        (None, None) => (Resources::default(), Resources::default()),
    };
    rule(rules::requests_within_limits(requests, limits), field)?;
    Ok(ResourceRequirements { requests, limits })
}

fn probe(value: Option<&super::wire::Probe>, field: &str) -> Parsed<Option<ProbeOut>> {
    let Some(value) = value else { return Ok(None) };
    check(value, &format!("{field}."))?;
    let exec = value.Exec.clone().unwrap_or_default();
    check(&exec, &format!("{field}.Exec."))?;
    Ok(Some(ProbeOut {
        Exec: exec,
        PeriodSeconds: value.PeriodSeconds.unwrap_or(10),
        TimeoutSeconds: value.TimeoutSeconds.unwrap_or(1),
    }))
}

fn envs(value: Option<&Vec<super::wire::Env>>, field: &str) -> Parsed<Vec<EnvOut>> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, env) in value.into_iter().flatten().enumerate() {
        let f = format!("{field}[{i}]");
        check(env, &format!("{f}."))?;
        let name = env.Name.clone().unwrap_or_default();
        if !seen.insert(name.clone()) {
            return Err(NcsError::duplicate(&format!("{f}.Name"), name));
        }
        // What a variable needs depends on its `Type`: a secret's id and key, or a value.
        if env.Type.is_some() {
            let secret = required(&env.SecretId, &format!("{f}.SecretId"))?;
            let key = required(&env.Key, &format!("{f}.Key"))?;
            if key.is_empty() {
                return Err(NcsError::invalid_value(&format!("{f}.Key"), "\"\""));
            }
            out.push(EnvOut {
                Name: name,
                Value: None,
                Type: env.Type.clone(),
                SecretId: rules::positive(secret),
                Key: Some(key.clone()),
            });
        } else {
            let value = required(&env.Value, &format!("{f}.Value"))?;
            out.push(EnvOut {
                Name: name,
                Value: Some(value.clone()),
                Type: None,
                SecretId: None,
                Key: None,
            });
        }
    }
    Ok(out)
}

fn volumes(
    value: Option<&Vec<super::wire::Volume>>,
    field: &str,
    mount_paths: &mut BTreeSet<String>,
) -> Parsed<Vec<VolumeOut>> {
    let mut out = Vec::new();
    let mut names = BTreeSet::new();
    // Names given explicitly first, so generated ones never collide with them.
    for v in value.into_iter().flatten() {
        for e in v.Emptydirs.iter().flatten() {
            if let Some(name) = &e.Name
                && !names.insert(name.clone())
            {
                return Err(NcsError::duplicate(
                    &format!("{field}.Emptydirs.Name"),
                    name,
                ));
            }
        }
    }
    let mut next_generated = 1u32;
    for (i, v) in value.into_iter().flatten().enumerate() {
        let f = format!("{field}[{i}]");
        check(v, &format!("{f}."))?;
        let volume_type = v.VolumeType.clone().unwrap_or_default();
        if volume_type == "Emptydir" {
            let dirs = required(&v.Emptydirs, &format!("{f}.Emptydirs"))?;
            if dirs.is_empty() {
                return Err(NcsError::missing(&format!("{f}.Emptydirs")));
            }
            let mut dirs_out = Vec::new();
            for (j, e) in dirs.iter().enumerate() {
                let ef = format!("{f}.Emptydirs[{j}]");
                check(e, &format!("{ef}."))?;
                let mount = e.MountPath.clone().unwrap_or_default();
                if !mount_paths.insert(mount.clone()) {
                    return Err(NcsError::duplicate(&format!("{ef}.MountPath"), mount));
                }
                let mode = e.Mode.clone().unwrap_or_else(|| "rw".to_owned());
                let medium = e.Medium.clone().unwrap_or_else(|| "Memory".to_owned());
                let name = match &e.Name {
                    Some(name) => name.clone(),
                    None => loop {
                        let candidate = format!("emptydir-{next_generated}");
                        next_generated += 1;
                        if names.insert(candidate.clone()) {
                            break candidate;
                        }
                    },
                };
                dirs_out.push(EmptyDirOut {
                    Name: name,
                    Medium: medium,
                    MountPath: mount,
                    Mode: mode,
                });
            }
            out.push(VolumeOut {
                VolumeType: volume_type,
                Emptydirs: Some(dirs_out),
                Secrets: None,
            });
        } else {
            let secrets = required(&v.Secrets, &format!("{f}.Secrets"))?;
            if secrets.is_empty() {
                return Err(NcsError::missing(&format!("{f}.Secrets")));
            }
            let mut secrets_out = Vec::new();
            for (j, s) in secrets.iter().enumerate() {
                let sf = format!("{f}.Secrets[{j}]");
                check(s, &format!("{sf}."))?;
                let mount = s.MountPath.clone().unwrap_or_default();
                if !mount_paths.insert(mount.clone()) {
                    return Err(NcsError::duplicate(&format!("{sf}.MountPath"), mount));
                }
                secrets_out.push(SecretVolumeOut {
                    SecretId: s
                        .SecretId
                        .as_ref()
                        .and_then(rules::positive)
                        .unwrap_or_default(),
                    MountPath: mount,
                    Mode: s.Mode.clone().unwrap_or_else(|| "ro".to_owned()),
                });
            }
            out.push(VolumeOut {
                VolumeType: volume_type,
                Emptydirs: None,
                Secrets: Some(secrets_out),
            });
        }
    }
    Ok(out)
}

fn data_disks(
    value: Option<&Vec<super::wire::DataDisk>>,
    field: &str,
    mount_paths: &mut BTreeSet<String>,
) -> Parsed<Vec<DataDiskOut>> {
    let mut out = Vec::new();
    let mut names = BTreeSet::new();
    for (i, d) in value.into_iter().flatten().enumerate() {
        let f = format!("{field}[{i}]");
        check(d, &format!("{f}."))?;
        let name = d.DiskName.clone().unwrap_or_default();
        if !names.insert(name.clone()) {
            return Err(NcsError::duplicate(&format!("{f}.DiskName"), name));
        }
        let mount = d.MountPath.clone().unwrap_or_default();
        if !mount_paths.insert(mount.clone()) {
            return Err(NcsError::duplicate(&format!("{f}.MountPath"), mount));
        }
        let size = d
            .DiskSize
            .as_ref()
            .and_then(rules::positive)
            .unwrap_or_default();
        let uuid = uuid::Uuid::new_v4();
        out.push(DataDiskOut {
            DiskId: format!(
                "disk-{}",
                uuid.simple().to_string().get(..12).unwrap_or_default()
            ),
            DiskUuid: uuid.to_string(),
            DiskName: name,
            DiskSize: size,
            DiskType: d.DiskType.clone().unwrap_or_default(),
            MountPath: mount,
        });
    }
    Ok(out)
}

/// Validates one container definition. `previous` is the same container before a
/// modify: its data disks and emptyDir names are kept.
pub(crate) fn container(
    ctx: &Context<'_>,
    def: &ContainerDef,
    field: &str,
    previous: Option<&NcsContainer>,
) -> Parsed<NcsContainer> {
    check(def, &format!("{field}."))?;
    let name = def.Name.clone().unwrap_or_default();
    // A modify matches containers by name and cannot rename them, so the name rule
    // applies where a container is born: at create (a rule on the state, not the field).
    if previous.is_none() {
        rule(rules::container_name(&name), &format!("{field}.Name"))?;
    }
    let image = def.Image.clone().unwrap_or_default();
    let log_dirs = def.LogDirs.clone().unwrap_or_default();
    let mut mount_paths = BTreeSet::new();
    for (i, dir) in log_dirs.iter().enumerate() {
        if !mount_paths.insert(dir.clone()) {
            return Err(NcsError::duplicate(&format!("{field}.LogDirs[{i}]"), dir));
        }
    }
    let security = def.SecurityContext.clone().unwrap_or_default();
    let privilege = security.Privilege.unwrap_or(false);
    if privilege && !ctx.privileged {
        return Err(NcsError::no_private(
            &format!("{field}.SecurityContext.Privilege"),
            true,
        ));
    }
    let capabilities = security.Capabilities.unwrap_or_default();
    for (i, cap) in capabilities.iter().enumerate() {
        if !ctx.privileged
            && rules::capability_allowed(cap, &ctx.config.allowed_capabilities).is_err()
        {
            return Err(NcsError::no_private(
                &format!("{field}.SecurityContext.Capabilities[{i}]"),
                cap,
            ));
        }
    }
    let ssh_key_ids = ids(def.SshKeyIds.as_ref());
    let volumes = volumes(
        def.Volumes.as_ref(),
        &format!("{field}.Volumes"),
        &mut mount_paths,
    )?;
    let data_disks = match previous {
        // DataDisks are not part of a modify: the disks stay as they are.
        Some(p) => p.data_disks.clone(),
        None => data_disks(
            def.DataDisks.as_ref(),
            &format!("{field}.DataDisks"),
            &mut mount_paths,
        )?,
    };
    Ok(NcsContainer {
        name,
        image,
        log_dirs,
        args: def.Args.clone().unwrap_or_default(),
        command: def.Command.clone().unwrap_or_default(),
        envs: envs(def.Envs.as_ref(), &format!("{field}.Envs"))?,
        resources: resources(
            def.ResourceRequirements.as_ref(),
            &format!("{field}.ResourceRequirements"),
        )?,
        privilege,
        capabilities,
        ssh_key_ids,
        liveness: probe(
            def.LivenessProbe.as_ref(),
            &format!("{field}.LivenessProbe"),
        )?,
        readiness: probe(
            def.ReadinessProbe.as_ref(),
            &format!("{field}.ReadinessProbe"),
        )?,
        volumes,
        data_disks,
    })
}

/// The ids of a list whose field rule holds (each positive).
fn ids(value: Option<&Vec<Num>>) -> Vec<u64> {
    value
        .into_iter()
        .flatten()
        .filter_map(rules::positive)
        .collect()
}

/// Validates a create request whose field rules hold ([`check`]) into a definition, its
/// name and labels.
pub(crate) fn create(
    ctx: &Context<'_>,
    req: &super::wire::CreateRequest,
) -> Parsed<(String, BTreeMap<String, String>, NcsDefinition)> {
    let placement = req.Placement.clone().unwrap_or_default();
    let container_type = req.ContainerType.clone().unwrap_or_default();
    let containers = req.Containers.as_deref().unwrap_or_default();
    let vpc = req.VirtualPrivateCloud.clone().unwrap_or_default();
    let name = req.Name.clone().unwrap_or_default();
    let pay_type = req.PayType.clone().unwrap_or_else(|| "PostPaid".to_owned());
    // A post-paid workload is billed by its spec type, so it must name one.
    if pay_type == "PostPaid" {
        required(&req.SpecType, "SpecType")?;
    }
    if let Some(spec_type) = &req.SpecType {
        ctx.spec_type(spec_type)?;
    }
    for (i, zone) in placement.ZoneId.iter().enumerate() {
        if !ctx.zones.contains(zone) {
            return Err(NcsError::invalid_value(
                &format!("Placement.ZoneId[{i}]"),
                zone,
            ));
        }
    }
    let mut parsed = Vec::with_capacity(containers.len());
    let mut names = BTreeSet::new();
    for (i, def) in containers.iter().enumerate() {
        let c = container(ctx, def, &format!("Containers[{i}]"), None)?;
        if !names.insert(c.name.clone()) {
            return Err(NcsError::duplicate(
                &format!("Containers[{i}].Name"),
                &c.name,
            ));
        }
        parsed.push(c);
    }
    ctx.fits_spec(req.SpecType.as_deref(), &parsed)?;
    let definition = NcsDefinition {
        spec_type: req.SpecType.clone(),
        pay_type,
        container_type,
        zones: placement.ZoneId,
        vpc,
        security_group_ids: req
            .SecurityGroupIds
            .clone()
            .map(|s| s.into_vec())
            .unwrap_or_default(),
        sys_cmds: ctx.sys_cmds(req.SysCmds.as_deref().unwrap_or_default())?,
        image_pull_secret_ids: ids(req.ImagePullSecretIds.as_ref()),
        containers: parsed,
    };
    Ok((name, req.Labels.clone().unwrap_or_default(), definition))
}

/// Validates a modify request against the current definition; returns the new labels
/// and definition.
pub(crate) fn modify(
    ctx: &Context<'_>,
    req: &super::wire::ModifyRequest,
    current: &NcsDefinition,
) -> Parsed<(BTreeMap<String, String>, NcsDefinition)> {
    check(req, "")?;
    let containers = req.Containers.as_deref().unwrap_or_default();
    let current_names: BTreeSet<&str> =
        current.containers.iter().map(|c| c.name.as_str()).collect();
    let given_names: BTreeSet<&str> = containers
        .iter()
        .filter_map(|c| c.Name.as_deref())
        .collect();
    if containers.len() != current.containers.len() || given_names != current_names {
        return Err(NcsError::new(
            NcsCode::ContainerNumNotMatch,
            "The containers must match the workload's containers one to one by Name; containers cannot be added, removed or renamed.",
        ));
    }
    let mut parsed = Vec::with_capacity(containers.len());
    for (i, def) in containers.iter().enumerate() {
        let field = format!("Containers[{i}]");
        let previous = current
            .containers
            .iter()
            .find(|c| Some(c.name.as_str()) == def.Name.as_deref());
        let c = container(ctx, def, &field, previous)?;
        if let Some(p) = previous
            && p.log_dirs.len() != c.log_dirs.len()
        {
            return Err(NcsError::invalid_because(
                &format!("{field}.LogDirs"),
                format!(
                    "the number of log directories cannot change (was {}, now {})",
                    p.log_dirs.len(),
                    c.log_dirs.len()
                ),
            ));
        }
        parsed.push(c);
    }
    ctx.fits_spec(current.spec_type.as_deref(), &parsed)?;
    let definition = NcsDefinition {
        sys_cmds: ctx.sys_cmds(req.SysCmds.as_deref().unwrap_or_default())?,
        image_pull_secret_ids: ids(req.ImagePullSecretIds.as_ref()),
        containers: parsed,
        ..current.clone()
    };
    Ok((req.Labels.clone().unwrap_or_default(), definition))
}

/// Validates a spec-type reset against the current definition; returns the new one.
pub(crate) fn reset_spec_type(
    ctx: &Context<'_>,
    req: &super::wire::ResetSpecTypeRequest,
    current: &NcsDefinition,
) -> Parsed<NcsDefinition> {
    let spec_type = required(&req.SpecType, "SpecType")?;
    let containers = required(&req.Containers, "Containers")?;
    ctx.spec_type(spec_type)?;
    if containers.is_empty() {
        return Err(NcsError::invalid_value("Containers", "[]"));
    }
    let mut next = current.clone();
    next.spec_type = Some(spec_type.clone());
    let mut seen = BTreeSet::new();
    for (i, c) in containers.iter().enumerate() {
        let field = format!("Containers[{i}]");
        let name = required(&c.Name, &format!("{field}.Name"))?;
        if !seen.insert(name.clone()) {
            return Err(NcsError::duplicate(&format!("{field}.Name"), name));
        }
        let rr = required(
            &c.ResourceRequirements,
            &format!("{field}.ResourceRequirements"),
        )?;
        for (part, amounts) in [("Limits", &rr.Limits), ("Requests", &rr.Requests)] {
            let amounts = required(amounts, &format!("{field}.ResourceRequirements.{part}"))?;
            required(
                &amounts.Cpu,
                &format!("{field}.ResourceRequirements.{part}.Cpu"),
            )?;
            required(
                &amounts.Memory,
                &format!("{field}.ResourceRequirements.{part}.Memory"),
            )?;
        }
        let resources = resources(Some(rr), &format!("{field}.ResourceRequirements"))?;
        let target = next
            .containers
            .iter_mut()
            .find(|x| &x.name == name)
            .ok_or_else(|| NcsError::invalid_value(&format!("{field}.Name"), name))?;
        target.resources = resources;
    }
    ctx.fits_spec(Some(spec_type), &next.containers)?;
    Ok(next)
}
