//! Rendered output checked by the real validators, Prometheus' `promtool` and
//! Alertmanager's `amtool`, of the versions obsctl's default images pin
//! (Debian's builds, fetched by scripts/test-env.sh; see `support::tool`).

mod support;
use std::collections::BTreeSet;
use std::path::Path;

use support::{check_alertmanager, require_tool, routes_to, run_tool, service_answering, Test};

const FULL_ENV: &[(&str, &str)] = &[
    ("OBSCTL_FULL_REMOTE_PASSWORD", "rw-pass"),
    (
        "OBSCTL_FULL_SLACK_WEBHOOK",
        "https://hooks.slack.com/services/T/B/x",
    ),
    ("OBSCTL_FULL_PAGERDUTY_KEY", "pd-key"),
    ("OBSCTL_FULL_SMTP_PASSWORD", "smtp-pass"),
    ("OBSCTL_FULL_SCRAPE_PASSWORD", "scrape-pass"),
    ("OBSCTL_FULL_PG_PASSWORD", "pg-pass"),
];

const PRESET_ENV: &[(&str, &str)] = &[
    (
        "SLACK_WEBHOOK_URL",
        "https://hooks.slack.com/services/T/B/x",
    ),
    ("PAGERDUTY_ROUTING_KEY", "pd-key"),
    ("POSTGRES_PASSWORD", "pg-pass"),
];

