//! Alertmanager checks: the loaded configuration, single-node mode, and
//! receivers whose secrets are missing from the stack directory.

use std::path::Path;

use serde_json::Value;

use super::check::Check;
use crate::model::Alertmanager;

const GROUP: &str = "alertmanager";

/// From `/api/v2/status`.
pub fn status(body: &Value) -> Vec<Check> {
    let mut out = Vec::new();
    let config = body
        .pointer("/config/original")
        .and_then(Value::as_str)
        .unwrap_or("");
    if config.trim().is_empty() {
        out.push(
            Check::fail(
                GROUP,
                "configuration",
                "Alertmanager reports no loaded configuration",
            )
            .hint("check the Alertmanager log; run `obsctl up` to render and reload"),
        );
    } else {
        out.push(Check::ok(GROUP, "configuration", "loaded"));
    }
    match body.pointer("/cluster/status").and_then(Value::as_str) {
        Some("disabled") => out.push(Check::ok(GROUP, "cluster", "disabled (single-node mode)")),
        Some(other) => out.push(
            Check::warn(GROUP, "cluster", format!("cluster mode is `{other}` on a single machine"))
                .hint("obsctl runs Alertmanager with --cluster.listen-address= ; an old container may still run: `obsctl up` recreates it"),
        ),
        None => out.push(Check::warn(GROUP, "cluster", "/api/v2/status did not report the cluster state")),
    }
    out
}

/// Every receiver's secret files exist, are non-empty and private.
pub fn receiver_secrets(am: &Alertmanager, stack_dir: &Path) -> Vec<Check> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    for r in &am.receivers {
        let mut files = Vec::new();
        files.extend(
            r.slack
                .as_ref()
                .map(|s| ("Slack webhook URL", &s.webhook_url)),
        );
        files.extend(r.pagerduty.as_ref().map(|p| ("PagerDuty key", &p.key)));
        files.extend(
            r.email
                .as_ref()
                .and_then(|e| e.password.as_ref())
                .map(|s| ("SMTP password", s)),
        );
        files.extend(
            r.webhook
                .as_ref()
                .and_then(|w| w.url_file.as_ref())
                .map(|s| ("webhook URL", s)),
        );
        for (what, secret) in files {
            let path = stack_dir.join("alertmanager").join(&secret.file);
            match std::fs::metadata(&path) {
                Ok(m) if m.len() == 0 => out.push(Check::fail(GROUP, format!("receiver {}", r.name), format!("the {what} file is empty")).hint("run `obsctl up` with the secret's environment variable set")),
                Ok(m) if m.permissions().mode() & 0o077 != 0 => out.push(
                    Check::fail(GROUP, format!("receiver {}", r.name), format!("the {what} file {} is readable by others", path.display())).hint(format!("chmod 600 {}", path.display())),
                ),
                Ok(_) => {}
                Err(_) => out.push(
                    Check::fail(GROUP, format!("receiver {}", r.name), format!("the {what} was never rendered ({} is missing)", path.display()))
                        .hint("run `obsctl up` (or `obsctl render`) with the secret's environment variable set"),
                ),
            }
        }
    }
    if out.is_empty() && !am.receivers.is_empty() {
        out.push(Check::ok(
            GROUP,
            "receivers",
            format!(
                "{} receiver{} with their secrets in place",
                am.receivers.len(),
                if am.receivers.len() == 1 { "" } else { "s" }
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::check::Status;
    use serde_json::json;

    #[test]
    fn single_node_mode_and_loaded_config_are_ok() {
        let checks = status(
            &json!({"cluster": {"status": "disabled"}, "config": {"original": "route: {}"}}),
        );
        assert!(checks.iter().all(|c| c.status == Status::Ok), "{checks:?}");
    }

    #[test]
    fn a_webhook_url_file_is_checked_like_every_receiver_secret() {
        use crate::model::{Receiver, Route, SecretFile, Webhook};
        use crate::spec::SecretValue;
        use std::os::unix::fs::PermissionsExt;
        let am = Alertmanager {
            image: String::new(),
            port: 9093,
            resolve_timeout: "5m".into(),
            route: Route {
                receiver: Some("hook".into()),
                matchers: Vec::new(),
                group_by: None,
                group_wait: None,
                group_interval: None,
                repeat_interval: None,
                continue_matching: false,
                routes: Vec::new(),
            },
            receivers: vec![Receiver {
                name: "hook".into(),
                webhook: Some(Webhook {
                    url: None,
                    url_file: Some(SecretFile {
                        file: "secrets/webhook-hook".into(),
                        value: SecretValue::new("https://hooks.example.com/t0ken"),
                    }),
                    send_resolved: true,
                    max_alerts: 0,
                }),
                ..Default::default()
            }],
            inhibit_rules: Vec::new(),
        };
        let dir = tempfile::tempdir().unwrap();
        let checks = receiver_secrets(&am, dir.path());
        assert_eq!(checks[0].status, Status::Fail);
        assert!(
            checks[0]
                .detail
                .starts_with("the webhook URL was never rendered"),
            "{checks:?}"
        );
        let file = dir.path().join("alertmanager/secrets/webhook-hook");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "https://hooks.example.com/t0ken").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let checks = receiver_secrets(&am, dir.path());
        assert!(
            checks[0].detail.contains("is readable by others"),
            "{checks:?}"
        );
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let checks = receiver_secrets(&am, dir.path());
        assert_eq!(checks[0].status, Status::Ok, "{checks:?}");
        assert_eq!(checks[0].detail, "1 receiver with their secrets in place");
    }

    #[test]
    fn clustering_is_a_warning_and_no_config_fails() {
        let checks = status(&json!({"cluster": {"status": "ready"}, "config": {"original": ""}}));
        assert_eq!(checks[0].status, Status::Fail);
        assert_eq!(checks[1].status, Status::Warn);
    }
}
