//! How `obsctl dashboards` finds and reaches a Grafana: `--url` with a
//! password or a token, the environment, the stack's own Grafana with its
//! password file — and what it says when it cannot.

mod grafana_support;
mod support;

use grafana_support::*;
use support::Test;

// ------------------------------------------------------------- any Grafana

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_grafana_is_named_with_a_hint() {
    let mut t = Test::new().file("d.json", &simple("d", "D"));
    // A port nothing listens on, reserved from the other tests.
    let lease = support::ports::lease();
    let port = lease.port;
    let url = format!("http://127.0.0.1:{port}");
    t.args(&[
        "dashboards",
        "import",
        "d.json",
        "--url",
        &url,
        "--token",
        TOKEN,
    ])
    .run()
    .code(1)
    .stderr_has(&format!("cannot reach Grafana at {url}/api/datasources"))
    .stderr_has("hint: check --url");
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_credentials_stop_before_any_dashboard_with_a_hint() {
    let mut s = Setup::new()
        .await
        .file("d/a.json", &simple("a", "A"))
        .file("d/b.json", &simple("b", "B"));
    let url = s.url();
    s.t.args(&[
        "dashboards",
        "import",
        "d",
        "--url",
        &url,
        "--user",
        USER,
        "--password",
        "wrong",
    ])
    .run()
    .code(1)
    .stderr_has("answered HTTP 401: Invalid username or password")
    .stderr_has("hint: check --user and --password");
    assert_eq!(s.grafana.request_count("GET", "/api/dashboards/uid/a"), 0);
    assert_eq!(s.saves(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_viewer_token_stops_at_the_first_save_with_a_hint_about_roles() {
    let mut s = Setup::new().await;
    for i in 0..20 {
        s = s.file(
            &format!("d/{i}.json"),
            &simple(&format!("d{i}"), &format!("D {i}")),
        );
    }
    let url = s.url();
    s.t.args(&[
        "dashboards",
        "import",
        "d",
        "--url",
        &url,
        "--token",
        VIEWER_TOKEN,
        "--concurrency",
        "2",
    ])
    .run()
    .code(1)
    .stderr_has("answered HTTP 403")
    .stderr_has("hint: these credentials may not save dashboards");
    assert!(s.saves() <= 2, "{} saves were tried", s.saves());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_works_like_a_password() {
    let mut s = Setup::new().await.file("d.json", &simple("d", "D"));
    let url = s.url();
    s.t.args(&[
        "dashboards",
        "import",
        "d.json",
        "--url",
        &url,
        "--token",
        TOKEN,
    ])
    .run()
    .code(0)
    .stdout_has("created");
    assert!(s.grafana.dashboard("d").is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_connection_can_come_from_the_environment() {
    let s = Setup::new().await.file("d.json", &simple("d", "D"));
    let url = s.url();
    let mut t =
        s.t.env("OBSCTL_GRAFANA_URL", &url)
            .env("OBSCTL_GRAFANA_TOKEN", TOKEN);
    t.args(&["dashboards", "import", "d.json"]).run().code(0);
    assert!(s.grafana.dashboard("d").is_some());
}

// -------------------------------------------------------- the stack's Grafana

#[tokio::test(flavor = "multi_thread")]
async fn without_url_the_stacks_grafana_admin_and_password_file_are_used() {
    let s = Setup::new().await;
    let port = s.grafana.addr().port();
    let mut s = s
        .file(
            "obsctl.yaml",
            &format!("name: shop\nbind: 0.0.0.0\ngrafana:\n  port: {port}\n  admin_user: {USER}\n"),
        )
        .file(".obsctl/grafana-admin-password", &format!("{PASSWORD}\n"))
        .file("node.json", EXPORTED);
    s.t.args(&["dashboards", "import", "node.json"])
        .run()
        .code(0)
        .stderr_has(&format!(
            "into http://127.0.0.1:{port} (Prometheus datasource `obsctl-prometheus`"
        ));
    assert_eq!(
        s.stored("node-exporter-full")["panels"][0]["datasource"]["uid"],
        "obsctl-prometheus"
    );
    assert!(s.t.path(".obsctl/grafana-dashboards.json").is_file());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stacks_grafana_is_found_without_the_specs_secrets_being_set() {
    let s = Setup::new().await;
    let port = s.grafana.addr().port();
    let spec = format!(
        "name: shop\ngrafana:\n  port: {port}\n  admin_user: {USER}\nprometheus:\n  remote_write:\n    - url: https://mimir.example.com/api/v1/push\n      basic_auth: {{username: t, password: {{env: OBSCTL_TEST_UNSET_SECRET}}}}\n"
    );
    let mut s = s
        .file("obsctl.yaml", &spec)
        .file(".obsctl/grafana-admin-password", PASSWORD)
        .file("d.json", &simple("d", "D"));
    s.t.args(&["dashboards", "import", "d.json"]).run().code(0);
    s.t.args(&["dashboards", "list"])
        .run()
        .code(0)
        .stdout_has("d    D      General  1");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_url_a_missing_password_file_says_to_run_up() {
    let mut t = Test::new()
        .file("obsctl.yaml", "name: shop\n")
        .file("d.json", &simple("d", "D"));
    t.args(&["dashboards", "import", "d.json"])
        .run()
        .code(2)
        .stderr_has("cannot read the Grafana admin password from")
        .stderr_has("hint: run `obsctl up` first");
}
