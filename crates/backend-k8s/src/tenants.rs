//! Tenants: a Secret in the system namespace is the record (its creation is what makes
//! the tenant exist, atomically); the tenant's Namespace holds its objects.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::rbac::v1::Subject;
use kube::Api;
use kube::api::{ListParams, ObjectMeta, PostParams};
use podgate_core::model::{NamespaceId, NewTenant, Tenant, TenantKey, TenantKind};
use podgate_core::secret::TokenHash;
use podgate_core::{Error, Result};
use tokio::sync::OnceCell;

use crate::error::to_core;
use crate::ids::{IdKind, Ids};
use crate::labels;
use crate::retry::Backoff;

/// How many ids an NCS namespace creation tries before giving up: ids given
/// explicitly by operators may sit in the counter's way.
const NAMESPACE_TRIES: u32 = 64;

/// The tenant records and their namespaces.
#[derive(Clone)]
pub(crate) struct Tenants {
    client: kube::Client,
    /// The system namespace, where the records are.
    system: String,
    records: Api<Secret>,
    ids: Ids,
    backoff: Backoff,
    /// The ClusterRole bound to podgate in each tenant namespace, if any.
    tenant_role: Option<String>,
    /// podgate's own identity, read once when a binding first needs it.
    identity: Arc<OnceCell<Subject>>,
}

/// The part of a tenant's object names that says which tenant: the key itself when it
/// is a plain DNS label fragment, else `-` and a digest of it (a plain key never holds
/// `--`, so the two cannot meet).
fn suffix(key: &TenantKey) -> String {
    let raw = match key {
        TenantKey::Namespace(NamespaceId(id)) => return id.to_string(),
        TenantKey::Project(p) | TenantKey::Order(p) => p.as_str(),
        TenantKey::System => return "system".to_owned(),
        _ => "",
    };
    let plain = !raw.is_empty()
        && raw.len() <= 40
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !raw.starts_with('-')
        && !raw.ends_with('-')
        && !raw.contains("--");
    if plain {
        raw.to_owned()
    } else {
        format!("-{}", labels::digest(raw))
    }
}

/// The Namespace that holds a tenant's objects.
pub(crate) fn namespace_of(key: &TenantKey) -> String {
    format!("podgate-{}-{}", key.kind().name(), suffix(key))
}

fn record_name(key: &TenantKey) -> String {
    format!("tenant-{}-{}", key.kind().name(), suffix(key))
}

/// The token index of tenants of `kind` presenting a token that hashes to `hash`
/// (half the hash names it, enough to be unique): authenticating a caller is one read
/// of it, by name.
pub(crate) fn index_name(kind: TenantKind, hash: &TokenHash) -> String {
    format!(
        "token-{}-{}",
        kind.name(),
        labels::hex(&hash.as_bytes()[..16])
    )
}

/// The index's data key: the tenants it finds, as a JSON array (one, unless operators
/// gave several tenants the same token).
const INDEXED: &str = "tenants";

/// How many times adding a tenant to its token index re-reads after another write.
const INDEX_CONFLICTS: u32 = 16;

impl Tenants {
    pub(crate) fn new(
        client: kube::Client,
        system_namespace: &str,
        ids: Ids,
        tenant_role: Option<String>,
        backoff: Backoff,
    ) -> Self {
        Self {
            records: Api::namespaced(client.clone(), system_namespace),
            system: system_namespace.to_owned(),
            client,
            ids,
            backoff,
            tenant_role,
            identity: Arc::default(),
        }
    }

    /// Creates a tenant; an NCS namespace with id 0 gets the next free id.
    pub(crate) async fn create(&self, tenant: NewTenant) -> Result<Tenant> {
        if tenant.key != TenantKey::Namespace(NamespaceId(0)) {
            return self.create_as(tenant.key.clone(), &tenant).await;
        }
        for _ in 0..NAMESPACE_TRIES {
            let id = self
                .ids
                .allocate(IdKind::Namespace, 1)
                .await
                .map_err(|e| to_core(e, "namespace", "new"))?;
            match self
                .create_as(TenantKey::Namespace(NamespaceId(id)), &tenant)
                .await
            {
                Err(Error::AlreadyExists { .. }) => continue,
                other => return other,
            }
        }
        Err(Error::Conflict("no free namespace id found".to_owned()))
    }

