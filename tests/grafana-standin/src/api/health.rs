//! `GET|HEAD /api/health` and `GET /healthz`, both without authentication. The
//! version and commit fields say `standin`, never a Grafana release.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use super::AppState;

pub async fn api_health(State(state): State<AppState>) -> impl IntoResponse {
    let body = if state.config.hide_version {
        json!({ "database": "ok" })
    } else {
        json!({ "commit": "standin", "database": "ok", "version": "standin" })
    };
    ([(header::CACHE_CONTROL, "no-store")], Json(body))
}

pub async fn healthz() -> &'static str {
    "Ok"
}

/// `GET /metrics` without authentication, as Grafana serves it by default, in
/// the Prometheus text format. Only a few series, named for the stand-in, so
/// a scrape by the stack's Prometheus succeeds without pretending to be Grafana.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let total: usize = state
        .hooks
        .lock()
        .expect("hooks lock")
        .counts
        .values()
        .sum();
    let body = format!(
        "# HELP grafana_standin_info The Grafana API stand-in (not Grafana).\n\
         # TYPE grafana_standin_info gauge\n\
         grafana_standin_info{{version=\"standin\"}} 1\n\
         # HELP grafana_standin_http_requests_total Requests served by the stand-in.\n\
         # TYPE grafana_standin_http_requests_total counter\n\
         grafana_standin_http_requests_total {total}\n"
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
}
