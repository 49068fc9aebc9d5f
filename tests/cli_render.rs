//! `obsctl render` and `obsctl validate`: the default stack, atomic writes,
//! secrets, and every kind of bad input, each with its exit code and message.

mod support;
use std::os::unix::fs::PermissionsExt;

use support::Test;

#[test]
fn render_without_a_spec_uses_the_built_in_default_stack() {
    let mut t = Test::new();
    t.args(&["render"]).run().code(0).stderr_has("rendered");
    for f in [
        "prometheus/prometheus.yml",
        "prometheus/rules/stack.rules.yml",
        "prometheus/rules/node.rules.yml",
        "alertmanager/alertmanager.yml",
        "grafana/provisioning/datasources/obsctl.yml",
        "grafana/provisioning/dashboards/obsctl.yml",
        "grafana/dashboards/obsctl/overview.json",
    ] {
        assert!(t.path(&format!(".obsctl/{f}")).is_file(), "{f} missing");
    }
    let ds = t.read(".obsctl/grafana/provisioning/datasources/obsctl.yml");
    assert!(ds.contains("uid: \"obsctl-prometheus\""), "{ds}");
}

#[test]
fn a_second_render_changes_nothing() {
    let mut t = Test::new();
    t.args(&["render", "--output", "json"]).run().code(0);
    let out = t.args(&["render", "--output", "json"]).run();
    out.code(0);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["written"].as_array().unwrap().len(), 0, "{report}");
    assert!(!report["unchanged"].as_array().unwrap().is_empty());
}

#[test]
fn a_failed_render_leaves_the_previous_files_intact() {
    let mut t = Test::new().file(
        "obsctl.yaml",
        "name: shop\nprometheus:\n  scrape_interval: 30s\n",
    );
    t.args(&["render", "--out", "out"]).run().code(0);
    let before = t.read("out/prometheus/prometheus.yml");
    let mut t = t.file(
        "obsctl.yaml",
        "name: shop\nprometheus:\n  scrape_interval: 10s\n  retention: forever\n",
    );
    t.args(&["render", "--out", "out"])
        .run()
        .code(2)
        .stderr_has("nothing was written");
    assert_eq!(t.read("out/prometheus/prometheus.yml"), before);
}

#[test]
fn disabling_a_pack_removes_its_rendered_rule_file() {
    let mut t = Test::new().file("obsctl.yaml", "rules:\n  packs:\n    http: true\n");
    t.args(&["render"]).run().code(0);
    assert!(t.path(".obsctl/prometheus/rules/http.rules.yml").is_file());
    let mut t = t.file("obsctl.yaml", "rules:\n  packs:\n    http: false\n");
    t.args(&["render"]).run().code(0);
    assert!(!t.path(".obsctl/prometheus/rules/http.rules.yml").exists());
}

const SECRET: &str = "https://hooks.slack.com/services/T000/B000/s3cr3t-value";

#[test]
fn secrets_are_rendered_as_private_files_and_never_printed() {
    let spec = "alertmanager:\n  receivers:\n    - name: team\n      slack: {webhook_url: {env: TEAM_SLACK}, channel: '#ops'}\n    - name: pager\n      pagerduty: {routing_key: {file: pd.key}}\n  route:\n    receiver: team\n    routes:\n      - match: {severity: critical}\n        receiver: pager\n";
    let mut t = Test::new()
        .file("obsctl.yaml", spec)
        .file("pd.key", "pd-key-123\n")
        .env("TEAM_SLACK", SECRET);
    let out = t.args(&["render", "--output", "json"]).run();
    out.code(0);
    assert!(!out.stdout.contains("s3cr3t") && !out.stderr.contains("s3cr3t"));
    let am = t.read(".obsctl/alertmanager/alertmanager.yml");
    assert!(
        !am.contains("s3cr3t") && !am.contains("pd-key-123"),
        "secrets must not be inlined:\n{am}"
    );
    assert!(
        am.contains("api_url_file: \"/etc/alertmanager/secrets/slack-team\""),
        "{am}"
    );
    assert!(
        am.contains("routing_key_file: \"/etc/alertmanager/secrets/pagerduty-pager\""),
        "{am}"
    );
    for (file, value) in [("slack-team", SECRET), ("pagerduty-pager", "pd-key-123")] {
        let path = t.path(&format!(".obsctl/alertmanager/secrets/{file}"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), value);
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600,
            "{file}"
        );
    }
}

