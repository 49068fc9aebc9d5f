//! The examples in examples/: one obsctl.yaml per system, reproducing what
//! that system's monitoring document describes. For each example:
//!
//! - it renders, and `promtool check config`, `promtool check rules` and
//!   `amtool check-config` accept the output;
//! - its alerts pass their unit tests (`examples/<system>/tests/alerts.test.yml`)
//!   against the rendered rule files, and every alert it renders has one;
//! - Alertmanager routes alerts to the receivers the document names
//!   (`amtool config routes test`);
//! - its dashboards pass `obsctl dashboards lint` and are provisioned.
//!
//! Secrets are read from environment variables (those the documents name,
//! where they name any); the tests give them dummy values.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use serde_yaml::Value;
use support::{check_alertmanager, files, require_tool, routes_to, run_tool, Test};

/// One example and what its document asks of the alert routing.
struct Example {
    name: &'static str,
    /// The environment variables its secrets are read from, with dummy values.
    env: &'static [(&'static str, &'static str)],
    /// Labels of an alert (space-separated `name=value`), and the receivers
    /// it must reach (comma-separated, in the order Alertmanager notifies them).
    routes: &'static [(&'static str, &'static str)],
}

const SLACK: &str = "https://hooks.slack.com/services/T000/B000/dummy";

const PAM_BACKEND: Example = Example {
    name: "pam-backend",
    env: &[("SMTP_PASSWORD", "dummy-smtp-password")],
    routes: &[
        // Critical alerts reach the on-call address, the rest the DevOps team.
        ("alertname=HTTPHighErrorRate severity=critical", "on-call"),
        ("alertname=HighMemoryUsage severity=critical", "on-call"),
        ("alertname=HighCPUUsage severity=warning", "devops"),
        ("alertname=LowCacheHitRatio severity=warning", "devops"),
    ],
};

const PYBASE: Example = Example {
    name: "pybase",
    env: &[("POSTGRES_PASSWORD", "dummy-postgres-password")],
    routes: &[
        // No notification channel is described: every alert stays in
        // Alertmanager's default receiver.
        ("alertname=HTTPHighErrorRatio severity=critical", "default"),
        (
            "alertname=ExtractionTaskFailureRatio severity=warning",
            "default",
        ),
    ],
};

const IOB_MAIIS: Example = Example {
    name: "iob-maiis",
    env: &[
        ("PAGERDUTY_SERVICE_KEY", "dummy-pagerduty-key"),
        ("SLACK_WEBHOOK_URL", SLACK),
        ("SMTP_PASSWORD", "dummy-smtp-password"),
        ("POSTGRES_PASSWORD", "dummy-postgres-password"),
    ],
    routes: &[
        ("alertname=TargetDown severity=critical", "pagerduty"),
        (
            "alertname=ProbeTLSCertificateExpiringCritical severity=critical",
            "pagerduty",
        ),
        (
            "alertname=SLOErrorBudgetFastBurn slo=backend-latency severity=critical",
            "pagerduty",
        ),
        (
            "alertname=SLOErrorBudgetSlowBurn slo=backend-availability severity=warning",
            "slack",
        ),
        ("alertname=NodeHighCPUUsage severity=warning", "slack"),
        (
            "alertname=SpeechProviderFallbackActive severity=warning",
            "slack",
        ),
        ("alertname=Maintenance severity=info", "email"),
        // The document's root receiver is undefined; unmatched alerts go to Slack.
        ("alertname=Unclassified", "slack"),
    ],
};

const OPSSIGHT: Example = Example {
    name: "opssight",
    env: &[
        ("PAGERDUTY_SERVICE_KEY", "dummy-pagerduty-key"),
        ("SLACK_WEBHOOK_URL", SLACK),
        ("SMTP_PASSWORD", "dummy-smtp-password"),
    ],
    routes: &[
        (
            "alertname=HTTPHighErrorRatio job=backend severity=critical",
            "pagerduty",
        ),
        (
            "alertname=NodeDiskSpaceCritical job=node severity=critical",
            "pagerduty",
        ),
        (
            "alertname=HTTPHighLatencyP95 job=backend severity=warning",
            "slack",
        ),
        // Infrastructure: the host and the monitoring stack.
        (
            "alertname=NodeHighMemoryUsage job=node severity=warning",
            "email",
        ),
        (
            "alertname=PrometheusConfigReloadFailed job=prometheus severity=warning",
            "email",
        ),
    ],
};