/// Checks a rendered stack directory with promtool and amtool.
fn check_rendered(dir: &Path) {
    let (promtool, amtool) = (require_tool("promtool"), require_tool("amtool"));
    let (ok, out) = run_tool(
        &promtool,
        &["check", "config", "prometheus/prometheus.yml"],
        dir,
    );
    assert!(ok, "promtool check config failed:\n{out}");
    assert!(out.contains("SUCCESS"), "{out}");
    let rules: Vec<String> = std::fs::read_dir(dir.join("prometheus/rules"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| format!("prometheus/rules/{}", e.file_name().to_string_lossy()))
        .collect();
    assert!(!rules.is_empty());
    let mut args = vec!["check", "rules"];
    args.extend(rules.iter().map(String::as_str));
    let (ok, out) = run_tool(&promtool, &args, dir);
    assert!(ok, "promtool check rules failed:\n{out}");
    check_alertmanager(&amtool, dir, "the rendered stack");
}

fn render(t: &mut Test) {
    t.args(&["render", "--out", "out"]).run().code(0);
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn the_default_stack_passes_promtool_and_amtool() {
    let mut t = Test::new();
    render(&mut t);
    check_rendered(&t.path("out"));
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn every_preset_passes_promtool_and_amtool() {
    for preset in ["minimal", "fastapi"] {
        let mut t = Test::new();
        for (k, v) in PRESET_ENV {
            t = t.env(k, v);
        }
        t.args(&["init", "--yes", "--preset", preset]).run().code(0);
        render(&mut t);
        check_rendered(&t.path("out"));
    }
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn init_with_a_service_without_a_content_type_passes_promtool() {
    let port = service_answering("HTTP/1.1 200 OK");
    let mut t = Test::new();
    t.args(&[
        "init",
        "--yes",
        "--scrape",
        &format!("legacy=127.0.0.1:{port}/metrics"),
    ])
    .run()
    .code(0);
    assert!(t.read("obsctl.yaml").contains("fallback_scrape_protocol"));
    render(&mut t);
    let yml = t.read("out/prometheus/prometheus.yml");
    assert!(
        yml.contains("fallback_scrape_protocol: \"PrometheusText0.0.4\""),
        "{yml}"
    );
    check_rendered(&t.path("out"));
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn a_spec_using_every_feature_passes_promtool_and_amtool() {
    let mut t = Test::new().fixture("full");
    for (k, v) in FULL_ENV {
        t = t.env(k, v);
    }
    render(&mut t);
    check_rendered(&t.path("out"));
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn awkward_matchers_and_a_webhook_secret_pass_amtool_in_strict_mode() {
    let amtool = require_tool("amtool");
    let hook = "https://hooks.example.com/services/t0ken-s3cr3t";
    let mut t = Test::new()
        .fixture("awkward-alertmanager")
        .env("OBSCTL_TEST_HOOK_URL", hook);
    render(&mut t);
    let am = t.read("out/alertmanager/alertmanager.yml");
    assert!(!am.contains(hook), "the webhook URL is inlined:\n{am}");
    check_alertmanager(&amtool, &t.path("out"), "awkward-alertmanager");
    // The quoted values still mean what the spec says: alerts carrying
    // them reach `hook`, others the root's `other`.
    for (labels, receiver) in [
        (
            vec![r#"alertname="Disk Full""#, r#"team="say \"hi\"""#],
            "hook",
        ),
        (vec![r#"alertname="Disk""#, r#"team="say \"hi\"""#], "other"),
        (
            vec![
                r#"path="C:\\dir\\x""#,
                r#"expr="a=b{c}""#,
                "city=\"München ✓\"",
                r#"alertname="Disk Full""#,
            ],
            "hook",
        ),
    ] {
        let (ok, out) = routes_to(&amtool, &t.path("out"), &labels, receiver);
        assert!(ok, "{labels:?} should reach {receiver}:\n{out}");
    }
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn threshold_overrides_reach_the_rendered_rules() {
    let promtool = require_tool("promtool");
    let mut t = Test::new().fixture("full");
    for (k, v) in FULL_ENV {
        t = t.env(k, v);
    }
    render(&mut t);
    std::fs::copy(t.path("override.test.yml"), t.path("out/override.test.yml")).unwrap();
    let (ok, out) = run_tool(
        &promtool,
        &["test", "rules", "override.test.yml"],
        &t.path("out"),
    );
    assert!(ok, "promtool test rules failed:\n{out}");
}

/// Rules obsctl generates from the spec (the Pushgateway's stale pushes, the
/// SLOs' burn rates) are rendered from tests/fixtures/generated and pass the
/// unit tests beside that spec.
#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn generated_rules_pass_their_promtool_unit_tests() {
    let promtool = require_tool("promtool");
    let mut t = Test::new().fixture("generated");
    render(&mut t);
    let mut tests: Vec<String> = std::fs::read_dir(t.dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".test.yml"))
        .collect();
    tests.sort();
    assert!(!tests.is_empty(), "no unit tests beside the fixture");
    for test in &tests {
        std::fs::copy(t.path(test), t.path(&format!("out/{test}"))).unwrap();
    }
    let mut args = vec!["test", "rules"];
    args.extend(tests.iter().map(String::as_str));
    let (ok, out) = run_tool(&promtool, &args, &t.path("out"));
    assert!(ok, "promtool test rules failed:\n{out}");
    // promtool says SUCCESS once per file it tested.
    assert_eq!(
        out.matches("SUCCESS").count(),
        tests.len(),
        "{tests:?}:\n{out}"
    );
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn every_rule_pack_passes_its_promtool_unit_tests() {
    let promtool = require_tool("promtool");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut tests: Vec<String> = std::fs::read_dir(root.join("tests"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| format!("tests/{}", e.file_name().to_string_lossy()))
        .filter(|n| n.ends_with(".test.yml"))
        .collect();
    tests.sort();
    let packs = obsctl::packs::all();
    assert_eq!(
        tests.len(),
        packs.len(),
        "every pack has a test file: {tests:?}"
    );
    for pack in &packs {
        assert!(
            tests.contains(&format!("tests/{}.test.yml", pack.name)),
            "pack {} has no tests",
            pack.name
        );
    }
    let mut args = vec!["test", "rules"];
    args.extend(tests.iter().map(String::as_str));
    let (ok, out) = run_tool(&promtool, &args, &root);
    assert!(ok, "promtool test rules failed:\n{out}");
}

/// An example call of each name obsctl treats as experimental.
fn experimental_example(name: &str) -> String {
    match name {
        "double_exponential_smoothing" => format!("{name}(up[5m], 0.5, 0.5)"),
        "info" => format!("{name}(up)"),
        "sort_by_label" | "sort_by_label_desc" => format!("{name}(up, \"job\")"),
        "limitk" => format!("{name}(1, up)"),
        "limit_ratio" => format!("{name}(0.5, up)"),
        _ => format!("{name}(up[5m])"),
    }
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn promtool_refuses_exactly_what_obsctl_treats_as_experimental() {
    use obsctl::promql_features::{EXPERIMENTAL_AGGREGATORS, EXPERIMENTAL_FUNCTIONS};
    let promtool = require_tool("promtool");
    let t = Test::new();
    let check = |expr: &str, flag: bool| {
        let file = "rule.yml";
        std::fs::write(
            t.path(file),
            format!(
                "groups:\n  - name: g\n    rules:\n      - record: r\n        expr: '{expr}'\n"
            ),
        )
        .unwrap();
        let mut args = vec![];
        if flag {
            args.push("--enable-feature=promql-experimental-functions");
        }
        args.extend(["check", "rules", file]);
        run_tool(&promtool, &args, t.dir.path())
    };
    for name in EXPERIMENTAL_FUNCTIONS
        .iter()
        .chain(EXPERIMENTAL_AGGREGATORS)
    {
        let expr = experimental_example(name);
        let (ok, out) = check(&expr, false);
        assert!(!ok, "promtool accepted {expr} without the feature:\n{out}");
        assert!(
            out.contains("is not enabled") || out.contains("is experimental"),
            "{expr}: {out}"
        );
        let (ok, out) = check(&expr, true);
        assert!(ok, "promtool refused {expr} with the feature:\n{out}");
    }
    // Every function obsctl counts as known is one promtool knows (called
    // with no arguments, it is refused for its arguments, never as unknown).
    for name in obsctl::promql_features::FUNCTIONS {
        let (_, out) = check(&format!("{name}()"), true);
        assert!(!out.contains("unknown function"), "{name}: {out}");
    }
    // A stable function, and one promql-parser knows but 3.5 does not.
    assert!(check("sort_desc(up)", false).0);
    let (ok, out) = check("first_over_time(up[5m])", true);
    assert!(!ok && out.contains("unknown function"), "{out}");
}

/// Alert names an `alert_rule_test` expects to fire (`exp_alerts` not
/// empty) and those it only checks stay silent, read from a test file.
fn tested_alerts(tests: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let doc: serde_yaml::Value = serde_yaml::from_str(tests).unwrap();
    let (mut firing, mut silent) = (BTreeSet::new(), BTreeSet::new());
    for case in doc["tests"].as_sequence().into_iter().flatten() {
        for t in case["alert_rule_test"].as_sequence().into_iter().flatten() {
            let name = t["alertname"].as_str().expect("alertname").to_string();
            if t["exp_alerts"].as_sequence().is_some_and(|e| !e.is_empty()) {
                firing.insert(name);
            } else {
                silent.insert(name);
            }
        }
    }
    (firing, silent)
}

#[test]
fn every_pack_alert_is_seen_firing_by_its_unit_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/tests");
    for pack in obsctl::packs::all() {
        let tests = std::fs::read_to_string(root.join(format!("{}.test.yml", pack.name))).unwrap();
        let (firing, silent) = tested_alerts(&tests);
        let alerts: BTreeSet<String> = pack
            .alert_names()
            .into_iter()
            .map(|a| a.to_string())
            .collect();
        let missing: Vec<&String> = alerts.difference(&firing).collect();
        assert!(
            missing.is_empty(),
            "alerts of pack {} no alert_rule_test sees firing: {missing:?}",
            pack.name
        );
        // A test of a name the pack does not have tests nothing.
        let unknown: Vec<&String> = firing
            .union(&silent)
            .filter(|a| !alerts.contains(*a))
            .collect();
        assert!(
            unknown.is_empty(),
            "pack {} tests unknown alerts: {unknown:?}",
            pack.name
        );
    }
}

#[test]
fn a_test_of_a_longer_alert_name_does_not_cover_a_shorter_one() {
    let tests = "tests:\n  - alert_rule_test:\n      - alertname: PostgresDownCritical\n        exp_alerts: [{exp_labels: {}}]\n      - alertname: PostgresDown\n        exp_alerts: []\n";
    let (firing, silent) = tested_alerts(tests);
    assert!(!firing.contains("PostgresDown"));
    assert!(silent.contains("PostgresDown"));
}
