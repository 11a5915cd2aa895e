//! Config maps and secrets of a project.

use std::collections::BTreeMap;

use super::request::{self, ConfigChange, NewConfigBody};
use super::service::{IefCaller, IefService, Reply};
use super::wire::{
    ConfigMapReply, ConfigMapResp, CreateConfigMapRequest, CreateSecretRequest,
    ListConfigMapsReply, ListConfigsParams, ListSecretsReply, SecretReply, SecretResp,
    UpdateConfigMapRequest, UpdateSecretRequest,
};
use crate::model::{ConfigKind, ConfigObject, ConfigQuery, NewConfig, Page, TenantKey};

/// The attribute holding a config object's description.
const DESCRIPTION: &str = "description";
/// The attribute holding a secret's type.
const TYPE: &str = "type";
/// The only secret type IEF has.
const OPAQUE: &str = "Opaque";

fn attribute(object: &ConfigObject, key: &str) -> String {
    object
        .config
        .attributes
        .get(key)
        .cloned()
        .unwrap_or_default()
}

fn configmap_resp(project: &str, o: ConfigObject) -> ConfigMapResp {
    ConfigMapResp {
        description: attribute(&o, DESCRIPTION),
        id: o.id,
        name: o.config.name,
        configs: o.config.data,
        project_id: project.to_owned(),
        created_at: o.created_at.to_rfc3339_millis(),
        updated_at: o.updated_at.to_rfc3339_millis(),
    }
}

fn secret_resp(project: &str, o: ConfigObject) -> SecretResp {
    SecretResp {
        description: attribute(&o, DESCRIPTION),
        type_: attribute(&o, TYPE),
        id: o.id,
        name: o.config.name,
        secrets: o.config.data,
        project_id: project.to_owned(),
        created_at: o.created_at.to_rfc3339_millis(),
        updated_at: o.updated_at.to_rfc3339_millis(),
    }
}

impl IefService {
    async fn list_configs(
        &self,
        tenant: TenantKey,
        kind: ConfigKind,
        params: &ListConfigsParams,
    ) -> Reply<Page<ConfigObject>> {
        let page = request::page(params.limit.as_ref(), params.offset.as_ref(), 1000, 1000)?;
        let (key, desc) = request::sort(
            params.sort.as_deref(),
            &["name", "created_at", "updated_at"],
            ("created_at", false),
        )?;
        let mut found: Vec<ConfigObject> = self
            .backend
            .list_configs(&ConfigQuery {
                tenant,
                kind,
                name: None,
            })
            .await?
            .into_iter()
            .filter(|o| {
                params
                    .name
                    .as_deref()
                    .is_none_or(|n| o.config.name.contains(n))
            })
            .collect();
        // The backend lists them oldest first: that is `created_at`.
        match key {
            "name" => found.sort_by(|a, b| a.config.name.cmp(&b.config.name)),
            "updated_at" => found.sort_by_key(|o| o.updated_at),
            _ => {}
        }
        if desc {
            found.reverse();
        }
        Ok(Page::from_vec(found, page))
    }

    async fn change_config(
        &self,
        tenant: &TenantKey,
        kind: ConfigKind,
        id: &str,
        change: ConfigChange,
    ) -> Reply<ConfigObject> {
        let current = self.backend.get_config(tenant, kind, id).await?;
        let mut attributes = current.config.attributes;
        if let Some(text) = change.description {
            attributes.insert(DESCRIPTION.to_owned(), text);
        }
        let data = change.data.unwrap_or(current.config.data);
        Ok(self
            .backend
            .update_config(tenant, kind, id, data, attributes)
            .await?)
    }

    /// `POST /v2/{project_id}/edgemgr/configmaps`.
    pub async fn create_configmap(
        &self,
        caller: &IefCaller,
        project_id: &str,
        req: &CreateConfigMapRequest,
    ) -> Reply<ConfigMapReply> {
        let tenant = self.project(caller, project_id).await?;
        let NewConfigBody {
            name,
            description,
            data,
        } = request::new_configmap(req)?;
        let created = self
            .backend
            .create_config(
                &tenant,
                NewConfig {
                    kind: ConfigKind::ConfigMap,
                    name,
                    data,
                    attributes: BTreeMap::from([(DESCRIPTION.to_owned(), description)]),
                },
            )
            .await?;
        Ok(ConfigMapReply {
            configmap: configmap_resp(project_id, created),
        })
    }

    /// `GET /v2/{project_id}/edgemgr/configmaps`.
    pub async fn list_configmaps(
        &self,
        caller: &IefCaller,
        project_id: &str,
        params: &ListConfigsParams,
    ) -> Reply<ListConfigMapsReply> {
        let tenant = self.project(caller, project_id).await?;
        let page = self
            .list_configs(tenant, ConfigKind::ConfigMap, params)
            .await?;
        Ok(ListConfigMapsReply {
            count: page.total,
            configmaps: page
                .items
                .into_iter()
                .map(|o| configmap_resp(project_id, o))
                .collect(),
        })
    }

