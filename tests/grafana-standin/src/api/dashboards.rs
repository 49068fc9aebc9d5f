//! `POST /api/dashboards/db`, `GET|DELETE /api/dashboards/uid/:uid` and
//! `GET /api/dashboards/tags`. After a save, the library panels the dashboard uses
//! are checked as Grafana "connects" them: a `libraryPanel` whose element does not
//! exist makes the answer a 500 although the dashboard was stored, as in Grafana.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::Identity;
use super::{parse_body, AppState};
use crate::error::{ApiError, ApiResult};
use crate::store::{Dashboard, Role, SaveCommand, SaveMode, Store};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SaveBody {
    dashboard: Option<Value>,
    folder_uid: Option<String>,
    folder_id: Option<i64>,
    overwrite: Option<bool>,
    message: Option<String>,
    is_folder: Option<bool>,
}

/// The success body of a save.
pub fn saved_json(d: &Dashboard) -> Value {
    json!({
        "id": d.id,
        "slug": d.slug,
        "status": "success",
        "uid": d.uid,
        "url": d.url(),
        "version": d.version,
        "folderUid": d.folder_uid,
    })
}

pub async fn save(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    who.require(Role::Editor, "dashboards:write")?;
    let body: SaveBody = parse_body(&body)?;
    if body.is_folder == Some(true) {
        return Err(ApiError::message(
            400,
            "Use folders endpoint for saving folders.",
        ));
    }
    let Some(Value::Object(dashboard)) = body.dashboard else {
        return Err(ApiError::bad_request_data());
    };
    let mut cmd = SaveCommand::new(dashboard, &who.login, SaveMode::Api);
    cmd.folder_uid = body.folder_uid.unwrap_or_default();
    cmd.folder_id = body.folder_id.unwrap_or_default();
    cmd.overwrite = body.overwrite.unwrap_or_default();
    cmd.message = body.message.unwrap_or_default();
    simulate_write(&state).await;
    let mut store = state.store();
    let saved = store.save_dashboard(cmd)?;
    connect_library_panels(&state, &store, &saved)?;
    Ok(Json(saved_json(&saved)))
}

/// The check Grafana makes after storing a dashboard: each `libraryPanel` must have
/// a uid naming an existing library element, else 500 (the dashboard stays saved).
pub fn connect_library_panels(state: &AppState, store: &Store, saved: &Dashboard) -> ApiResult<()> {
    store.check_library_panels(&saved.data).map_err(|e| {
        state.logger.error(
            "Error while connecting library panels",
            &[("dashboard", &saved.uid), ("error", &e)],
        );
        ApiError::message(500, "Error while connecting library panels")
    })
}

/// Waits the configured save delay, without holding the store, so that saves
/// in flight overlap as they do on a database that takes concurrent writes.
pub async fn simulate_write(state: &AppState) {
    if !state.config.save_delay.is_zero() {
        tokio::time::sleep(state.config.save_delay).await;
    }
}

fn meta(store: &Store, d: &Dashboard, who: &Identity) -> Value {
    let folder = store.folders.get(&d.folder_uid);
    let mut external_id = String::new();
    let mut provisioned = false;
    if let Some(p) = &d.provisioned {
        provisioned = !store.provider_allows_ui_updates(&p.provider);
        let base = store.providers.get(&p.provider).map(|i| i.path.clone());
        external_id =
            match base.and_then(|b| p.external_id.strip_prefix(b).ok().map(|r| r.to_path_buf())) {
                Some(rel) => rel.display().to_string(),
                None => p.external_id.display().to_string(),
            };
    }
    json!({
        "type": "db",
        "canSave": who.can_edit(),
        "canEdit": who.can_edit(),
        "canAdmin": who.role == Role::Admin,
        "canStar": !who.anonymous,
        "canDelete": who.can_edit(),
        "slug": d.slug,
        "url": d.url(),
        "expires": "0001-01-01T00:00:00Z",
        "created": d.created,
        "updated": d.updated,
        "updatedBy": d.updated_by,
        "createdBy": d.created_by,
        "version": d.version,
        "hasAcl": false,
        "isFolder": false,
        "folderId": folder.map(|f| f.id).unwrap_or(0),
        "folderUid": folder.map(|f| f.uid.clone()).unwrap_or_default(),
        "folderTitle": folder.map(|f| f.title.clone()).unwrap_or_else(|| "General".into()),
        "folderUrl": folder.map(|f| f.url()).unwrap_or_default(),
        "provisioned": provisioned,
        "provisionedExternalId": external_id,
    })
}

pub async fn get(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(uid): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let d = store
        .dashboards
        .get(&uid)
        .ok_or_else(|| ApiError::message(404, "Dashboard not found"))?;
    Ok(Json(
        json!({ "dashboard": d.data, "meta": meta(&store, d, &who) }),
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(uid): Path<String>,
) -> ApiResult<Json<Value>> {
    who.require(Role::Editor, "dashboards:delete")?;
    let d = state.store().delete_dashboard(&uid)?;
    Ok(Json(json!({
        "title": d.title,
        "message": format!("Dashboard {} deleted", d.title),
        "id": d.id,
        "uid": d.uid,
    })))
}

pub async fn tags(State(state): State<AppState>) -> Json<Value> {
    Json(Value::Array(state.store().tag_counts()))
}
