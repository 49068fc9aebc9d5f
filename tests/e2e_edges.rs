//! Past one host, on the real engine with the pinned versions: an edge runs
//! Prometheus in agent mode (with node-exporter) and remote-writes to a
//! central stack (a receiving Prometheus) or to a long-term store
//! (VictoriaMetrics), reaching it through a published address
//! (`host.docker.internal:PORT`, the central published on 0.0.0.0).
//!
//! Every stack scrapes each second, so these tests see samples quickly.

#[path = "e2e_support/mod.rs"]
mod e2e;

use std::time::{Duration, Instant};

use e2e::{docker, encode, free_port, http_get, now, poll, require_engine, Stack};
use serde_json::Value;

/// A central stack: receives remote write, keeps edges apart by `site`, and
/// evaluates the node pack over the edges' node-exporter series.
fn central_spec(c: &Stack) -> String {
    format!(
        "name: {name}\nbind: 0.0.0.0\nprometheus:\n  image: {prom}\n  port: {pp}\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n  remote_write_receiver: true\n  edge_labels: [site]\nalertmanager:\n  image: {am}\n  port: {ap}\ngrafana:\n  enabled: false\nrules:\n  packs:\n    node: true\n",
        name = c.name,
        prom = c.images.prometheus,
        pp = c.prometheus_port,
        am = c.images.alertmanager,
        ap = c.alertmanager_port,
    )
}

/// An edge in agent mode with node-exporter, writing to `url`.
fn edge_spec(e: &Stack, site: &str, url: &str) -> String {
    format!(
        "name: {name}\nprometheus:\n  mode: agent\n  image: {prom}\n  port: {pp}\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  external_labels: {{site: {site}}}\n  remote_write:\n    - url: {url}\n      name: central\n      queue: {{batch_send_deadline: 1s}}\nexporters:\n  node: {{image: {node}}}\n",
        name = e.name,
        prom = e.images.prometheus,
        pp = e.prometheus_port,
        node = e.images.node_exporter,
    )
}

/// `GET base + path` answered 200 with JSON.
fn get_json(base: &str, path: &str) -> Option<Value> {
    match http_get(&format!("{base}{path}")) {
        Some((200, body)) => serde_json::from_str(&body).ok(),
        _ => None,
    }
}

/// The series an instant query returns on the Prometheus API at `base`.
fn query(base: &str, q: &str) -> Vec<Value> {
    get_json(base, &format!("/api/v1/query?query={}", encode(q)))
        .and_then(|v| v["data"]["result"].as_array().cloned())
        .unwrap_or_default()
}