const AMANI_BACKEND: Example = Example {
    name: "amani-backend",
    env: &[
        ("SLACK_WEBHOOK_URL", SLACK),
        ("PAGERDUTY_API_KEY", "dummy-pagerduty-key"),
    ],
    routes: &[
        // Critical alerts reach both channels, the rest Slack.
        (
            "alertname=HTTPHighErrorRatio severity=critical",
            "pagerduty,slack",
        ),
        (
            "alertname=DatabaseNoActiveConnections severity=critical",
            "pagerduty,slack",
        ),
        ("alertname=NodeHighCPUUsage severity=warning", "slack"),
    ],
};

/// The example copied into a temp dir and rendered into `out/`.
fn rendered(example: &Example) -> Test {
    let mut t = Test::new().example(example.name);
    for (k, v) in example.env {
        t = t.env(k, v);
    }
    t.args(&["render", "--out", "out"]).run().code(0);
    t
}

fn renders_and_passes_promtool_and_amtool(example: &Example) {
    let t = rendered(example);
    let (promtool, amtool) = (require_tool("promtool"), require_tool("amtool"));
    let out = t.path("out");
    let (ok, text) = run_tool(
        &promtool,
        &["check", "config", "prometheus/prometheus.yml"],
        &out,
    );
    assert!(
        ok,
        "{}: promtool check config failed:\n{text}",
        example.name
    );
    let rules = files(&out, &out.join("prometheus/rules"));
    assert!(!rules.is_empty(), "{}: no rule files", example.name);
    let mut args = vec!["check", "rules"];
    args.extend(rules.iter().map(String::as_str));
    let (ok, text) = run_tool(&promtool, &args, &out);
    assert!(ok, "{}: promtool check rules failed:\n{text}", example.name);
    check_alertmanager(&amtool, &out, example.name);
}

fn alerts_pass_their_unit_tests_against_the_rendered_rules(example: &Example) {
    let t = rendered(example);
    let promtool = require_tool("promtool");
    std::fs::copy(
        t.path("tests/alerts.test.yml"),
        t.path("out/alerts.test.yml"),
    )
    .unwrap();
    let (ok, text) = run_tool(
        &promtool,
        &["test", "rules", "alerts.test.yml"],
        &t.path("out"),
    );
    assert!(ok, "{}: promtool test rules failed:\n{text}", example.name);
}

/// Alert names in a rendered rule file.
fn alert_names(file: &Path) -> Vec<String> {
    let doc: Value = serde_yaml::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    doc["groups"]
        .as_sequence()
        .into_iter()
        .flatten()
        .flat_map(|g| g["rules"].as_sequence().cloned().unwrap_or_default())
        .filter_map(|r| r["alert"].as_str().map(str::to_string))
        .collect()
}

fn every_alert_it_renders_has_a_unit_test(example: &Example) {
    let t = rendered(example);
    let out = t.path("out");
    // The stack pack watches obsctl itself and has its own tests in rules/;
    // its alerts count here only when the example overrides them.
    let mut alerts = BTreeSet::new();
    for file in files(&out, &out.join("prometheus/rules")) {
        if !file.ends_with("/stack.rules.yml") {
            alerts.extend(alert_names(&out.join(file)));
        }
    }
    let spec: Value = serde_yaml::from_str(&t.read("obsctl.yaml")).unwrap();
    if let Some(stack) = spec["rules"]["packs"]["stack"].as_mapping() {
        for (name, o) in stack {
            if o["enabled"].as_bool() != Some(false) {
                alerts.insert(name.as_str().unwrap().to_string());
            }
        }
    }
    assert!(!alerts.is_empty(), "{}: no alerts rendered", example.name);
    let tests = t.read("tests/alerts.test.yml");
    let untested: Vec<&String> = alerts
        .iter()
        .filter(|a| !tests.contains(&format!("alertname=\"{a}\", alertstate=\"firing\"")))
        .collect();
    assert!(
        untested.is_empty(),
        "{}: alerts without a firing test in tests/alerts.test.yml: {untested:?}",
        example.name
    );
}

