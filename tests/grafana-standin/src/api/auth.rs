//! Authentication and roles: Basic auth for the admin user, Bearer (or Basic with
//! user `api_key`) for service-account tokens, optional anonymous access. Failures
//! are 401 with Grafana's messages; role checks answer 403.

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::AppState;
use crate::error::{ApiError, ApiResult};
use crate::store::Role;

/// Who made a request.
#[derive(Debug, Clone)]
pub struct Identity {
    pub login: String,
    pub user_id: i64,
    pub role: Role,
    /// The server admin (only the admin user).
    pub server_admin: bool,
    /// Authenticated with a username and password over Basic auth.
    pub password_auth: bool,
    pub anonymous: bool,
}

impl Identity {
    /// 403 unless the caller's role is at least `role`.
    pub fn require(&self, role: Role, action: &str) -> ApiResult<()> {
        if self.role >= role {
            Ok(())
        } else {
            Err(ApiError::forbidden(action))
        }
    }

    /// Whether this caller's role may change things (for the `can*` meta fields).
    pub fn can_edit(&self) -> bool {
        self.role >= Role::Editor
    }
}

fn unauthorized() -> ApiError {
    ApiError::errutil(401, "auth.unauthorized", "Unauthorized")
}

fn token_identity(state: &AppState, key: &str) -> ApiResult<Identity> {
    let store = state.store();
    let sa = store.accounts.authenticate_token(key)?;
    Ok(Identity {
        login: sa.login.clone(),
        user_id: sa.id,
        role: sa.role,
        server_admin: false,
        password_auth: false,
        anonymous: false,
    })
}

fn identify(state: &AppState, headers: &HeaderMap) -> ApiResult<Identity> {
    let Some(header) = headers.get("authorization") else {
        return match state.config.anonymous {
            Some(role) => Ok(Identity {
                login: String::new(),
                user_id: 0,
                role,
                server_admin: false,
                password_auth: false,
                anonymous: true,
            }),
            None => Err(unauthorized()),
        };
    };
    let header = header.to_str().map_err(|_| unauthorized())?;
    if let Some(token) = header.strip_prefix("Bearer ") {
        return token_identity(state, token.trim());
    }
    let Some(encoded) = header.strip_prefix("Basic ") else {
        return Err(unauthorized());
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| {
            ApiError::errutil(
                401,
                "basic-auth.invalid-header",
                "Invalid Basic Auth Header",
            )
        })?;
    let (user, password) = decoded.split_once(':').ok_or_else(|| {
        ApiError::errutil(
            401,
            "basic-auth.invalid-header",
            "Invalid Basic Auth Header",
        )
    })?;
    if user == "api_key" {
        return token_identity(state, password);
    }
    let store = state.store();
    let admin = &store.accounts.admin;
    if (user == admin.login || user == admin.email)
        && !password.is_empty()
        && password == admin.password
    {
        return Ok(Identity {
            login: admin.login.clone(),
            user_id: 1,
            role: Role::Admin,
            server_admin: true,
            password_auth: true,
            anonymous: false,
        });
    }
    Err(ApiError::errutil(
        401,
        "password-auth.failed",
        "Invalid username or password",
    ))
}

/// Middleware on every protected route.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    match identify(&state, req.headers()) {
        Ok(identity) => {
            req.extensions_mut().insert(identity);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}
