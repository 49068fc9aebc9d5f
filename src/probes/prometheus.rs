//! Prometheus: hot reload through the lifecycle API, confirmed by the
//! runtime information endpoint; instant queries; and what it is wired to:
//! the targets it lists and the Alertmanagers it discovered.

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
    read(
        http,
        format!("{base}/api/v1/status/runtimeinfo"),
        parse_runtime_info,
    )
    .await
}

/// GETs `url` and reads its JSON with `parse`, whose complaint becomes a
/// decoding error naming the URL.
async fn read<T>(
    http: &Http,
    url: String,
    parse: fn(&serde_json::Value) -> Result<T, String>,
) -> Result<T, ProbeError> {
    let body = get_json(http, &url).await?;
    parse(&body).map_err(|reason| ProbeError::Decode { url, reason })
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

/// One active target as `/api/v1/targets` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedTarget {
    /// The scrape pool: the job name as configured.
    pub pool: String,
    /// The address as configured (`__address__` before relabelling).
    pub address: String,
    /// `up`, `down` or `unknown` (not scraped yet).
    pub health: String,
}

/// The active targets of the Prometheus at `base`.
pub async fn active_targets(http: &Http, base: &str) -> Result<Vec<ListedTarget>, ProbeError> {
    read(
        http,
        format!("{base}/api/v1/targets?state=active"),
        parse_targets,
    )
    .await
}

fn parse_targets(body: &serde_json::Value) -> Result<Vec<ListedTarget>, String> {
    let targets = body["data"]["activeTargets"]
        .as_array()
        .ok_or("no data.activeTargets")?;
    Ok(targets
        .iter()
        .map(|t| {
            let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
            let address = t["discoveredLabels"]["__address__"]
                .as_str()
                .or(t["labels"]["instance"].as_str())
                .unwrap_or_default()
                .to_string();
            ListedTarget {
                pool: text(&t["scrapePool"]),
                address,
                health: text(&t["health"]),
            }
        })
        .collect())
}

/// The URLs of the Alertmanagers the Prometheus at `base` sends alerts to.
pub async fn alertmanagers(http: &Http, base: &str) -> Result<Vec<String>, ProbeError> {
    read(
        http,
        format!("{base}/api/v1/alertmanagers"),
        parse_alertmanagers,
    )
    .await
}

fn parse_alertmanagers(body: &serde_json::Value) -> Result<Vec<String>, String> {
    let active = body["data"]["activeAlertmanagers"]
        .as_array()
        .ok_or("no data.activeAlertmanagers")?;
    Ok(active
        .iter()
        .filter_map(|a| a["url"].as_str().map(str::to_string))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_read_with_their_configured_address() {
        let body = serde_json::json!({"status": "success", "data": {"activeTargets": [
            {"discoveredLabels": {"__address__": "api:8000", "job": "api"},
             "labels": {"instance": "renamed", "job": "api"},
             "scrapePool": "api", "health": "unknown", "lastError": ""},
            {"labels": {"instance": "node:9100"}, "scrapePool": "node", "health": "up"}
        ], "droppedTargets": []}});
        let targets = parse_targets(&body).unwrap();
        assert_eq!(
            targets,
            [
                ListedTarget {
                    pool: "api".into(),
                    address: "api:8000".into(),
                    health: "unknown".into()
                },
                ListedTarget {
                    pool: "node".into(),
                    address: "node:9100".into(),
                    health: "up".into()
                }
            ]
        );
        assert!(parse_targets(&serde_json::json!({"data": {}})).is_err());
    }

    #[test]
    fn alertmanagers_are_their_urls() {
        let body = serde_json::json!({"data": {"activeAlertmanagers": [
            {"url": "http://shop-alertmanager:9093/api/v2/alerts"}
        ], "droppedAlertmanagers": []}});
        assert_eq!(
            parse_alertmanagers(&body).unwrap(),
            ["http://shop-alertmanager:9093/api/v2/alerts"]
        );
    }

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
