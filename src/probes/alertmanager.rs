//! Alertmanager: hot reload (`POST /-/reload`, always enabled) and the
//! cluster status that confirms single-node mode.

use super::{get_json, post_empty, Http, ProbeError};

/// Asks Alertmanager to reload its configuration. It answers after loading:
/// 200 on success, 500 with the reason when the file is refused.
pub async fn reload(http: &Http, base: &str) -> Result<(), ProbeError> {
    post_empty(http, &format!("{base}/-/reload"))
        .await
        .map(drop)
}

/// `cluster.status` of `/api/v2/status`: `disabled` in single-node mode,
/// else `ready` or `settling`.
pub async fn cluster_status(http: &Http, base: &str) -> Result<String, ProbeError> {
    let url = format!("{base}/api/v2/status");
    let body = get_json(http, &url).await?;
    body["cluster"]["status"]
        .as_str()
        .map(str::to_string)
        .ok_or(ProbeError::Decode {
            url,
            reason: "no cluster.status".into(),
        })
}
