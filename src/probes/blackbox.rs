//! The blackbox exporter: hot reload (`POST /-/reload`, confirmed by its
//! `blackbox_exporter_config_last_reload_successful` gauge) and one probe run
//! with `debug=true`, whose log says why a probe fails.

use std::time::Duration;

use super::{get_bytes, post_empty, send, Http, ProbeError};

/// Asks the exporter to reload its configuration: 200 once loaded, 500 with
/// the reason when the file is refused.
pub async fn reload(http: &Http, base: &str) -> Result<(), ProbeError> {
    post_empty(http, &format!("{base}/-/reload"))
        .await
        .map(drop)
}

/// The value of `blackbox_exporter_config_last_reload_successful` on the
/// exporter's `/metrics` (1 when the last reload, or the first load, succeeded).
pub async fn reload_successful(http: &Http, base: &str) -> Result<bool, ProbeError> {
    let url = format!("{base}/metrics");
    let body = get_bytes(http, &url).await?;
    let text = String::from_utf8_lossy(&body);
    gauge(&text, "blackbox_exporter_config_last_reload_successful")
        .map(|v| v == 1.0)
        .ok_or(ProbeError::Decode {
            url,
            reason: "no blackbox_exporter_config_last_reload_successful".into(),
        })
}

/// The value of an unlabelled gauge in a Prometheus text exposition.
fn gauge(text: &str, name: &str) -> Option<f64> {
    text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        let (metric, value) = l.split_once(' ')?;
        (metric == name).then(|| value.trim().parse().ok())?
    })
}

/// Runs one probe of `target` with `module` and returns the exporter's debug
/// page: the probe's log, the metrics it would return, and the module. The
/// probe is given `timeout` (as Prometheus does through its scrape-timeout
/// header).
pub async fn debug_probe(
    http: &Http,
    base: &str,
    target: &str,
    module: &str,
    timeout: Duration,
) -> Result<String, ProbeError> {
    let url = format!("{base}/probe");
    let request = http
        .client()
        .get(&url)
        .query(&[("target", target), ("module", module), ("debug", "true")])
        .header(
            "X-Prometheus-Scrape-Timeout-Seconds",
            format!("{:.1}", timeout.as_secs_f64()),
        )
        .timeout(timeout + Duration::from_secs(2));
    let response = send("GET", &url, request).await?;
    Ok(response.text().await.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reload_gauge_is_read_from_the_exposition() {
        let text = "# HELP blackbox_exporter_config_last_reload_successful Blackbox exporter config loaded successfully.\n# TYPE blackbox_exporter_config_last_reload_successful gauge\nblackbox_exporter_config_last_reload_successful 1\nblackbox_exporter_config_last_reload_success_timestamp_seconds 1.7965775473798025e+09\n";
        assert_eq!(
            gauge(text, "blackbox_exporter_config_last_reload_successful"),
            Some(1.0)
        );
        assert_eq!(gauge(text, "missing"), None);
    }
}
