//! What Prometheus 3.5 and Alertmanager 0.28 refuse, caught by `validate`
//! and `render` with the field's location, or rendered the way they accept:
//! targets without a proper Content-Type, experimental PromQL functions,
//! webhook URLs as secret files, and quoted matcher values.

mod support;
use support::{service_answering, Test};

// ---- fallback_scrape_protocol -------------------------------------------

#[test]
fn a_fallback_scrape_protocol_is_rendered_into_its_job() {
    let spec = "scrape:\n  - job: legacy\n    targets: [\"legacy:8080\"]\n    fallback_scrape_protocol: PrometheusText0.0.4\n  - job: api\n    targets: [\"api:8000\"]\n";
    let mut t = Test::new().file("obsctl.yaml", spec);
    t.args(&["render", "--out", "out"]).run().code(0);
    let yml = t.read("out/prometheus/prometheus.yml");
    let legacy = yml.split("job_name: \"legacy\"").nth(1).unwrap();
    let legacy = legacy.split("- job_name").next().unwrap();
    assert!(
        legacy.contains("fallback_scrape_protocol: \"PrometheusText0.0.4\""),
        "{yml}"
    );
    // Only the job that asks for it among the spec's jobs (the job of the
    // label-discovered targets sets its own).
    let api = yml.split("job_name: \"api\"").nth(1).unwrap();
    let api = api.split("- job_name").next().unwrap();
    assert!(!api.contains("fallback_scrape_protocol"), "{yml}");
}

#[test]
fn a_wrong_fallback_scrape_protocol_is_located_and_the_nearest_suggested() {
    let spec = "scrape:\n  - job: legacy\n    targets: [\"legacy:8080\"]\n    fallback_scrape_protocol: PrometheusText0.0.5\n";
    let mut t = Test::new().file("obsctl.yaml", spec);
    t.args(&["validate"])
        .run()
        .code(2)
        .stderr_has("obsctl.yaml:4:31: scrape[0].fallback_scrape_protocol: `PrometheusText0.0.5` is not a scrape protocol Prometheus knows")
        .stderr_has("hint: did you mean `PrometheusText0.0.4`? valid values: OpenMetricsText0.0.1, OpenMetricsText1.0.0, PrometheusProto, PrometheusText0.0.4, PrometheusText1.0.0");
}

#[test]
fn a_fallback_scrape_protocol_far_from_every_value_lists_them() {
    let spec = "scrape:\n  - job: legacy\n    targets: [\"legacy:8080\"]\n    fallback_scrape_protocol: text\n";
    let out = Test::new()
        .file("obsctl.yaml", spec)
        .args(&["validate"])
        .run();
    out.code(2)
        .stderr_has("scrape[0].fallback_scrape_protocol: `text` is not a scrape protocol")
        .stderr_has("hint: valid values: OpenMetricsText0.0.1,");
    assert!(!out.stderr.contains("did you mean"), "{}", out.stderr);
}

#[test]
fn init_gives_a_service_without_a_content_type_the_fallback_protocol() {
    let port = service_answering("HTTP/1.1 200 OK");
    let mut t = Test::new();
    let out = t
        .args(&[
            "init",
            "--yes",
            "--name",
            "shop",
            "--scrape",
            &format!("legacy=127.0.0.1:{port}/metrics"),
        ])
        .run();
    out.code(0).stderr_has(&format!(
        "job `legacy`: 127.0.0.1:{port}/metrics answers with no Content-Type, which Prometheus 3 refuses; the job gets `fallback_scrape_protocol: PrometheusText0.0.4`"
    ));
    let spec = t.read("obsctl.yaml");
    assert!(
        spec.contains("fallback_scrape_protocol: \"PrometheusText0.0.4\""),
        "{spec}"
    );
    t.args(&["validate"]).run().code(0);
}

#[test]
fn init_leaves_a_service_with_a_proper_content_type_alone() {
    let port = service_answering("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4");
    let mut t = Test::new();
    let out = t
        .args(&[
            "init",
            "--yes",
            "--scrape",
            &format!("api=127.0.0.1:{port}/metrics"),
        ])
        .run();
    out.code(0);
    assert!(!out.stderr.contains("job `api`"), "{}", out.stderr);
    assert!(!t
        .read("obsctl.yaml")
        .contains("fallback_scrape_protocol: \""));
}