#[test]
fn a_secret_written_into_the_spec_is_refused() {
    let mut t = Test::new().file("obsctl.yaml", "alertmanager:\n  receivers:\n    - name: s\n      slack:\n        webhook_url: https://hooks.slack.com/x\n");
    t.args(&["validate"])
        .run()
        .code(2)
        .stderr_has("obsctl.yaml:5:9: alertmanager.receivers[0].slack")
        .stderr_has("secrets are not written into the spec");
}

// ---- Bad input: each gives exit 2, the location, and a hint; nothing panics.

fn invalid(spec: &str) -> support::Output {
    let mut t = Test::new().file("obsctl.yaml", spec);
    let out = t.args(&["render"]).run();
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(
        !t.path(".obsctl").exists(),
        "nothing may be written for an invalid spec"
    );
    out
}

#[test]
fn empty_file() {
    invalid("")
        .code(2)
        .stderr_has("error: obsctl.yaml: the spec is empty")
        .stderr_has("hint: run `obsctl init`");
}

#[test]
fn invalid_yaml() {
    invalid("prometheus:\n  port: 9090\n bad: 1\n")
        .code(2)
        .stderr_has("error: obsctl.yaml:3:2: invalid YAML")
        .stderr_has("hint: check the indentation");
}

#[test]
fn unknown_key_suggests_the_nearest_one() {
    invalid("prometheus:\n  retension: 30d\n")
        .code(2)
        .stderr_has("obsctl.yaml:2:3: prometheus: unknown field `retension`")
        .stderr_has("hint: did you mean `retention`?");
}

#[test]
fn wrong_type() {
    invalid("grafana:\n  port: [3000]\n")
        .code(2)
        .stderr_has("obsctl.yaml:2:9: grafana.port: invalid type: sequence, expected u16");
}

#[test]
fn bad_duration() {
    invalid("prometheus:\n  scrape_interval: 15 seconds\n")
        .code(2)
        .stderr_has("obsctl.yaml:2:20: prometheus.scrape_interval: `15 seconds` is not a duration");
}

#[test]
fn port_clash() {
    invalid("prometheus:\n  port: 3000\n").code(2).stderr_has("obsctl.yaml:2:9: prometheus.port: host port 3000 is used by both prometheus.port and grafana.port");
}

#[test]
fn route_to_a_missing_receiver() {
    let spec = "alertmanager:\n  receivers:\n    - name: pagerduty\n  route:\n    receiver: pagerduty\n    routes:\n      - match: {severity: critical}\n        receiver: pagerdty\n";
    invalid(spec).code(2).stderr_has("obsctl.yaml:8:19: alertmanager.route.routes[0].receiver: route sends alerts to receiver `pagerdty`, which is not defined").stderr_has("hint: did you mean `pagerduty`?");
}

#[test]
fn promql_syntax_error_in_a_user_rule_file() {
    let rules = "groups:\n  - name: app\n    rules:\n      - alert: Broken\n        expr: rate(http_requests_total[5m] > 1\n";
    let mut t = Test::new()
        .file("obsctl.yaml", "prometheus:\n  rule_files: [rules/*.yml]\n")
        .file("rules/app.yml", rules);
    t.args(&["render"])
        .run()
        .code(2)
        .stderr_has("rules/app.yml:5:15: groups[0].rules[0].expr: invalid PromQL");
}

#[test]
fn rule_file_glob_that_matches_nothing() {
    invalid("prometheus:\n  rule_files: [\"alerts/*.yml\"]\n")
        .code(2)
        .stderr_has("obsctl.yaml:2:16: prometheus.rule_files[0]: `alerts/*.yml` matches no file");
}

