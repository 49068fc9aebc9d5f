//! The error of a call to Grafana's API: which operation, which URL, and
//! what came back — Grafana's own `message` rather than a raw JSON body.

use reqwest::Method;
use serde_json::Value;

/// A call to Grafana that did not give the expected answer.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{op}: cannot reach Grafana at {url}: {reason}")]
    Unreachable {
        op: String,
        url: String,
        reason: String,
    },
    #[error("{op}: {method} {url} answered HTTP {status}{}{}", attempts_note(*.attempts), body_note(.body))]
    Status {
        op: String,
        method: Method,
        url: String,
        status: u16,
        body: String,
        attempts: u32,
    },
    #[error("{op}: {url}: unexpected answer: {reason}")]
    Decode {
        op: String,
        url: String,
        reason: String,
    },
}

impl ApiError {
    /// The HTTP status, when Grafana answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Credentials refused (401) or not allowed to do this (403): asking
    /// again for the next dashboard would fail the same way.
    pub fn is_auth(&self) -> bool {
        matches!(self.status(), Some(401 | 403))
    }

    /// The status word of a dashboard or folder error (`version-mismatch`,
    /// `name-exists`...), from the `status` of its JSON body.
    pub fn grafana_status(&self) -> Option<String> {
        let ApiError::Status { body, .. } = self else {
            return None;
        };
        let v: Value = serde_json::from_str(body).ok()?;
        v.get("status").and_then(Value::as_str).map(str::to_string)
    }

    /// Grafana's own words for a failed answer (`message` of its JSON body).
    pub fn message(&self) -> Option<String> {
        match self {
            ApiError::Status { body, .. } => Some(grafana_message(body)),
            _ => None,
        }
    }
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    }
}

fn body_note(body: &str) -> String {
    let message = grafana_message(body);
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

/// The `message` of a Grafana error body, else the body itself, shortened.
fn grafana_message(body: &str) -> String {
    let from_json = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string));
    let text = from_json.unwrap_or_else(|| body.trim().to_string());
    text.chars().take(300).collect()
}