#[test]
fn init_gives_an_unsupported_content_type_the_fallback_too() {
    let port = service_answering("HTTP/1.1 200 OK\r\nContent-Type: application/json");
    let mut t = Test::new();
    t.args(&[
        "init",
        "--yes",
        "--scrape",
        &format!("json=127.0.0.1:{port}/metrics"),
    ])
    .run()
    .code(0)
    .stderr_has("answers with an unsupported Content-Type `application/json`");
    assert!(t
        .read("obsctl.yaml")
        .contains("fallback_scrape_protocol: \"PrometheusText0.0.4\""));
}

#[test]
fn init_says_when_it_cannot_look_at_a_service() {
    // Nothing listens on a port just freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut t = Test::new();
    t.args(&[
        "init",
        "--yes",
        "--scrape",
        &format!("api=host.docker.internal:{port}/metrics"),
    ])
    .run()
    .code(0)
    .stderr_has(&format!(
        "job `api`: could not look at http://127.0.0.1:{port}/metrics from here (connection refused)"
    ));
    let spec = t.read("obsctl.yaml");
    assert!(!spec.contains("fallback_scrape_protocol: \""), "{spec}");
    assert!(
        spec.contains(&format!("targets: [\"host.docker.internal:{port}\"]")),
        "{spec}"
    );
}

// ---- Experimental PromQL functions ---------------------------------------

const SORTED_ALERT: &str =
    "rules:\n  alerts:\n    - alert: Sorted\n      expr: 'sort_by_label(up, \"job\") == 0'\n";

#[test]
fn an_inline_alert_with_an_experimental_function_is_refused_naming_it() {
    let mut t = Test::new().file("obsctl.yaml", SORTED_ALERT);
    t.args(&["validate"])
        .run()
        .code(2)
        .stderr_has("obsctl.yaml:4:13: rules.alerts[0].expr: `sort_by_label` is an experimental PromQL function: Prometheus 3.5 refuses to load a rule that uses it")
        .stderr_has("hint: Prometheus 3.5 runs experimental functions only with --enable-feature=promql-experimental-functions: set `prometheus: {enable_features: [promql-experimental-functions]}` in the spec");
    t.args(&["render"]).run().code(2);
    assert!(!t.path(".obsctl").exists(), "nothing is rendered");
}

#[test]
fn enabling_experimental_functions_lets_the_alert_through() {
    let spec =
        format!("prometheus:\n  enable_features: [promql-experimental-functions]\n{SORTED_ALERT}");
    let mut t = Test::new().file("obsctl.yaml", &spec);
    t.args(&["render", "--out", "out"]).run().code(0);
    let rules = t.read("out/prometheus/rules/custom.rules.yml");
    assert!(rules.contains("sort_by_label(up, \"job\") == 0"), "{rules}");
}

#[test]
fn an_experimental_aggregator_in_a_user_rule_file_is_located_there() {
    let rules = "groups:\n  - name: app\n    rules:\n      - alert: Few\n        expr: limitk(1, up) == 0\n";
    let mut t = Test::new()
        .file("obsctl.yaml", "prometheus:\n  rule_files: [rules/*.yml]\n")
        .file("rules/app.yml", rules);
    t.args(&["validate"])
        .run()
        .code(2)
        .stderr_has("rules/app.yml:5:15: groups[0].rules[0].expr: `limitk` is an experimental PromQL function")
        .stderr_has("enable_features: [promql-experimental-functions]");
}

#[test]
fn a_function_prometheus_3_5_does_not_have_is_refused() {
    let spec = "rules:\n  alerts:\n    - alert: Early\n      expr: first_over_time(up[5m]) == 0\n";
    Test::new()
        .file("obsctl.yaml", spec)
        .args(&["validate"])
        .run()
        .code(2)
        .stderr_has("obsctl.yaml:4:13: rules.alerts[0].expr: `first_over_time` is not a function Prometheus 3.5 knows");
}

