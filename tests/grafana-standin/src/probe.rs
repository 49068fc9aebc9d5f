//! The Prometheus data source health check, done for real over HTTP (no TLS): an
//! instant query of `1+1` to `<url>/api/v1/query`, then `/api/v1/status/buildinfo` for
//! the `details` Grafana adds. Messages follow Grafana's Prometheus plugin.

use base64::Engine;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use std::time::Duration;

use crate::store::Datasource;

const OK: &str = "Successfully queried the Prometheus API.";
const FAILED: &str = "There was an error returned querying the Prometheus API.";

/// What the plugin reports: `OK` or `ERROR`, a message and optional details.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthResult {
    pub ok: bool,
    pub message: String,
    pub details: Option<Value>,
}

struct Reply {
    status: u16,
    body: Bytes,
}

fn go_style_error(
    method: &str,
    url: &str,
    host: &str,
    err: &(dyn std::error::Error + 'static),
) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    let mut chain = Vec::new();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            let detail = match io.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    format!("dial tcp {host}: connect: connection refused")
                }
                std::io::ErrorKind::TimedOut => format!("dial tcp {host}: i/o timeout"),
                _ => format!("dial tcp {host}: {io}"),
            };
            return format!("{method} \"{url}\": {detail}");
        }
        chain.push(e.to_string());
        source = e.source();
    }
    let text = chain.join(": ");
    if text.contains("dns error") {
        let name = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host);
        return format!("{method} \"{url}\": dial tcp: lookup {name}: no such host");
    }
    format!("{method} \"{url}\": {text}")
}

async fn send(
    ds: &Datasource,
    method: &str,
    path: &str,
    form: Option<&str>,
    timeout: Duration,
) -> Result<Reply, String> {
    let base = ds.url.trim_end_matches('/');
    let base = if base.contains("://") {
        base.to_string()
    } else {
        format!("http://{base}")
    };
    let url = format!("{base}{path}");
    let uri: hyper::Uri = url.parse().map_err(|e| format!("parse \"{url}\": {e}"))?;
    if uri.scheme_str() != Some("http") {
        return Err(format!("{method} \"{url}\": the stand-in has no TLS; only http:// data source URLs can be checked"));
    }
    let host = format!(
        "{}:{}",
        uri.host().unwrap_or_default(),
        uri.port_u16().unwrap_or(80)
    );
    let (uri, body) = match (method, form) {
        ("GET", Some(q)) => (
            format!("{url}?{q}").parse().map_err(|e| format!("{e}"))?,
            Bytes::new(),
        ),
        (_, Some(q)) => (uri, Bytes::from(q.to_string())),
        (_, None) => (uri, Bytes::new()),
    };
    let mut req = hyper::Request::builder().method(method).uri(uri);
    if method == "POST" {
        req = req.header("Content-Type", "application/x-www-form-urlencoded");
    }
    if ds.basic_auth {
        let password = ds
            .secure
            .get("basicAuthPassword")
            .cloned()
            .unwrap_or_default();
        let raw = format!("{}:{password}", ds.basic_auth_user);
        let encoded = base64::engine::general_purpose::STANDARD.encode(raw);
        req = req.header("Authorization", format!("Basic {encoded}"));
    }
    for i in 1.. {
        let Some(name) = ds
            .json_data
            .get(format!("httpHeaderName{i}"))
            .and_then(Value::as_str)
        else {
            break;
        };
        let value = ds
            .secure
            .get(&format!("httpHeaderValue{i}"))
            .cloned()
            .unwrap_or_default();
        req = req.header(name, value);
    }
    let req = req.body(Full::new(body)).map_err(|e| e.to_string())?;
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(timeout));
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build(connector);
    let exchange = async {
        let resp = client
            .request(req)
            .await
            .map_err(|e| go_style_error(method, &url, &host, &e))?;
        let status = resp.status().as_u16();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok::<Reply, String>(Reply { status, body })
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| format!("{method} \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"))?
}

fn query_error(reply: &Reply) -> Option<String> {
    let parsed: Option<Value> = serde_json::from_slice(&reply.body).ok();
    let status_field = parsed
        .as_ref()
        .and_then(|v| v.get("status"))
        .and_then(Value::as_str);
    if (200..300).contains(&reply.status) && status_field == Some("success") {
        return None;
    }
    if let Some(v) = &parsed {
        if let Some(err) = v.get("error").and_then(Value::as_str) {
            let kind = v
                .get("errorType")
                .and_then(Value::as_str)
                .unwrap_or("error");
            return Some(format!("{kind}: {err}"));
        }
    }
    Some(format!(
        "unexpected response {} from the Prometheus API",
        reply.status
    ))
}

async fn heuristics(ds: &Datasource, timeout: Duration) -> Option<Value> {
    let reply = send(ds, "GET", "/api/v1/status/buildinfo", None, timeout)
        .await
        .ok()?;
    if reply.status != 200 {
        return None;
    }
    let info: Value = serde_json::from_slice(&reply.body).ok()?;
    let has_features = info
        .pointer("/data/features")
        .and_then(Value::as_object)
        .is_some_and(|f| !f.is_empty());
    Some(json!({
        "application": if has_features { "Mimir" } else { "Prometheus" },
        "features": { "rulerApiEnabled": has_features },
    }))
}

/// Runs the check against a Prometheus data source.
pub async fn check_prometheus(ds: &Datasource, timeout: Duration) -> HealthResult {
    let method = match ds.json_data.get("httpMethod").and_then(Value::as_str) {
        Some(m) if m.eq_ignore_ascii_case("GET") => "GET",
        _ => "POST",
    };
    let outcome = send(
        ds,
        method,
        "/api/v1/query",
        Some("query=1%2B1&time=4"),
        timeout,
    )
    .await;
    let error = match outcome {
        Ok(reply) => query_error(&reply),
        Err(e) => Some(e),
    };
    let details = heuristics(ds, timeout).await;
    match error {
        None => HealthResult {
            ok: true,
            message: OK.into(),
            details,
        },
        Some(e) => HealthResult {
            ok: false,
            message: format!("{e} - {FAILED}"),
            details,
        },
    }
}
