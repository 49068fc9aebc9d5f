//! `obsctl up`, `down` and `status` against a real Docker engine, with the
//! local images of tests/images (never pulled). Each test runs its own stack
//! (unique name, free ports) so the tests can run in parallel, and removes it
//! when it ends.
//!
//! The tests are `#[ignore]`d: `cargo test -- --include-ignored` (as
//! scripts/test.sh does) runs them, and without a Docker engine they then fail.

#[path = "e2e_support/mod.rs"]
mod support;

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use serde_json::Value;
use support::{docker, poll, require_engine, stdout, Stack, Untag};

fn actions(report: &Value) -> Vec<(String, String)> {
    report["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["service"].as_str().unwrap().to_string(),
                s["action"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn up_from_nothing_brings_every_service_up_scraped_by_container_name_on_loopback_only() {
    require_engine();
    let stack = Stack::new("fresh");
    // Exporters with secrets: their password files must reach containers
    // running as other users (65534, 59000) while staying 0600.
    std::fs::write(stack.dir.path().join("pg-password"), "pg-secret\n").unwrap();
    std::fs::write(stack.dir.path().join("redis-password"), "redis-secret\n").unwrap();
    let i = &stack.images;
    // postgres_exporter takes about a second to answer when its database is
    // unreachable, so this stack scrapes with a longer timeout.
    let spec = stack.spec(&format!(
        "exporters:\n  node: {{image: {}}}\n  postgres: {{image: {}, address: 'host.docker.internal:5432', user: monitor, password: {{file: pg-password}}}}\n  redis: {{image: {}, address: 'host.docker.internal:6379', password: {{file: redis-password}}}}\n",
        i.node_exporter, i.postgres_exporter, i.redis_exporter
    ));
    stack.write_spec(&spec.replace(
        "scrape_interval: 1s\n  scrape_timeout: 1s",
        "scrape_interval: 3s\n  scrape_timeout: 3s",
    ));

    let report = stack.up();
    for service in [
        "node-exporter",
        "postgres-exporter",
        "redis-exporter",
        "alertmanager",
        "prometheus",
        "grafana",
    ] {
        assert!(
            actions(&report).contains(&(service.into(), "created".into())),
            "{service} not created: {report}"
        );
    }
    support::assert_probed_ready(&report);

    // Prometheus scrapes itself and Alertmanager through their container names.
    for (job, target) in [
        ("prometheus", "prometheus:9090"),
        ("alertmanager", "alertmanager:9093"),
        ("node", "node-exporter:9100"),
        ("postgres", "postgres-exporter:9187"),
        ("redis", "redis-exporter:9121"),
    ] {
        let container = format!("{}-{target}", stack.name);
        poll(&format!("target {job} up"), Duration::from_secs(60), || {
            let targets = stack.prometheus("/api/v1/targets");
            targets["data"]["activeTargets"]
                .as_array()?
                .iter()
                .find(|t| {
                    t["labels"]["job"] == job
                        && t["health"] == "up"
                        && t["scrapeUrl"]
                            .as_str()
                            .is_some_and(|u| u.contains(&container))
                })
                .cloned()
        });
    }

    // Every published port is bound to 127.0.0.1 only.
    for (service, id) in stack.container_ids() {
        let bindings = stdout(&docker(&[
            "inspect",
            "-f",
            "{{json .HostConfig.PortBindings}}",
            &id,
        ]));
        let bindings: Value = serde_json::from_str(&bindings).unwrap();
        for binding in bindings.as_object().into_iter().flat_map(|m| m.values()) {
            for b in binding.as_array().unwrap() {
                assert_eq!(b["HostIp"], "127.0.0.1", "{service}: {bindings}");
            }
        }
        let labels = stdout(&docker(&["inspect", "-f", "{{json .Config.Labels}}", &id]));
        assert!(labels.contains("dev.obsctl.hash"), "{service}: {labels}");
    }

    // Alertmanager runs single-node: no cluster to gossip with or wait for.
    let url = format!("http://127.0.0.1:{}/api/v2/status", stack.alertmanager_port);
    let am = match support::http_get(&url) {
        Some((200, body)) => serde_json::from_str::<Value>(&body).unwrap(),
        other => panic!("GET {url}: {other:?}"),
    };
    assert_eq!(am["cluster"]["status"], "disabled", "{am}");

    let password = stack.dir.path().join(".obsctl/grafana-admin-password");
    let mode = std::fs::metadata(&password).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(std::fs::read_to_string(&password).unwrap().trim().len() >= 24);

    let status = stack.obsctl(&["status", "--output", "json"]);
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["healthy"], true, "{status}");
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn a_second_up_with_nothing_changed_touches_no_container() {
    require_engine();
    let stack = Stack::new("rerun");
    stack.write_spec(&stack.spec(""));
    stack.up();
    let before = stack.container_ids();

    let again = stack.up();
    assert_eq!(again["changed"], false, "{again}");
    assert!(
        actions(&again).iter().all(|(_, a)| a == "unchanged"),
        "{again}"
    );
    assert_eq!(stack.container_ids(), before);
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn a_changed_rule_is_hot_reloaded_into_the_same_container_keeping_its_samples() {
    require_engine();
    let stack = Stack::new("reload");
    let alert = |threshold: &str| {
        format!("rules:\n  alerts:\n    - alert: E2eTooManyTargets\n      expr: count(up) > {threshold}\n")
    };
    stack.write_spec(&stack.spec(&alert("100")));
    stack.up();
    let before = stack.container_ids();
    let sample_at = stack.wait_for_a_sample();

    stack.write_spec(&stack.spec(&alert("200")));
    let report = stack.up();
    assert!(
        actions(&report).contains(&("prometheus".into(), "reloaded".into())),
        "{report}"
    );
    assert_eq!(
        stack.container_ids(),
        before,
        "a reload must not recreate anything"
    );

    let rules = stack.prometheus("/api/v1/rules?type=alert");
    let queries: Vec<String> = rules["data"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap().clone())
        .filter(|r| r["name"] == "E2eTooManyTargets")
        .map(|r| r["query"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(queries, ["count(up) > 200"]);
    assert!(stack.series_at("up{job=\"prometheus\"}", sample_at) > 0);
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn a_new_prometheus_image_tag_recreates_only_prometheus_and_its_tsdb_survives() {
    require_engine();
    let stack = Stack::new("retag");
    stack.write_spec(&stack.spec(""));
    stack.up();
    let before = stack.container_ids();
    let volumes = stack.labelled("volume");
    let sample_at = stack.wait_for_a_sample();

    let repository = stack.images.prometheus.rsplit_once(':').unwrap().0;
    let retagged = format!("{repository}:{}", stack.name);
    assert!(docker(&["tag", &stack.images.prometheus, &retagged])
        .status
        .success());
    let _untag = Untag(retagged.clone());
    let spec = stack.spec("").replace(&stack.images.prometheus, &retagged);
    stack.write_spec(&spec);

    let report = stack.up();
    let after = stack.container_ids();
    for (service, id) in &before {
        if service == "prometheus" {
            assert_ne!(&after[service], id, "prometheus must be recreated");
        } else {
            assert_eq!(&after[service], id, "{service} must be left alone");
        }
    }
    assert!(actions(&report).contains(&("prometheus".into(), "recreated".into())));
    assert_eq!(stack.labelled("volume"), volumes);
    assert!(
        stack.series_at("up{job=\"prometheus\"}", sample_at) > 0,
        "the TSDB volume was lost"
    );
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn a_taken_host_port_stops_up_before_anything_is_created() {
    require_engine();
    let mut stack = Stack::new("taken");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    stack.prometheus_port = listener.local_addr().unwrap().port();
    stack.write_spec(&stack.spec(""));

    let out = stack.obsctl(&["up", "--pull", "never"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&stack.prometheus_port.to_string()),
        "{stderr}"
    );
    assert!(stderr.contains("prometheus"), "{stderr}");
    for kind in ["container", "network", "volume"] {
        assert!(stack.labelled(kind).is_empty(), "a {kind} was created");
    }
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn down_keeps_data_until_volumes_is_given_and_never_touches_unlabelled_objects() {
    require_engine();
    let stack = Stack::new("down");
    let foreign = format!("{}-foreign", stack.name);
    let _foreign = Foreign(foreign.clone());
    assert!(docker(&["volume", "create", &foreign]).status.success());
    assert!(docker(&[
        "create",
        "--name",
        &foreign,
        "-v",
        &format!("{foreign}:/data"),
        &stack.images.prometheus
    ])
    .status
    .success());

    stack.write_spec(&stack.spec(""));
    stack.up();
    let volumes = stack.labelled("volume");
    assert_eq!(volumes.len(), 3, "{volumes:?}");
    let sample_at = stack.wait_for_a_sample();

    let down = stack.obsctl(&["down"]);
    assert!(
        down.status.success(),
        "{}",
        String::from_utf8_lossy(&down.stderr)
    );
    assert!(stack.labelled("container").is_empty());
    assert!(stack.labelled("network").is_empty());
    assert_eq!(stack.labelled("volume"), volumes, "down keeps data volumes");

    stack.up();
    assert!(
        stack.series_at("up{job=\"prometheus\"}", sample_at) > 0,
        "old samples are gone"
    );

    for _ in 0..2 {
        let out = stack.obsctl(&["down", "--volumes"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for kind in ["container", "network", "volume"] {
        assert!(stack.labelled(kind).is_empty(), "a labelled {kind} is left");
    }
    assert!(
        docker(&["container", "inspect", &foreign]).status.success(),
        "foreign container removed"
    );
    assert!(
        docker(&["volume", "inspect", &foreign]).status.success(),
        "foreign volume removed"
    );
}

/// A container and volume made outside obsctl, removed when the test ends.
struct Foreign(String);

impl Drop for Foreign {
    fn drop(&mut self) {
        for args in [
            &["rm", "-f", "-v", &self.0][..],
            &["volume", "rm", &self.0][..],
        ] {
            let out = docker(args);
            if !out.status.success() {
                eprintln!(
                    "cleanup: docker {}: {}",
                    args.join(" "),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn an_interrupted_up_leaves_only_labelled_objects_and_the_next_up_converges() {
    require_engine();
    let stack = Stack::new("interrupted");
    stack.write_spec(&stack.spec(""));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_obsctl"))
        .args(["up", "--pull", "never"])
        .current_dir(stack.dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt as soon as the first container is being created. The rest
    // of stderr is read to its end, so the child never meets a closed pipe.
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stderr.take().unwrap()));
    let creating = format!("creating {}-", stack.name);
    let mut before = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let found = line.starts_with(&creating);
        before.push(line);
        if found {
            break;
        }
    }
    // SAFETY: kill(2) on the pid of a child we spawned and have not reaped.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let after: Vec<String> = lines.map(Result::unwrap).collect();
    let interrupted = child.wait().unwrap();
    let stderr = format!(
        "{}\n---- SIGINT ----\n{}",
        before.join("\n"),
        after.join("\n")
    );
    assert_eq!(interrupted.code(), Some(1), "{stderr}");
    assert!(after.iter().any(|l| l == "error: interrupted"), "{stderr}");
    assert!(
        after
            .iter()
            .any(|l| l.trim_start().starts_with("hint: run `obsctl up` again")),
        "{stderr}"
    );

    // Requests in flight when obsctl stopped may still complete in the
    // engine, so objects can appear after this listing: every object named
    // after the stack must be among the labelled ones, listed afterwards.
    for kind in ["container", "network", "volume"] {
        let out = match kind {
            "container" => docker(&["ps", "-a", "--format", "{{.Names}}"]),
            "network" => docker(&["network", "ls", "--format", "{{.Name}}"]),
            _ => docker(&["volume", "ls", "--format", "{{.Name}}"]),
        };
        assert!(
            out.status.success(),
            "listing {kind}s: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let named: Vec<String> = stdout(&out)
            .lines()
            .filter(|n| n.starts_with(&format!("{}-", stack.name)))
            .map(str::to_string)
            .collect();
        let labelled = stack.labelled(kind);
        let unlabelled: Vec<&String> = named.iter().filter(|n| !labelled.contains(n)).collect();
        assert!(
            unlabelled.is_empty(),
            "unlabelled {kind}s were left behind: {unlabelled:?}"
        );
    }

    let report = stack.up();
    assert!(
        !actions(&report).iter().any(|(_, a)| a == "recreated"),
        "what the interrupted run created is reused: {report}"
    );
    let status = stack.obsctl(&["status"]);
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
}
