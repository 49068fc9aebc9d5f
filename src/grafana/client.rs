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

/// A folder, as `GET /api/folders` lists it or `POST /api/folders` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Folder {
    pub uid: String,
    pub title: String,
}

/// A folder as `GET /api/folders/:uid` answers: with its ancestors, root
/// first (`parents` is absent at the root and on Grafana without nesting).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FolderInfo {
    pub uid: String,
    pub title: String,
    #[serde(default)]
    pub parents: Vec<Folder>,
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

/// A library element (a library panel) as Grafana stores it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Element {
    pub uid: String,
    pub name: String,
    #[serde(default)]
    pub kind: i64,
    #[serde(default)]
    pub model: Value,
    pub version: i64,
    #[serde(default)]
    pub folder_uid: String,
}

/// The `{"result": ...}` wrapper of the library elements API.
#[derive(Deserialize)]
struct Wrapped<T> {
    result: T,
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

    /// `GET /api/folders?parentUid=`, every page: the folders directly in
    /// the folder `parent_uid` (the root when empty).
    pub async fn folders_in(&self, parent_uid: &str) -> Result<Vec<Folder>, ApiError> {
        let mut all = Vec::new();
        for page in 1.. {
            let mut query = vec![("limit", PAGE.to_string()), ("page", page.to_string())];
            if !parent_uid.is_empty() {
                query.push(("parentUid", parent_uid.to_string()));
            }
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

    /// `GET /api/folders/:uid`; `None` when there is no such folder.
    pub async fn folder(&self, uid: &str) -> Result<Option<FolderInfo>, ApiError> {
        let op = format!("reading folder `{uid}`");
        self.get_optional(&op, &format!("/api/folders/{uid}")).await
    }

    /// `POST /api/folders` with a fixed uid, in the folder `parent_uid`
    /// (the root when empty).
    pub async fn create_folder(
        &self,
        uid: &str,
        title: &str,
        parent_uid: &str,
    ) -> Result<Folder, ApiError> {
        let mut body = json!({ "uid": uid, "title": title });
        if !parent_uid.is_empty() {
            body["parentUid"] = json!(parent_uid);
        }
        self.call(
            &format!("creating folder `{title}`"),
            Method::POST,
            "/api/folders",
            &[],
            Some(&body),
        )
        .await
    }

    /// A GET whose 404 means "there is none".
    async fn get_optional<T: serde::de::DeserializeOwned>(
        &self,
        op: &str,
        path: &str,
    ) -> Result<Option<T>, ApiError> {
        let (status, text) = self.send(op, Method::GET, path, &[], None).await?;
        if status == 404 {
            return Ok(None);
        }
        self.decode(op, Method::GET, path, status, text).map(Some)
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
        let Some(mut v) = self
            .get_optional::<Value>(&op, &format!("/api/dashboards/uid/{uid}"))
            .await?
        else {
            return Ok(None);
        };
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

    /// `GET /api/library-elements/:uid`; `None` when there is no such element.
    pub async fn library_element(&self, uid: &str) -> Result<Option<Element>, ApiError> {
        let op = format!("reading library panel `{uid}`");
        let path = format!("/api/library-elements/{uid}");
        let found: Option<Wrapped<Element>> = self.get_optional(&op, &path).await?;
        Ok(found.map(|w| w.result))
    }

    /// `POST /api/library-elements`: a library panel (kind 1) in `folder_uid`.
    pub async fn create_library_panel(
        &self,
        uid: &str,
        name: &str,
        folder_uid: &str,
        model: &Value,
    ) -> Result<Element, ApiError> {
        let body =
            json!({"uid": uid, "name": name, "folderUid": folder_uid, "kind": 1, "model": model});
        let op = format!("creating library panel `{name}` ({uid})");
        let saved: Wrapped<Element> = self
            .call(&op, Method::POST, "/api/library-elements", &[], Some(&body))
            .await?;
        Ok(saved.result)
    }

    /// `PATCH /api/library-elements/:uid`, sending the `version` it replaces:
    /// a 412 means someone changed it since.
    pub async fn update_library_panel(
        &self,
        uid: &str,
        name: &str,
        model: &Value,
        version: i64,
    ) -> Result<Element, ApiError> {
        let body = json!({"name": name, "kind": 1, "model": model, "version": version});
        let op = format!("updating library panel `{name}` ({uid})");
        let path = format!("/api/library-elements/{uid}");
        let saved: Wrapped<Element> = self
            .call(&op, Method::PATCH, &path, &[], Some(&body))
            .await?;
        Ok(saved.result)
    }
}
