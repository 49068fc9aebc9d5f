//! Commands that need Docker, when no engine answers: a clear error naming the
//! socket, a hint, and the documented exit code.

mod support;
use support::Test;

#[test]
fn up_names_the_socket_and_exits_2_without_creating_anything() {
    let mut t = Test::new().env("DOCKER_HOST", "unix:///nonexistent/obsctl-test.sock");
    t.args(&["up", "--pull", "never"])
        .run()
        .code(2)
        .stderr_has("cannot reach the Docker engine at unix:///nonexistent/obsctl-test.sock")
        .stderr_has("hint:");
}

#[test]
fn doctor_reports_docker_as_a_failed_check_and_still_checks_the_spec() {
    let mut t = Test::new().env("DOCKER_HOST", "unix:///nonexistent/obsctl-test.sock");
    let out = t.args(&["doctor", "--output", "json"]).run();
    out.code(1);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let docker = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["group"] == "docker")
        .unwrap();
    assert_eq!(docker["status"], "fail", "{docker}");
    assert!(
        docker["detail"]
            .as_str()
            .unwrap()
            .contains("unix:///nonexistent/obsctl-test.sock"),
        "{docker}"
    );
    let spec = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "spec")
        .unwrap();
    assert_eq!(spec["status"], "ok");
}

#[test]
fn watch_needs_no_secret_but_an_engine() {
    // Watch only hands targets over: a secret's variable unset where it runs
    // (a service manager's environment) does not stop it; a missing engine does.
    let spec = "exporters:\n  postgres:\n    address: db:5432\n    user: monitor\n    password: {env: OBSCTL_TEST_UNSET_PG_PASSWORD}\n";
    let mut t = Test::new()
        .file("obsctl.yaml", spec)
        .env("DOCKER_HOST", "unix:///nonexistent/obsctl-test.sock");
    t.args(&["watch"])
        .run()
        .code(2)
        .stderr_has("cannot reach the Docker engine at unix:///nonexistent/obsctl-test.sock");
}
