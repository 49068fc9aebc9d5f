//! Gathering the HTTP checks of Prometheus and Alertmanager: each answer is
//! fetched once, under a timeout, and judged by the pure functions beside
//! this module.

use std::time::Duration;

use super::check::Check;
use super::dns::Networks;
use super::{alertmanager, prometheus, targets};
use crate::model::defaults::SCRAPE_TIMEOUT;
use crate::model::{Model, Service};
use crate::probes::{get_bytes, get_json, Check as Probe, Http};

/// Every Prometheus check. `base` is `http://127.0.0.1:9090`; `networks`
/// says where names that do not resolve from Prometheus live.
pub async fn prometheus_checks(
    http: &Http,
    base: &str,
    model: &Model,
    networks: &Networks,
    timeout: Duration,
) -> Vec<Check> {
    let ready = http
        .check(&ready_url(base, Service::Prometheus), timeout)
        .await;
    if !ready.is_up() {
        return vec![
            unreachable(Service::Prometheus, base, &ready).hint(match ready {
                Probe::Status(503) => {
                    "Prometheus is starting (replaying its WAL): wait and run doctor again"
                        .to_string()
                }
                _ => "is the Prometheus container running? `obsctl status` shows it".to_string(),
            }),
        ];
    }
    let mut out = vec![Check::ok("prometheus", "ready", format!("{base} ready"))];
    let expected_groups = rule_groups(model);
    let default_timeout = model
        .prometheus
        .as_ref()
        .map(|p| p.scrape_timeout.clone())
        .unwrap_or_else(|| SCRAPE_TIMEOUT.into());
    let urls = [
        "status/runtimeinfo",
        "targets?state=active",
        "rules",
        "alerts",
        "alertmanagers",
        "label/__name__/values",
    ]
    .map(|p| format!("{base}/api/v1/{p}"));
    let (runtime, targets_body, rules, alerts, ams, names) = tokio::join!(
        get_json(http, &urls[0]),
        get_bytes(http, &urls[1]),
        get_json(http, &urls[2]),
        get_json(http, &urls[3]),
        get_json(http, &urls[4]),
        get_json(http, &urls[5]),
    );
    match runtime {
        Ok(body) => out.push(prometheus::reload_state(&body)),
        Err(e) => out.push(Check::fail("prometheus", "configuration", e.to_string())),
    }
    if model.alertmanager.is_some() {
        match ams {
            Ok(body) => out.push(prometheus::alertmanagers(&body)),
            Err(e) => out.push(Check::fail(
                "prometheus",
                "alertmanager connection",
                e.to_string(),
            )),
        }
    }
    match targets_body
        .map_err(|e| e.to_string())
        .and_then(|b| targets::checks(&b, &default_timeout, networks))
    {
        Ok(checks) => out.extend(checks),
        Err(e) => out.push(Check::fail("targets", "scrape targets", e)),
    }
    match rules {
        Ok(body) => out.extend(prometheus::rules(&body, &expected_groups)),
        Err(e) => out.push(Check::fail("rules", "rules", e.to_string())),
    }
    match alerts {
        Ok(body) => out.extend(prometheus::alerts(&body, model.packs.contains_key("stack"))),
        Err(e) => out.push(Check::fail("alerts", "alerts", e.to_string())),
    }
    match names {
        Ok(body) => out.extend(prometheus::missing_metrics(&body, &model.packs)),
        Err(e) => out.push(Check::fail("metrics", "metric names", e.to_string())),
    }
    out
}

/// Names of every rule group the rendered rule files define.
fn rule_groups(model: &Model) -> Vec<String> {
    use crate::model::RulesContent;
    use crate::rulefile::RuleFile;
    model
        .rules
        .iter()
        .filter_map(|r| match &r.content {
            RulesContent::Generated(f) => Some(f.clone()),
            RulesContent::Verbatim(text) => serde_yaml::from_str::<RuleFile>(text).ok(),
        })
        .flat_map(|f| f.groups.into_iter().map(|g| g.name))
        .collect()
}

/// Every Alertmanager check. `base` is `http://127.0.0.1:9093`.
pub async fn alertmanager_checks(
    http: &Http,
    base: &str,
    model: &Model,
    stack_dir: &std::path::Path,
    timeout: Duration,
) -> Vec<Check> {
    let ready = http
        .check(&ready_url(base, Service::Alertmanager), timeout)
        .await;
    if !ready.is_up() {
        return vec![unreachable(Service::Alertmanager, base, &ready).hint("is the Alertmanager container running? `obsctl status` shows it; `obsctl up` starts it")];
    }
    let mut out = vec![Check::ok("alertmanager", "ready", format!("{base} ready"))];
    match get_json(http, &format!("{base}/api/v2/status")).await {
        Ok(body) => out.extend(alertmanager::status(&body)),
        Err(e) => out.push(Check::fail("alertmanager", "configuration", e.to_string())),
    }
    if let Some(am) = &model.alertmanager {
        out.extend(alertmanager::receiver_secrets(am, stack_dir));
    }
    out
}

fn ready_url(base: &str, service: Service) -> String {
    format!("{base}{}", service.ready_path())
}

fn unreachable(service: Service, base: &str, probe: &Probe) -> Check {
    Check::fail(
        service.name(),
        "ready",
        format!("{}: {}", ready_url(base, service), probe.describe()),
    )
}
