//! `POST /api/admin/provisioning/{dashboards|datasources}/reload`: re-reads the
//! provisioning directory. Only the server admin over Basic auth may call it.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde_json::{json, Value};

use super::auth::Identity;
use super::AppState;
use crate::error::{ApiError, ApiResult};

pub async fn reload(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
    Path(kind): Path<String>,
) -> ApiResult<Json<Value>> {
    if !(who.server_admin && who.password_auth) {
        return Err(ApiError::message(403, "Permission denied"));
    }
    let message = match kind.as_str() {
        "dashboards" => "Dashboards config reloaded",
        "datasources" => "Datasources config reloaded",
        _ => return Err(ApiError::message(404, "Not found")),
    };
    let outcome = match kind.as_str() {
        "dashboards" => crate::provisioning::reload_dashboards(&state).await,
        _ => crate::provisioning::reload_datasources(&state).await,
    };
    outcome.map_err(|e| {
        state
            .logger
            .error("provisioning reload failed", &[("error", &e)]);
        // Grafana answers a bare 500; the reason is only in its log.
        ApiError::message(500, "Internal Server Error")
    })?;
    Ok(Json(json!({ "message": message })))
}
