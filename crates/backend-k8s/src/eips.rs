//! The EIP inventory: a ConfigMap per EIP in the system namespace records its address
//! and holder; a held EIP is also a LoadBalancer Service on that address selecting the
//! holder's pods. Taking and giving back are conditional on the record's version, so
//! one EIP never goes to two workloads.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Service, ServicePort, ServiceSpec};
use kube::Api;
use kube::api::{DeleteParams, ListParams, ObjectMeta, PostParams};
use podgate_core::model::{Eip, TenantKey, WorkloadId};
use podgate_core::{Error, Result};

use crate::error::to_core;
use crate::labels;
use crate::objects::WORKLOAD_ID;
use crate::retry::Backoff;

/// Marks an EIP record.
const EIP: &str = "podgate.io/eip";
/// The holder's tenant namespace and workload id, on a held EIP's record.
const HOLDER_NAMESPACE: &str = "podgate.io/eip-holder-namespace";
const HOLDER_WORKLOAD: &str = "podgate.io/eip-holder-workload";

/// How often taking or giving back reads again after losing to another writer.
const CONFLICTS: u32 = 16;

/// An EIP's record and Service name: a digest of its id (ids are the operator's).
fn object_name(id: &str) -> String {
    format!("eip-{}", labels::digest(id))
}

/// The EIP operations.
#[derive(Clone)]
pub(crate) struct Eips {
    client: kube::Client,
    namespace: String,
    records: Api<ConfigMap>,
    backoff: Backoff,
}

fn to_eip(record: &ConfigMap) -> Option<Eip> {
    let data = record.data.as_ref()?;
    let holder = data
        .get("holder-tenant")
        .zip(data.get("holder-workload"))
        .and_then(|(t, w)| {
            Some((
                serde_json::from_str::<TenantKey>(t).ok()?,
                WorkloadId(w.parse().ok()?),
            ))
        });
    Some(Eip {
        id: data.get("id")?.clone(),
        address: data.get("address")?.clone(),
        holder,
    })
}

impl Eips {
    pub(crate) fn new(client: kube::Client, system_namespace: &str, backoff: Backoff) -> Self {
        Self {
            records: Api::namespaced(client.clone(), system_namespace),
            namespace: system_namespace.to_owned(),
            client,
            backoff,
        }
    }

    /// Adds an EIP; its id must be new.
    pub(crate) async fn create(&self, id: &str, address: &str) -> Result<Eip> {
        let mut labels = labels::base();
        labels.insert(EIP.to_owned(), "true".to_owned());
        let record = ConfigMap {
            metadata: ObjectMeta {
                name: Some(object_name(id)),
                labels: Some(labels),
                ..ObjectMeta::default()
            },
            data: Some(BTreeMap::from([
                ("id".to_owned(), id.to_owned()),
                ("address".to_owned(), address.to_owned()),
            ])),
            ..ConfigMap::default()
        };
        let post = PostParams::default();
        let made =
            crate::namespaces::writing_in(&self.client, &self.backoff, &self.namespace, || {
                self.backoff.call(|| self.records.create(&post, &record))
            });
        match made.await {
            Ok(_) => {}
            Err(kube::Error::Api(status)) if status.is_already_exists() => {
                let name = object_name(id);
                let mine = self
                    .backoff
                    .call(|| self.records.get_opt(&name))
                    .await
                    .map_err(|e| to_core(e, "eip", id))?
                    .is_some_and(|found| found.data == record.data);
                if !mine {
                    return Err(Error::already_exists("eip", id));
                }
            }
            Err(e) => return Err(to_core(e, "eip", id)),
        }
        Ok(Eip {
            id: id.to_owned(),
            address: address.to_owned(),
            holder: None,
        })
    }

    /// Every EIP, by id.
    pub(crate) async fn list(&self) -> Result<Vec<Eip>> {
        let params = ListParams::default().labels(&labels::selector(&[(EIP, "true")]));
        let found = self
            .backoff
            .call(|| self.records.list(&params))
            .await
            .map_err(|e| to_core(e, "eip", "all"))?;
        let mut eips: Vec<Eip> = found.items.iter().filter_map(to_eip).collect();
        eips.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(eips)
    }

