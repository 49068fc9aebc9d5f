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
    // Only the stack's lock, taken before Docker is asked, is there.
    let left: Vec<String> = std::fs::read_dir(t.path(".obsctl"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, [".obsctl-lock"], "nothing is rendered");
}

#[test]
fn doctor_reports_docker_as_a_failed_check_and_still_compares_the_rendered_files() {
    let mut t = Test::new().env("DOCKER_HOST", "unix:///nonexistent/obsctl-test.sock");
    let out = t.args(&["doctor", "--output", "json"]).run();
    out.code(1);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let check = |group: &str, name: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["group"] == group && c["name"] == name)
            .unwrap_or_else(|| panic!("no {group} {name} check: {report}"))
            .clone()
    };
    let docker = check("docker", "engine");
    assert_eq!(docker["status"], "fail", "{docker}");
    assert!(
        docker["detail"]
            .as_str()
            .unwrap()
            .contains("unix:///nonexistent/obsctl-test.sock"),
        "{docker}"
    );
    // Comparing the spec with the rendered files needs no engine: it ran,
    // and found nothing rendered in this fresh folder.
    let files = check("spec", "rendered files");
    assert_eq!(files["status"], "warn", "{files}");
    assert_eq!(
        files["detail"], "nothing is rendered in ./.obsctl",
        "{files}"
    );
    assert_eq!(report["healthy"], false);
}

#[test]
fn doctor_refuses_an_invalid_spec_with_exit_2_before_it_needs_docker() {
    let mut t = Test::new()
        .env("DOCKER_HOST", "unix:///nonexistent/obsctl-test.sock")
        .file("obsctl.yaml", "name: x\nprometheus:\n  retension: 1d\n");
    let out = t.args(&["doctor", "--output", "json"]).run();
    out.code(2)
        .stderr_has("obsctl.yaml:3:3: prometheus: unknown field `retension`")
        .stderr_has("hint: did you mean `retention`?");
    assert_eq!(out.stdout, "");
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
