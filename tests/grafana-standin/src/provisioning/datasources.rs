//! `provisioning/datasources/*.yaml`: `apiVersion: 1` files with `datasources` and
//! `deleteDatasources`. Provisioned data sources are read-only unless `editable`.

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::log::Logger;
use crate::store::{DatasourceInput, Store};

/// Accepts any YAML scalar where a string is expected (yaml.v3 does the same).
fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_yaml::Value::deserialize(d)? {
        serde_yaml::Value::String(s) => s,
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Null => String::new(),
        other => {
            return Err(serde::de::Error::custom(format!(
                "expected a scalar, found {other:?}"
            )))
        }
    })
}

fn scalar_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    #[derive(Deserialize)]
    struct S(#[serde(deserialize_with = "scalar")] String);
    let m: Option<BTreeMap<String, S>> = Option::deserialize(d)?;
    Ok(m.unwrap_or_default()
        .into_iter()
        .map(|(k, S(v))| (k, v))
        .collect())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Entry {
    #[serde(deserialize_with = "scalar")]
    pub name: String,
    #[serde(rename = "type", deserialize_with = "scalar")]
    pub kind: String,
    #[serde(deserialize_with = "scalar")]
    pub access: String,
    #[serde(deserialize_with = "scalar")]
    pub uid: String,
    #[serde(deserialize_with = "scalar")]
    pub url: String,
    #[serde(deserialize_with = "scalar")]
    pub user: String,
    #[serde(deserialize_with = "scalar")]
    pub database: String,
    pub basic_auth: bool,
    #[serde(deserialize_with = "scalar")]
    pub basic_auth_user: String,
    pub with_credentials: bool,
    pub is_default: bool,
    pub json_data: Option<Map<String, Value>>,
    #[serde(deserialize_with = "scalar_map")]
    pub secure_json_data: BTreeMap<String, String>,
    pub version: i64,
    pub editable: bool,
    pub org_id: i64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeleteEntry {
    #[serde(deserialize_with = "scalar")]
    pub name: String,
    pub org_id: i64,
}

/// One parsed data sources file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct File {
    pub api_version: i64,
    pub datasources: Vec<Entry>,
    pub delete_datasources: Vec<DeleteEntry>,
}

/// Reads every `*.yaml`/`*.yml` file of `dir` (a missing directory is no file).
pub fn read_dir(dir: &Path, logger: &Logger) -> Result<Vec<(PathBuf, File)>, String> {
    let mut files = Vec::new();
    for path in super::yaml_files(dir, logger)? {
        let doc = super::read_yaml(&path)?;
        let file: File = serde_yaml::from_value(doc).map_err(|e| {
            format!(
                "could not parse provisioning config file: {}: {e}",
                path.display()
            )
        })?;
        if file.api_version == 0 {
            logger.warn(
                "datasource provisioning file has no apiVersion; reading it as version 1",
                &[("file", &path.display())],
            );
        }
        for (i, ds) in file.datasources.iter().enumerate() {
            if ds.name.is_empty() || ds.kind.is_empty() {
                return Err(format!(
                    "{}: data source #{} needs a name and a type",
                    path.display(),
                    i + 1
                ));
            }
            if ds.org_id > 1 {
                return Err(format!(
                    "{}: data source {:?}: organization {} does not exist",
                    path.display(),
                    ds.name,
                    ds.org_id
                ));
            }
        }
        files.push((path, file));
    }
    let defaults = files
        .iter()
        .flat_map(|(_, f)| &f.datasources)
        .filter(|d| d.is_default)
        .count();
    if defaults > 1 {
        return Err("datasource.yaml config is invalid. Only one datasource per organization can be marked as default".into());
    }
    Ok(files)
}

fn input(e: &Entry, logger: &Logger) -> DatasourceInput {
    let access = match e.access.as_str() {
        "" | "proxy" => "proxy".to_string(),
        "direct" => "direct".to_string(),
        other => {
            logger.warn(
                "invalid access value, will use 'proxy' instead",
                &[("value", &other)],
            );
            "proxy".to_string()
        }
    };
    DatasourceInput {
        name: Some(e.name.clone()),
        kind: Some(e.kind.clone()),
        access: Some(access),
        url: Some(e.url.clone()),
        user: Some(e.user.clone()),
        database: Some(e.database.clone()),
        basic_auth: Some(e.basic_auth),
        basic_auth_user: Some(e.basic_auth_user.clone()),
        with_credentials: Some(e.with_credentials),
        is_default: Some(e.is_default),
        json_data: e.json_data.clone(),
        secure_json_data: Some(e.secure_json_data.clone()),
        uid: Some(e.uid.clone()),
        version: Some(e.version),
        api_version: None,
        read_only: Some(!e.editable),
    }
}

/// Deletes first, then inserts or updates each listed data source by name.
pub fn apply(store: &mut Store, files: &[(PathBuf, File)], logger: &Logger) -> Result<(), String> {
    for (_, file) in files {
        for d in &file.delete_datasources {
            if let Some(id) = store.datasource_by_name(&d.name).map(|ds| ds.id) {
                store.datasources.retain(|ds| ds.id != id);
                logger.info("deleted provisioned data source", &[("name", &d.name)]);
            }
        }
    }
    for (path, file) in files {
        for e in &file.datasources {
            let existing = store.datasource_by_name(&e.name).cloned();
            let outcome = match existing {
                Some(ds) if e.version != 0 && ds.version > e.version => {
                    logger.debug(
                        "stored data source is newer; not updated",
                        &[("name", &e.name)],
                    );
                    continue;
                }
                Some(ds) => store.update_datasource(&ds.uid, input(e, logger), true),
                None => store.add_datasource(input(e, logger), !e.editable),
            };
            let ds = outcome.map_err(|err| {
                format!(
                    "{}: data source {:?}: {}",
                    path.display(),
                    e.name,
                    err.text()
                )
            })?;
            logger.info(
                "provisioned data source",
                &[("name", &ds.name), ("uid", &ds.uid)],
            );
        }
    }
    Ok(())
}
