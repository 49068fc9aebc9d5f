//! `/api/library-elements`: create, search, get by uid or name, patch and delete
//! library elements, with the request binding and folder resolution of Grafana's
//! handlers. Answers wrap the element DTO in `{"result": …}` as Grafana does.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::Identity;
use super::{parse_body, AppState, Query};
use crate::error::{ApiError, ApiResult};
use crate::store::library::{element_not_found, DtoFor, ElementQuery, NewElement};
use crate::store::{Role, Store};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ElementBody {
    folder_id: Option<i64>,
    folder_uid: Option<String>,
    name: Option<String>,
    model: Option<Value>,
    kind: Option<i64>,
    uid: Option<String>,
    version: Option<i64>,
}

/// The folder an element goes to: `folderUid` wins (empty is the root), then the
/// deprecated `folderId`; `None` when neither is given.
fn folder_of(store: &Store, b: &ElementBody) -> ApiResult<Option<String>> {
    let missing = || ApiError::message(400, "failed to get folder");
    match (&b.folder_uid, b.folder_id.unwrap_or_default()) {
        (Some(uid), _) if uid.is_empty() || uid == "general" => Ok(Some(String::new())),
        (Some(uid), _) => store
            .folders
            .get(uid)
            .map(|f| Some(f.uid.clone()))
            .ok_or_else(missing),
        (None, 0) => Ok(None),
        (None, id) => store
            .folders
            .values()
            .find(|f| f.id == id)
            .map(|f| Some(f.uid.clone()))
            .ok_or_else(missing),
    }
}

/// `kind` is a required field: a body without it does not bind.
fn bind(body: &Bytes) -> ApiResult<ElementBody> {
    let b: ElementBody = parse_body(body)?;
    if b.kind.unwrap_or_default() == 0 {
        return Err(ApiError::bad_request_data());
    }
    Ok(b)
}

pub async fn create(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    who.require(Role::Editor, "library.panels:create")?;
    let b = bind(&body)?;
    let mut store = state.store();
    let folder_uid = folder_of(&store, &b)?.unwrap_or_default();
    let cmd = NewElement {
        uid: b.uid.unwrap_or_default(),
        name: b.name.unwrap_or_default(),
        folder_uid,
        kind: b.kind.unwrap_or_default(),
        model: b.model,
    };
    let e = store.create_element(cmd, (who.user_id, &who.login))?;
    Ok(Json(
        json!({ "result": store.element_json(&e, DtoFor::Write) }),
    ))
}

pub async fn patch(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(uid): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    who.require(Role::Editor, "library.panels:write")?;
    let b = bind(&body)?;
    let mut store = state.store();
    let folder_uid = folder_of(&store, &b)?;
    let version = b.version.unwrap_or_default();
    let cmd = NewElement {
        uid: b.uid.unwrap_or_default(),
        name: b.name.unwrap_or_default(),
        folder_uid: String::new(),
        kind: b.kind.unwrap_or_default(),
        model: b.model,
    };
    let e = store.patch_element(&uid, cmd, folder_uid, version, (who.user_id, &who.login))?;
    Ok(Json(
        json!({ "result": store.element_json(&e, DtoFor::Write) }),
    ))
}

pub async fn get(State(state): State<AppState>, Path(uid): Path<String>) -> ApiResult<Json<Value>> {
    let store = state.store();
    let e = store
        .library_elements
        .get(&uid)
        .ok_or_else(element_not_found)?;
    Ok(Json(
        json!({ "result": store.element_json(e, DtoFor::Read) }),
    ))
}

pub async fn by_name(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let found: Vec<Value> = store
        .library_elements
        .values()
        .filter(|e| e.name == name)
        .map(|e| store.element_json(e, DtoFor::Read))
        .collect();
    if found.is_empty() {
        return Err(element_not_found());
    }
    Ok(Json(json!({ "result": found })))
}

pub async fn search(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Json<Value> {
    let q = Query::parse(raw.as_deref());
    let list = |key: &str| -> Vec<String> {
        q.get(key)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let folders = list("folderFilterUIDs");
    let query = ElementQuery {
        search: q.get("searchString").unwrap_or_default().to_string(),
        kind: q.int("kind"),
        types: list("typeFilter"),
        exclude: q.get("excludeUid").unwrap_or_default().to_string(),
        folders: (!folders.is_empty()).then_some(folders),
        per_page: match q.int("perPage") {
            n if n > 0 => n as usize,
            _ => 100,
        },
        page: q.int("page").max(1) as usize,
        desc: q.get("sortDirection") == Some("alpha-desc"),
    };
    Json(state.store().search_elements(&query))
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(uid): Path<String>,
) -> ApiResult<Json<Value>> {
    who.require(Role::Editor, "library.panels:delete")?;
    let e = state.store().delete_element(&uid)?;
    Ok(Json(
        json!({ "id": e.id, "message": "Library element deleted" }),
    ))
}
