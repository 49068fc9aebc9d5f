//! Saving and deleting dashboards with the rules of Grafana's dashboard service:
//! id/uid resolution, the version check, `overwrite`, provisioned dashboards, folder
//! resolution, title/uid/message validation and the minimum refresh interval.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::PathBuf;

use super::{ObjectKind, Store};
use crate::error::{ApiError, ApiResult};
use crate::ident;

/// Where a provisioned dashboard came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provisioned {
    pub provider: String,
    pub external_id: PathBuf,
    pub mtime: i64,
}

/// One stored dashboard; `data` is the JSON model with `id`, `uid`, `title` and
/// `version` kept in step with the fields beside it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Dashboard {
    pub id: i64,
    pub uid: String,
    pub title: String,
    pub slug: String,
    pub folder_uid: String,
    pub version: i64,
    pub data: Value,
    pub created: String,
    pub updated: String,
    pub created_by: String,
    pub updated_by: String,
    pub provisioned: Option<Provisioned>,
}

impl Dashboard {
    /// `/d/<uid>/<slug>`.
    pub fn url(&self) -> String {
        format!("/d/{}/{}", self.uid, self.slug)
    }

    /// The string entries of the `tags` array.
    pub fn tags(&self) -> Vec<String> {
        self.data
            .get("tags")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Who is saving, which decides the provisioned-dashboard check.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveMode {
    /// `POST /api/dashboards/db`: refused on a provisioned dashboard unless its
    /// provider has `allowUiUpdates`.
    Api,
    /// `POST /api/dashboards/import`: always refused on a provisioned dashboard.
    Import,
    /// The file provisioner; records where the dashboard came from.
    Provisioning(Provisioned),
    /// A test hook standing for a person saving in the UI.
    UserEdit,
}

/// Everything a save needs, as `SaveDashboardCommand` carries it.
#[derive(Debug, Clone)]
pub struct SaveCommand {
    pub dashboard: Map<String, Value>,
    pub folder_uid: String,
    pub folder_id: i64,
    pub overwrite: bool,
    pub message: String,
    pub actor: String,
    pub mode: SaveMode,
    pub restored_from: i64,
}

impl SaveCommand {
    pub fn new(dashboard: Map<String, Value>, actor: &str, mode: SaveMode) -> Self {
        SaveCommand {
            dashboard,
            folder_uid: String::new(),
            folder_id: 0,
            overwrite: false,
            message: String::new(),
            actor: actor.to_string(),
            mode,
            restored_from: 0,
        }
    }
}

fn string_field(map: &Map<String, Value>, key: &str) -> String {
    map.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Like simplejson's `MustInt64`: numbers (also as floats) count, anything else is 0.
pub(crate) fn int_field(map: &Map<String, Value>, key: &str) -> i64 {
    match map.get(key) {
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .unwrap_or(0),
        _ => 0,
    }
}

fn not_found() -> ApiError {
    ApiError::status(404, "not-found", "Dashboard not found")
}

impl Store {
    /// A refresh below the minimum (or one that does not parse) is raised to the
    /// minimum, as Grafana does before saving.
    fn apply_min_refresh(&self, dashboard: &mut Map<String, Value>) {
        let Some(min) = &self.settings.min_refresh_interval else {
            return;
        };
        let Some(min_duration) = crate::interval::parse(min) else {
            return;
        };
        let refresh = string_field(dashboard, "refresh");
        if refresh.is_empty() || refresh == "auto" {
            return;
        }
        let too_low = match crate::interval::parse(&refresh) {
            Some(d) => d < min_duration,
            None => true,
        };
        if too_low {
            dashboard.insert("refresh".into(), Value::String(min.clone()));
        }
    }

    /// `folderUid` wins over the deprecated `folderId`; neither means the root.
    pub(crate) fn resolve_folder(&self, folder_uid: &str, folder_id: i64) -> ApiResult<String> {
        let missing = || ApiError::message(400, "folder not found");
        if !folder_uid.is_empty() {
            return self
                .folders
                .get(folder_uid)
                .map(|f| f.uid.clone())
                .ok_or_else(missing);
        }
        if folder_id != 0 {
            return self
                .folders
                .values()
                .find(|f| f.id == folder_id)
                .map(|f| f.uid.clone())
                .ok_or_else(missing);
        }
        Ok(String::new())
    }

    /// Creates or updates a dashboard; answers exactly the errors Grafana would.
    pub fn save_dashboard(&mut self, cmd: SaveCommand) -> ApiResult<Dashboard> {
        let mut data = cmd.dashboard;
        if cmd.mode != SaveMode::UserEdit {
            self.apply_min_refresh(&mut data);
        }
        let title = string_field(&data, "title").trim().to_string();
        data.insert("title".into(), Value::String(title.clone()));
        let mut uid = string_field(&data, "uid").trim().to_string();

        if title.is_empty() {
            return Err(ApiError::status(
                400,
                "empty-name",
                "Dashboard title cannot be empty",
            ));
        }
        if title.chars().count() > 5000 {
            return Err(ApiError::status(
                400,
                "title-too-long",
                "Dashboard title cannot contain more than 5 000 characters",
            ));
        }
        if cmd.message.chars().count() > 500 {
            return Err(ApiError::message(
                400,
                "message too long, max 500 characters",
            ));
        }
        if !ident::is_valid_uid(&uid) {
            return Err(ApiError::message(400, "uid contains illegal characters"));
        }
        if ident::uid_too_long(&uid) {
            return Err(ApiError::message(400, "uid too long, max 40 characters"));
        }
        let folder_uid = self.resolve_folder(&cmd.folder_uid, cmd.folder_id)?;

        let id = int_field(&data, "id");
        let mut version = int_field(&data, "version");

        // Resolve the dashboard being updated, by id first, then by uid.
        let by_id = if id > 0 {
            Some(self.object_by_id(id).ok_or_else(not_found)?)
        } else {
            None
        };
        if let Some((_, found_uid)) = &by_id {
            if uid.is_empty() {
                uid = found_uid.clone();
            }
        }
        let by_uid = if uid.is_empty() {
            None
        } else {
            self.object_by_uid(&uid)
        };
        if let (Some(_), Some((_, uid_owner))) = (&by_id, &by_uid) {
            if *uid_owner != id {
                return Err(ApiError::message(
                    400,
                    "A dashboard with the same uid already exists",
                ));
            }
        }
        let existing_ref = match (by_id, by_uid) {
            (Some(found), _) => Some(found),
            (None, Some((kind, _))) => Some((kind, uid.clone())),
            (None, None) => None,
        };
        let mut existing_uid = match existing_ref {
            Some((ObjectKind::Folder, _)) => {
                return Err(ApiError::message(
                    400,
                    "Dashboard cannot be changed to a folder",
                ))
            }
            Some((ObjectKind::Dashboard, u)) => Some(u),
            None => None,
        };

        if let Some(existing) = existing_uid.as_ref().and_then(|u| self.dashboards.get(u)) {
            if version != existing.version {
                if cmd.overwrite {
                    version = existing.version;
                } else {
                    return Err(ApiError::status(
                        412,
                        "version-mismatch",
                        "The dashboard has been changed by someone else",
                    ));
                }
            }
        }

        if self.settings.reject_duplicate_titles {
            let same_title = self.dashboards.values().find(|d| {
                d.folder_uid == folder_uid
                    && d.title.to_lowercase() == title.to_lowercase()
                    && Some(&d.uid) != existing_uid.as_ref()
            });
            if let Some(same) = same_title {
                if !cmd.overwrite {
                    return Err(ApiError::status(
                        412,
                        "name-exists",
                        "A dashboard with the same name in the folder already exists",
                    ));
                }
                uid = same.uid.clone();
                version = same.version;
                existing_uid = Some(same.uid.clone());
            }
        }

        let existing = existing_uid
            .as_ref()
            .and_then(|u| self.dashboards.get(u))
            .cloned();
        if let Some(prov) = existing.as_ref().and_then(|d| d.provisioned.as_ref()) {
            let refused = match cmd.mode {
                SaveMode::Api => !self.provider_allows_ui_updates(&prov.provider),
                SaveMode::Import => true,
                SaveMode::Provisioning(_) | SaveMode::UserEdit => false,
            };
            if refused {
                return Err(ApiError::message(400, "Cannot save provisioned dashboard"));
            }
        }

        let now = crate::clock::now();
        let (new_id, created, created_by, provisioned) = match &existing {
            Some(e) => (
                e.id,
                e.created.clone(),
                e.created_by.clone(),
                e.provisioned.clone(),
            ),
            None => (
                self.allocate_object_id(),
                now.clone(),
                cmd.actor.clone(),
                None,
            ),
        };
        if uid.is_empty() {
            uid = self.unused_uid();
        }
        let new_version = if existing.is_some() { version + 1 } else { 1 };
        data.insert("id".into(), Value::from(new_id));
        data.insert("uid".into(), Value::String(uid.clone()));
        data.insert("version".into(), Value::from(new_version));
        let provisioned = match cmd.mode {
            SaveMode::Provisioning(p) => Some(p),
            _ => provisioned,
        };
        // Saving an existing id under a new uid moves it to that uid, as in Grafana.
        if let Some(old) = existing_uid.filter(|old| *old != uid) {
            self.dashboards.remove(&old);
        }
        let dashboard = Dashboard {
            id: new_id,
            uid: uid.clone(),
            slug: ident::slugify(&title),
            title,
            folder_uid,
            version: new_version,
            data: Value::Object(data),
            created,
            updated: now,
            created_by,
            updated_by: cmd.actor.clone(),
            provisioned,
        };
        self.dashboards.insert(uid, dashboard.clone());
        self.record_version(&dashboard, version, cmd.restored_from, &cmd.message);
        Ok(dashboard)
    }

    /// Deletes a dashboard by uid; provisioned dashboards are refused.
    pub fn delete_dashboard(&mut self, uid: &str) -> ApiResult<Dashboard> {
        let dash = self
            .dashboards
            .get(uid)
            .ok_or_else(|| ApiError::message(404, "Dashboard not found"))?;
        if dash.provisioned.is_some() {
            return Err(ApiError::message(
                400,
                "provisioned dashboard cannot be deleted",
            ));
        }
        Ok(self.remove_dashboard(uid).expect("checked above"))
    }

    /// Removes a dashboard and its versions without any check.
    pub(crate) fn remove_dashboard(&mut self, uid: &str) -> Option<Dashboard> {
        let dash = self.dashboards.remove(uid)?;
        self.versions.retain(|v| v.dashboard_id != dash.id);
        Some(dash)
    }

    /// Applies an edit as a person in the UI would save it: the version goes up by one.
    pub fn edit_as_user(&mut self, uid: &str, edit: impl FnOnce(&mut Value)) -> Option<i64> {
        let current = self.dashboards.get(uid)?.clone();
        let mut data = current.data.clone();
        edit(&mut data);
        let mut map = data.as_object().cloned().unwrap_or_default();
        map.insert("id".into(), Value::from(current.id));
        map.insert("uid".into(), Value::String(current.uid.clone()));
        map.insert("version".into(), Value::from(current.version));
        let mut cmd = SaveCommand::new(map, "admin", SaveMode::UserEdit);
        cmd.folder_uid = current.folder_uid.clone();
        cmd.message = "edited through the stand-in's user-edit hook".into();
        self.save_dashboard(cmd).ok().map(|d| d.version)
    }
}
