//! Reading what obsctl and Grafana answered: `up`'s JSON report (what it
//! did to a service, whether each published service was probed ready) and
//! a Grafana search hit's folder.

use serde_json::Value;

/// Whether a search hit lies at Grafana's root (no folder uid).
pub fn at_root(hit: &Value) -> bool {
    hit.get("folderUid")
        .is_none_or(|f| f.as_str().is_some_and(str::is_empty))
}

/// Asserts that every service of an `up --output json` report that
/// publishes a port (Prometheus, Alertmanager and Grafana always do) was
/// probed on its readiness endpoint and answered: `ready`, never the
/// `running` an unprobed service reports. Services without a published
/// port can only be seen `running`.
pub fn assert_probed_ready(report: &Value) {
    for s in report["services"].as_array().expect("a services list") {
        let name = s["service"].as_str().unwrap();
        if matches!(name, "prometheus" | "alertmanager" | "grafana") {
            assert!(s["url"].is_string(), "{name} publishes no port: {s}");
        }
        let expected = if s["url"].is_string() {
            "ready"
        } else {
            "running"
        };
        assert_eq!(s["health"], expected, "{s}");
    }
}

/// What `up` did to `service`, from its JSON report (`created`, `unchanged`...).
pub fn action(report: &Value, service: &str) -> String {
    report["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == service)
        .map(|s| s["action"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no {service} in {report}"))
}
