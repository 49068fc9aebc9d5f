//! Asking a port of a container whether it serves metrics (`init
//! --discover`): one GET, its status, Content-Type and body.

use std::time::Duration;

use super::Http;

/// What a GET answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// The Content-Type header, when there is one.
    pub content_type: Option<String>,
    pub body: String,
}

/// GETs `url` within `timeout`; None when nothing answered over HTTP.
pub async fn get(http: &Http, url: &str, timeout: Duration) -> Option<Answer> {
    let response = http.client().get(url).timeout(timeout).send().await.ok()?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = response.text().await.ok()?;
    Some(Answer {
        status,
        content_type,
        body,
    })
}