    /// Gives `eip` to workload `workload` of `tenant` (whose pods are in `namespace`
    /// and listen on `ports`): unknown → `NotFound`; held, or the workload holds one
    /// already → `IncorrectState`.
    pub(crate) async fn associate(
        &self,
        tenant: &TenantKey,
        namespace: &str,
        workload: WorkloadId,
        ports: &[u16],
        eip: &str,
    ) -> Result<()> {
        let held = labels::selector(&[
            (HOLDER_NAMESPACE, namespace),
            (HOLDER_WORKLOAD, &workload.0.to_string()),
        ]);
        let params = ListParams::default().labels(&held);
        let holding = self
            .backoff
            .call(|| self.records.list(&params))
            .await
            .map_err(|e| to_core(e, "eip", eip))?;
        let address = self
            .backoff
            .conditional(CONFLICTS, || async {
                let name = object_name(eip);
                let Some(mut record) = self.backoff.call(|| self.records.get_opt(&name)).await?
                else {
                    return Ok(Err(Error::not_found("eip", eip)));
                };
                let Some(current) = to_eip(&record) else {
                    return Ok(Err(Error::not_found("eip", eip)));
                };
                if current.holder.is_some() {
                    return Ok(Err(Error::IncorrectState(format!(
                        "EIP {eip} is held by a workload"
                    ))));
                }
                if !holding.items.is_empty() {
                    return Ok(Err(Error::IncorrectState(format!(
                        "workload {workload} holds an EIP already"
                    ))));
                }
                let data = record.data.get_or_insert_with(BTreeMap::new);
                data.insert(
                    "holder-tenant".to_owned(),
                    serde_json::to_string(tenant).unwrap_or_default(),
                );
                data.insert("holder-workload".to_owned(), workload.0.to_string());
                let labels = record.metadata.labels.get_or_insert_with(BTreeMap::new);
                labels.insert(HOLDER_NAMESPACE.to_owned(), namespace.to_owned());
                labels.insert(HOLDER_WORKLOAD.to_owned(), workload.0.to_string());
                let post = PostParams::default();
                self.backoff
                    .call(|| self.records.replace(&name, &post, &record))
                    .await?;
                Ok(Ok(current.address))
            })
            .await
            .map_err(|e| to_core(e, "eip", eip))??;
        if let Err(e) = self.expose(namespace, workload, ports, eip, &address).await {
            // Nothing half-done: the EIP goes back to the inventory.
            if let Err(undo) = self.unassociate(tenant, namespace, workload, eip).await {
                tracing::warn!(error = %undo, eip, "an EIP stays held after its Service failed");
            }
            return Err(e);
        }
        Ok(())
    }

    /// The LoadBalancer Service that carries a held EIP's traffic to its pods. A
    /// workload that listens on no port has nothing to expose (a Service needs a
    /// port): it holds the EIP without one.
    async fn expose(
        &self,
        namespace: &str,
        workload: WorkloadId,
        ports: &[u16],
        eip: &str,
        address: &str,
    ) -> Result<()> {
        if ports.is_empty() {
            return Ok(());
        }
        let service = Service {
            metadata: ObjectMeta {
                namespace: Some(namespace.to_owned()),
                ..labels::named(object_name(eip))
            },
            spec: Some(ServiceSpec {
                type_: Some("LoadBalancer".to_owned()),
                load_balancer_ip: Some(address.to_owned()),
                selector: Some(BTreeMap::from([(
                    WORKLOAD_ID.to_owned(),
                    workload.0.to_string(),
                )])),
                ports: Some(
                    ports
                        .iter()
                        .map(|p| ServicePort {
                            name: Some(format!("p{p}")),
                            port: i32::from(*p),
                            protocol: Some("TCP".to_owned()),
                            ..ServicePort::default()
                        })
                        .collect(),
                ),
                ..ServiceSpec::default()
            }),
            status: None,
        };
        let api: Api<Service> = Api::namespaced(self.client.clone(), namespace);
        let post = PostParams::default();
        match self.backoff.call(|| api.create(&post, &service)).await {
            Err(kube::Error::Api(status)) if status.is_already_exists() => Ok(()),
            other => other.map(|_| ()).map_err(|e| to_core(e, "eip", eip)),
        }
    }

