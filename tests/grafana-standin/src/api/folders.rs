//! `GET|POST /api/folders`, `GET|PUT|DELETE /api/folders/:uid` and
//! `POST /api/folders/:uid/move`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::{Extension, Json};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::Identity;
use super::{parse_body, AppState, Query};
use crate::error::{ApiError, ApiResult};
use crate::store::folder::folder_not_found;
use crate::store::{Folder, Role, Store};

fn folder_json(store: &Store, f: &Folder, who: &Identity) -> Value {
    let mut v = json!({
        "id": f.id,
        "uid": f.uid,
        "orgId": 1,
        "title": f.title,
        "url": f.url(),
        "hasAcl": false,
        "canSave": who.can_edit(),
        "canEdit": who.can_edit(),
        "canAdmin": who.role == Role::Admin,
        "canDelete": who.can_edit(),
        "createdBy": f.created_by,
        "created": f.created,
        "updatedBy": f.updated_by,
        "updated": f.updated,
        "version": f.version,
    });
    if !f.description.is_empty() {
        v["description"] = json!(f.description);
    }
    if !f.parent_uid.is_empty() {
        v["parentUid"] = json!(f.parent_uid);
        let parents: Vec<Value> = store
            .folder_parents(f)
            .iter()
            .map(|p| json!({ "id": p.id, "uid": p.uid, "title": p.title, "url": p.url() }))
            .collect();
        v["parents"] = Value::Array(parents);
    }
    v
}

pub async fn list(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Json<Value> {
    let q = Query::parse(raw.as_deref());
    let limit = match q.int("limit") {
        n if n > 0 => n as usize,
        _ => 1000,
    };
    let page = q.int("page").max(1) as usize;
    let parent = q.get("parentUid").unwrap_or_default();
    Json(Value::Array(
        state.store().list_folders(parent, limit, page),
    ))
}

pub async fn get(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(uid): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let f = store.folders.get(&uid).ok_or_else(folder_not_found)?;
    Ok(Json(folder_json(&store, f, &who)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct CreateBody {
    uid: Option<String>,
    title: Option<String>,
    description: Option<String>,
    parent_uid: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    who.require(Role::Editor, "folders:create")?;
    let b: CreateBody = parse_body(&body)?;
    let mut store = state.store();
    let f = store.create_folder(
        b.uid.as_deref().unwrap_or_default(),
        b.title.as_deref().unwrap_or_default(),
        b.parent_uid.as_deref().unwrap_or_default(),
        b.description.as_deref().unwrap_or_default(),
        &who.login,
    )?;
    Ok(Json(folder_json(&store, &f, &who)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct UpdateBody {
    title: Option<String>,
    description: Option<String>,
    version: Option<i64>,
    overwrite: Option<bool>,
}

/// The common part of the handlers that change one folder: an Editor's body is
/// bound, `change` applies it, and the changed folder's DTO is the answer.
fn change<B: DeserializeOwned + Default>(
    state: &AppState,
    who: &Identity,
    body: &Bytes,
    change: impl FnOnce(&mut Store, B) -> ApiResult<Folder>,
) -> ApiResult<Json<Value>> {
    who.require(Role::Editor, "folders:write")?;
    let b: B = parse_body(body)?;
    let mut store = state.store();
    let f = change(&mut store, b)?;
    Ok(Json(folder_json(&store, &f, who)))
}

pub async fn update(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(uid): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    change(&state, &who, &body, |store, b: UpdateBody| {
        store.update_folder(
            &uid,
            b.title.as_deref(),
            b.description.as_deref(),
            b.version.unwrap_or_default(),
            b.overwrite.unwrap_or_default(),
            &who.login,
        )
    })
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(uid): Path<String>,
) -> ApiResult<Json<Value>> {
    who.require(Role::Editor, "folders:delete")?;
    let mut store = state.store();
    let provisioned_inside = store
        .dashboards
        .values()
        .any(|d| d.folder_uid == uid && d.provisioned.is_some());
    if provisioned_inside {
        return Err(ApiError::message(
            400,
            "provisioned dashboard cannot be deleted",
        ));
    }
    store.delete_folder(&uid)?;
    Ok(Json(json!({ "message": "Folder deleted" })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct MoveBody {
    parent_uid: Option<String>,
}

pub async fn move_folder(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(uid): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    change(&state, &who, &body, |store, b: MoveBody| {
        let parent = b.parent_uid.unwrap_or_default();
        store.move_folder(&uid, &parent, &who.login)
    })
}
