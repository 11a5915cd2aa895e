//! Config maps and secrets of a project.

use std::collections::BTreeMap;

use super::error::IefError;
use super::request;
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

/// What an update changes: the description and the data, each when given.
struct Change<'a> {
    description: Option<&'a String>,
    data: Option<&'a BTreeMap<String, Option<String>>>,
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
        change: Change<'_>,
        field: &str,
    ) -> Reply<ConfigObject> {
        let current = self.backend.get_config(tenant, kind, id).await?;
        if change.description.is_none() && change.data.is_none() {
            return Err(IefError::invalid(
                field,
                "give a description, the data, or both",
            ));
        }
        let mut attributes = current.config.attributes;
        if let Some(d) = change.description {
            let text = request::description(Some(d), &format!("{field}.description"))?;
            attributes.insert(DESCRIPTION.to_owned(), text);
        }
        let data_field = match kind {
            ConfigKind::ConfigMap => format!("{field}.configs"),
            ConfigKind::Secret => format!("{field}.secrets"),
        };
        let data = match change.data {
            Some(d) => request::config_data(d, &data_field, kind == ConfigKind::Secret)?,
            None => current.config.data,
        };
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
        let body = req
            .configmap
            .as_ref()
            .ok_or_else(|| IefError::invalid("configmap", "is required"))?;
        let name = request::config_name(body.name.as_ref(), "configmap.name")?;
        let description = request::description(body.description.as_ref(), "configmap.description")?;
        let data = request::config_data(
            body.configs.as_ref().unwrap_or(&BTreeMap::new()),
            "configmap.configs",
            false,
        )?;
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
        let body = req
            .configmap
            .as_ref()
            .ok_or_else(|| IefError::invalid("configmap", "is required"))?;
        let change = Change {
            description: body.description.as_ref(),
            data: body.configs.as_ref(),
        };
        let updated = self
            .change_config(&tenant, ConfigKind::ConfigMap, id, change, "configmap")
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
        let body = req
            .secret
            .as_ref()
            .ok_or_else(|| IefError::invalid("secret", "is required"))?;
        let name = request::config_name(body.name.as_ref(), "secret.name")?;
        let kind = body.type_.clone().unwrap_or_else(|| OPAQUE.to_owned());
        if kind != OPAQUE {
            return Err(IefError::invalid(
                "secret.type",
                format!("only Opaque is supported, got {kind:?}"),
            ));
        }
        let description = request::description(body.description.as_ref(), "secret.description")?;
        let secrets = body
            .secrets
            .as_ref()
            .ok_or_else(|| IefError::invalid("secret.secrets", "is required"))?;
        let data = request::config_data(secrets, "secret.secrets", true)?;
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
                        (TYPE.to_owned(), kind),
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
        let body = req
            .secret
            .as_ref()
            .ok_or_else(|| IefError::invalid("secret", "is required"))?;
        let change = Change {
            description: body.description.as_ref(),
            data: body.secrets.as_ref(),
        };
        let updated = self
            .change_config(&tenant, ConfigKind::Secret, id, change, "secret")
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
