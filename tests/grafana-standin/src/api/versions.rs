//! Dashboard versions: list (in the older array shape or the newer paged shape, as
//! configured), read one, and restore one as a new save.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::Identity;
use super::dashboards::saved_json;
use super::{parse_body, AppState, Query, VersionsList};
use crate::error::{ApiError, ApiResult};
use crate::store::{Role, SaveCommand, SaveMode};

fn dashboard_id(state: &AppState, uid: &str) -> ApiResult<i64> {
    state
        .store()
        .dashboards
        .get(uid)
        .map(|d| d.id)
        .ok_or_else(|| ApiError::message(404, "Dashboard not found"))
}

pub async fn list(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(uid): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    who.require(Role::Editor, "dashboards:write")?;
    let id = dashboard_id(&state, &uid)?;
    let q = Query::parse(raw.as_deref());
    let limit = match q.int("limit") {
        n if n > 0 => n as usize,
        _ => 1000,
    };
    let start = q.int("start").max(0) as usize;
    let versions: Vec<Value> = state
        .store()
        .list_versions(id, limit, start)
        .into_iter()
        .map(|v| v.meta_json())
        .collect();
    Ok(Json(match state.config.versions_list {
        VersionsList::Array => Value::Array(versions),
        VersionsList::Paged => json!({ "continueToken": "", "versions": versions }),
    }))
}

pub async fn get(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path((uid, version)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    who.require(Role::Editor, "dashboards:write")?;
    let id = dashboard_id(&state, &uid)?;
    let version: i64 = version.parse().unwrap_or(0);
    let store = state.store();
    let record = store.find_version(id, version).ok_or_else(|| {
        ApiError::message(
            500,
            format!("Dashboard version {version} not found for dashboardId {id}"),
        )
    })?;
    Ok(Json(record.full_json()))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RestoreBody {
    version: Option<i64>,
}

pub async fn restore(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(uid): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    who.require(Role::Editor, "dashboards:write")?;
    let body: RestoreBody = parse_body(&body)?;
    let mut store = state.store();
    let current = store
        .dashboards
        .get(&uid)
        .cloned()
        .ok_or_else(|| ApiError::message(404, "Dashboard not found"))?;
    let wanted = body.version.unwrap_or_default();
    let record = store
        .find_version(current.id, wanted)
        .cloned()
        .ok_or_else(|| ApiError::message(404, "Dashboard version not found"))?;
    let mut data = record.data.as_object().cloned().unwrap_or_default();
    data.insert("version".into(), json!(current.version));
    data.insert("uid".into(), json!(current.uid));
    let mut cmd = SaveCommand::new(data, &who.login, SaveMode::Api);
    cmd.folder_uid = current.folder_uid.clone();
    cmd.restored_from = record.version;
    let saved = store.save_dashboard(cmd)?;
    super::dashboards::connect_library_panels(&state, &store, &saved)?;
    Ok(Json(saved_json(&saved)))
}
