//! An example from examples/ brought up by `obsctl up` on the real Docker
//! engine: the Amani backend's spec as written, with only the stack name,
//! host ports, images (the local test images of tests/images, never pulled)
//! and the application's network replaced (a network the test makes stands
//! in for the application's Compose network, which the stack joins). Every service becomes ready, Prometheus loads and
//! evaluates the example's rule groups with its thresholds, and Grafana (the
//! API stand-in) is provisioned with its dashboard, at the root.
//!
//! The test is `#[ignore]`d: `cargo test -- --include-ignored` (as
//! scripts/test.sh does) runs it, and without a Docker engine it then fails.

#[path = "e2e_support/mod.rs"]
mod e2e;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use e2e::compose::{networks_of, Network};
use e2e::{at_root, poll, require_engine, set_yaml, Stack};
use serde_json::Value as Json;
use serde_yaml::Value as Yaml;

const EXAMPLE: &str = "amani-backend";

/// Dummy values for the environment variables the example's secrets are read from.
const SECRETS: &[(&str, &str)] = &[
    (
        "SLACK_WEBHOOK_URL",
        "https://hooks.slack.com/services/T000/B000/dummy",
    ),
    ("PAGERDUTY_API_KEY", "dummy-pagerduty-key"),
];

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap().filter_map(Result::ok) {
        let target = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The example's spec with this stack's name, free ports, local images and
/// the application's `network`.
fn spec_for(stack: &Stack, example: &str, network: &str) -> String {
    let mut spec: Yaml = serde_yaml::from_str(example).unwrap();
    set_yaml(&mut spec, &["name"], stack.name.clone().into());
    assert_eq!(
        spec["networks"].as_sequence().map(Vec::len),
        Some(1),
        "the example joins one network"
    );
    set_yaml(&mut spec, &["networks"], vec![Yaml::from(network)].into());
    stack.localize(&mut spec);
    serde_yaml::to_string(&spec).unwrap()
}

/// Group names in the rule files `up` rendered.
fn rendered_groups(rules: &Path) -> BTreeSet<String> {
    let mut groups = BTreeSet::new();
    for entry in std::fs::read_dir(rules).unwrap().filter_map(Result::ok) {
        if !entry.path().is_file() {
            continue;
        }
        let doc: Yaml =
            serde_yaml::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
        for g in doc["groups"].as_sequence().into_iter().flatten() {
            groups.insert(g["name"].as_str().unwrap().to_string());
        }
    }
    groups
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn the_amani_backend_example_comes_up_with_its_rules_and_dashboard() {
    require_engine();
    // The secrets' variables must be set for every obsctl run of this test,
    // including `down` when the stack is dropped; this is the only test here.
    for (k, v) in SECRETS {
        std::env::set_var(k, v);
    }
    let network = Network::create(&format!("e2e-example-app-{}", std::process::id()));
    let stack = Stack::new("example");
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(EXAMPLE);
    copy_dir(&source, stack.dir.path());
    let example = std::fs::read_to_string(source.join("obsctl.yaml")).unwrap();
    stack.write_spec(&spec_for(&stack, &example, &network.0));

    let report = stack.up();
    let prometheus = format!("{}-prometheus", stack.name);
    assert!(
        networks_of(&prometheus).contains(&network.0),
        "Prometheus did not join the application's network"
    );
    let services: BTreeSet<&str> = report["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service"].as_str().unwrap())
        .collect();
    assert_eq!(
        services,
        BTreeSet::from(["prometheus", "alertmanager", "grafana", "node-exporter"]),
        "{report}"
    );
    e2e::assert_probed_ready(&report);

    // Every rule group the example renders is loaded, and every rule in it
    // has been evaluated without error.
    let expected: BTreeSet<String> = [
        "obsctl-stack",
        "obsctl-http-recording",
        "obsctl-http",
        "obsctl-database-recording",
        "obsctl-database",
        "obsctl-node-recording",
        "obsctl-node",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(
        rendered_groups(&stack.dir.path().join(".obsctl/prometheus/rules")),
        expected
    );
    let rules: Vec<Json> = poll(
        "every rule of the example loaded and evaluated",
        Duration::from_secs(90),
        || {
            let body = stack.prometheus("/api/v1/rules");
            let groups = body["data"]["groups"].as_array()?.clone();
            let names: BTreeSet<String> = groups
                .iter()
                .filter_map(|g| g["name"].as_str().map(String::from))
                .collect();
            let rules: Vec<Json> = groups
                .iter()
                .flat_map(|g| g["rules"].as_array().cloned().unwrap_or_default())
                .collect();
            (names == expected && rules.iter().all(|r| r["health"] == "ok")).then_some(rules)
        },
    );

    // The guide's thresholds are the ones Prometheus evaluates.
    let rule = |name: &str| {
        rules
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no rule {name}"))
    };
    for (alert, ends_with, severity) in [
        ("HTTPHighErrorRatio", "> 0.05", "critical"),
        ("NodeHighMemoryUsage", "> 90", "warning"),
        ("DatabaseNoActiveConnections", "< 1", "critical"),
    ] {
        let r = rule(alert);
        assert!(
            r["query"].as_str().unwrap().ends_with(ends_with),
            "{alert}: {r}"
        );
        assert_eq!(r["labels"]["severity"], severity, "{alert}: {r}");
    }
    assert!(
        rules.iter().all(|r| r["name"] != "Watchdog"),
        "the example turns the Watchdog off"
    );

    // The example's own dashboard is provisioned next to the built-in ones.
    let out = stack.obsctl(&["dashboards", "list", "--output", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Json = serde_json::from_slice(&out.stdout).unwrap();
    let uids: BTreeSet<&str> = list["dashboards"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["uid"].as_str())
        .collect();
    for uid in [
        "amani-backend",
        "obsctl-overview",
        "obsctl-system",
        "obsctl-self-monitoring",
    ] {
        assert!(uids.contains(uid), "{uid} not in {list}");
    }
    // The example's dashboard lies at the top of its dashboards folder: it is
    // at Grafana's root, and the built-ins are in `obsctl`.
    let amani = stack.dashboard_hit("amani-backend");
    assert!(at_root(&amani), "{amani}");
    let overview = stack.dashboard_hit("obsctl-overview");
    assert_eq!(overview["folderTitle"], "obsctl", "{overview}");
}