    async fn create_as(&self, key: TenantKey, new: &NewTenant) -> Result<Tenant> {
        let tenant = Tenant {
            key: key.clone(),
            token_hash: new.token_hash,
            privileged: new.privileged,
            attributes: new.attributes.clone(),
        };
        let body = serde_json::to_vec(&tenant).map_err(|e| Error::Backend {
            temporary: false,
            source: Box::new(e),
        })?;
        let mut labels = labels::base();
        labels.insert(labels::TENANT_KIND.to_owned(), key.kind().name().to_owned());
        let record = Secret {
            metadata: ObjectMeta {
                name: Some(record_name(&key)),
                labels: Some(labels),
                ..ObjectMeta::default()
            },
            data: Some(BTreeMap::from([("tenant".to_owned(), ByteString(body))])),
            ..Secret::default()
        };
        let id = key.to_string();
        // The record's creation is the tenant's: a second create of the key is refused.
        let made = crate::namespaces::writing_in(&self.client, &self.backoff, &self.system, || {
            self.backoff
                .create_once(&self.records, &record, |a, b| a.data == b.data)
        })
        .await
        .map_err(|e| to_core(e, key.kind().name(), &id))?;
        if !made {
            return Err(Error::already_exists(key.kind().name(), &id));
        }
        self.index(&tenant)
            .await
            .map_err(|e| to_core(e, key.kind().name(), &id))?;
        self.ensure_namespace(&namespace_of(&key))
            .await
            .map_err(|e| to_core(e, "namespace", &id))?;
        Ok(tenant)
    }

    /// Makes the tenant Namespace `name` unless it exists, and binds podgate's tenant
    /// role in it when one is configured.
    pub(crate) async fn ensure_namespace(
        &self,
        name: &str,
    ) -> std::result::Result<(), kube::Error> {
        crate::namespaces::ensure(&self.client, &self.backoff, name).await?;
        let Some(role) = &self.tenant_role else {
            return Ok(());
        };
        let subject = self
            .identity
            .get_or_try_init(|| crate::namespaces::identity(&self.client, &self.backoff))
            .await?;
        crate::namespaces::bind(&self.client, &self.backoff, name, role, subject).await
    }

    /// The tenant with this key, or `NotFound`.
    pub(crate) async fn get(&self, key: &TenantKey) -> Result<Tenant> {
        let id = key.to_string();
        let name = record_name(key);
        let record = self
            .backoff
            .call(|| self.records.get(&name))
            .await
            .map_err(|e| to_core(e, key.kind().name(), &id))?;
        decode(&record)
    }

