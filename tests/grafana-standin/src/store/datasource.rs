//! Data sources: add, update, delete, read and list, with Grafana's conflict,
//! read-only and version rules and its DTO shapes.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

use super::Store;
use crate::error::{ApiError, ApiResult};

/// One data source of organisation 1.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Datasource {
    pub id: i64,
    pub uid: String,
    pub name: String,
    pub kind: String,
    pub access: String,
    pub url: String,
    pub user: String,
    pub database: String,
    pub basic_auth: bool,
    pub basic_auth_user: String,
    pub with_credentials: bool,
    pub is_default: bool,
    pub json_data: Value,
    pub secure: BTreeMap<String, String>,
    pub version: i64,
    pub read_only: bool,
    pub api_version: String,
}

/// The body of `POST /api/datasources` and `PUT /api/datasources/uid/:uid`; null is
/// read as the zero value, as Go's decoder does.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DatasourceInput {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub access: Option<String>,
    pub url: Option<String>,
    pub user: Option<String>,
    pub database: Option<String>,
    pub basic_auth: Option<bool>,
    pub basic_auth_user: Option<String>,
    pub with_credentials: Option<bool>,
    pub is_default: Option<bool>,
    pub json_data: Option<Map<String, Value>>,
    pub secure_json_data: Option<BTreeMap<String, String>>,
    pub uid: Option<String>,
    pub version: Option<i64>,
    pub api_version: Option<String>,
    pub read_only: Option<bool>,
}

fn plugin_name(kind: &str) -> String {
    match kind {
        "prometheus" => "Prometheus".into(),
        "alertmanager" => "Alertmanager".into(),
        "loki" => "Loki".into(),
        "tempo" => "Tempo".into(),
        "jaeger" => "Jaeger".into(),
        other => other.into(),
    }
}

impl Datasource {
    /// The full DTO of the read endpoints.
    pub fn to_json(&self) -> Value {
        let fields: Map<String, Value> = self
            .secure
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, _)| (k.clone(), Value::Bool(true)))
            .collect();
        let mut v = json!({
            "id": self.id, "uid": self.uid, "orgId": 1, "name": self.name,
            "type": self.kind, "typeLogoUrl": "public/img/icn-datasource.svg",
            "access": self.access, "url": self.url, "user": self.user,
            "database": self.database, "basicAuth": self.basic_auth,
            "basicAuthUser": self.basic_auth_user, "withCredentials": self.with_credentials,
            "isDefault": self.is_default, "jsonData": self.json_data,
            "secureJsonFields": fields, "version": self.version, "readOnly": self.read_only,
        });
        if !self.api_version.is_empty() {
            v["apiVersion"] = json!(self.api_version);
        }
        v
    }

    /// The item shape of `GET /api/datasources`.
    pub fn list_item(&self) -> Value {
        json!({
            "id": self.id, "uid": self.uid, "orgId": 1, "name": self.name,
            "type": self.kind, "typeName": plugin_name(&self.kind),
            "typeLogoUrl": "public/img/icn-datasource.svg", "access": self.access,
            "url": self.url, "user": self.user, "database": self.database,
            "basicAuth": self.basic_auth, "isDefault": self.is_default,
            "jsonData": self.json_data, "readOnly": self.read_only,
        })
    }
}

fn validate_required(input: &DatasourceInput) -> ApiResult<()> {
    let empty = |v: &Option<String>| v.as_deref().unwrap_or_default().is_empty();
    if empty(&input.kind) || empty(&input.access) {
        return Err(ApiError::bad_request_data());
    }
    let name = input.name.as_deref().unwrap_or_default();
    if name.is_empty() || name.len() > 190 {
        return Err(ApiError::errutil(
            400,
            "datasource.nameInvalid",
            "Invalid datasource name.",
        ));
    }
    if input.url.as_deref().unwrap_or_default().len() > 255 {
        return Err(ApiError::errutil(
            400,
            "datasource.urlInvalid",
            "Invalid datasource url.",
        ));
    }
    Ok(())
}

fn apply(ds: &mut Datasource, input: DatasourceInput) {
    ds.name = input.name.unwrap_or_default();
    ds.kind = input.kind.unwrap_or_default();
    ds.access = input.access.unwrap_or_default();
    ds.url = input.url.unwrap_or_default();
    ds.user = input.user.unwrap_or_default();
    ds.database = input.database.unwrap_or_default();
    ds.basic_auth = input.basic_auth.unwrap_or_default();
    ds.basic_auth_user = input.basic_auth_user.unwrap_or_default();
    ds.with_credentials = input.with_credentials.unwrap_or_default();
    ds.is_default = input.is_default.unwrap_or_default();
    ds.json_data = Value::Object(input.json_data.unwrap_or_default());
    ds.api_version = input.api_version.unwrap_or_default();
    ds.secure.extend(input.secure_json_data.unwrap_or_default());
}

