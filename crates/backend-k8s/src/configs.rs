//! Config maps and secrets: real ConfigMaps and Secrets of the tenant's namespace,
//! named as the tenant names them (so its pods mount and read them by that name), each
//! labelled with its podgate id.

use std::collections::BTreeMap;

use base64::Engine as _;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Api;
use kube::api::{DeleteParams, ListParams, PostParams};
use podgate_core::model::{ConfigKind, ConfigObject, ConfigQuery, NewConfig, TenantKey, Timestamp};
use podgate_core::{Error, Result};

use crate::error::to_core;
use crate::labels;
use crate::retry::Backoff;

/// A config object's podgate id (a uuid), on the object.
const CONFIG_ID: &str = "podgate.io/config-id";
/// The owning dialect's attributes, as JSON.
const ATTRIBUTES: &str = "podgate.io/attributes";
/// When it was created and last changed (ms since the epoch).
const CREATED_AT: &str = "podgate.io/created-at";
const UPDATED_AT: &str = "podgate.io/updated-at";

/// Whether `name` is a DNS-1123 subdomain, as Kubernetes names these objects, and not
/// of the form podgate's own name claims take in a tenant's namespace
/// (`name-` and 40 hex digits).
fn valid_name(name: &str) -> bool {
    let claim = name
        .strip_prefix("name-")
        .is_some_and(|rest| rest.len() == 40 && rest.bytes().all(|b| b.is_ascii_hexdigit()));
    !claim
        && !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}

/// The two Kubernetes types, read and written as podgate's config objects.
trait Stored:
    kube::Resource<Scope = kube::core::NamespaceResourceScope, DynamicType = ()>
    + Clone
    + serde::de::DeserializeOwned
    + serde::Serialize
    + std::fmt::Debug
{
    const KIND: ConfigKind;
    fn make(meta: ObjectMeta, data: &BTreeMap<String, String>) -> Result<Self>;
    fn data(&self) -> BTreeMap<String, String>;
    fn set_data(&mut self, data: &BTreeMap<String, String>) -> Result<()>;
}

impl Stored for ConfigMap {
    const KIND: ConfigKind = ConfigKind::ConfigMap;

    fn make(metadata: ObjectMeta, data: &BTreeMap<String, String>) -> Result<Self> {
        Ok(Self {
            metadata,
            data: Some(data.clone()),
            ..Self::default()
        })
    }

    fn data(&self) -> BTreeMap<String, String> {
        self.data.clone().unwrap_or_default()
    }

    fn set_data(&mut self, data: &BTreeMap<String, String>) -> Result<()> {
        self.data = Some(data.clone());
        Ok(())
    }
}

/// A Secret's values: the model's base64 text, decoded into the bytes a Secret holds.
fn decoded(data: &BTreeMap<String, String>) -> Result<BTreeMap<String, ByteString>> {
    data.iter()
        .map(|(k, v)| {
            base64::engine::general_purpose::STANDARD
                .decode(v)
                .map(|bytes| (k.clone(), ByteString(bytes)))
                .map_err(|_| Error::invalid(k.clone(), "must be base64"))
        })
        .collect()
}

impl Stored for Secret {
    const KIND: ConfigKind = ConfigKind::Secret;

    fn make(metadata: ObjectMeta, data: &BTreeMap<String, String>) -> Result<Self> {
        Ok(Self {
            metadata,
            data: Some(decoded(data)?),
            type_: Some("Opaque".to_owned()),
            ..Self::default()
        })
    }

    fn data(&self) -> BTreeMap<String, String> {
        self.data
            .iter()
            .flatten()
            .map(|(k, v)| {
                (
                    k.clone(),
                    base64::engine::general_purpose::STANDARD.encode(&v.0),
                )
            })
            .collect()
    }

    fn set_data(&mut self, data: &BTreeMap<String, String>) -> Result<()> {
        self.data = Some(decoded(data)?);
        self.string_data = None;
        Ok(())
    }
}

fn stamp(meta: &ObjectMeta, key: &str) -> Timestamp {
    Timestamp(
        meta.annotations
            .as_ref()
            .and_then(|a| a.get(key))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
    )
}