#[test]
fn secret_environment_variable_not_set() {
    let spec = "alertmanager:\n  receivers:\n    - name: slack\n      slack:\n        webhook_url: {env: OBSCTL_TEST_UNSET_WEBHOOK}\n";
    invalid(spec).code(2).stderr_has("alertmanager.receivers[0].slack.webhook_url: environment variable OBSCTL_TEST_UNSET_WEBHOOK is not set").stderr_has("hint: export OBSCTL_TEST_UNSET_WEBHOOK=");
}

#[test]
fn every_problem_is_reported_at_once() {
    let spec = "name: Shop!\nprometheus:\n  retention: 2 weeks\nscrape:\n  - job: api\n    targets: [\"http://api:8000\"]\n  - job: api\n    targets: [api:8000]\n";
    let out = invalid(spec);
    out.code(2)
        .stderr_has("obsctl.yaml:1:7: name: `Shop!` is not a valid stack name")
        .stderr_has("obsctl.yaml:3:14: prometheus.retention: `2 weeks` is not a duration")
        .stderr_has("obsctl.yaml:6:15: scrape[0].targets[0]: `http://api:8000` is not host:port")
        .stderr_has("obsctl.yaml:7:10: scrape[1].job: job `api` is defined twice")
        .stderr_has("the spec has 4 problems");
}

#[test]
fn an_unused_receiver_is_a_warning_not_an_error() {
    let spec = "alertmanager:\n  receivers:\n    - name: main\n    - name: spare\n  route:\n    receiver: main\n";
    let mut t = Test::new().file("obsctl.yaml", spec);
    t.args(&["validate"]).run().code(0).stderr_has("warning: obsctl.yaml:4:13: alertmanager.receivers[1].name: receiver `spare` is not used by any route");
}

#[test]
fn a_missing_spec_file_given_with_f_is_a_usage_error() {
    let mut t = Test::new();
    t.args(&["-f", "nope.yaml", "validate"])
        .run()
        .code(2)
        .stderr_has("cannot read spec nope.yaml")
        .stderr_has("hint: run `obsctl init`");
}

#[test]
fn every_service_image_and_port_is_checked_alike() {
    let spec = "alertmanager:\n  image: prom/alertmanager:latest\n  port: 0\n";
    invalid(spec)
        .code(2)
        .stderr_has(
            "warning: obsctl.yaml:2:10: alertmanager.image: `latest` is not a pinned version",
        )
        .stderr_has("obsctl.yaml:3:9: alertmanager.port: port 0 is not a usable host port");
}

#[test]
fn networks_name_existing_application_networks_only() {
    let spec =
        "name: shop\nnetworks: [shop_default, bridge, shop-net, shop_default, \"bad name\"]\n";
    invalid(spec)
        .code(2)
        .stderr_has(
            "obsctl.yaml:2:26: networks[1]: the stack cannot join Docker's `bridge` network",
        )
        .stderr_has("obsctl.yaml:2:34: networks[2]: `shop-net` is the stack's own network")
        .stderr_has("obsctl.yaml:2:44: networks[3]: `shop_default` is listed twice")
        .stderr_has("networks[4]: `bad name` is not a Docker network name")
        .stderr_has("the spec has 4 problems");
}

#[test]
fn fallback_scrape_protocol_takes_the_protocols_prometheus_knows() {
    let spec = "scrape:\n  - job: app\n    targets: [app:8000]\n    fallback_scrape_protocol: PrometheusText\n";
    invalid(spec)
        .code(2)
        .stderr_has("scrape[0].fallback_scrape_protocol: `PrometheusText` is not a scrape protocol")
        .stderr_has("hint: did you mean `PrometheusText0.0.4`? valid values: OpenMetricsText0.0.1, OpenMetricsText1.0.0, PrometheusProto, PrometheusText0.0.4, PrometheusText1.0.0");
}
