//! Snapshots of rendered files: any change to what obsctl writes shows up as a
//! reviewed diff (`cargo insta review`).

mod support;
use support::Test;

fn rendered(mut t: Test, files: &[&str]) -> Vec<(String, String)> {
    t.args(&["render", "--out", "out"]).run().code(0);
    files
        .iter()
        .map(|f| (f.to_string(), t.read(&format!("out/{f}"))))
        .collect()
}

#[test]
fn default_stack() {
    for (file, text) in rendered(
        Test::new(),
        &[
            "prometheus/prometheus.yml",
            "alertmanager/alertmanager.yml",
            "grafana/provisioning/datasources/obsctl.yml",
            "grafana/provisioning/dashboards/obsctl.yml",
        ],
    ) {
        insta::assert_snapshot!(format!("default__{}", file.replace('/', "__")), text);
    }
}

#[test]
fn full_spec() {
    let mut t = Test::new().fixture("full");
    for (k, v) in [
        ("OBSCTL_FULL_REMOTE_PASSWORD", "rw-pass"),
        (
            "OBSCTL_FULL_SLACK_WEBHOOK",
            "https://hooks.slack.com/services/T/B/x",
        ),
        ("OBSCTL_FULL_PAGERDUTY_KEY", "pd-key"),
        ("OBSCTL_FULL_SMTP_PASSWORD", "smtp-pass"),
        ("OBSCTL_FULL_SCRAPE_PASSWORD", "scrape-pass"),
        ("OBSCTL_FULL_PG_PASSWORD", "pg-pass"),
    ] {
        t = t.env(k, v);
    }
    for (file, text) in rendered(
        t,
        &[
            "prometheus/prometheus.yml",
            "alertmanager/alertmanager.yml",
            "prometheus/rules/custom.rules.yml",
            "prometheus/rules/slos.rules.yml",
            "prometheus/rules/pushgateway.rules.yml",
            "exporters/blackbox-exporter/blackbox.yml",
            "grafana/dashboards/team/exported.json",
        ],
    ) {
        insta::assert_snapshot!(format!("full__{}", file.replace('/', "__")), text);
    }
}

#[test]
fn init_presets() {
    for preset in ["minimal", "fastapi"] {
        let mut t = Test::new();
        t.args(&["init", "--yes", "--name", "demo", "--preset", preset])
            .run()
            .code(0);
        insta::assert_snapshot!(format!("init__{preset}"), t.read("obsctl.yaml"));
    }
}