/// podgate's view of one of the tenant's objects; `None` for one it did not make.
fn object<K: Stored>(tenant: &TenantKey, k: &K) -> Option<ConfigObject> {
    let meta = k.meta();
    let id = labels::value(meta, CONFIG_ID)?.to_owned();
    let attributes = meta
        .annotations
        .as_ref()
        .and_then(|a| a.get(ATTRIBUTES))
        .and_then(|a| serde_json::from_str(a).ok())
        .unwrap_or_default();
    Some(ConfigObject {
        tenant: tenant.clone(),
        id,
        config: NewConfig {
            kind: K::KIND,
            name: meta.name.clone()?,
            data: k.data(),
            attributes,
        },
        created_at: stamp(meta, CREATED_AT),
        updated_at: stamp(meta, UPDATED_AT),
    })
}

/// The tenant's config objects in the cluster.
#[derive(Clone)]
pub(crate) struct Configs {
    client: kube::Client,
    backoff: Backoff,
}

impl Configs {
    pub(crate) fn new(client: kube::Client, backoff: Backoff) -> Self {
        Self { client, backoff }
    }

    fn api<K: Stored>(&self, ns: &str) -> Api<K> {
        Api::namespaced(self.client.clone(), ns)
    }

    /// Creates the object; the API server keeps names unique (`AlreadyExists`).
    pub(crate) async fn create(
        &self,
        ns: &str,
        tenant: &TenantKey,
        config: &NewConfig,
        now: Timestamp,
    ) -> Result<ConfigObject> {
        match config.kind {
            ConfigKind::ConfigMap => self.create_as::<ConfigMap>(ns, tenant, config, now).await,
            ConfigKind::Secret => self.create_as::<Secret>(ns, tenant, config, now).await,
        }
    }

    async fn create_as<K: Stored>(
        &self,
        ns: &str,
        tenant: &TenantKey,
        config: &NewConfig,
        now: Timestamp,
    ) -> Result<ConfigObject> {
        if !valid_name(&config.name) {
            return Err(Error::invalid("name", "must be a DNS-1123 subdomain"));
        }
        let id = uuid::Uuid::new_v4().to_string();
        let mut meta = labels::named(config.name.clone());
        meta.labels
            .get_or_insert_with(BTreeMap::new)
            .insert(CONFIG_ID.to_owned(), id);
        meta.annotations = Some(BTreeMap::from([
            (
                ATTRIBUTES.to_owned(),
                serde_json::to_string(&config.attributes).unwrap_or_default(),
            ),
            (CREATED_AT.to_owned(), now.0.to_string()),
            (UPDATED_AT.to_owned(), now.0.to_string()),
        ]));
        let made = K::make(meta, &config.data)?;
        let api = self.api::<K>(ns);
        let post = PostParams::default();
        let created = self
            .backoff
            .call(|| api.create(&post, &made))
            .await
            .map_err(|e| to_core(e, K::KIND.name(), &config.name))?;
        object(tenant, &created).ok_or_else(|| Error::backend("a created config lost its id"))
    }

    async fn find<K: Stored>(&self, ns: &str, id: &str) -> Result<K> {
        let api = self.api::<K>(ns);
        let params = ListParams::default().labels(&labels::selector(&[(CONFIG_ID, id)]));
        let found = self
            .backoff
            .call(|| api.list(&params))
            .await
            .map_err(|e| to_core(e, K::KIND.name(), id))?;
        found
            .items
            .into_iter()
            .find(|k| k.meta().deletion_timestamp.is_none())
            .ok_or_else(|| Error::not_found(K::KIND.name(), id))
    }

    /// The object with podgate id `id`.
    pub(crate) async fn get(
        &self,
        ns: &str,
        tenant: &TenantKey,
        kind: ConfigKind,
        id: &str,
    ) -> Result<ConfigObject> {
        let found = match kind {
            ConfigKind::ConfigMap => object(tenant, &self.find::<ConfigMap>(ns, id).await?),
            ConfigKind::Secret => object(tenant, &self.find::<Secret>(ns, id).await?),
        };
        found.ok_or_else(|| Error::not_found(kind.name(), id))
    }

    /// The tenant's objects of `query.kind`, oldest first.
    pub(crate) async fn list(&self, ns: &str, query: &ConfigQuery) -> Result<Vec<ConfigObject>> {
        let mut found = match query.kind {
            ConfigKind::ConfigMap => self.list_as::<ConfigMap>(ns, &query.tenant).await?,
            ConfigKind::Secret => self.list_as::<Secret>(ns, &query.tenant).await?,
        };
        found.retain(|o| query.name.as_ref().is_none_or(|n| *n == o.config.name));
        found.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(found)
    }

