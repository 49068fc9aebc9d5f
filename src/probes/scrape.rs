//! A scrape target looked at the way Prometheus 3 looks at it: one GET with
//! Prometheus' `Accept` header, judged by its Content-Type
//! ([`crate::scrape_protocol::judge`]).

use std::time::Duration;

use super::{send, Http, ProbeError};
use crate::scrape_protocol::{self, Verdict};

/// GETs `url` (a target's metrics URL) within `timeout` and judges the
/// Content-Type of its answer. A non-2xx answer is an error: Prometheus
/// would fail that scrape whatever the Content-Type.
pub async fn verdict(http: &Http, url: &str, timeout: Duration) -> Result<Verdict, ProbeError> {
    let request = http
        .client()
        .get(url)
        .header(reqwest::header::ACCEPT, scrape_protocol::ACCEPT)
        .timeout(timeout);
    let response = send("GET", url, request).await?;
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    Ok(scrape_protocol::judge(content_type.as_deref()))
}