    /// Takes `eip` back from the workload: unknown → `NotFound`; not held by it →
    /// `IncorrectState`.
    pub(crate) async fn unassociate(
        &self,
        tenant: &TenantKey,
        namespace: &str,
        workload: WorkloadId,
        eip: &str,
    ) -> Result<()> {
        self.backoff
            .conditional(CONFLICTS, || async {
                let name = object_name(eip);
                let Some(mut record) = self.backoff.call(|| self.records.get_opt(&name)).await?
                else {
                    return Ok(Err(Error::not_found("eip", eip)));
                };
                let holder = to_eip(&record).and_then(|e| e.holder);
                if holder != Some((tenant.clone(), workload)) {
                    return Ok(Err(Error::IncorrectState(format!(
                        "EIP {eip} is not associated with workload {workload}"
                    ))));
                }
                if let Some(data) = record.data.as_mut() {
                    data.remove("holder-tenant");
                    data.remove("holder-workload");
                }
                if let Some(labels) = record.metadata.labels.as_mut() {
                    labels.remove(HOLDER_NAMESPACE);
                    labels.remove(HOLDER_WORKLOAD);
                }
                let post = PostParams::default();
                self.backoff
                    .call(|| self.records.replace(&name, &post, &record))
                    .await?;
                Ok(Ok(()))
            })
            .await
            .map_err(|e| to_core(e, "eip", eip))??;
        let api: Api<Service> = Api::namespaced(self.client.clone(), namespace);
        let (name, params) = (object_name(eip), DeleteParams::default());
        self.backoff
            .delete(&api, &name, &params)
            .await
            .map_err(|e| to_core(e, "eip", eip))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use podgate_core::model::NamespaceId;

    use super::*;
    use crate::testing::{Fault, fake, quick};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_eip_goes_to_one_workload_at_a_time() {
        let (client, plan) = fake().await;
        let eips = Eips::new(client.clone(), "podgate-system", quick());
        let tenant = TenantKey::Namespace(NamespaceId(1));
        plan.inject("POST", "/configmaps", Fault::LostReply);
        eips.create("eip-1", "203.0.113.7").await.unwrap();
        eips.create("eip-2", "203.0.113.8").await.unwrap();
        assert!(matches!(
            eips.create("eip-1", "198.51.100.1").await,
            Err(Error::AlreadyExists { .. })
        ));
        assert!(matches!(
            eips.associate(&tenant, "podgate-namespace-1", WorkloadId(1), &[80], "nope")
                .await,
            Err(Error::NotFound { .. })
        ));

        // Two workloads reach for one EIP at once: exactly one gets it.
        let (a, b) = tokio::join!(
            eips.associate(
                &tenant,
                "podgate-namespace-1",
                WorkloadId(1),
                &[80],
                "eip-1"
            ),
            eips.associate(
                &tenant,
                "podgate-namespace-1",
                WorkloadId(2),
                &[80],
                "eip-1"
            )
        );
        assert!(a.is_ok() != b.is_ok(), "{a:?} {b:?}");
        let winner = if a.is_ok() {
            WorkloadId(1)
        } else {
            WorkloadId(2)
        };
        let listed = eips.list().await.unwrap();
        assert_eq!(listed[0].holder, Some((tenant.clone(), winner)));
        assert_eq!(listed[1].holder, None);
        assert!(
            matches!(
                eips.associate(&tenant, "podgate-namespace-1", winner, &[80], "eip-2")
                    .await,
                Err(Error::IncorrectState(_))
            ),
            "a workload holds one EIP"
        );
        let services: Api<Service> = Api::namespaced(client, "podgate-namespace-1");
        let service = services.get(&object_name("eip-1")).await.unwrap();
        assert_eq!(
            service.spec.unwrap().load_balancer_ip.as_deref(),
            Some("203.0.113.7")
        );

        let loser = if winner == WorkloadId(1) {
            WorkloadId(2)
        } else {
            WorkloadId(1)
        };
        assert!(matches!(
            eips.unassociate(&tenant, "podgate-namespace-1", loser, "eip-1")
                .await,
            Err(Error::IncorrectState(_))
        ));
        plan.inject("PUT", "/configmaps/", Fault::Status(409, "Conflict"));
        eips.unassociate(&tenant, "podgate-namespace-1", winner, "eip-1")
            .await
            .unwrap();
        assert_eq!(eips.list().await.unwrap()[0].holder, None);
        assert!(
            services
                .get_opt(&object_name("eip-1"))
                .await
                .unwrap()
                .is_none()
        );
        eips.associate(&tenant, "podgate-namespace-1", loser, &[80], "eip-1")
            .await
            .unwrap();
    }
}
