//! `obsctl render` for stacks past one host: an edge in agent mode, a central
//! stack that receives remote write from edges, and the remote-write queue
//! settings; each refused setting with its location and hint.

mod support;

use support::Test;

const AGENT: &str = "name: edge\nprometheus:\n  mode: agent\n  external_labels: {site: shop-1}\n  remote_write:\n    - url: http://central.example.com:9090/api/v1/write\n";

fn render(spec: &str) -> (Test, support::Output) {
    let mut t = Test::new().file("obsctl.yaml", spec);
    let out = t.args(&["render", "--out", "out"]).run();
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    (t, out)
}

#[test]
fn an_agent_renders_scraping_and_remote_write_only() {
    let (t, out) = render(AGENT);
    out.code(0);
    let prom = t.read("out/prometheus/prometheus.yml");
    for absent in [
        "rule_files",
        "alerting",
        "evaluation_interval",
        "alertmanager",
    ] {
        assert!(
            !prom.contains(absent),
            "{absent} in an agent's config:\n{prom}"
        );
    }
    assert!(
        prom.contains("remote_write:\n  - url: \"http://central.example.com:9090/api/v1/write\""),
        "{prom}"
    );
    assert!(prom.contains("\"site\": \"shop-1\""), "{prom}");
    for dir in ["out/alertmanager", "out/grafana", "out/prometheus/rules"] {
        assert!(!t.path(dir).exists(), "{dir} rendered for an agent");
    }
}

#[test]
fn an_agent_without_remote_write_is_refused() {
    render("prometheus:\n  mode: agent\n")
        .1
        .code(2)
        .stderr_has("obsctl.yaml:2:9: prometheus.mode: an agent keeps no data to query: it needs at least one `remote_write`")
        .stderr_has("hint: add `remote_write:");
}

#[test]
fn an_unknown_mode_names_the_two_modes() {
    render("prometheus:\n  mode: agnet\n").1.code(2).stderr_has(
        "obsctl.yaml:2:9: prometheus.mode: unknown variant `agnet`, expected `server` or `agent`",
    );
}

#[test]
fn rules_on_an_agent_are_refused_where_they_are_written() {
    let spec = format!(
        "{AGENT}  rule_files: [mine.yml]\nrules:\n  packs:\n    http: true\n    node: false\n  alerts:\n    - alert: Down\n      expr: up == 0\n"
    );
    let (_, out) = render(&spec);
    out.code(2)
        .stderr_has("obsctl.yaml:10:11: rules.packs.http: an agent evaluates no rules, so pack `http` cannot run here")
        .stderr_has("hint: enable the pack on the stack this agent writes to")
        .stderr_has("obsctl.yaml:13:5: rules.alerts: an agent evaluates no rules")
        .stderr_has("obsctl.yaml:7:15: prometheus.rule_files: an agent evaluates no rules");
    assert!(!out.stderr.contains("rules.packs.node"), "{}", out.stderr);
}

#[test]
fn slos_and_watched_batch_jobs_on_an_agent_are_refused_but_probes_are_scraped() {
    let spec = format!(
        "{AGENT}slos:\n  - {{name: api, objective: 99, window: 1d, errors: 'e_total', total: 't_total'}}\nexporters:\n  pushgateway:\n    jobs: [{{job: nightly, max_age: 1d}}]\n"
    );
    render(&spec)
        .1
        .code(2)
        .stderr_has("slos: an agent evaluates no rules, so its SLOs' recording rules and burn-rate alerts cannot run here")
        .stderr_has("exporters.pushgateway.jobs: an agent evaluates no rules, so it cannot watch these jobs' pushes");
    // Probes are scraped and written on like any series; their pack is the
    // receiver's to evaluate.
    let (t, out) = render(&format!(
        "{AGENT}probes:\n  - {{name: site, url: 'http://site:8080/'}}\n"
    ));
    out.code(0);
    assert!(t
        .read("out/prometheus/prometheus.yml")
        .contains("probe-site"));
    assert!(!t.path("out/prometheus/rules/probes.rules.yml").exists());
}