#[test]
fn an_unknown_feature_flag_is_located_with_the_nearest_suggested() {
    let spec = "prometheus:\n  enable_features: [promql-experimental-functions, promql-experimental-function, agent]\n";
    Test::new()
        .file("obsctl.yaml", spec)
        .args(&["validate"])
        .run()
        .code(2)
        .stderr_has("obsctl.yaml:2:52: prometheus.enable_features[1]: `promql-experimental-function` is not a feature flag Prometheus 3.5 knows")
        .stderr_has("hint: did you mean `promql-experimental-functions`? Prometheus 3.5 knows: auto-reload-config,")
        .stderr_has("prometheus.enable_features[2]: `agent` is a feature flag of Prometheus 2 that Prometheus 3 no longer has");
}

// ---- Alertmanager: webhook secrets and matchers -------------------------

const HOOK_URL: &str = "https://hooks.example.com/services/t0ken-s3cr3t";

#[test]
fn a_webhook_url_secret_is_a_private_url_file_never_inlined() {
    use std::os::unix::fs::PermissionsExt;
    let mut t = Test::new()
        .fixture("awkward-alertmanager")
        .env("OBSCTL_TEST_HOOK_URL", HOOK_URL);
    let out = t.args(&["render", "--out", "out"]).run();
    out.code(0);
    assert!(!out.stdout.contains("s3cr3t") && !out.stderr.contains("s3cr3t"));
    let am = t.read("out/alertmanager/alertmanager.yml");
    assert!(!am.contains("s3cr3t"), "the URL is inlined:\n{am}");
    assert!(
        am.contains("- url_file: \"/etc/alertmanager/secrets/webhook-hook\""),
        "{am}"
    );
    let mode = |rel: &str| std::fs::metadata(t.path(rel)).unwrap().permissions().mode() & 0o777;
    assert_eq!(t.read("out/alertmanager/secrets/webhook-hook"), HOOK_URL);
    assert_eq!(mode("out/alertmanager/secrets/webhook-hook"), 0o600);
    assert_eq!(mode("out/alertmanager/alertmanager.yml"), 0o644);
}

#[test]
fn every_matcher_value_is_rendered_quoted() {
    let mut t = Test::new()
        .fixture("awkward-alertmanager")
        .env("OBSCTL_TEST_HOOK_URL", HOOK_URL);
    t.args(&["render", "--out", "out"]).run().code(0);
    let am: serde_yaml::Value =
        serde_yaml::from_str(&t.read("out/alertmanager/alertmanager.yml")).unwrap();
    let strings = |v: &serde_yaml::Value| -> Vec<String> {
        v.as_sequence()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap().to_string())
            .collect()
    };
    let routes = am["route"]["routes"].as_sequence().unwrap();
    assert_eq!(
        strings(&routes[0]["matchers"]),
        [r#"alertname="Disk Full""#, r#"team="say \"hi\"""#]
    );
    assert_eq!(
        strings(&routes[1]["matchers"]),
        [
            r#"path=~"C:\\\\dir\\\\.*""#,
            r#"expr="a=b{c}""#,
            "city=\"München ✓\"",
            r#"alertname="Disk Full""#
        ]
    );
    let inhibit = &am["inhibit_rules"][0];
    assert_eq!(
        strings(&inhibit["source_matchers"]),
        [r#"severity="critical {page}""#]
    );
    assert_eq!(
        strings(&inhibit["target_matchers"]),
        [r#"severity="warn \"low\"""#, r#""team name"="db""#]
    );
}

#[test]
fn a_malformed_matcher_is_located() {
    let spec = "alertmanager:\n  route:\n    receiver: r\n    routes:\n      - matchers: ['severity=\"critical']\n        receiver: r\n  receivers:\n    - name: r\n";
    Test::new()
        .file("obsctl.yaml", spec)
        .args(&["validate"])
        .run()
        .code(2)
        .stderr_has("obsctl.yaml:5:20: alertmanager.route.routes[0].matchers[0]: `severity=\"critical`: the quoted value is not terminated");
}
