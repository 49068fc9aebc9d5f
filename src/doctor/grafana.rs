//! Grafana checks through its HTTP API: health, that the generated admin
//! password still logs in, the provisioned datasource's own health check, and
//! that the provisioned dashboards are there.

use serde_json::Value;

use super::check::Check;
use crate::model::defaults::PROMETHEUS_DATASOURCE_UID;
use crate::model::Service;
use crate::probes::{reason, Http};

const GROUP: &str = "grafana";

/// Admin credentials of the stack's Grafana, if `up` stored them.
pub struct Credentials {
    pub user: String,
    pub password: Option<String>,
}

async fn get(http: &Http, url: &str, creds: &Credentials) -> Result<(u16, Value), String> {
    let mut req = http.client().get(url);
    if let Some(pw) = &creds.password {
        req = req.basic_auth(&creds.user, Some(pw));
    }
    let resp = req.send().await.map_err(|e| reason(&e))?;
    let status = resp.status().as_u16();
    let body = resp.json::<Value>().await.unwrap_or(Value::Null);
    Ok((status, body))
}

/// Runs every Grafana check against `base` (`http://127.0.0.1:3000`).
pub async fn checks(
    http: &Http,
    base: &str,
    creds: &Credentials,
    dashboard_uids: &[String],
) -> Vec<Check> {
    let mut out = Vec::new();
    let health = Service::Grafana.ready_path();
    match get(http, &format!("{base}{health}"), creds).await {
        Ok((200, body)) if body.get("database").and_then(Value::as_str) == Some("ok") => {
            out.push(Check::ok(GROUP, "health", "healthy, database ok"))
        }
        Ok((status, body)) => {
            out.push(
                Check::fail(
                    GROUP,
                    "health",
                    format!("{health} answered HTTP {status}: {body}"),
                )
                .hint("look at the Grafana container's log (`docker logs`)"),
            );
            return out;
        }
        Err(e) => {
            out.push(
                Check::fail(GROUP, "health", format!("unreachable at {base}: {e}"))
                    .hint("is the Grafana container running? `obsctl status` shows it"),
            );
            return out;
        }
    }
    if creds.password.is_none() {
        out.push(
            Check::skip(
                GROUP,
                "admin login",
                "no stored admin password (the stack directory has no grafana-admin-password)",
            )
            .hint("run `obsctl up` once; it generates and stores the password"),
        );
        return out;
    }
    match get(http, &format!("{base}/api/user"), creds).await {
        Ok((200, _)) => out.push(Check::ok(
            GROUP,
            "admin login",
            format!("`{}` logs in with the stored password", creds.user),
        )),
        Ok((401, _)) => {
            out.push(
                Check::fail(GROUP, "admin login", "the stored admin password is refused")
                    .hint("it was changed in Grafana, or Grafana's database predates it (the password applies only when the database is created); log in with the current password, or remove Grafana's data with `obsctl down --volumes`"),
            );
            return out;
        }
        Ok((status, _)) => out.push(Check::fail(
            GROUP,
            "admin login",
            format!("/api/user answered HTTP {status}"),
        )),
        Err(e) => out.push(Check::fail(GROUP, "admin login", e)),
    }
    match get(http, &format!("{base}/api/datasources/uid/{PROMETHEUS_DATASOURCE_UID}/health"), creds).await {
        Ok((200, body)) => out.push(Check::ok(GROUP, "datasource", format!("Prometheus datasource works: {}", body.get("message").and_then(Value::as_str).unwrap_or("OK")))),
        Ok((status, body)) => out.push(
            Check::fail(GROUP, "datasource", format!("the Prometheus datasource check answered HTTP {status}: {}", body.get("message").and_then(Value::as_str).unwrap_or("")))
                .hint("Grafana cannot query Prometheus: both must be on the stack's network; `obsctl up` restores the provisioned datasource"),
        ),
        Err(e) => out.push(Check::fail(GROUP, "datasource", e)),
    }
    match get(
        http,
        &format!("{base}/api/search?type=dash-db&limit=5000"),
        creds,
    )
    .await
    {
        Ok((200, Value::Array(hits))) => {
            let present: Vec<&str> = hits
                .iter()
                .filter_map(|h| h.get("uid").and_then(Value::as_str))
                .collect();
            let missing: Vec<&str> = dashboard_uids
                .iter()
                .map(String::as_str)
                .filter(|u| !present.contains(u))
                .collect();
            if missing.is_empty() {
                out.push(Check::ok(
                    GROUP,
                    "dashboards",
                    format!(
                        "{} provisioned dashboards present ({} in all)",
                        dashboard_uids.len(),
                        present.len()
                    ),
                ));
            } else {
                out.push(
                    Check::fail(GROUP, "dashboards", format!("{} provisioned dashboards missing: {}", missing.len(), missing.join(", ")))
                        .hint("Grafana has not loaded them: check its log for provisioning errors and that grafana/dashboards is mounted"),
                );
            }
        }
        Ok((status, _)) => out.push(Check::fail(
            GROUP,
            "dashboards",
            format!("/api/search answered HTTP {status}"),
        )),
        Err(e) => out.push(Check::fail(GROUP, "dashboards", e)),
    }
    out
}
