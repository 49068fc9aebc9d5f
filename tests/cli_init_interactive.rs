//! `obsctl init` on a terminal: the prompts, driven through a pseudo-terminal.

use std::process::Command;

use rexpect::session::{spawn_command, PtySession};

/// `obsctl init` on a pseudo-terminal in `dir`.
fn init_in(dir: &std::path::Path) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_obsctl"));
    cmd.arg("init")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    spawn_command(cmd, Some(20_000)).unwrap()
}

#[test]
fn init_asks_its_questions_on_a_terminal_and_writes_the_answers() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = init_in(dir.path());
    p.exp_string("Stack name").unwrap();
    p.send_line("shop").unwrap();
    p.exp_string("Start from").unwrap();
    p.send_line("").unwrap(); // minimal
    p.exp_string("Look at the containers running here").unwrap();
    p.send_line("n").unwrap();
    p.exp_string("Add a service of yours to scrape?").unwrap();
    p.send_line("y").unwrap();
    p.exp_string("job name").unwrap();
    p.send_line("api").unwrap();
    p.exp_string("address").unwrap();
    p.send_line("").unwrap(); // default host.docker.internal:8000
    p.exp_string("metrics path").unwrap();
    p.send_line("").unwrap(); // default /metrics
    p.exp_string("Add a service of yours to scrape?").unwrap();
    p.send_line("n").unwrap();
    p.exp_string("Rule packs").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Where should alerts go?").unwrap();
    p.send("\x1b[B\x1b[B").unwrap(); // down twice: Slack
    p.send_line("").unwrap();
    p.exp_string("wrote obsctl.yaml for stack `shop`").unwrap();
    p.exp_eof().unwrap();

    let spec = std::fs::read_to_string(dir.path().join("obsctl.yaml")).unwrap();
    assert!(spec.contains("name: \"shop\""), "{spec}");
    assert!(
        spec.contains("targets: [\"host.docker.internal:8000\"]"),
        "{spec}"
    );
    assert!(
        spec.contains("webhook_url: {env: SLACK_WEBHOOK_URL}"),
        "{spec}"
    );
}

#[test]
fn a_service_added_to_the_fastapi_preset_gets_a_job_name_of_its_own() {
    // Regression: the default job name was `api`, which the preset has.
    let dir = tempfile::tempdir().unwrap();
    let mut p = init_in(dir.path());
    p.exp_string("Stack name").unwrap();
    p.send_line("shop").unwrap();
    p.exp_string("Start from").unwrap();
    p.send("\x1b[B").unwrap(); // down once: fastapi
    p.send_line("").unwrap();
    p.exp_string("Look at the containers running here").unwrap();
    p.send_line("n").unwrap();
    p.exp_string("Add a service of yours to scrape?").unwrap();
    p.send_line("y").unwrap();
    p.exp_string("job name").unwrap();
    p.send_line("").unwrap(); // the default
    p.exp_string("address").unwrap();
    p.send_line("").unwrap();
    p.exp_string("metrics path").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Add a service of yours to scrape?").unwrap();
    p.send_line("n").unwrap();
    p.exp_string("Rule packs").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Where should alerts go?").unwrap();
    p.send_line("").unwrap();
    p.exp_string("wrote obsctl.yaml for stack `shop`").unwrap();
    p.exp_eof().unwrap();

    let spec = std::fs::read_to_string(dir.path().join("obsctl.yaml")).unwrap();
    assert!(spec.contains("- job: \"api-2\""), "{spec}");
    let out = Command::new(env!("CARGO_BIN_EXE_obsctl"))
        .arg("validate")
        .current_dir(dir.path())
        .env(
            "SLACK_WEBHOOK_URL",
            "https://hooks.slack.com/services/T/B/x",
        )
        .env("PAGERDUTY_ROUTING_KEY", "r0uting")
        .env("POSTGRES_PASSWORD", "pg-pass")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{spec}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
