//! Grafana's HTTP API as typed calls, sent through the shared client of
//! [`crate::probes::Http`]. Every error names the operation and the URL.
//!
//! Answers 5xx and 429 are retried with exponential back-off: Grafana answers
//! 503 while its database is locked or it is restarting, and a save usually
//! goes through a moment later. Other answers are returned at once — a 4xx
//! will not change by asking again, and a refused connection means Grafana is
//! not there at all.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

pub use super::error::ApiError;
use crate::probes::{self, Http};
use crate::timeouts;

/// How requests prove who is asking.
#[derive(Debug, Clone)]
pub enum Auth {
    /// No credentials (Grafana with anonymous access).
    None,
    /// A user and password (Basic auth).
    Basic { user: String, password: String },
    /// A service account token (`Authorization: Bearer`).
    Token(String),
}

/// A datasource as `GET /api/datasources` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Datasource {
    pub uid: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, rename = "isDefault")]
    pub is_default: bool,
}

/// A folder at the root, as `GET /api/folders` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Folder {
    pub uid: String,
    pub title: String,
}

/// A dashboard as `GET /api/search?type=dash-db` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hit {
    pub uid: String,
    pub title: String,
    #[serde(default)]
    pub folder_uid: String,
    #[serde(default)]
    pub folder_title: Option<String>,
}

impl Hit {
    /// The folder's title, `General` at the root.
    pub fn folder(&self) -> &str {
        self.folder_title.as_deref().unwrap_or(super::GENERAL)
    }
}

/// A stored dashboard with the facts obsctl needs from its `meta`.
#[derive(Debug, Clone)]
pub struct Remote {
    pub dashboard: Value,
    pub version: i64,
    pub folder_uid: String,
    /// Provisioned from a file by Grafana itself, so the API may not save it.
    pub provisioned: bool,
}

/// Page size for the listing endpoints (search allows up to 5000).
const PAGE: usize = 1000;

/// A Grafana server and the credentials to use with it.
#[derive(Clone)]
pub struct Client {
    http: Http,
    base: String,
    auth: Auth,
}

impl Client {
    pub fn new(http: Http, base: &str, auth: Auth) -> Self {
        Client {
            http,
            base: base.trim_end_matches('/').to_string(),
            auth,
        }
    }

