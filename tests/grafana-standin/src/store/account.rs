//! The admin user, service accounts and their tokens, and the roles they carry.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};

use crate::error::{ApiError, ApiResult};

/// An organisation role. Order matters: a higher role may do what a lower one may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    Viewer,
    Editor,
    Admin,
}

impl Role {
    /// Reads `Viewer`, `Editor` or `Admin` as Grafana spells them.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "Viewer" => Some(Role::Viewer),
            "Editor" => Some(Role::Editor),
            "Admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "Viewer",
            Role::Editor => "Editor",
            Role::Admin => "Admin",
        }
    }
}

/// The server admin created at start (user id 1).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdminUser {
    pub login: String,
    pub password: String,
    pub email: String,
    pub created: String,
}

/// A service account (a user row with `is_service_account`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceAccount {
    pub id: i64,
    pub uid: String,
    pub name: String,
    pub login: String,
    pub role: Role,
    pub is_disabled: bool,
}

/// A service-account token; the key is kept in clear text here (Grafana keeps a hash).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Token {
    pub id: i64,
    pub name: String,
    pub key: String,
    pub service_account_id: i64,
    pub created: String,
    pub expires: Option<SystemTime>,
}

/// All accounts of the organisation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Accounts {
    pub admin: AdminUser,
    pub service_accounts: Vec<ServiceAccount>,
    pub tokens: Vec<Token>,
    next_user_id: i64,
    next_token_id: i64,
}

impl Accounts {
    pub fn new(login: &str, password: &str) -> Self {
        Accounts {
            admin: AdminUser {
                login: login.to_string(),
                password: password.to_string(),
                email: "admin@localhost".to_string(),
                created: crate::clock::now(),
            },
            service_accounts: Vec::new(),
            tokens: Vec::new(),
            next_user_id: 2,
            next_token_id: 1,
        }
    }

    /// Creates a service account; the login is `sa-<name>` as the contract sheet gives it.
    pub fn create_service_account(
        &mut self,
        name: &str,
        role: Role,
        is_disabled: bool,
    ) -> ApiResult<ServiceAccount> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ApiError::bad_request_data());
        }
        let login = format!("sa-{}", name.to_lowercase().replace(' ', "-"));
        if self
            .service_accounts
            .iter()
            .any(|sa| sa.name == name || sa.login == login)
        {
            return Err(ApiError::message(400, "service account already exists"));
        }
        let sa = ServiceAccount {
            id: self.next_user_id,
            uid: crate::ident::generate_uid(),
            name: name.to_string(),
            login,
            role,
            is_disabled,
        };
        self.next_user_id += 1;
        self.service_accounts.push(sa.clone());
        Ok(sa)
    }

    pub fn service_account(&self, id: i64) -> ApiResult<&ServiceAccount> {
        self.service_accounts
            .iter()
            .find(|sa| sa.id == id)
            .ok_or_else(|| ApiError::message(404, "service account not found"))
    }

    pub fn delete_service_account(&mut self, id: i64) -> ApiResult<()> {
        self.service_account(id)?;
        self.service_accounts.retain(|sa| sa.id != id);
        self.tokens.retain(|t| t.service_account_id != id);
        Ok(())
    }

    /// Adds a token to a service account; `key` is generated when `None`.
    pub fn add_token(
        &mut self,
        service_account_id: i64,
        name: &str,
        key: Option<String>,
        seconds_to_live: Option<u64>,
    ) -> ApiResult<Token> {
        self.service_account(service_account_id)?;
        if self
            .tokens
            .iter()
            .any(|t| t.service_account_id == service_account_id && t.name == name)
        {
            return Err(ApiError::message(
                409,
                "service account token with given name already exists in the organization",
            ));
        }
        let token = Token {
            id: self.next_token_id,
            name: name.to_string(),
            key: key.unwrap_or_else(crate::ident::generate_token),
            service_account_id,
            created: crate::clock::now(),
            expires: seconds_to_live
                .filter(|s| *s > 0)
                .map(|s| SystemTime::now() + Duration::from_secs(s)),
        };
        self.next_token_id += 1;
        self.tokens.push(token.clone());
        Ok(token)
    }

    pub fn delete_token(&mut self, service_account_id: i64, token_id: i64) -> ApiResult<()> {
        let before = self.tokens.len();
        self.tokens
            .retain(|t| !(t.service_account_id == service_account_id && t.id == token_id));
        if self.tokens.len() == before {
            return Err(ApiError::message(404, "service account token not found"));
        }
        Ok(())
    }

    /// The service account a token key belongs to, or the 401 Grafana answers.
    pub fn authenticate_token(&self, key: &str) -> ApiResult<&ServiceAccount> {
        let invalid = || ApiError::errutil(401, "api-key.invalid", "Invalid API key");
        let token = self
            .tokens
            .iter()
            .find(|t| t.key == key)
            .ok_or_else(invalid)?;
        if token.expires.is_some_and(|e| SystemTime::now() >= e) {
            return Err(ApiError::errutil(401, "api-key.expired", "Expired API key"));
        }
        let sa = self
            .service_accounts
            .iter()
            .find(|sa| sa.id == token.service_account_id)
            .ok_or_else(invalid)?;
        if sa.is_disabled {
            return Err(invalid());
        }
        Ok(sa)
    }

    pub fn service_account_json(&self, sa: &ServiceAccount) -> Value {
        let tokens = self
            .tokens
            .iter()
            .filter(|t| t.service_account_id == sa.id)
            .count();
        json!({
            "id": sa.id,
            "uid": sa.uid,
            "name": sa.name,
            "login": sa.login,
            "orgId": 1,
            "isDisabled": sa.is_disabled,
            "role": sa.role.as_str(),
            "tokens": tokens,
            "avatarUrl": "",
        })
    }
}
