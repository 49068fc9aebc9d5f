//! `GET /api/search`: reads the query string Grafana's search handler reads.

use axum::extract::{RawQuery, State};
use axum::Json;
use serde_json::Value;

use super::{AppState, Query};
use crate::error::{ApiError, ApiResult};
use crate::store::search::{HitKind, SearchQuery};

pub async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let q = Query::parse(raw.as_deref());
    let limit = q.int("limit");
    if limit > 5000 {
        return Err(ApiError::message(
            422,
            "Limit is above maximum allowed (5000), use page parameter to access hits beyond limit",
        ));
    }
    let ints =
        |key: &str| -> Vec<i64> { q.all(key).iter().filter_map(|v| v.parse().ok()).collect() };
    let query = SearchQuery {
        query: q.get("query").unwrap_or_default().to_string(),
        tags: q.all("tag").into_iter().filter(|t| !t.is_empty()).collect(),
        kind: match q.get("type") {
            Some("dash-db") => Some(HitKind::Dashboard),
            Some("dash-folder") => Some(HitKind::Folder),
            _ => None,
        },
        dashboard_uids: q
            .all("dashboardUIDs")
            .into_iter()
            .filter(|u| !u.is_empty())
            .collect(),
        dashboard_ids: ints("dashboardIds"),
        folder_uids: q.all("folderUIDs"),
        folder_ids: ints("folderIds"),
        starred: q.get("starred") == Some("true"),
        limit: if limit <= 0 { 1000 } else { limit as usize },
        page: q.int("page").max(1) as usize,
        sort_desc: match q.get("sort") {
            Some("alpha-desc") => Some(true),
            Some("alpha-asc") => Some(false),
            _ => None,
        },
    };
    Ok(Json(Value::Array(state.store().search(&query))))
}
