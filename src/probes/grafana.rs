//! Grafana: re-reading provisioning files through the admin API, so that a
//! changed datasource or dashboard provider applies without a restart.

use super::{reason, Http, ProbeError};

/// What to re-read: `datasources` or `dashboards`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provisioning {
    Datasources,
    Dashboards,
}

impl Provisioning {
    fn path(self) -> &'static str {
        match self {
            Provisioning::Datasources => "datasources",
            Provisioning::Dashboards => "dashboards",
        }
    }
}

/// `POST /api/admin/provisioning/{kind}/reload` as the server admin (Basic auth).
pub async fn reload_provisioning(
    http: &Http,
    base: &str,
    user: &str,
    password: &str,
    kind: Provisioning,
) -> Result<(), ProbeError> {
    let url = format!("{base}/api/admin/provisioning/{}/reload", kind.path());
    let response = http
        .client()
        .post(&url)
        .basic_auth(user, Some(password))
        .send()
        .await
        .map_err(|e| ProbeError::Request {
            method: "POST",
            url: url.clone(),
            reason: reason(&e),
        })?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    Err(ProbeError::Status {
        method: "POST",
        url,
        status: status.as_u16(),
        body: response.text().await.unwrap_or_default(),
    })
}