    async fn list_as<K: Stored>(&self, ns: &str, tenant: &TenantKey) -> Result<Vec<ConfigObject>> {
        let api = self.api::<K>(ns);
        let params =
            ListParams::default().labels(&format!("{},{CONFIG_ID}", labels::selector(&[])));
        let found = crate::lists::all(&api, &params, &self.backoff)
            .await
            .map_err(|e| to_core(e, K::KIND.name(), "list"))?;
        Ok(found
            .iter()
            .filter(|k| k.meta().deletion_timestamp.is_none())
            .filter_map(|k| object(tenant, k))
            .collect())
    }

    /// Replaces the object's data and attributes, conditionally on the version read.
    pub(crate) async fn update(
        &self,
        ns: &str,
        tenant: &TenantKey,
        kind: ConfigKind,
        id: &str,
        change: (&BTreeMap<String, String>, &BTreeMap<String, String>),
        now: Timestamp,
    ) -> Result<ConfigObject> {
        match kind {
            ConfigKind::ConfigMap => {
                self.update_as::<ConfigMap>(ns, tenant, id, change, now)
                    .await
            }
            ConfigKind::Secret => self.update_as::<Secret>(ns, tenant, id, change, now).await,
        }
    }

    async fn update_as<K: Stored>(
        &self,
        ns: &str,
        tenant: &TenantKey,
        id: &str,
        (data, attributes): (&BTreeMap<String, String>, &BTreeMap<String, String>),
        now: Timestamp,
    ) -> Result<ConfigObject> {
        let api = self.api::<K>(ns);
        self.backoff
            .conditional(16, || async {
                let mut current = match self.find::<K>(ns, id).await {
                    Ok(found) => found,
                    Err(e) => return Ok(Err(e)),
                };
                if let Err(e) = current.set_data(data) {
                    return Ok(Err(e));
                }
                let notes = current
                    .meta_mut()
                    .annotations
                    .get_or_insert_with(BTreeMap::new);
                notes.insert(
                    ATTRIBUTES.to_owned(),
                    serde_json::to_string(attributes).unwrap_or_default(),
                );
                notes.insert(UPDATED_AT.to_owned(), now.0.to_string());
                let name = current.meta().name.clone().unwrap_or_default();
                let replaced = api.replace(&name, &PostParams::default(), &current).await?;
                Ok(object(tenant, &replaced).ok_or_else(|| Error::not_found(K::KIND.name(), id)))
            })
            .await
            .map_err(|e| to_core(e, K::KIND.name(), id))?
    }

    /// Deletes the object with podgate id `id`, answering its name.
    pub(crate) async fn delete(&self, ns: &str, kind: ConfigKind, id: &str) -> Result<()> {
        match kind {
            ConfigKind::ConfigMap => self.delete_as::<ConfigMap>(ns, id).await,
            ConfigKind::Secret => self.delete_as::<Secret>(ns, id).await,
        }
    }

    async fn delete_as<K: Stored>(&self, ns: &str, id: &str) -> Result<()> {
        let found = self.find::<K>(ns, id).await?;
        let name = found.meta().name.clone().unwrap_or_default();
        let api = self.api::<K>(ns);
        // Only the object read: a new one of the same name made since stays.
        let params = DeleteParams {
            preconditions: found
                .meta()
                .uid
                .clone()
                .map(|uid| kube::api::Preconditions {
                    uid: Some(uid),
                    resource_version: None,
                }),
            ..DeleteParams::default()
        };
        match self.backoff.call(|| api.delete(&name, &params)).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.is_not_found() => {
                Err(Error::not_found(K::KIND.name(), id))
            }
            Err(e) => Err(to_core(e, K::KIND.name(), id)),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_subdomains_and_never_claims() {
        for good in ["test-cm", "a.b", "x1"] {
            assert!(super::valid_name(good), "{good}");
        }
        let claim = format!("name-{}", "a".repeat(40));
        for bad in ["", "A", "-a", "a-", "a..b", &claim] {
            assert!(!super::valid_name(bad), "{bad}");
        }
    }
}
