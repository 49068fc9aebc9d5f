//! `obsctl init`: writing a spec, with and without prompts.

mod support;
use support::Test;

#[test]
fn init_yes_writes_a_valid_minimal_spec_and_user_folders() {
    let mut t = Test::new();
    t.args(&["init", "--yes", "--name", "shop"])
        .run()
        .code(0)
        .stderr_has("wrote obsctl.yaml for stack `shop`");
    let spec = t.read("obsctl.yaml");
    assert!(spec.contains("name: \"shop\""), "{spec}");
    assert!(t.path("rules/README.md").is_file());
    assert!(t.path("dashboards/README.md").is_file());
    t.args(&["validate"])
        .run()
        .code(0)
        .stderr_has("obsctl.yaml is valid: stack `shop`");
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let mut t = Test::new().file("obsctl.yaml", "name: mine\n");
    t.args(&["init", "--yes"])
        .run()
        .code(2)
        .stderr_has("error: obsctl.yaml already exists")
        .stderr_has("hint: pass --force");
    assert_eq!(
        t.read("obsctl.yaml"),
        "name: mine\n",
        "the existing file is untouched"
    );
    t.args(&["init", "--yes", "--force"]).run().code(0);
    assert_ne!(t.read("obsctl.yaml"), "name: mine\n");
}

#[test]
fn init_without_a_terminal_and_without_yes_fails_with_a_hint_instead_of_hanging() {
    let mut t = Test::new().stdin("\n\n\n");
    t.args(&["init"])
        .run()
        .code(2)
        .stderr_has("stdin is not a terminal")
        .stderr_has("hint: pass --yes");
    assert!(!t.path("obsctl.yaml").exists());
}

#[test]
fn init_fastapi_preset_with_flags_renders_once_its_secrets_are_set() {
    let mut t = Test::new();
    t.args(&[
        "init",
        "--yes",
        "--preset",
        "fastapi",
        "--name",
        "api",
        "--scrape",
        "web=host.docker.internal:9000/api/metrics",
        "--pack",
        "ai",
    ])
    .run()
    .code(0)
    .stderr_has(
        "before `obsctl up`, set: SLACK_WEBHOOK_URL, PAGERDUTY_ROUTING_KEY, POSTGRES_PASSWORD",
    );
    let spec = t.read("obsctl.yaml");
    assert!(spec.contains("metrics_path: \"/api/metrics\""), "{spec}");
    assert!(spec.contains("ai: true"), "{spec}");
    // Without the secrets, render names the first missing variable.
    t.args(&["render"])
        .run()
        .code(2)
        .stderr_has("environment variable SLACK_WEBHOOK_URL is not set");
    let mut t = t
        .env(
            "SLACK_WEBHOOK_URL",
            "https://hooks.slack.com/services/T/B/x",
        )
        .env("PAGERDUTY_ROUTING_KEY", "r0uting")
        .env("POSTGRES_PASSWORD", "pg-pass");
    t.args(&["render"]).run().code(0);
    let prom = t.read(".obsctl/prometheus/prometheus.yml");
    assert!(
        prom.contains("job_name: \"web\"") && prom.contains("metrics_path: \"/api/metrics\""),
        "{prom}"
    );
    assert!(t.path(".obsctl/prometheus/rules/ai.rules.yml").is_file());
}

#[test]
fn a_scrape_flag_for_a_job_of_the_preset_says_where_it_is_and_the_spec_validates() {
    // Regression: `--scrape api=...` with the fastapi preset, whose `api`
    // job it is, wrote the job twice and an invalid spec.
    let mut t = Test::new()
        .env(
            "SLACK_WEBHOOK_URL",
            "https://hooks.slack.com/services/T/B/x",
        )
        .env("PAGERDUTY_ROUTING_KEY", "r0uting")
        .env("POSTGRES_PASSWORD", "pg-pass");
    t.args(&[
        "init",
        "--yes",
        "--preset",
        "fastapi",
        "--scrape",
        "api=backend:8000/api/v1/metrics",
    ])
    .run()
    .code(0);
    let spec = t.read("obsctl.yaml");
    assert_eq!(spec.matches("- job: \"api\"").count(), 1, "{spec}");
    assert!(spec.contains("targets: [\"backend:8000\"]"), "{spec}");
    t.args(&["validate"]).run().code(0);
    t.args(&["init", "--yes", "--force", "--scrape", "grafana=g:3000"])
        .run()
        .code(2)
        .stderr_has("--scrape: job `grafana` is one obsctl scrapes for the stack itself");
}

#[test]
fn init_names_unknown_presets_and_packs() {
    let mut t = Test::new();
    t.args(&["init", "--yes", "--preset", "django"])
        .run()
        .code(2)
        .stderr_has("no preset named `django`")
        .stderr_has("presets: minimal, fastapi");
    t.args(&["init", "--yes", "--pack", "kafka"])
        .run()
        .code(2)
        .stderr_has("no rule pack named `kafka`");
    t.args(&["init", "--yes", "--scrape", "api"])
        .run()
        .code(2)
        .stderr_has("is not JOB=HOST:PORT[/PATH]");
}
