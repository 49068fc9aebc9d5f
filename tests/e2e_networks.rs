//! The stack meets the application where it runs, on the real Docker engine
//! with Compose 1.29: it joins the application's network (`networks:`),
//! scrapes its services by name, leaves the application and its network alone
//! on `down`, and finds it again when the application is recreated.
//!
//! The tests are `#[ignore]`d: `cargo test -- --include-ignored` (as
//! scripts/test.sh does) runs them, and without a Docker engine they then fail.

#[path = "e2e_support/mod.rs"]
mod support;

use std::time::Duration;

use support::compose::{networks_of, running, App, Container};
use support::{docker, poll, require_engine, stdout, Images, Stack};

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn down_volumes_with_a_foreign_container_on_the_stack_network_exits_0_and_removes_the_volumes() {
    require_engine();
    let stack = Stack::new("foreign-endpoint");
    stack.write_spec(&stack.spec(""));
    stack.up();
    let network = format!("{}-net", stack.name);
    // The application joined the stack's network, as obsctl used to ask.
    let app = Container::run(
        &format!("{}-app", stack.name),
        &["--network", &network, &stack.images.app],
    );

    let down = stack.obsctl(&["down", "--volumes"]);
    let stderr = String::from_utf8_lossy(&down.stderr);
    assert!(down.status.success(), "down failed: {stderr}");
    assert!(stack.labelled("container").is_empty());
    assert!(
        stack.labelled("volume").is_empty(),
        "the volumes must go as asked"
    );
    assert!(app.running(), "the foreign container was stopped");
    assert_eq!(app.networks(), [network.as_str()], "it was detached");
    // The network stays while someone else uses it, and down says so.
    assert_eq!(stack.labelled("network"), [network.as_str()]);
    assert!(
        stderr.contains(&network) && stderr.contains(&app.0),
        "{stderr}"
    );

    app.remove();
    let again = stack.obsctl(&["down"]);
    assert!(again.status.success());
    assert!(stack.labelled("network").is_empty(), "{}", stdout(&again));
    assert!(!docker(&["network", "inspect", &network]).status.success());
}

/// The application: `web` serves its metrics with Prometheus' Content-Type
/// at /cgi-bin/metrics on 8080, and is listed in the spec; `worker` (the same
/// program) is only labelled for scraping, on its single exposed port.
fn application(images: &support::Images) -> String {
    format!(
        "version: \"2.4\"\nservices:\n  web:\n    image: {app}\n  worker:\n    image: {app}\n    labels:\n      prometheus.io/scrape: \"true\"\n      prometheus.io/path: /cgi-bin/metrics\n",
        app = images.app
    )
}

/// The discovered target of `job`, once it is up.
fn discovered_up(stack: &Stack, job: &str) -> serde_json::Value {
    poll(
        &format!("discovered target {job} up"),
        Duration::from_secs(30),
        || {
            let targets = stack.prometheus("/api/v1/targets");
            targets["data"]["activeTargets"]
                .as_array()?
                .iter()
                .find(|t| {
                    t["scrapePool"] == "discovered"
                        && t["labels"]["job"] == job
                        && t["health"] == "up"
                })
                .cloned()
        },
    )
}

fn target_health(stack: &Stack, job: &str) -> Option<String> {
    let targets = stack.prometheus("/api/v1/targets");
    targets["data"]["activeTargets"]
        .as_array()?
        .iter()
        .find(|t| t["labels"]["job"] == job)
        .map(|t| t["health"].as_str().unwrap_or_default().to_string())
}

