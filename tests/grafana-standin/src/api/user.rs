//! `GET /api/user` and `GET /api/org`: cheap ways for a client to check that its
//! credentials work.

use axum::extract::State;
use axum::{Extension, Json};
use serde_json::{json, Value};

use super::auth::Identity;
use super::AppState;
use crate::error::{ApiError, ApiResult};

pub async fn current_user(
    State(state): State<AppState>,
    Extension(who): Extension<Identity>,
) -> ApiResult<Json<Value>> {
    if who.anonymous {
        return Err(ApiError::message(404, "user not found"));
    }
    let store = state.store();
    let (email, created) = if who.server_admin {
        (
            store.accounts.admin.email.clone(),
            store.accounts.admin.created.clone(),
        )
    } else {
        (String::new(), crate::clock::now())
    };
    Ok(Json(json!({
        "id": who.user_id,
        "email": email,
        "name": if who.server_admin { "" } else { who.login.as_str() },
        "login": who.login,
        "theme": "",
        "orgId": 1,
        "isGrafanaAdmin": who.server_admin,
        "isDisabled": false,
        "isExternal": false,
        "authLabels": [],
        "updatedAt": created,
        "createdAt": created,
        "avatarUrl": "",
    })))
}

pub async fn current_org() -> Json<Value> {
    Json(json!({
        "id": 1,
        "name": "Main Org.",
        "address": {
            "address1": "", "address2": "", "city": "",
            "zipCode": "", "state": "", "country": ""
        }
    }))
}
