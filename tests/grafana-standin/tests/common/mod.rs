//! Shared test helpers: a stand-in with known credentials and a small JSON client.
#![allow(dead_code)]

use base64::Engine;
use grafana_standin::{Running, StandIn};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

pub const USER: &str = "admin";
pub const PASSWORD: &str = "secret";
pub const TOKEN: &str = "glsa_test";

/// A stand-in with admin/secret and an Admin token `glsa_test`.
pub async fn standin() -> Running {
    StandIn::builder()
        .admin(USER, PASSWORD)
        .token(TOKEN)
        .start()
        .await
        .expect("stand-in starts")
}

/// A JSON client for one stand-in.
#[derive(Clone)]
pub struct Client {
    base: String,
    auth: Option<String>,
    http: HyperClient<HttpConnector, Full<Bytes>>,
}

/// A response: status, headers, parsed JSON (or the text as a JSON string) and raw text.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub json: Value,
    pub text: String,
}

impl Client {
    /// Authenticated as the admin with Basic auth.
    pub fn admin(running: &Running) -> Client {
        Client::anonymous(running).basic(USER, PASSWORD)
    }

    pub fn anonymous(running: &Running) -> Client {
        Client {
            base: running.base_url(),
            auth: None,
            http: HyperClient::builder(TokioExecutor::new()).build(HttpConnector::new()),
        }
    }

    pub fn basic(mut self, user: &str, password: &str) -> Client {
        let raw = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        self.auth = Some(format!("Basic {raw}"));
        self
    }

    pub fn bearer(mut self, token: &str) -> Client {
        self.auth = Some(format!("Bearer {token}"));
        self
    }

    pub async fn send_raw(&self, method: &str, path: &str, body: Option<&str>) -> Reply {
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(a) = &self.auth {
            req = req.header("Authorization", a);
        }
        if body.is_some() {
            req = req.header("Content-Type", "application/json");
        }
        let body = Full::new(Bytes::from(body.unwrap_or_default().to_string()));
        let resp = self
            .http
            .request(req.body(body).unwrap())
            .await
            .expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).to_string();
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
        Reply {
            status,
            headers,
            json,
            text,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send_raw("GET", path, None).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send_raw("DELETE", path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send_raw("POST", path, Some(&body.to_string())).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send_raw("PUT", path, Some(&body.to_string())).await
    }
}

/// Saves a dashboard through `/api/dashboards/db` and returns the reply.
pub async fn save(client: &Client, dashboard: Value, extra: Value) -> Reply {
    let mut body = serde_json::json!({ "dashboard": dashboard });
    if let Value::Object(m) = extra {
        for (k, v) in m {
            body[k] = v;
        }
    }
    client.post("/api/dashboards/db", body).await
}
