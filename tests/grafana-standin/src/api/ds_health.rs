//! `GET /api/datasources/uid/:uid/health` (and the deprecated id form): 200 with
//! status `OK`, or 400 with status `ERROR`. Only Prometheus data sources are checked;
//! other types answer 501 naming the stand-in's limit.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::AppState;
use crate::error::ApiError;
use crate::store::Datasource;

async fn check(state: &AppState, ds: Option<Datasource>) -> Response {
    let Some(ds) = ds else {
        return ApiError::message(500, "Unable to load datasource metadata").into_response();
    };
    if ds.kind != "prometheus" {
        return ApiError::message(
            501,
            format!(
                "the Grafana stand-in checks only prometheus data sources, not type {:?}",
                ds.kind
            ),
        )
        .into_response();
    }
    let result = crate::probe::check_prometheus(&ds, state.config.datasource_timeout).await;
    let mut body = json!({
        "status": if result.ok { "OK" } else { "ERROR" },
        "message": result.message,
    });
    if let Some(details) = result.details {
        body["details"] = details;
    }
    let code = if result.ok {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    (code, Json(body)).into_response()
}

pub async fn by_uid(State(state): State<AppState>, Path(uid): Path<String>) -> Response {
    if !crate::ident::is_valid_uid(&uid) {
        return ApiError::message(400, "UID is invalid").into_response();
    }
    let ds = state.store().datasource_by_uid(&uid).cloned();
    check(&state, ds).await
}

pub async fn by_id(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return ApiError::message(400, "id is invalid").into_response();
    };
    let ds = state
        .store()
        .datasources
        .iter()
        .find(|d| d.id == id)
        .cloned();
    check(&state, ds).await
}
