//! Service accounts and their tokens (`/api/serviceaccounts…`); Admin only.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

use super::auth::Identity;
use super::{parse_body, AppState, Query};
use crate::error::{ApiError, ApiResult};
use crate::store::Role;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct CreateBody {
    name: Option<String>,
    role: Option<String>,
    is_disabled: Option<bool>,
}

pub async fn create(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    who.require(Role::Admin, "serviceaccounts:write")?;
    let b: CreateBody = parse_body(&body)?;
    let role = match b.role.as_deref().unwrap_or("Viewer") {
        "" => Role::Viewer,
        r => Role::parse(r).ok_or_else(|| ApiError::message(400, "invalid role specified"))?,
    };
    let mut store = state.store();
    let sa = store.accounts.create_service_account(
        b.name.as_deref().unwrap_or_default(),
        role,
        b.is_disabled.unwrap_or_default(),
    )?;
    Ok((
        StatusCode::CREATED,
        Json(store.accounts.service_account_json(&sa)),
    ))
}

pub async fn search(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    who.require(Role::Admin, "serviceaccounts:read")?;
    let q = Query::parse(raw.as_deref());
    let needle = q.get("query").unwrap_or_default().to_lowercase();
    let per_page = match q.int("perpage") {
        n if n > 0 => n as usize,
        _ => 1000,
    };
    let page = q.int("page").max(1) as usize;
    let store = state.store();
    let matching: Vec<_> = store
        .accounts
        .service_accounts
        .iter()
        .filter(|sa| sa.name.to_lowercase().contains(&needle) || sa.login.contains(&needle))
        .collect();
    let items: Vec<Value> = matching
        .iter()
        .skip(per_page * (page - 1))
        .take(per_page)
        .map(|sa| store.accounts.service_account_json(sa))
        .collect();
    Ok(Json(json!({
        "totalCount": matching.len(),
        "serviceAccounts": items,
        "page": page,
        "perPage": per_page,
    })))
}

fn parse_id(id: &str) -> ApiResult<i64> {
    id.parse()
        .map_err(|_| ApiError::message(400, "Service Account ID is invalid"))
}

pub async fn get(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    who.require(Role::Admin, "serviceaccounts:read")?;
    let store = state.store();
    let sa = store.accounts.service_account(parse_id(&id)?)?;
    Ok(Json(store.accounts.service_account_json(sa)))
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    who.require(Role::Admin, "serviceaccounts:delete")?;
    state
        .store()
        .accounts
        .delete_service_account(parse_id(&id)?)?;
    Ok(Json(json!({ "message": "Service account deleted" })))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct TokenBody {
    name: Option<String>,
    seconds_to_live: Option<u64>,
}

pub async fn create_token(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    who.require(Role::Admin, "serviceaccounts:write")?;
    let b: TokenBody = parse_body(&body)?;
    let name = b.name.unwrap_or_default();
    if name.is_empty() {
        return Err(ApiError::bad_request_data());
    }
    let token = state
        .store()
        .accounts
        .add_token(parse_id(&id)?, &name, None, b.seconds_to_live)?;
    Ok(Json(
        json!({ "id": token.id, "name": token.name, "key": token.key }),
    ))
}

pub async fn list_tokens(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    who.require(Role::Admin, "serviceaccounts:read")?;
    let id = parse_id(&id)?;
    let store = state.store();
    store.accounts.service_account(id)?;
    let tokens: Vec<Value> = store
        .accounts
        .tokens
        .iter()
        .filter(|t| t.service_account_id == id)
        .map(|t| {
            json!({
                "id": t.id, "name": t.name, "created": t.created,
                "hasExpired": t.expires.is_some_and(|e| std::time::SystemTime::now() >= e),
                "isRevoked": false,
            })
        })
        .collect();
    Ok(Json(Value::Array(tokens)))
}

pub async fn delete_token(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path((id, token_id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    who.require(Role::Admin, "serviceaccounts:write")?;
    let token_id: i64 = token_id
        .parse()
        .map_err(|_| ApiError::message(400, "Token ID is invalid"))?;
    state
        .store()
        .accounts
        .delete_token(parse_id(&id)?, token_id)?;
    Ok(Json(json!({ "message": "Service account token deleted" })))
}