    /// Adds `tenant` to its token's index (made when missing), conditionally on the
    /// version read; one already there is left as it is.
    pub(crate) async fn index(&self, tenant: &Tenant) -> std::result::Result<(), kube::Error> {
        let name = index_name(tenant.key.kind(), &tenant.token_hash);
        let post = PostParams::default();
        let mut left = INDEX_CONFLICTS;
        // A token is new to the index as a rule: its first try makes the index without
        // reading it first.
        let mut found = None;
        loop {
            let mut listed = found.as_ref().map(indexed).unwrap_or_default();
            if listed.iter().any(|t| t.key == tenant.key) {
                return Ok(());
            }
            listed.push(tenant.clone());
            let body = serde_json::to_vec(&listed).unwrap_or_default();
            let index = Secret {
                data: Some(BTreeMap::from([(INDEXED.to_owned(), ByteString(body))])),
                ..found.unwrap_or_else(|| Secret {
                    metadata: labels::named(name.clone()),
                    ..Secret::default()
                })
            };
            let written = if index.metadata.resource_version.is_some() {
                self.backoff
                    .call(|| self.records.replace(&name, &post, &index))
                    .await
            } else {
                self.backoff
                    .call(|| self.records.create(&post, &index))
                    .await
            };
            match written {
                Ok(_) => return Ok(()),
                // Written or made meanwhile (by another tenant of the token, or a try
                // whose reply was lost): read it again.
                Err(kube::Error::Api(status))
                    if (status.is_conflict() || status.is_already_exists()) && left > 0 =>
                {
                    left -= 1;
                    found = self.backoff.call(|| self.records.get_opt(&name)).await?;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The tenant of `kind` whose token hashes to `token`, or `NotFound`: one read of
    /// the token's index.
    pub(crate) async fn find_by_token(
        &self,
        kind: TenantKind,
        token: &TokenHash,
    ) -> Result<Tenant> {
        let name = index_name(kind, token);
        let found = self
            .backoff
            .call(|| self.records.get_opt(&name))
            .await
            .map_err(|e| to_core(e, "token", "presented"))?;
        found
            .as_ref()
            .map(indexed)
            .unwrap_or_default()
            .into_iter()
            .find(|t| t.key.kind() == kind && t.token_hash.ct_eq(token))
            .ok_or_else(|| Error::not_found("token", "presented"))
    }

    /// Every tenant record, and which of them their token's index is missing: a
    /// tenant create cut off between its record and its index, or one made before
    /// tokens were indexed. One list (in chunks) of the system namespace's secrets.
    pub(crate) async fn unindexed(&self) -> Result<Vec<Tenant>> {
        let params = ListParams::default().labels(&labels::selector(&[]));
        let secrets = crate::lists::all(&self.records, &params, &self.backoff)
            .await
            .map_err(|e| to_core(e, "tenant", "all"))?;
        let mut indexes: BTreeMap<String, Vec<Tenant>> = BTreeMap::new();
        let mut records = Vec::new();
        for secret in &secrets {
            let name = secret.metadata.name.clone().unwrap_or_default();
            if labels::value(&secret.metadata, labels::TENANT_KIND).is_some() {
                if let Ok(tenant) = decode(secret) {
                    records.push(tenant);
                }
            } else if name.starts_with("token-") {
                indexes.insert(name, indexed(secret));
            }
        }
        records.retain(|t| {
            let name = index_name(t.key.kind(), &t.token_hash);
            !indexes
                .get(&name)
                .is_some_and(|listed| listed.iter().any(|l| l.key == t.key))
        });
        Ok(records)
    }
}

/// The tenants a token index lists.
fn indexed(index: &Secret) -> Vec<Tenant> {
    index
        .data
        .as_ref()
        .and_then(|d| d.get(INDEXED))
        .and_then(|body| serde_json::from_slice(&body.0).ok())
        .unwrap_or_default()
}

fn decode(record: &Secret) -> Result<Tenant> {
    let body = record
        .data
        .as_ref()
        .and_then(|d| d.get("tenant"))
        .ok_or_else(|| Error::Backend {
            temporary: false,
            source: "a tenant record without its data".into(),
        })?;
    serde_json::from_slice(&body.0).map_err(|e| Error::Backend {
        temporary: false,
        source: Box::new(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_names_are_dns_labels_and_distinct() {
        let keys = [
            TenantKey::Namespace(NamespaceId(17)),
            TenantKey::Project("bcd83056c918480f8f190844bd425b23".to_owned()),
            TenantKey::Order("Order_1".to_owned()),
            TenantKey::Order("order-1".to_owned()),
            TenantKey::System,
        ];
        let names: Vec<String> = keys.iter().map(namespace_of).collect();
        assert_eq!(names[0], "podgate-namespace-17");
        assert_eq!(names[1], "podgate-project-bcd83056c918480f8f190844bd425b23");
        assert_eq!(names[3], "podgate-order-order-1");
        assert!(names[2].starts_with("podgate-order--"), "{}", names[2]);
        for name in &names {
            assert!(name.len() <= 63, "{name}");
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            );
        }
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
    }
}

#[cfg(test)]
mod cluster_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::testing::{Fault, fake, quick};

    fn tenants(client: kube::Client) -> Tenants {
        let ids = Ids::new(client.clone(), "podgate-system", quick());
        Tenants::new(client, "podgate-system", ids, None, quick())
    }

    fn new(key: TenantKey, token: &str) -> NewTenant {
        NewTenant {
            key,
            token_hash: TokenHash::of(token),
            privileged: false,
            attributes: serde_json::json!({"resourceUnit": "2-Unit-Resource"}),
        }
    }

    #[tokio::test]
    async fn tenants_are_made_found_and_refused_twice() {
        let (client, _) = fake().await;
        let t = tenants(client.clone());
        let first = t
            .create(new(TenantKey::Namespace(NamespaceId(0)), "a"))
            .await
            .unwrap();
        assert_eq!(first.key, TenantKey::Namespace(NamespaceId(1)));
        // An operator takes id 2 explicitly: the next automatic id skips it.
        t.create(new(TenantKey::Namespace(NamespaceId(2)), "b"))
            .await
            .unwrap();
        let third = t
            .create(new(TenantKey::Namespace(NamespaceId(0)), "c"))
            .await
            .unwrap();
        assert_eq!(third.key, TenantKey::Namespace(NamespaceId(3)));
        let order = t
            .create(new(TenantKey::Order("Order_7".to_owned()), "d"))
            .await
            .unwrap();

        assert_eq!(t.get(&order.key).await.unwrap(), order);
        assert_eq!(
            t.find_by_token(TenantKind::Order, &TokenHash::of("d"))
                .await
                .unwrap(),
            order
        );
        assert!(matches!(
            t.find_by_token(TenantKind::Namespace, &TokenHash::of("d"))
                .await,
            Err(Error::NotFound { .. })
        ));
        assert!(matches!(
            t.find_by_token(TenantKind::Order, &TokenHash::of("e"))
                .await,
            Err(Error::NotFound { .. })
        ));
        assert!(matches!(
            t.create(new(TenantKey::Order("Order_7".to_owned()), "f"))
                .await,
            Err(Error::AlreadyExists { .. })
        ));
        assert!(matches!(
            t.get(&TenantKey::Project("nobody".to_owned())).await,
            Err(Error::NotFound { .. })
        ));
        let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client);
        for key in [&first.key, &third.key, &order.key] {
            assert!(
                namespaces
                    .get_opt(&namespace_of(key))
                    .await
                    .unwrap()
                    .is_some(),
                "{key}'s namespace exists"
            );
        }
    }

    #[tokio::test]
    async fn a_describe_is_one_request_and_faults_are_retried() {
        let (client, plan) = fake().await;
        let t = tenants(client);
        let made = t
            .create(new(TenantKey::Project("p1".to_owned()), "a"))
            .await
            .unwrap();
        let before = plan.requests();
        t.get(&made.key).await.unwrap();
        assert_eq!(plan.requests() - before, 1);
        plan.inject(
            "GET",
            "tenant-project-p1",
            Fault::Status(429, "TooManyRequests"),
        );
        plan.inject("GET", "tenant-project-p1", Fault::Hang);
        assert_eq!(t.get(&made.key).await.unwrap(), made);
        plan.inject("POST", "/secrets", Fault::Status(500, "InternalError"));
        let other = t
            .create(new(TenantKey::Project("p2".to_owned()), "b"))
            .await
            .unwrap();
        assert_eq!(
            t.get(&other.key).await.unwrap(),
            other,
            "made once, after the retry"
        );
        // The create is carried out but its reply lost: the retry finds its own record.
        plan.inject("POST", "/secrets", Fault::LostReply);
        let third = t
            .create(new(TenantKey::Project("p3".to_owned()), "c"))
            .await
            .unwrap();
        assert_eq!(t.get(&third.key).await.unwrap(), third);
        // Someone else's record under the key is still a conflict.
        plan.inject("POST", "/secrets", Fault::LostReply);
        assert!(matches!(
            t.create(new(TenantKey::Project("p3".to_owned()), "other token"))
                .await,
            Err(Error::AlreadyExists { .. })
        ));
        let records: Api<Secret> = Api::namespaced(t.client.clone(), "podgate-system");
        let all = records
            .list(&ListParams::default().labels(labels::TENANT_KIND))
            .await
            .unwrap();
        assert_eq!(
            all.items.len(),
            3,
            "one record per tenant, never a duplicate"
        );
    }
}