    /// `GET /v2/{project_id}/edgemgr/configmaps/{id}`.
    pub async fn get_configmap(
        &self,
        caller: &IefCaller,
        project_id: &str,
        id: &str,
    ) -> Reply<ConfigMapReply> {
        let tenant = self.project(caller, project_id).await?;
        let found = self
            .backend
            .get_config(&tenant, ConfigKind::ConfigMap, id)
            .await?;
        Ok(ConfigMapReply {
            configmap: configmap_resp(project_id, found),
        })
    }

    /// `PUT /v2/{project_id}/edgemgr/configmaps/{id}`: each given part replaces the
    /// current one; a `null` value drops its key.
    pub async fn update_configmap(
        &self,
        caller: &IefCaller,
        project_id: &str,
        id: &str,
        req: &UpdateConfigMapRequest,
    ) -> Reply<ConfigMapReply> {
        let tenant = self.project(caller, project_id).await?;
        let change = request::configmap_change(req)?;
        let updated = self
            .change_config(&tenant, ConfigKind::ConfigMap, id, change)
            .await?;
        Ok(ConfigMapReply {
            configmap: configmap_resp(project_id, updated),
        })
    }

    /// `DELETE /v2/{project_id}/edgemgr/configmaps/{id}`; one a deployment reads stays.
    pub async fn delete_configmap(
        &self,
        caller: &IefCaller,
        project_id: &str,
        id: &str,
    ) -> Reply<()> {
        let tenant = self.project(caller, project_id).await?;
        Ok(self
            .backend
            .delete_config(&tenant, ConfigKind::ConfigMap, id)
            .await?)
    }

    /// `POST /v2/{project_id}/edgemgr/secrets`.
    pub async fn create_secret(
        &self,
        caller: &IefCaller,
        project_id: &str,
        req: &CreateSecretRequest,
    ) -> Reply<SecretReply> {
        let tenant = self.project(caller, project_id).await?;
        let NewConfigBody {
            name,
            description,
            data,
        } = request::new_secret(req)?;
        let created = self
            .backend
            .create_config(
                &tenant,
                NewConfig {
                    kind: ConfigKind::Secret,
                    name,
                    data,
                    attributes: BTreeMap::from([
                        (DESCRIPTION.to_owned(), description),
                        (TYPE.to_owned(), OPAQUE.to_owned()),
                    ]),
                },
            )
            .await?;
        Ok(SecretReply {
            secret: secret_resp(project_id, created),
        })
    }

    /// `GET /v2/{project_id}/edgemgr/secrets`.
    pub async fn list_secrets(
        &self,
        caller: &IefCaller,
        project_id: &str,
        params: &ListConfigsParams,
    ) -> Reply<ListSecretsReply> {
        let tenant = self.project(caller, project_id).await?;
        let page = self
            .list_configs(tenant, ConfigKind::Secret, params)
            .await?;
        Ok(ListSecretsReply {
            count: page.total,
            secrets: page
                .items
                .into_iter()
                .map(|o| secret_resp(project_id, o))
                .collect(),
        })
    }

    /// `GET /v2/{project_id}/edgemgr/secrets/{id}`.
    pub async fn get_secret(
        &self,
        caller: &IefCaller,
        project_id: &str,
        id: &str,
    ) -> Reply<SecretReply> {
        let tenant = self.project(caller, project_id).await?;
        let found = self
            .backend
            .get_config(&tenant, ConfigKind::Secret, id)
            .await?;
        Ok(SecretReply {
            secret: secret_resp(project_id, found),
        })
    }

    /// `PUT /v2/{project_id}/edgemgr/secrets/{id}`.
    pub async fn update_secret(
        &self,
        caller: &IefCaller,
        project_id: &str,
        id: &str,
        req: &UpdateSecretRequest,
    ) -> Reply<SecretReply> {
        let tenant = self.project(caller, project_id).await?;
        let change = request::secret_change(req)?;
        let updated = self
            .change_config(&tenant, ConfigKind::Secret, id, change)
            .await?;
        Ok(SecretReply {
            secret: secret_resp(project_id, updated),
        })
    }

    /// `DELETE /v2/{project_id}/edgemgr/secrets/{id}`; one a deployment reads stays.
    pub async fn delete_secret(&self, caller: &IefCaller, project_id: &str, id: &str) -> Reply<()> {
        let tenant = self.project(caller, project_id).await?;
        Ok(self
            .backend
            .delete_config(&tenant, ConfigKind::Secret, id)
            .await?)
    }
}
