//! Prometheus: hot reload through the lifecycle API, confirmed by the
//! runtime information endpoint; instant queries.

use super::{get_json, post_empty, send, Http, ProbeError};

/// The part of `/api/v1/status/runtimeinfo` a reload is judged by.
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeInfo {
    pub reload_config_success: bool,
    /// `lastConfigTime` as Unix seconds (Prometheus keeps it to the second).
    pub last_config_time: i64,
}

/// Reads `/api/v1/status/runtimeinfo` of the Prometheus at `base` (`http://host:port`).
pub async fn runtime_info(http: &Http, base: &str) -> Result<RuntimeInfo, ProbeError> {
    let url = format!("{base}/api/v1/status/runtimeinfo");
    let body = get_json(http, &url).await?;
    parse_runtime_info(&body).map_err(|reason| ProbeError::Decode { url, reason })
}

fn parse_runtime_info(body: &serde_json::Value) -> Result<RuntimeInfo, String> {
    let data = &body["data"];
    let success = data["reloadConfigSuccess"]
        .as_bool()
        .ok_or("no data.reloadConfigSuccess")?;
    let time = data["lastConfigTime"]
        .as_str()
        .ok_or("no data.lastConfigTime")?;
    let time = chrono::DateTime::parse_from_rfc3339(time)
        .map_err(|e| format!("lastConfigTime `{time}`: {e}"))?;
    Ok(RuntimeInfo {
        reload_config_success: success,
        last_config_time: time.timestamp(),
    })
}

/// Asks Prometheus to reload its configuration and rules (`POST /-/reload`,
/// needs `--web.enable-lifecycle`). Prometheus answers once the reload is
/// done: 200 on success, 500 with the reason when the new config is refused.
pub async fn reload(http: &Http, base: &str) -> Result<(), ProbeError> {
    post_empty(http, &format!("{base}/-/reload"))
        .await
        .map(drop)
}

/// Runs the instant query `expr` on the Prometheus at `base`; returns the
/// API's answer (`data.result` holds the series).
pub async fn query(http: &Http, base: &str, expr: &str) -> Result<serde_json::Value, ProbeError> {
    let url = format!("{base}/api/v1/query");
    let request = http.client().get(&url).query(&[("query", expr)]);
    let response = send("GET", &url, request).await?;
    response.json().await.map_err(|e| ProbeError::Decode {
        url,
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_info_is_read_from_the_api_envelope() {
        let body = serde_json::json!({"status": "success", "data": {
            "reloadConfigSuccess": true,
            "lastConfigTime": "2024-05-01T10:00:05Z",
            "storageRetention": "15d"
        }});
        let info = parse_runtime_info(&body).unwrap();
        assert!(info.reload_config_success);
        assert_eq!(info.last_config_time, 1_714_557_605);
    }

    #[test]
    fn a_body_without_the_fields_is_an_error_naming_them() {
        let err = parse_runtime_info(&serde_json::json!({"data": {}})).unwrap_err();
        assert!(err.contains("reloadConfigSuccess"), "{err}");
    }
}
