//! Prometheus checks read from its HTTP API: config reload state, rules,
//! firing alerts, the connection to Alertmanager, and the metric names that
//! exist (for the packs' expectations).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::check::{Check, Status};
use super::youth::Youth;

const GROUP: &str = "prometheus";

/// From `/api/v1/status/runtimeinfo`.
pub fn reload_state(body: &Value) -> Check {
    match body
        .pointer("/data/reloadConfigSuccess")
        .and_then(Value::as_bool)
    {
        Some(true) => Check::ok(GROUP, "configuration", "loaded; the last reload succeeded"),
        Some(false) => Check::fail(
            GROUP,
            "configuration",
            "the last reload FAILED: Prometheus still runs the previous configuration",
        )
        .hint(
            "run `obsctl validate`, then `obsctl up`; the Prometheus log names the refused setting",
        ),
        None => Check::warn(
            GROUP,
            "configuration",
            "runtimeinfo did not say whether the last reload succeeded",
        ),
    }
}

/// From `/api/v1/rules`: broken rules, and rule groups the spec expects but
/// Prometheus has not loaded.
pub fn rules(body: &Value, expected_groups: &[String]) -> Vec<Check> {
    let groups = body
        .pointer("/data/groups")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    let loaded: BTreeSet<&str> = groups
        .iter()
        .filter_map(|g| g.get("name").and_then(Value::as_str))
        .collect();
    let mut rule_count = 0;
    for g in &groups {
        for r in g
            .get("rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            rule_count += 1;
            if r.get("health").and_then(Value::as_str) == Some("err") {
                let name = r.get("name").and_then(Value::as_str).unwrap_or("?");
                let err = r.get("lastError").and_then(Value::as_str).unwrap_or("");
                out.push(Check::fail("rules", name, format!("evaluation fails: {err}")).hint("fix the rule's expression; `promtool check rules` shows syntax errors, this one fails at evaluation"));
            }
        }
    }
    for want in expected_groups {
        if !loaded.contains(want.as_str()) {
            out.push(Check::fail("rules", want.clone(), "rule group expected by the spec is not loaded").hint("run `obsctl up` to render and reload; check `prometheus/rules/` in the stack directory"));
        }
    }
    let status = out.iter().map(|c| c.status).max().unwrap_or(Status::Ok);
    out.insert(
        0,
        Check::new(
            "rules",
            "rules",
            status,
            format!(
                "{rule_count} rule{} in {} group{} loaded",
                if rule_count == 1 { "" } else { "s" },
                groups.len(),
                if groups.len() == 1 { "" } else { "s" }
            ),
        ),
    );
    out
}

