//! `POST /api/dashboards/import`: fills `${…}` placeholders from `inputs`, drops
//! `__inputs`, `__requires` and `__elements`, creates the library panels the
//! dashboard uses and this instance lacks from `__elements` (before the dashboard
//! is saved, as Grafana does), and saves with the import rules (a provisioned
//! dashboard is never overwritten by an import).

use axum::body::Bytes;
use axum::extract::State;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::Identity;
use super::{parse_body, AppState};
use crate::error::{ApiError, ApiResult};
use crate::inputs::{evaluate, ImportInput};
use crate::store::{Role, SaveCommand, SaveMode};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ImportBody {
    plugin_id: Option<String>,
    path: Option<String>,
    overwrite: Option<bool>,
    dashboard: Option<Value>,
    inputs: Option<Vec<ImportInput>>,
    folder_id: Option<i64>,
    folder_uid: Option<String>,
}

pub async fn import(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    who.require(Role::Editor, "dashboards:create")?;
    let body: ImportBody = parse_body(&body)?;
    let plugin_id = body.plugin_id.unwrap_or_default();
    let template = match body.dashboard {
        Some(Value::Object(m)) => m,
        Some(Value::Null) | None if plugin_id.is_empty() => {
            return Err(ApiError::message(422, "Dashboard must be set"));
        }
        Some(Value::Null) | None => {
            return Err(ApiError::message(404, "Plugin not found"));
        }
        Some(_) => return Err(ApiError::bad_request_data()),
    };
    let mut generated = match evaluate(&template, &body.inputs.unwrap_or_default()) {
        Ok(d) => d,
        Err(name) => {
            state.logger.warn(
                "import failed",
                &[(
                    "error",
                    &format!("Dashboard input variable: {name} missing from import command"),
                )],
            );
            return Err(ApiError::message(500, "Failed to save dashboard"));
        }
    };
    let elements = generated.remove("__elements").unwrap_or(Value::Null);
    for key in ["__inputs", "__requires"] {
        generated.remove(key);
    }
    super::dashboards::simulate_write(&state).await;
    let mut store = state.store();
    let folder_uid = store.resolve_folder(
        body.folder_uid.as_deref().unwrap_or_default(),
        body.folder_id.unwrap_or_default(),
    )?;
    let folder_id = store.folders.get(&folder_uid).map(|f| f.id).unwrap_or(0);
    let panels = generated.get("panels").cloned();
    store
        .import_library_panels(
            &elements,
            panels.as_ref(),
            &folder_uid,
            (who.user_id, &who.login),
        )
        .map_err(|e| {
            state.logger.warn("import failed", &[("error", &e)]);
            ApiError::message(500, "Failed to save dashboard")
        })?;
    let mut cmd = SaveCommand::new(generated, &who.login, SaveMode::Import);
    cmd.folder_uid = folder_uid.clone();
    cmd.overwrite = body.overwrite.unwrap_or_default();
    let saved = store.save_dashboard(cmd)?;
    super::dashboards::connect_library_panels(&state, &store, &saved)?;
    Ok(Json(json!({
        "uid": saved.uid,
        "pluginId": plugin_id,
        "title": saved.title,
        "imported": true,
        "importedUri": format!("db/{}", saved.slug),
        "importedUrl": saved.url(),
        "slug": saved.slug,
        "dashboardId": saved.id,
        "folderId": folder_id,
        "folderUid": folder_uid,
        "description": "",
        "path": body.path.unwrap_or_default(),
        "removed": false,
    })))
}
