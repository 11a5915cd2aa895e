//! Config maps and secrets: records of a tenant, indexed by kind and name.

use std::collections::BTreeMap;

use podgate_core::feed::FeedEvent;
use podgate_core::model::{ConfigKind, ConfigObject, ConfigQuery, NewConfig, TenantKey};
use podgate_core::{Error, Result};

use crate::backend::{SimBackend, WriteView};
use crate::state::{ConfigRec, State};

/// The id of the `seq`-th config object: a uuid (version 4 layout), unique and never
/// reused because the sequence only grows.
fn config_id(seq: u64) -> String {
    format!(
        "c0f19e5a-b2d4-4c01-8{:03x}-{:012x}",
        (seq >> 48) & 0xfff,
        seq & 0xffff_ffff_ffff
    )
}

fn owned<'a>(
    state: &'a State,
    tenant: &TenantKey,
    kind: ConfigKind,
    id: &str,
) -> Result<&'a ConfigRec> {
    state
        .configs
        .get(id)
        .filter(|r| r.object.tenant == *tenant && r.object.config.kind == kind)
        .ok_or_else(|| Error::not_found(kind.name(), id))
}

/// Whether a live workload of `tenant` reads the config object `kind`/`name`.
fn in_use(view: &WriteView<'_>, tenant: &TenantKey, kind: ConfigKind, name: &str) -> bool {
    let state = &*view.state;
    state
        .tenant_workloads
        .get(tenant)
        .map_or(&[][..], |l| l.as_slice())
        .iter()
        .filter_map(|id| state.workloads.get(&podgate_core::model::WorkloadId(*id)))
        .filter(|w| w.deleting_until.is_none())
        .any(|w| w.template.config_refs().contains(&(kind, name)))
}

/// The feed's entry for a `change` of `object` (its name and kind, never its data).
fn config_event(object: &ConfigObject, change: &'static str) -> FeedEvent {
    FeedEvent::Config {
        tenant: object.tenant.clone(),
        config: object.config.kind.name().into(),
        id: object.id.clone(),
        name: object.config.name.clone(),
        change: change.into(),
    }
}

impl SimBackend {
    pub(crate) fn create_config_now(
        &self,
        tenant: &TenantKey,
        config: NewConfig,
    ) -> Result<ConfigObject> {
        self.mutate(|view| {
            let now = view.now;
            let state = &mut *view.state;
            if !state.tenants.contains_key(tenant) {
                return Err(Error::not_found(tenant.kind().name(), tenant));
            }
            let key = (
                tenant.clone(),
                config.kind,
                Box::<str>::from(config.name.as_str()),
            );
            if state.config_names.contains_key(&key) {
                return Err(Error::already_exists(config.kind.name(), &config.name));
            }
            let seq = state.next.config;
            state.next.config = seq.saturating_add(1);
            let object = ConfigObject {
                tenant: tenant.clone(),
                id: config_id(seq),
                config,
                created_at: now,
                updated_at: now,
            };
            let id = object.id.clone();
            state.configs.insert(
                id.clone(),
                ConfigRec {
                    seq,
                    object: object.clone(),
                },
            );
            state.index_config(&id);
            state.feed.emit(now, || config_event(&object, "created"));
            Ok(object)
        })
    }

    pub(crate) fn get_config_now(
        &self,
        tenant: &TenantKey,
        kind: ConfigKind,
        id: &str,
    ) -> Result<ConfigObject> {
        let view = self.read()?;
        Ok(owned(&view.state, tenant, kind, id)?.object.clone())
    }

    pub(crate) fn list_configs_now(&self, query: &ConfigQuery) -> Result<Vec<ConfigObject>> {
        let view = self.read()?;
        let state = &*view.state;
        let ids: Vec<&String> = match &query.name {
            Some(name) => state
                .config_names
                .get(&(query.tenant.clone(), query.kind, Box::from(name.as_str())))
                .into_iter()
                .collect(),
            None => state
                .tenant_configs
                .get(&(query.tenant.clone(), query.kind))
                .map(|m| m.values().collect())
                .unwrap_or_default(),
        };
        Ok(ids
            .into_iter()
            .filter_map(|id| state.configs.get(id))
            .map(|r| r.object.clone())
            .collect())
    }

    pub(crate) fn update_config_now(
        &self,
        tenant: &TenantKey,
        kind: ConfigKind,
        id: &str,
        data: BTreeMap<String, String>,
        attributes: BTreeMap<String, String>,
    ) -> Result<ConfigObject> {
        self.mutate(|view| {
            let now = view.now;
            owned(&view.state, tenant, kind, id)?;
            let rec = view
                .state
                .configs
                .get_mut(id)
                .ok_or_else(|| Error::not_found(kind.name(), id))?;
            rec.object.config.data = data;
            rec.object.config.attributes = attributes;
            rec.object.updated_at = now;
            let object = rec.object.clone();
            view.state
                .feed
                .emit(now, || config_event(&object, "updated"));
            Ok(object)
        })
    }

    pub(crate) fn delete_config_now(
        &self,
        tenant: &TenantKey,
        kind: ConfigKind,
        id: &str,
    ) -> Result<()> {
        self.mutate(|view| {
            let (seq, name) = {
                let rec = owned(&view.state, tenant, kind, id)?;
                (rec.seq, rec.object.config.name.clone())
            };
            if in_use(view, tenant, kind, &name) {
                return Err(Error::IncorrectState(format!(
                    "{} {name} is used by a workload",
                    kind.name()
                )));
            }
            let now = view.now;
            let state = &mut *view.state;
            if let Some(rec) = state.configs.remove(id) {
                state
                    .feed
                    .emit(now, || config_event(&rec.object, "deleted"));
            }
            if let Some(m) = state.tenant_configs.get_mut(&(tenant.clone(), kind)) {
                m.remove(&seq);
            }
            state
                .config_names
                .remove(&(tenant.clone(), kind, Box::from(name.as_str())));
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_uuids_and_distinct() {
        let a = super::config_id(1);
        assert_eq!(a.len(), 36);
        assert_ne!(a, super::config_id(2));
        assert_eq!(a.chars().nth(14), Some('4'));
    }
}