fn wait_until_up(stack: &Stack, job: &str) {
    poll(&format!("target {job} up"), Duration::from_secs(30), || {
        (target_health(stack, job).as_deref() == Some("up")).then_some(())
    });
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn the_stack_joins_the_application_network_and_follows_it_when_the_application_is_recreated() {
    require_engine();
    let app = App::up("join", &application(&Images::get()));
    let stack = Stack::new("join");
    let network = app.network();
    let scrape =
        "scrape:\n  - job: web\n    targets: [\"web:8080\"]\n    metrics_path: /cgi-bin/metrics\n";

    // A network that does not exist stops `up` before anything is created.
    stack.write_spec(&stack.spec(&format!("networks: [{network}x]\n{scrape}")));
    let out = stack.obsctl(&["up", "--pull", "never"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "network `{network}x` listed in `networks:` does not exist"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("did you mean `{network}`?")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("(Compose project `{}`)", app.project)),
        "{stderr}"
    );
    for kind in ["container", "network", "volume"] {
        assert!(stack.labelled(kind).is_empty(), "a {kind} was created");
    }

    // Joined: the application's service is scraped by its Compose name, and
    // the labelled one is found and scraped too.
    stack.write_spec(&stack.spec(&format!("networks: [{network}]\n{scrape}")));
    stack.up();
    wait_until_up(&stack, "web");
    let worker = discovered_up(&stack, "worker");
    let container = app.container("worker");
    assert_eq!(
        worker["labels"]["instance"],
        format!("{container}:8080"),
        "{worker}"
    );
    assert_eq!(worker["labels"]["compose_project"], app.project.as_str());
    assert_eq!(worker["labels"]["compose_service"], "worker");
    assert_eq!(worker["labels"]["container"], container.as_str());
    assert!(
        worker["scrapeUrl"]
            .as_str()
            .unwrap()
            .ends_with("/cgi-bin/metrics"),
        "{worker}"
    );
    assert!(networks_of(&format!("{}-prometheus", stack.name)).contains(&network));
    let again = stack.up();
    assert_eq!(again["changed"], false, "{again}");

    // While the stack is attached, Docker refuses to remove the application's
    // network, so Compose's `down` keeps it and `up` reuses it. When the
    // stack's containers are stopped (a reboot, `docker stop`), Compose makes
    // the network anew under the same name: doctor says so, and the next `up`
    // attaches the stack to the new one.
    let prometheus = format!("{}-prometheus", stack.name);
    assert!(docker(&["stop", "-t", "1", &prometheus]).status.success());
    let old_id = app.network_id().unwrap();
    app.compose_ok(&["down", "-t", "1"]);
    app.compose_ok(&["up", "-d"]);
    assert_ne!(
        app.network_id().unwrap(),
        old_id,
        "Compose made a new network"
    );
    let doctor = stack.obsctl(&["doctor", "--output", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&doctor.stdout).unwrap();
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["group"] == "networks" && c["name"] == network.as_str())
        .unwrap_or_else(|| panic!("no check of {network}: {report}"))
        .clone();
    assert_eq!(check["status"], "fail", "{check}");
    assert!(
        check["hint"].as_str().unwrap().contains("obsctl up"),
        "{check}"
    );

    let report = stack.up();
    let recreated = report["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == "prometheus")
        .unwrap()["action"]
        .clone();
    assert_eq!(recreated, "recreated", "{report}");
    wait_until_up(&stack, "web");
    discovered_up(&stack, "worker");
    assert_eq!(stack.up()["changed"], false);

    // `down --volumes` while the application runs: the stack goes, volumes
    // and all; the application and its network stay as they are.
    let network_id = app.network_id().unwrap();
    let web = app.container("web");
    let down = stack.obsctl(&["down", "--volumes"]);
    assert!(
        down.status.success(),
        "{}",
        String::from_utf8_lossy(&down.stderr)
    );
    for kind in ["container", "network", "volume"] {
        assert!(stack.labelled(kind).is_empty(), "a labelled {kind} is left");
    }
    assert!(running(&web), "the application was stopped");
    assert_eq!(networks_of(&web), [network.as_str()]);
    assert_eq!(app.network_id().as_deref(), Some(network_id.as_str()));
}