    /// The server's URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// One request, retried on 5xx/429; any other answer is returned as is.
    async fn send(
        &self,
        op: &str,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<(u16, String), ApiError> {
        let url = format!("{}{path}", self.base);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = self.http.client().request(method.clone(), &url);
            if !query.is_empty() {
                request = request.query(query);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            request = match &self.auth {
                Auth::None => request,
                Auth::Basic { user, password } => request.basic_auth(user, Some(password)),
                Auth::Token(token) => request.bearer_auth(token),
            };
            let response = request.send().await.map_err(|e| ApiError::Unreachable {
                op: op.to_string(),
                url: url.clone(),
                reason: probes::reason(&e),
            })?;
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            let transient = status >= 500 || status == 429;
            if !transient || attempt > timeouts::GRAFANA_RETRIES {
                if (200..300).contains(&status) || !transient {
                    return Ok((status, text));
                }
                return Err(ApiError::Status {
                    op: op.to_string(),
                    method,
                    url,
                    status,
                    body: text,
                    attempts: attempt,
                });
            }
            let delay = timeouts::GRAFANA_RETRY_FIRST * 2u32.pow(attempt - 1);
            tokio::time::sleep(delay).await;
        }
    }

    /// [`Client::send`], then a 2xx answer decoded as `T`; anything else an error.
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        op: &str,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<T, ApiError> {
        let (status, text) = self.send(op, method.clone(), path, query, body).await?;
        self.decode(op, method, path, status, text)
    }

    fn decode<T: serde::de::DeserializeOwned>(
        &self,
        op: &str,
        method: Method,
        path: &str,
        status: u16,
        text: String,
    ) -> Result<T, ApiError> {
        let url = format!("{}{path}", self.base);
        if !(200..300).contains(&status) {
            return Err(ApiError::Status {
                op: op.to_string(),
                method,
                url,
                status,
                body: text,
                attempts: 1,
            });
        }
        serde_json::from_str(&text).map_err(|e| ApiError::Decode {
            op: op.to_string(),
            url,
            reason: e.to_string(),
        })
    }

    /// `GET /api/datasources`.
    pub async fn datasources(&self) -> Result<Vec<Datasource>, ApiError> {
        self.call(
            "listing datasources",
            Method::GET,
            "/api/datasources",
            &[],
            None,
        )
        .await
    }

    /// `GET /api/folders`, every page: the folders at the root.
    pub async fn folders(&self) -> Result<Vec<Folder>, ApiError> {
        let mut all = Vec::new();
        for page in 1.. {
            let query = [("limit", PAGE.to_string()), ("page", page.to_string())];
            let batch: Vec<Folder> = self
                .call("listing folders", Method::GET, "/api/folders", &query, None)
                .await?;
            let last = batch.len() < PAGE;
            all.extend(batch);
            if last {
                break;
            }
        }
        Ok(all)
    }

    /// `POST /api/folders` with a fixed uid.
    pub async fn create_folder(&self, uid: &str, title: &str) -> Result<Folder, ApiError> {
        let body = json!({ "uid": uid, "title": title });
        self.call(
            &format!("creating folder `{title}`"),
            Method::POST,
            "/api/folders",
            &[],
            Some(&body),
        )
        .await
    }

    /// `GET /api/search?type=dash-db`, every page.
    pub async fn search_dashboards(&self) -> Result<Vec<Hit>, ApiError> {
        let mut all = Vec::new();
        for page in 1.. {
            let query = [
                ("type", "dash-db".to_string()),
                ("limit", PAGE.to_string()),
                ("page", page.to_string()),
            ];
            let batch: Vec<Hit> = self
                .call(
                    "listing dashboards",
                    Method::GET,
                    "/api/search",
                    &query,
                    None,
                )
                .await?;
            let last = batch.len() < PAGE;
            all.extend(batch);
            if last {
                break;
            }
        }
        Ok(all)
    }

    /// `GET /api/dashboards/uid/:uid`; `None` when there is no such dashboard.
    pub async fn dashboard(&self, uid: &str) -> Result<Option<Remote>, ApiError> {
        let op = format!("reading dashboard `{uid}`");
        let path = format!("/api/dashboards/uid/{uid}");
        let (status, text) = self.send(&op, Method::GET, &path, &[], None).await?;
        if status == 404 {
            return Ok(None);
        }
        let mut v: Value = self.decode(&op, Method::GET, &path, status, text)?;
        let meta = v.get("meta").cloned().unwrap_or(Value::Null);
        let dashboard = v.get_mut("dashboard").map(Value::take).unwrap_or_default();
        let version = dashboard
            .get("version")
            .or_else(|| meta.get("version"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        Ok(Some(Remote {
            dashboard,
            version,
            folder_uid: meta
                .get("folderUid")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            provisioned: meta
                .get("provisioned")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }))
    }

    /// `POST /api/dashboards/db`; returns the saved version. A 412 means the
    /// stored version is not the one in `dashboard` (someone else saved).
    pub async fn save_dashboard(
        &self,
        dashboard: &Value,
        folder_uid: &str,
        overwrite: bool,
    ) -> Result<i64, ApiError> {
        #[derive(Deserialize)]
        struct Saved {
            version: i64,
        }
        let uid = dashboard.get("uid").and_then(Value::as_str).unwrap_or("");
        let body = json!({
            "dashboard": dashboard,
            "folderUid": folder_uid,
            "overwrite": overwrite,
            "message": "imported by obsctl",
        });
        let saved: Saved = self
            .call(
                &format!("saving dashboard `{uid}`"),
                Method::POST,
                "/api/dashboards/db",
                &[],
                Some(&body),
            )
            .await?;
        Ok(saved.version)
    }
}
