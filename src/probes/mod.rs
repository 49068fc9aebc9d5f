//! HTTP checks against the stack's own services (Prometheus, Alertmanager,
//! Grafana, exporters). This is the only module that builds an HTTP client:
//! every probe shares the settings chosen in [`Http::new`].
//!
//! Probes talk to published ports on this machine, so the client ignores
//! `HTTP_PROXY`/`HTTPS_PROXY`: a proxy cannot reach `127.0.0.1` of this host
//! and would make every readiness check fail.

pub mod alertmanager;
pub mod blackbox;
pub mod grafana;
pub mod metrics;
pub mod prometheus;
pub mod scrape;

use std::net::IpAddr;
use std::time::Duration;

use crate::timeouts;

/// The address probes use to reach a port published on `bind`.
pub fn probe_host(bind: IpAddr) -> String {
    match bind {
        IpAddr::V4(v4) if v4.is_unspecified() => "127.0.0.1".into(),
        IpAddr::V6(v6) if v6.is_unspecified() => "[::1]".into(),
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// The shared HTTP client.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
}

/// What one readiness request found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The endpoint answered 2xx.
    Up,
    /// It answered with another status (e.g. 503 while Prometheus loads its WAL).
    Status(u16),
    /// No HTTP answer: refused, reset, timed out.
    Unreachable(String),
}

impl Check {
    pub fn is_up(&self) -> bool {
        matches!(self, Check::Up)
    }

    /// A short description for messages (`HTTP 503`, `connection refused`).
    pub fn describe(&self) -> String {
        match self {
            Check::Up => "ready".into(),
            Check::Status(code) => format!("HTTP {code}"),
            Check::Unreachable(why) => why.clone(),
        }
    }
}

/// An HTTP call that did not give the expected answer.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("{method} {url}: {reason}")]
    Request {
        method: &'static str,
        url: String,
        reason: String,
    },
    #[error("{method} {url} answered HTTP {status}{}", body_suffix(.body))]
    Status {
        method: &'static str,
        url: String,
        status: u16,
        body: String,
    },
    #[error("{url}: unexpected answer: {reason}")]
    Decode { url: String, reason: String },
}

fn body_suffix(body: &str) -> String {
    let body = body.trim();
    if body.is_empty() {
        String::new()
    } else {
        format!(": {}", body.chars().take(300).collect::<String>())
    }
}

impl Default for Http {
    fn default() -> Self {
        Self::new()
    }
}

impl Http {
    /// Builds the client every probe uses.
    pub fn new() -> Self {
        let client = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(timeouts::HTTP_CONNECT)
            .timeout(timeouts::HTTP_REQUEST)
            .user_agent(concat!("obsctl/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client settings are valid");
        Self { client }
    }

    /// The underlying client, for probes in this module's submodules.
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// One GET of `url` answered within `timeout`.
    pub async fn check(&self, url: &str, timeout: Duration) -> Check {
        match self.client.get(url).timeout(timeout).send().await {
            Ok(r) if r.status().is_success() => Check::Up,
            Ok(r) => Check::Status(r.status().as_u16()),
            Err(e) => Check::Unreachable(reason(&e)),
        }
    }
}

/// The useful part of a reqwest error ("connection refused", "timed out").
pub(crate) fn reason(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".into();
    }
    let mut source: Option<&dyn std::error::Error> = Some(e);
    let mut last = e.to_string();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    if last.contains("Connection refused") {
        "connection refused".into()
    } else {
        last
    }
}

/// Sends `request` (`method` of `url`) and returns the response when it is a
/// 2xx; any other answer is an error carrying its body.
pub(crate) async fn send(
    method: &'static str,
    url: &str,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, ProbeError> {
    let response = request.send().await.map_err(|e| ProbeError::Request {
        method,
        url: url.into(),
        reason: reason(&e),
    })?;
    let status = response.status();
    if status.is_success() {
        Ok(response)
    } else {
        Err(ProbeError::Status {
            method,
            url: url.into(),
            status: status.as_u16(),
            body: response.text().await.unwrap_or_default(),
        })
    }
}

/// POSTs an empty body to `url`; any 2xx is success.
pub(crate) async fn post_empty(http: &Http, url: &str) -> Result<String, ProbeError> {
    let response = send("POST", url, http.client().post(url)).await?;
    Ok(response.text().await.unwrap_or_default())
}

/// GETs `url` and returns its body; any non-2xx answer is an error.
pub async fn get_bytes(http: &Http, url: &str) -> Result<Vec<u8>, ProbeError> {
    let response = send("GET", url, http.client().get(url)).await?;
    response
        .bytes()
        .await
        .map(|b| b.to_vec())
        .map_err(|e| ProbeError::Request {
            method: "GET",
            url: url.into(),
            reason: reason(&e),
        })
}

/// GETs `url` and decodes its JSON body.
pub(crate) async fn get_json(http: &Http, url: &str) -> Result<serde_json::Value, ProbeError> {
    let body = get_bytes(http, url).await?;
    serde_json::from_slice(&body).map_err(|e| ProbeError::Decode {
        url: url.into(),
        reason: e.to_string(),
    })
}
