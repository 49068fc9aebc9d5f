//! HTTP error answers in the three body shapes Grafana's API uses:
//! `{"message"}` (its `response.Error`), `{"status","message"}` (dashboard and folder
//! errors that carry a status word) and the errutil shape with `messageId` and
//! `statusCode`. Every module returns these so the wire format lives in one place.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// An error answer: the status code and the exact JSON body to send.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: StatusCode,
    pub body: Value,
}

/// Result type of every operation that can end in an HTTP error.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// Any other body, sent as it is.
    pub fn new_json(code: u16, body: Value) -> Self {
        Self::new(code, body)
    }

    fn new(code: u16, body: Value) -> Self {
        let code = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError { code, body }
    }

    /// `{"message": msg}` — Grafana's plain `response.Error`.
    pub fn message(code: u16, msg: impl Into<String>) -> Self {
        Self::new(code, json!({ "message": msg.into() }))
    }

    /// `{"status": status, "message": msg}` — errors that carry a status word.
    pub fn status(code: u16, status: &str, msg: impl Into<String>) -> Self {
        Self::new(code, json!({ "status": status, "message": msg.into() }))
    }

    /// The errutil shape used by newer Grafana code paths (auth, validation).
    pub fn errutil(code: u16, message_id: &str, msg: impl Into<String>) -> Self {
        Self::new(
            code,
            json!({
                "message": msg.into(),
                "messageId": message_id,
                "statusCode": code,
                "traceID": "",
            }),
        )
    }

    /// 400 "bad request data": the body did not bind to the command.
    pub fn bad_request_data() -> Self {
        Self::message(400, "bad request data")
    }

    /// 403 in the shape access control uses when a role lacks an action.
    pub fn forbidden(action: &str) -> Self {
        Self::new(
            403,
            json!({
                "message": format!(
                    "You'll need additional permissions to perform this action. Permissions needed: {action}"
                ),
                "title": "Access denied",
            }),
        )
    }

    /// The JSON body's `message` field, for logs and tests.
    pub fn text(&self) -> &str {
        self.body
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.code, Json(self.body)).into_response()
    }
}