/// Timestamps of the raw samples of the single series `selector` selects
/// over the `secs` seconds before now, or what the API answered instead.
fn sample_times(base: &str, selector: &str, secs: u64) -> Result<Vec<f64>, String> {
    let path = format!(
        "/api/v1/query?query={}",
        encode(&format!("{selector}[{secs}s]"))
    );
    let answer = http_get(&format!("{base}{path}"));
    let body: Value = match &answer {
        Some((200, body)) => serde_json::from_str(body).map_err(|e| e.to_string())?,
        other => return Err(format!("{path}: {other:?}")),
    };
    match body["data"]["result"].as_array().map(Vec::as_slice) {
        Some([series]) => Ok(series["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v[0].as_f64().unwrap())
            .collect()),
        _ => Err(format!("{path}: {body}")),
    }
}

fn doctor(stack: &Stack) -> (i32, Value) {
    let out = stack.obsctl(&["doctor", "--output", "json"]);
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "doctor printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

fn remote_write_check(report: &Value) -> Option<Value> {
    report["checks"]
        .as_array()?
        .iter()
        .find(|c| c["group"] == "remote_write")
        .cloned()
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn an_edge_agent_feeds_a_central_stack_that_evaluates_its_rules_and_loses_nothing_in_an_outage() {
    require_engine();
    let central = Stack::new("central");
    central.write_spec(&central_spec(&central));
    central.up();
    let base = format!("http://127.0.0.1:{}", central.prometheus_port);

    let edge = Stack::new("edge");
    let url = format!(
        "http://host.docker.internal:{}/api/v1/write",
        central.prometheus_port
    );
    edge.write_spec(&edge_spec(&edge, "edge-1", &url));
    let report = edge.up();
    let services: Vec<&str> = report["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service"].as_str().unwrap())
        .collect();
    assert_eq!(services, ["node-exporter", "prometheus"], "{report}");

    // The edge's series arrive with its external label.
    poll(
        "the edge's node-exporter series on the central stack",
        Duration::from_secs(90),
        || (!query(&base, "up{job=\"node\", site=\"edge-1\"} == 1").is_empty()).then_some(()),
    );
    // The node pack runs on the central stack over them: its recording rule
    // keeps the edge's label, and every rule evaluates without error.
    let recorded = poll(
        "the node pack's recording rule over the edge's series",
        Duration::from_secs(60),
        || {
            let r = query(&base, "instance:node_memory_usage:percent{site=\"edge-1\"}");
            (!r.is_empty()).then_some(r)
        },
    );
    assert_eq!(recorded[0]["metric"]["job"], "node", "{recorded:?}");
    let rules = poll("every rule evaluated", Duration::from_secs(30), || {
        let body = get_json(&base, "/api/v1/rules")?;
        let rules: Vec<Value> = body["data"]["groups"]
            .as_array()?
            .iter()
            .flat_map(|g| g["rules"].as_array().cloned().unwrap_or_default())
            .collect();
        rules.iter().all(|r| r["health"] == "ok").then_some(rules)
    });
    for alert in ["NodeHighCPUUsage", "NodeDiskSpaceLow", "TargetDown"] {
        assert!(
            rules.iter().any(|r| r["name"] == alert),
            "{alert} not loaded"
        );
    }

    // The central stack goes down (its data volume stays) and comes back.
    let counter = "prometheus_agent_samples_appended_total{site=\"edge-1\", job=\"prometheus\"}";
    let before = poll(
        "the counter's samples of the last 10s on the central stack",
        Duration::from_secs(30),
        || {
            sample_times(&base, counter, 10)
                .ok()
                .filter(|t| t.len() >= 8)
        },
    );
    eprintln!(
        "before the outage: {:?}",
        before
            .iter()
            .map(|t| format!("{:.1}", t - now()))
            .collect::<Vec<_>>()
    );
    let stopped_at = now();
    let down = central.obsctl(&["down"]);
    assert!(
        down.status.success(),
        "{}",
        String::from_utf8_lossy(&down.stderr)
    );
    // Meanwhile the edge's doctor sees its queue falling behind.
    let (code, behind) = poll(
        "the edge's doctor to report the queue behind",
        Duration::from_secs(90),
        || {
            let (code, report) = doctor(&edge);
            let check = remote_write_check(&report)?;
            (check["status"] == "fail").then_some((code, check))
        },
    );
    assert_ne!(code, 0);
    assert!(
        behind["detail"]
            .as_str()
            .unwrap()
            .contains("behind the newest sample"),
        "{behind}"
    );
    assert!(
        behind["hint"].as_str().unwrap().contains("unreachable"),
        "{behind}"
    );
    central.up();
    let started_at = now();
    let outage = started_at - stopped_at;

    // The edge's queue replays what it held: the counter's samples run
    // through the outage with no gap longer than the scrape interval.
    let mut last = String::new();
    let times = poll(
        "the edge's queue to catch up",
        Duration::from_secs(90),
        || match sample_times(&base, counter, (now() - stopped_at + 10.0).ceil() as u64) {
            Ok(t) => (t.last().copied()? > started_at + 2.0).then_some(t),
            Err(e) => {
                last = e;
                None
            }
        },
    );
    assert!(!times.is_empty(), "{last}");
    let in_outage = times
        .iter()
        .filter(|t| **t > stopped_at && **t < started_at)
        .count();
    let max_gap = times.windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max);
    eprintln!(
        "central outage {outage:.1}s; {in_outage} samples of the counter from inside it replayed; largest gap {max_gap:.2}s over {} samples",
        times.len()
    );
    let relative: Vec<String> = times
        .iter()
        .map(|t| format!("{:.1}", t - stopped_at))
        .collect();
    assert!(
        times.first().copied().unwrap() < stopped_at - 5.0,
        "the window starts before the outage: {relative:?}"
    );
    assert!(
        in_outage as f64 >= outage - 3.0,
        "only {in_outage} samples from a {outage:.0}s outage"
    );
    assert!(max_gap < 1.9, "a gap of {max_gap:.2}s in {times:?}");

    // Once caught up, the edge's doctor is content again.
    poll(
        "the edge's doctor to report the queue delivering",
        Duration::from_secs(60),
        || {
            let check = remote_write_check(&doctor(&edge).1)?;
            (check["status"] == "ok").then_some(())
        },
    );
}

/// A VictoriaMetrics single node, run with the docker CLI and removed when
/// the test ends.
struct Victoria {
    name: String,
    port: e2e::ports::Lease,
}

impl Victoria {
    fn start(image: &str) -> Victoria {
        let v = Victoria {
            name: format!("e2e-victoria-{}", std::process::id()),
            port: free_port(),
        };
        let publish = format!("0.0.0.0:{}:8428", v.port);
        let out = docker(&[
            "run",
            "-d",
            "--name",
            &v.name,
            "-p",
            &publish,
            image,
            "-search.latencyOffset=0s",
            "-retentionPeriod=1d",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        poll("VictoriaMetrics ready", Duration::from_secs(30), || {
            matches!(
                http_get(&format!("http://127.0.0.1:{}/health", v.port)),
                Some((200, _))
            )
            .then_some(())
        });
        v
    }
}

impl Drop for Victoria {
    fn drop(&mut self) {
        docker(&["rm", "-f", "-v", &self.name]);
    }
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn an_edge_agent_writes_to_victoria_metrics_as_a_long_term_store() {
    require_engine();
    let edge = Stack::new("edge-vm");
    let vm = Victoria::start(&edge.images.victoria_metrics);
    let url = format!("http://host.docker.internal:{}/api/v1/write", vm.port);
    edge.write_spec(&edge_spec(&edge, "edge-2", &url));
    edge.up();

    let base = format!("http://127.0.0.1:{}", vm.port);
    let series = poll(
        "the edge's series in VictoriaMetrics",
        Duration::from_secs(90),
        || {
            let r = query(&base, "node_load1{site=\"edge-2\"}");
            (!r.is_empty()).then_some(r)
        },
    );
    assert_eq!(series[0]["metric"]["job"], "node", "{series:?}");
    assert!(!query(&base, "up{job=\"prometheus\", site=\"edge-2\"}").is_empty());
    let check = poll("the edge's doctor content", Duration::from_secs(30), || {
        let check = remote_write_check(&doctor(&edge).1)?;
        (check["status"] == "ok").then_some(check)
    });
    assert!(
        check["detail"]
            .as_str()
            .unwrap()
            .starts_with("delivering: "),
        "{check}"
    );
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn doctor_names_a_receiver_that_is_never_reached_and_an_agent_reloads_its_fix() {
    require_engine();
    let edge = Stack::new("edge-closed");
    let closed = free_port();
    let url = format!("http://host.docker.internal:{closed}/api/v1/write");
    edge.write_spec(&edge_spec(&edge, "edge-3", &url));
    edge.up();
    let agent = format!("http://127.0.0.1:{}", edge.prometheus_port);
    assert_eq!(
        http_get(&format!("{agent}/-/ready")).map(|(code, _)| code),
        Some(200)
    );

    let started = Instant::now();
    let (code, check) = poll(
        "doctor to report the unreachable receiver",
        Duration::from_secs(60),
        || {
            let (code, report) = doctor(&edge);
            let check = remote_write_check(&report)?;
            (check["status"] == "fail").then_some((code, check))
        },
    );
    eprintln!("doctor saw the closed port after {:?}", started.elapsed());
    assert_ne!(code, 0);
    let detail = check["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("nothing delivered yet: every send failed and is retried"),
        "{check}"
    );
    assert!(check["name"].as_str().unwrap().contains(&url), "{check}");
    assert!(
        check["hint"]
            .as_str()
            .unwrap()
            .contains("host.docker.internal"),
        "{check}"
    );

    // The agent takes a new remote-write URL by reload, in the same container.
    let before = edge.container_ids();
    let other = format!("http://host.docker.internal:{}/api/v1/write", free_port());
    edge.write_spec(&edge_spec(&edge, "edge-3", &other));
    let report = edge.up();
    let prometheus = report["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == "prometheus")
        .unwrap()
        .clone();
    assert_eq!(prometheus["action"], "reloaded", "{report}");
    assert_eq!(edge.container_ids(), before);
    let config = get_json(&agent, "/api/v1/status/config").unwrap();
    assert!(
        config["data"]["yaml"].as_str().unwrap().contains(&other),
        "{config}"
    );
}