fn not_found() -> ApiError {
    ApiError::message(404, "Data source not found")
}

impl Store {
    pub fn datasource_by_uid(&self, uid: &str) -> Option<&Datasource> {
        self.datasources.iter().find(|d| d.uid == uid)
    }

    pub fn datasource_by_name(&self, name: &str) -> Option<&Datasource> {
        self.datasources.iter().find(|d| d.name == name)
    }

    fn clear_other_defaults(&mut self, keep_id: i64) {
        for d in self.datasources.iter_mut().filter(|d| d.id != keep_id) {
            d.is_default = false;
        }
    }

    /// `POST /api/datasources`; `read_only` is set by provisioning only.
    pub fn add_datasource(
        &mut self,
        input: DatasourceInput,
        read_only: bool,
    ) -> ApiResult<Datasource> {
        validate_required(&input)?;
        let name = input.name.clone().unwrap_or_default();
        if self.datasource_by_name(&name).is_some() {
            return Err(ApiError::message(
                409,
                "data source with the same name already exists",
            ));
        }
        let mut uid = input.uid.clone().unwrap_or_default();
        if uid.is_empty() {
            uid = crate::ident::generate_uid();
        } else if self.datasource_by_uid(&uid).is_some() {
            return Err(ApiError::message(
                409,
                "data source with the same uid already exists",
            ));
        }
        let mut ds = Datasource {
            id: self.allocate_datasource_id(),
            uid,
            name: String::new(),
            kind: String::new(),
            access: String::new(),
            url: String::new(),
            user: String::new(),
            database: String::new(),
            basic_auth: false,
            basic_auth_user: String::new(),
            with_credentials: false,
            is_default: false,
            json_data: json!({}),
            secure: BTreeMap::new(),
            version: 1,
            read_only,
            api_version: String::new(),
        };
        apply(&mut ds, input);
        if ds.is_default {
            self.clear_other_defaults(ds.id);
        }
        self.datasources.push(ds.clone());
        Ok(ds)
    }

    /// `PUT /api/datasources/uid/:uid`. A `version` lower than the stored one is a 409;
    /// the stored version becomes the sent version plus one, as in Grafana's store.
    pub fn update_datasource(
        &mut self,
        uid: &str,
        input: DatasourceInput,
        from_provisioning: bool,
    ) -> ApiResult<Datasource> {
        let current = self.datasource_by_uid(uid).cloned().ok_or_else(not_found)?;
        if current.read_only && !from_provisioning {
            return Err(ApiError::message(
                403,
                "Cannot update read-only data source",
            ));
        }
        validate_required(&input)?;
        let name = input.name.clone().unwrap_or_default();
        if self
            .datasources
            .iter()
            .any(|d| d.name == name && d.id != current.id)
        {
            return Err(ApiError::message(
                409,
                "Failed to update datasource: data source with the same name already exists",
            ));
        }
        let sent_version = input.version.unwrap_or_default();
        if sent_version != 0 && current.version > sent_version {
            return Err(ApiError::message(
                409,
                "Datasource has already been updated by someone else. Please reload and try again",
            ));
        }
        let mut ds = current.clone();
        if let Some(new_uid) = input.uid.clone().filter(|u| !u.is_empty() && u != uid) {
            if self.datasource_by_uid(&new_uid).is_some() {
                return Err(ApiError::message(
                    409,
                    "data source with the same uid already exists",
                ));
            }
            ds.uid = new_uid;
        }
        if from_provisioning {
            ds.read_only = input.read_only.unwrap_or(ds.read_only);
        }
        apply(&mut ds, input);
        ds.version = sent_version + 1;
        if ds.is_default {
            self.clear_other_defaults(ds.id);
        }
        if let Some(slot) = self.datasources.iter_mut().find(|d| d.id == ds.id) {
            *slot = ds.clone();
        }
        Ok(ds)
    }

    /// Deletes by uid or name; read-only (provisioned) data sources are refused.
    pub fn delete_datasource(
        &mut self,
        uid: Option<&str>,
        name: Option<&str>,
    ) -> ApiResult<Datasource> {
        let ds = match (uid, name) {
            (Some(u), _) => self.datasource_by_uid(u),
            (None, Some(n)) => self.datasource_by_name(n),
            (None, None) => None,
        }
        .cloned()
        .ok_or_else(not_found)?;
        if ds.read_only {
            return Err(ApiError::message(
                403,
                "Cannot delete read-only data source",
            ));
        }
        self.datasources.retain(|d| d.id != ds.id);
        Ok(ds)
    }

    /// `GET /api/datasources`, sorted by name ignoring case.
    pub fn list_datasources(&self) -> Vec<Value> {
        let mut list: Vec<&Datasource> = self.datasources.iter().collect();
        list.sort_by_key(|d| d.name.to_lowercase());
        list.into_iter().map(Datasource::list_item).collect()
    }
}