/// From `/api/v1/alerts`: alerts firing now (the Watchdog's firing is good
/// news; it is missed only once the rules had time to be `evaluated`).
pub fn alerts(body: &Value, watchdog_expected: bool, evaluated: bool) -> Vec<Check> {
    let alerts = body
        .pointer("/data/alerts")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let firing: Vec<&Value> = alerts
        .iter()
        .filter(|a| a.get("state").and_then(Value::as_str) == Some("firing"))
        .collect();
    let name = |a: &Value| {
        a.pointer("/labels/alertname")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string()
    };
    let mut out = Vec::new();
    let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in firing.iter().filter(|a| name(a) != "Watchdog") {
        let what = a
            .pointer("/labels/instance")
            .or(a.pointer("/labels/job"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        by_name.entry(name(a)).or_default().push(what);
    }
    for (alert, where_) in &by_name {
        let places: Vec<&str> = where_
            .iter()
            .map(String::as_str)
            .filter(|s| !s.is_empty())
            .collect();
        out.push(Check::warn(
            "alerts",
            alert.clone(),
            format!(
                "firing{}",
                if places.is_empty() {
                    String::new()
                } else {
                    format!(" for {}", places.join(", "))
                }
            ),
        ));
    }
    if by_name.is_empty() {
        out.push(Check::ok("alerts", "firing alerts", "none firing"));
    }
    if watchdog_expected && !firing.iter().any(|a| name(a) == "Watchdog") {
        out.push(if evaluated {
            Check::warn("alerts", "Watchdog", "the always-firing Watchdog alert is not firing").hint("the stack pack's rules are not evaluated: see `rules` above and the Prometheus log")
        } else {
            Check::skip("alerts", "Watchdog", "not evaluated yet")
        });
    }
    out
}

/// From `/api/v1/alertmanagers`: Prometheus really talks to Alertmanager
/// (a young Prometheus may not have discovered it yet).
pub fn alertmanagers(body: &Value, youth: &Youth) -> Check {
    let active = body
        .pointer("/data/activeAlertmanagers")
        .and_then(Value::as_array)
        .map(Vec::len)
        .unwrap_or(0);
    if active > 0 {
        Check::ok(
            GROUP,
            "alertmanager connection",
            format!(
                "sending alerts to {active} Alertmanager{}",
                if active == 1 { "" } else { "s" }
            ),
        )
    } else if youth.discovering() {
        Check::skip(
            GROUP,
            "alertmanager connection",
            format!("Alertmanager not discovered yet ({})", youth.describe()),
        )
    } else {
        Check::fail(GROUP, "alertmanager connection", "Prometheus knows no Alertmanager, so alerts go nowhere").hint("check `alerting:` in the rendered prometheus.yml and that Alertmanager is enabled in the spec")
    }
}

/// Metrics each enabled pack reads that no target exposes (from
/// `/api/v1/label/__name__/values`).
pub fn missing_metrics(body: &Value, packs: &BTreeMap<String, Vec<String>>) -> Vec<Check> {
    let present: BTreeSet<&str> = body
        .get("data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut out = Vec::new();
    for (pack, metrics) in packs {
        let missing: Vec<&str> = metrics
            .iter()
            .map(String::as_str)
            .filter(|m| !present.contains(m) && !is_synthetic(m))
            .collect();
        if missing.is_empty() {
            out.push(Check::ok(
                "metrics",
                format!("pack {pack}"),
                "every metric its rules read is exposed",
            ));
        } else {
            let shown: Vec<&str> = missing.iter().take(5).copied().collect();
            let more = if missing.len() > 5 {
                format!(" and {} more", missing.len() - 5)
            } else {
                String::new()
            };
            out.push(
                Check::warn("metrics", format!("pack {pack}"), format!("no target exposes {}{more}, so its alerts can never fire", shown.join(", ")))
                    .hint(format!("scrape the service or exporter that provides them, or disable the pack with `rules: {{packs: {{{pack}: false}}}}`")),
            );
        }
    }
    out
}

/// Series Prometheus makes itself rather than scraping.
fn is_synthetic(metric: &str) -> bool {
    matches!(metric, "up" | "ALERTS" | "ALERTS_FOR_STATE") || metric.starts_with("scrape_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_failed_reload_fails() {
        assert_eq!(
            reload_state(&json!({"data": {"reloadConfigSuccess": false}})).status,
            Status::Fail
        );
        assert_eq!(
            reload_state(&json!({"data": {"reloadConfigSuccess": true}})).status,
            Status::Ok
        );
    }

    #[test]
    fn broken_and_missing_rule_groups_fail() {
        let body = json!({"data": {"groups": [{"name": "obsctl-stack", "rules": [
            {"name": "TargetDown", "health": "ok"},
            {"name": "Bad", "health": "err", "lastError": "many-to-many matching not allowed"}
        ]}]}});
        let checks = rules(&body, &["obsctl-stack".into(), "obsctl-http".into()]);
        assert_eq!(checks[0].status, Status::Fail);
        assert_eq!(checks[0].detail, "2 rules in 1 group loaded");
        assert!(checks
            .iter()
            .any(|c| c.name == "Bad" && c.detail.contains("many-to-many")));
        assert!(checks
            .iter()
            .any(|c| c.name == "obsctl-http" && c.status == Status::Fail));
    }

    #[test]
    fn firing_alerts_are_listed_and_the_watchdog_is_expected() {
        let body = json!({"data": {"alerts": [
            {"labels": {"alertname": "TargetDown", "instance": "api:8000"}, "state": "firing"},
            {"labels": {"alertname": "HTTPHighLatencyP95", "job": "api"}, "state": "pending"}
        ]}});
        let checks = alerts(&body, true, true);
        assert!(checks
            .iter()
            .any(|c| c.name == "TargetDown" && c.detail == "firing for api:8000"));
        assert!(!checks.iter().any(|c| c.name == "HTTPHighLatencyP95"));
        assert!(checks
            .iter()
            .any(|c| c.name == "Watchdog" && c.status == Status::Warn));
    }

    #[test]
    fn packs_without_their_metrics_warn_naming_them() {
        let mut packs = BTreeMap::new();
        packs.insert(
            "redis".to_string(),
            vec![
                "redis_up".to_string(),
                "redis_memory_used_bytes".to_string(),
            ],
        );
        packs.insert(
            "stack".to_string(),
            vec![
                "up".to_string(),
                "prometheus_config_last_reload_successful".to_string(),
            ],
        );
        let checks = missing_metrics(
            &json!({"data": ["prometheus_config_last_reload_successful", "up"]}),
            &packs,
        );
        let redis = checks.iter().find(|c| c.name == "pack redis").unwrap();
        assert_eq!(redis.status, Status::Warn);
        assert!(
            redis.detail.contains("redis_up, redis_memory_used_bytes"),
            "{}",
            redis.detail
        );
        assert_eq!(
            checks
                .iter()
                .find(|c| c.name == "pack stack")
                .unwrap()
                .status,
            Status::Ok
        );
    }

    #[test]
    fn no_alertmanager_fails_once_discovery_had_its_time() {
        let none = json!({"data": {"activeAlertmanagers": []}});
        let old = Youth {
            config_age: Some(std::time::Duration::from_secs(60)),
        };
        let young = Youth {
            config_age: Some(std::time::Duration::from_secs(2)),
        };
        assert_eq!(alertmanagers(&none, &old).status, Status::Fail);
        assert_eq!(alertmanagers(&none, &Youth::default()).status, Status::Fail);
        let check = alertmanagers(&none, &young);
        assert_eq!(check.status, Status::Skip);
        assert!(check.detail.starts_with("Alertmanager not discovered yet"));
        assert_eq!(
            alertmanagers(
                &json!({"data": {"activeAlertmanagers": [{"url": "http://am:9093/api/v2/alerts"}]}}),
                &old
            )
            .status,
            Status::Ok
        );
    }

    #[test]
    fn a_watchdog_not_evaluated_yet_is_not_a_warning() {
        let body = json!({"data": {"alerts": []}});
        let young = alerts(&body, true, false);
        assert!(young
            .iter()
            .any(|c| c.name == "Watchdog" && c.status == Status::Skip));
        let old = alerts(&body, true, true);
        assert!(old
            .iter()
            .any(|c| c.name == "Watchdog" && c.status == Status::Warn));
    }
}
