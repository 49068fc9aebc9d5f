//! Test hooks on the request path: every request is recorded (method, path, status)
//! and measured for `/metrics`, and injected faults make the next N matching
//! requests fail or stall, so clients' retry, back-off and timeout handling can be
//! exercised. Every answer carries an `X-Grafana-Standin` header with the stand-in's
//! version, so nothing mistakes it for Grafana.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::{Duration, Instant};

use crate::api::AppState;

/// A fault to inject. `path` matches exactly, or as a prefix when it ends in `*`.
#[derive(Debug, Clone)]
pub struct Fault {
    method: Option<String>,
    path: String,
    status: Option<u16>,
    body: String,
    times: usize,
    delay: Option<Duration>,
}

impl Fault {
    /// The next request to `path` answers `status` with a JSON error body.
    pub fn new(path: &str, status: u16) -> Self {
        Fault {
            method: None,
            path: path.to_string(),
            status: Some(status),
            body: r#"{"message":"stand-in: injected failure"}"#.to_string(),
            times: 1,
            delay: None,
        }
    }

    /// The next request to `path` waits `delay`, then is served normally.
    pub fn stall(path: &str, delay: Duration) -> Self {
        Fault {
            status: None,
            delay: Some(delay),
            ..Fault::new(path, 0)
        }
    }

    /// Only requests with this method (e.g. `"POST"`) match.
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// How many matching requests the fault applies to (default 1).
    pub fn times(mut self, times: usize) -> Self {
        self.times = times;
        self
    }

    /// The response body to send (sent as `application/json`).
    pub fn body(mut self, body: &str) -> Self {
        self.body = body.to_string();
        self
    }

    /// Wait this long before answering.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let path_ok = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == self.path,
        };
        path_ok && self.method.as_deref().is_none_or(|m| m == method)
    }
}

/// One request as the stand-in saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub status: u16,
    /// Whether an injected fault produced the answer.
    pub injected: bool,
}

/// How many requests the detailed log keeps (counts are kept for all of them).
const KEPT_REQUESTS: usize = 10_000;

/// The faults still pending and the requests seen so far.
#[derive(Debug, Default)]
pub struct Hooks {
    pub faults: Vec<Fault>,
    /// The most recent requests, oldest first.
    pub requests: std::collections::VecDeque<RecordedRequest>,
    /// Requests per (method, path) since the last clear.
    pub counts: std::collections::HashMap<(String, String), usize>,
}

impl Hooks {
    /// Takes one use of the first matching fault.
    fn take(&mut self, method: &str, path: &str) -> Option<Fault> {
        let i = self.faults.iter().position(|f| f.matches(method, path))?;
        let fault = self.faults[i].clone();
        self.faults[i].times -= 1;
        if self.faults[i].times == 0 {
            self.faults.remove(i);
        }
        Some(fault)
    }

    fn record(&mut self, request: RecordedRequest) {
        *self
            .counts
            .entry((request.method.clone(), request.path.clone()))
            .or_default() += 1;
        if self.requests.len() == KEPT_REQUESTS {
            self.requests.pop_front();
        }
        self.requests.push_back(request);
    }

    pub fn clear_requests(&mut self) {
        self.requests.clear();
        self.counts.clear();
    }
}

/// Marks a response that an injected fault produced.
#[derive(Debug, Clone, Copy)]
struct Injected;

/// The route pattern that answered, carried on the response for the metrics.
#[derive(Debug, Clone)]
struct Route(String);

/// Takes the next fault for this request, waits its delay, and answers its status
/// if it has one; `None` lets the request through.
pub async fn apply_fault(state: &AppState, method: &str, path: &str) -> Option<Response> {
    let fault = state.hooks.lock().expect("hooks lock").take(method, path)?;
    if let Some(delay) = fault.delay {
        tokio::time::sleep(delay).await;
    }
    let code = fault.status?;
    let code = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (
        code,
        [(header::CONTENT_TYPE, "application/json")],
        fault.body,
    )
        .into_response();
    response.extensions_mut().insert(Injected);
    Some(response)
}

/// Route middleware (it runs once a route matched, before authentication): applies
/// a pending fault, and notes which route answered.
pub async fn inject(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| Route(crate::metrics::handler_label(p.as_str())));
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let mut response = match apply_fault(&state, &method, &path).await {
        Some(r) => r,
        None => next.run(req).await,
    };
    if let Some(route) = route {
        response.extensions_mut().insert(route);
    }
    response
}

/// Outer middleware on every request: counts it in flight, serves it, then records
/// it (for the test hooks and the metrics), marks the answer as the stand-in's,
/// and writes the state to disk after anything but a read.
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let started = Instant::now();
    state.metrics.lock().expect("metrics lock").in_flight += 1;
    let mut response = next.run(req).await;
    let status = response.status().as_u16();
    let handler = response
        .extensions()
        .get::<Route>()
        .map_or_else(|| "unknown".to_string(), |r| r.0.clone());
    {
        let mut metrics = state.metrics.lock().expect("metrics lock");
        metrics.in_flight -= 1;
        if path != "/metrics" {
            metrics.observe(&handler, &method, status, started.elapsed().as_secs_f64());
        }
    }
    if !matches!(method.as_str(), "GET" | "HEAD") {
        state.persist();
    }
    state.logger.debug(
        "request",
        &[("method", &method), ("path", &path), ("status", &status)],
    );
    let injected = response.extensions().get::<Injected>().is_some();
    state
        .hooks
        .lock()
        .expect("hooks lock")
        .record(RecordedRequest {
            method,
            path,
            query,
            status,
            injected,
        });
    response.headers_mut().insert(
        "x-grafana-standin",
        HeaderValue::from_static(env!("CARGO_PKG_VERSION")),
    );
    response
}