#[test]
fn alertmanager_and_grafana_on_an_agent_are_refused() {
    let (_, out) = render(&format!(
        "{AGENT}alertmanager:\n  enabled: true\ngrafana:\n  enabled: true\n"
    ));
    out.code(2)
        .stderr_has("obsctl.yaml:8:12: alertmanager.enabled: an agent evaluates no rules, so it sends no alerts")
        .stderr_has("obsctl.yaml:10:12: grafana.enabled: an agent answers no queries");
    render(&format!("{AGENT}alertmanager:\n  receivers:\n    - name: team\n"))
        .1
        .code(2)
        .stderr_has("obsctl.yaml:8:12: alertmanager: an agent sends no alerts, so its routes and receivers would never be used")
        .stderr_has("hint: move the `alertmanager:` section");
}

#[test]
fn an_agent_has_no_retention() {
    render(&format!("{AGENT}  retention: 30d\n"))
        .1
        .code(2)
        .stderr_has("obsctl.yaml:7:14: prometheus.retention: an agent keeps samples only until they are sent")
        .stderr_has("sample_age_limit");
}

#[test]
fn queue_settings_are_rendered_as_queue_config() {
    let spec = "prometheus:\n  remote_write:\n    - url: https://mimir.example.com/api/v1/push\n      name: mimir\n      remote_timeout: 10s\n      queue: {capacity: 20000, max_shards: 10, max_samples_per_send: 5000, batch_send_deadline: 10s, sample_age_limit: 1h, retry_on_http_429: true}\n";
    let (t, out) = render(spec);
    out.code(0);
    let prom = t.read("out/prometheus/prometheus.yml");
    assert!(
        prom.contains("    remote_timeout: \"10s\"\n    queue_config:\n      capacity: 20000\n      max_shards: 10\n      max_samples_per_send: 5000\n      batch_send_deadline: \"10s\"\n      retry_on_http_429: true\n      sample_age_limit: \"1h\"\n"),
        "{prom}"
    );
}

#[test]
fn queue_settings_are_checked() {
    let spec = "prometheus:\n  remote_write:\n    - url: http://a/api/v1/write\n      remote_timeout: 0s\n      queue: {capacity: 0, min_shards: 5, max_shards: 2, batch_send_deadline: soon}\n";
    render(spec)
        .1
        .code(2)
        .stderr_has("obsctl.yaml:4:23: prometheus.remote_write[0].remote_timeout: the duration must be longer than 0s")
        .stderr_has("prometheus.remote_write[0].queue.capacity: capacity must be at least 1")
        .stderr_has("prometheus.remote_write[0].queue.min_shards: min_shards 5 is more than max_shards 2")
        .stderr_has("prometheus.remote_write[0].queue.batch_send_deadline: `soon` is not a duration");
}

#[test]
fn a_batch_larger_than_the_queue_and_a_localhost_url_are_warnings() {
    let spec = "prometheus:\n  remote_write:\n    - url: http://localhost:9090/api/v1/write\n      queue: {capacity: 500}\n";
    render(spec)
        .1
        .code(0)
        .stderr_has("prometheus.remote_write[0].url: `localhost` inside the Prometheus container is the container itself")
        .stderr_has("hint: a receiver on this machine is `host.docker.internal:PORT`")
        .stderr_has("prometheus.remote_write[0].queue.max_samples_per_send: batches of 2000 samples never fill a shard of capacity 500");
}

#[test]
fn a_receiver_without_edge_labels_is_warned_that_edges_would_be_summed() {
    render("prometheus:\n  remote_write_receiver: true\n")
        .1
        .code(0)
        .stderr_has("prometheus.remote_write_receiver: the rule packs aggregate by job, so the series of several edges are summed together")
        .stderr_has("edge_labels: [site]");
}

#[test]
fn a_receiver_keeps_edge_labels_in_its_packs_and_filters_its_dashboards() {
    let spec = "prometheus:\n  remote_write_receiver: true\n  edge_labels: [site]\nrules:\n  packs:\n    http: true\n";
    let (t, out) = render(spec);
    out.code(0);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    let http = t.read("out/prometheus/rules/http.rules.yml");
    assert!(
        http.contains("sum by (job, site) (rate(http_requests_total[5m]))"),
        "{http}"
    );
    let dash: serde_json::Value =
        serde_json::from_str(&t.read("out/grafana/dashboards/obsctl/http.json")).unwrap();
    assert_eq!(dash["templating"]["list"][1]["name"], "site");
    let lint = Test::new()
        .args(&[
            "dashboards",
            "lint",
            &t.path("out/grafana/dashboards").to_string_lossy(),
        ])
        .run();
    lint.code(0);
}
