//! The data source endpoints: create, list, read by uid/name/id, update, delete.
//! Reads are open to every role; writes need Admin, as in Grafana's default roles.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde_json::{json, Value};

use super::auth::Identity;
use super::{parse_body, AppState};
use crate::error::{ApiError, ApiResult};
use crate::store::{DatasourceInput, Role};

fn not_found() -> ApiError {
    ApiError::message(404, "Data source not found")
}

pub async fn list(State(state): State<AppState>) -> Json<Value> {
    Json(Value::Array(state.store().list_datasources()))
}

pub async fn create(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    who.require(Role::Admin, "datasources:create")?;
    let input: DatasourceInput = parse_body(&body)?;
    let ds = state.store().add_datasource(input, false)?;
    Ok(Json(json!({
        "datasource": ds.to_json(),
        "id": ds.id,
        "message": "Datasource added",
        "name": ds.name,
    })))
}

pub async fn get_by_uid(
    State(state): State<AppState>,
    Path(uid): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let ds = store.datasource_by_uid(&uid).ok_or_else(not_found)?;
    Ok(Json(ds.to_json()))
}

pub async fn get_by_name(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let ds = store.datasource_by_name(&name).ok_or_else(not_found)?;
    Ok(Json(ds.to_json()))
}

pub async fn id_by_name(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    let store = state.store();
    let ds = store.datasource_by_name(&name).ok_or_else(not_found)?;
    Ok(Json(json!({ "id": ds.id })))
}

pub async fn get_by_id(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::message(400, "id is invalid"))?;
    let store = state.store();
    let ds = store
        .datasources
        .iter()
        .find(|d| d.id == id)
        .ok_or_else(not_found)?;
    Ok(Json(ds.to_json()))
}

pub async fn update(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(uid): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    who.require(Role::Admin, "datasources:write")?;
    let input: DatasourceInput = parse_body(&body)?;
    let ds = state.store().update_datasource(&uid, input, false)?;
    Ok(Json(json!({
        "datasource": ds.to_json(),
        "id": ds.id,
        "message": "Datasource updated",
        "name": ds.name,
    })))
}

fn deleted(id: i64) -> Json<Value> {
    Json(json!({ "message": "Data source deleted", "id": id }))
}

pub async fn delete_by_uid(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(uid): Path<String>,
) -> ApiResult<Json<Value>> {
    who.require(Role::Admin, "datasources:delete")?;
    let ds = state.store().delete_datasource(Some(&uid), None)?;
    Ok(deleted(ds.id))
}

pub async fn delete_by_name(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    who.require(Role::Admin, "datasources:delete")?;
    let ds = state.store().delete_datasource(None, Some(&name))?;
    Ok(deleted(ds.id))
}