fn alerts_reach_the_receivers_the_document_names(example: &Example) {
    let t = rendered(example);
    let amtool = require_tool("amtool");
    for (labels, receivers) in example.routes {
        let labels_list: Vec<&str> = labels.split_whitespace().collect();
        let (ok, text) = routes_to(&amtool, &t.path("out"), &labels_list, receivers);
        assert!(
            ok,
            "{}: an alert with {labels:?} should reach {receivers}:\n{text}",
            example.name
        );
    }
}

fn dashboards_pass_lint_and_are_provisioned(example: &Example) {
    let mut t = rendered(example);
    let lint = t
        .args(&["dashboards", "lint", "--output", "json", "dashboards"])
        .run();
    lint.code(0);
    let report: serde_json::Value = serde_json::from_str(&lint.stdout).unwrap();
    assert_eq!(report["errors"], 0, "{}: {report}", example.name);
    assert_eq!(report["warnings"], 0, "{}: {report}", example.name);
    let own = files(&t.path("dashboards"), &t.path("dashboards"));
    assert!(
        !own.is_empty(),
        "{}: no dashboards of its own",
        example.name
    );
    assert_eq!(report["files"], own.len(), "{}", example.name);
    // Files at the top of dashboards/ go to the top of the provider's path,
    // Grafana's root (never a `General/` directory, which Grafana refuses);
    // a sub-folder's files to the directory of its innermost name.
    let provisioned = files(
        &t.path("out/grafana/dashboards"),
        &t.path("out/grafana/dashboards"),
    );
    assert!(
        !t.path("out/grafana/dashboards/General").exists(),
        "{}: {provisioned:?}",
        example.name
    );
    for file in &own {
        let parts: Vec<&str> = file.split('/').collect();
        let expected = match parts.as_slice() {
            [name] => name.to_string(),
            [.., dir, name] => format!("{dir}/{name}"),
            [] => unreachable!(),
        };
        assert!(
            provisioned.contains(&expected),
            "{}: {expected} not among {provisioned:?}",
            example.name
        );
    }
}

macro_rules! example_tests {
    ($module:ident, $example:expr) => {
        mod $module {
            use super::*;

            #[test]
            #[ignore = "needs the pinned validators; scripts/test.sh runs it"]
            fn renders_and_passes_promtool_and_amtool() {
                super::renders_and_passes_promtool_and_amtool(&$example);
            }

            #[test]
            #[ignore = "needs the pinned validators; scripts/test.sh runs it"]
            fn alerts_pass_their_unit_tests_against_the_rendered_rules() {
                super::alerts_pass_their_unit_tests_against_the_rendered_rules(&$example);
            }

            #[test]
            fn every_alert_it_renders_has_a_unit_test() {
                super::every_alert_it_renders_has_a_unit_test(&$example);
            }

            #[test]
            #[ignore = "needs the pinned validators; scripts/test.sh runs it"]
            fn alerts_reach_the_receivers_the_document_names() {
                super::alerts_reach_the_receivers_the_document_names(&$example);
            }

            #[test]
            fn dashboards_pass_lint_and_are_provisioned() {
                super::dashboards_pass_lint_and_are_provisioned(&$example);
            }
        }
    };
}

example_tests!(pam_backend, PAM_BACKEND);
example_tests!(pybase, PYBASE);
example_tests!(iob_maiis, IOB_MAIIS);
example_tests!(opssight, OPSSIGHT);
example_tests!(amani_backend, AMANI_BACKEND);

#[test]
fn every_example_folder_is_tested() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut found: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("obsctl.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut tested: Vec<&str> = [PAM_BACKEND, PYBASE, IOB_MAIIS, OPSSIGHT, AMANI_BACKEND]
        .iter()
        .map(|e| e.name)
        .collect();
    tested.sort();
    assert_eq!(found, tested);
}
