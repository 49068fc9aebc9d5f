//! Applying changed configuration to a running container without recreating
//! it: Prometheus, Alertmanager and the blackbox exporter reload through
//! `POST /-/reload`, Grafana re-reads its provisioning through its admin API.
//! Each reload is confirmed.

use std::time::{SystemTime, UNIX_EPOCH};

use super::services::Container;
use crate::error::Error;
use crate::model::{ExporterKind, Service};
use crate::probes::grafana::Provisioning;
use crate::probes::{alertmanager, blackbox, grafana, prometheus, Http, ProbeError};

/// Credentials for Grafana's admin API.
pub struct GrafanaAdmin {
    pub user: String,
    pub password: String,
}

/// Reloads `service` and confirms it; returns a note for the summary when the
/// reload could only be partly confirmed.
pub async fn reload(
    http: &Http,
    service: &Container,
    grafana: Option<&GrafanaAdmin>,
) -> Result<Option<String>, Error> {
    let name = service.service;
    let Some(base) = service.base_url.as_deref() else {
        return Err(Error::ReloadUnpublished { service: name });
    };
    let refused = |cause: ProbeError| Error::ReloadRefused {
        service: name,
        cause: cause.to_string(),
    };
    match service.service {
        Service::Prometheus => {
            let before = prometheus::runtime_info(http, base)
                .await
                .map_err(refused)?;
            prometheus::reload(http, base).await.map_err(refused)?;
            let after = prometheus::runtime_info(http, base)
                .await
                .map_err(refused)?;
            if !after.reload_config_success {
                return Err(Error::ReloadUnconfirmed {
                    service: name,
                    what: "reports reloadConfigSuccess false".into(),
                });
            }
            if !advanced(before.last_config_time, after.last_config_time, now()) {
                return Err(Error::ReloadUnconfirmed {
                    service: name,
                    what: "its lastConfigTime did not advance".into(),
                });
            }
            Ok(None)
        }
        Service::Alertmanager => {
            alertmanager::reload(http, base).await.map_err(refused)?;
            let cluster = alertmanager::cluster_status(http, base)
                .await
                .map_err(refused)?;
            Ok((cluster != "disabled").then(|| {
                format!("cluster status is `{cluster}`, expected `disabled` (single node)")
            }))
        }
        Service::Grafana => {
            let Some(admin) = grafana else {
                return Ok(Some("provisioning changed; Grafana re-reads dashboards on its own, restart it to apply datasource changes".into()));
            };
            for kind in [Provisioning::Datasources, Provisioning::Dashboards] {
                if let Err(e) =
                    grafana::reload_provisioning(http, base, &admin.user, &admin.password, kind)
                        .await
                {
                    // The stored password only applies to a new Grafana database;
                    // if someone changed it since, the API refuses us. Dashboards
                    // are still re-read by Grafana's own polling.
                    return Ok(Some(format!(
                        "could not ask Grafana to re-read its provisioning ({e}); dashboards are re-read within 30s, restart Grafana to apply datasource changes"
                    )));
                }
            }
            Ok(None)
        }
        Service::Exporter(ExporterKind::Blackbox) => {
            blackbox::reload(http, base).await.map_err(refused)?;
            if !blackbox::reload_successful(http, base)
                .await
                .map_err(refused)?
            {
                return Err(Error::ReloadUnconfirmed {
                    service: name,
                    what: "reports blackbox_exporter_config_last_reload_successful 0".into(),
                });
            }
            Ok(None)
        }
        Service::Exporter(_) => Ok(None),
    }
}

/// Prometheus keeps `lastConfigTime` to the second, so a reload within the
/// same second as the previous load cannot move it; that case counts as advanced.
fn advanced(before: i64, after: i64, now: i64) -> bool {
    after > before || (after == before && now - before <= 1)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::advanced;

    #[test]
    fn a_later_config_time_confirms_the_reload() {
        assert!(advanced(100, 105, 105));
        assert!(
            !advanced(100, 100, 200),
            "an old, unchanged time is not a reload"
        );
        assert!(advanced(100, 100, 101), "same second as the last load");
    }
}
