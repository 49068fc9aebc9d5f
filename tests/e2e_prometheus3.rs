//! End-to-end on the pinned versions (Prometheus 3.5, Alertmanager 0.28.1):
//! what they do differently from 2.x, handled. A real application that
//! sends no Content-Type (the busybox test app), experimental PromQL
//! functions, a webhook URL read from a secret file, awkward matcher values,
//! and `doctor` right after `up`.

#[path = "e2e_support/mod.rs"]
mod e2e;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use e2e::{docker, free_port, http_get, poll, require_engine, Stack};
use serde_json::Value;

fn failures(report: &Value) -> Vec<&Value> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .collect()
}

fn check<'a>(report: &'a Value, group: &str, name_prefix: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["group"] == group && c["name"].as_str().unwrap().starts_with(name_prefix))
        .unwrap_or_else(|| panic!("no {group} check named {name_prefix}*: {report:#}"))
}

/// The busybox test app, published on every interface of this machine so
/// the stack reaches it as host.docker.internal:PORT; removed on drop.
struct App {
    name: String,
    port: e2e::ports::Lease,
}

impl App {
    fn start(stack: &Stack) -> App {
        let port = free_port();
        let name = format!("{}-testapp", stack.name);
        let out = docker(&[
            "run",
            "-d",
            "--name",
            &name,
            "-p",
            &format!("0.0.0.0:{port}:8080"),
            &stack.images.app,
        ]);
        assert!(
            out.status.success(),
            "the test app did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let app = App { name, port };
        poll("the test app", Duration::from_secs(30), || {
            http_get(&format!("http://127.0.0.1:{}/metrics", app.port))
                .filter(|(status, _)| *status == 200)
        });
        app
    }
}

impl Drop for App {
    fn drop(&mut self) {
        docker(&["rm", "-f", &self.name]);
    }
}

/// Waits until Prometheus reports `health` (up or down) for the target of `job`.
fn wait_for_health(stack: &Stack, job: &str, health: &str) -> Value {
    poll(
        &format!("job {job} {health}"),
        Duration::from_secs(60),
        || {
            let t = stack.prometheus("/api/v1/targets?state=active");
            t["data"]["activeTargets"]
                .as_array()?
                .iter()
                .find(|t| t["scrapePool"] == job && t["health"] == health)
                .cloned()
        },
    )
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn an_app_without_a_content_type_is_scraped_with_the_fallback_and_diagnosed_without_it() {
    require_engine();
    let stack = Stack::new("content-type");
    let app = App::start(&stack);
    // init looks at the app from this machine and writes the fallback.
    let init = stack.obsctl(&[
        "init",
        "--yes",
        "-f",
        "init.yaml",
        "--scrape",
        &format!("legacy=host.docker.internal:{}/metrics", app.port),
    ]);
    let init_err = String::from_utf8_lossy(&init.stderr);
    assert!(init.status.success(), "{init_err}");
    assert!(
        init_err.contains("answers with no Content-Type, which Prometheus 3 refuses"),
        "{init_err}"
    );
    let written = std::fs::read_to_string(stack.dir.path().join("init.yaml")).unwrap();
    assert!(
        written.contains("fallback_scrape_protocol: \"PrometheusText0.0.4\""),
        "{written}"
    );

    // The same target twice: with the fallback, and without it.
    let target = format!("host.docker.internal:{}", app.port);
    stack.write_spec(&stack.spec(&format!(
        "scrape:\n  - {{job: legacy, targets: ['{target}'], fallback_scrape_protocol: PrometheusText0.0.4}}\n  - {{job: strict, targets: ['{target}']}}\n"
    )));
    stack.up();
    wait_for_health(&stack, "legacy", "up");
    let strict = wait_for_health(&stack, "strict", "down");
    assert!(
        strict["lastError"]
            .as_str()
            .unwrap()
            .contains("non-compliant scrape target sending blank Content-Type"),
        "{strict}"
    );
    let samples = stack.series_at("obsctl_test_app_up{job=\"legacy\"}", e2e::now());
    assert_eq!(samples, 1, "the fallback job stores the app's samples");

    let (code, report) = stack.doctor();
    assert_eq!(code, 1, "{report:#}");
    let strict = check(&report, "targets", "strict ");
    assert_eq!(strict["status"], "fail", "{strict}");
    assert!(
        strict["detail"].as_str().unwrap().starts_with(
            "down (content_type): non-compliant scrape target sending blank Content-Type"
        ),
        "{strict}"
    );
    assert!(
        strict["hint"]
            .as_str()
            .unwrap()
            .contains("set `fallback_scrape_protocol: PrometheusText0.0.4` on job `strict`"),
        "{strict}"
    );
    let legacy = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"].as_str().unwrap().starts_with("legacy "));
    assert!(legacy.is_none(), "a healthy target has no line: {legacy:?}");
}

const SORTED: &str =
    "rules:\n  alerts:\n    - alert: SortedTargets\n      expr: 'sort_by_label(up, \"job\") < 0'\n";

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn an_experimental_function_never_reaches_prometheus_unless_enabled() {
    require_engine();
    let stack = Stack::new("experimental");
    stack.write_spec(&stack.spec(SORTED));
    let out = stack.obsctl(&["up", "--pull", "never", "--timeout", "90s"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("rules.alerts[0].expr: `sort_by_label` is an experimental PromQL function"),
        "{err}"
    );
    assert!(
        err.contains("enable_features: [promql-experimental-functions]"),
        "{err}"
    );
    assert!(
        stack.labelled("container").is_empty(),
        "nothing was created"
    );
    assert!(stack.labelled("network").is_empty(), "nothing was created");
    assert!(
        !stack.dir.path().join(".obsctl").exists(),
        "nothing was written"
    );

    stack.write_spec(&stack.spec(SORTED).replace(
        "  evaluation_interval: 1s\n",
        "  evaluation_interval: 1s\n  enable_features: [promql-experimental-functions]\n",
    ));
    stack.up();
    let flags = stack.prometheus("/api/v1/status/flags");
    assert_eq!(
        flags["data"]["enable-feature"], "promql-experimental-functions",
        "{flags}"
    );
    let rule = poll(
        "the SortedTargets rule evaluated",
        Duration::from_secs(60),
        || {
            let rules = stack.prometheus("/api/v1/rules");
            rules["data"]["groups"]
                .as_array()?
                .iter()
                .flat_map(|g| g["rules"].as_array().cloned().unwrap_or_default())
                .find(|r| r["name"] == "SortedTargets" && r["health"] != "unknown")
        },
    );
    assert_eq!(rule["health"], "ok", "{rule}");
}

/// A listener on every interface of this machine that records the bodies
/// POSTed to it.
fn webhook_listener() -> (u16, std::sync::mpsc::Receiver<String>) {
    let listener = TcpListener::bind("0.0.0.0:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            s.set_read_timeout(Some(Duration::from_secs(5))).ok();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 8192];
            // Read the head, then as much body as Content-Length says.
            while let Ok(n) = s.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if body.len() >= len {
                        let _ = tx.send(text.clone());
                        break;
                    }
                }
            }
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        }
    });
    (port, rx)
}

/// POSTs JSON to a URL on this machine; returns the status.
fn post_json(url: &str, body: &str) -> u16 {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "POST /{path} HTTP/1.0\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn alertmanager_reads_the_webhook_url_from_its_file_and_quoted_matchers_without_warnings() {
    require_engine();
    let stack = Stack::new("am-url-file");
    let (hook_port, received) = webhook_listener();
    let secret_url = format!("http://host.docker.internal:{hook_port}/hook/s3cr3t-token");
    std::fs::write(stack.dir.path().join("hook-url"), &secret_url).unwrap();
    let alertmanager = format!(
        "alertmanager:\n  image: {}\n  port: {}\n",
        stack.images.alertmanager, stack.alertmanager_port
    );
    let spec = stack.spec("").replace(
        &alertmanager,
        &format!(
            "{alertmanager}  route:\n    receiver: other\n    group_wait: 1s\n    routes:\n      - match: {{alertname: \"Disk Full\", team: 'say \"hi\"'}}\n        receiver: hook\n      - matchers: ['path=~C:\\\\dir\\\\.*', 'city=\"München ✓\"']\n        receiver: hook\n  receivers:\n    - name: hook\n      webhook: {{url_secret: {{file: hook-url}}}}\n    - name: other\n      webhook: {{url: 'http://other.invalid:8080/'}}\n  inhibit_rules:\n    - source: {{severity: \"critical {{page}}\"}}\n      target: {{severity: 'warn \"low\"'}}\n      equal: [alertname]\n"
        ),
    );
    assert!(spec.contains("url_secret"), "{spec}");
    stack.write_spec(&spec);
    stack.up();

    let rendered = std::fs::read_to_string(
        stack
            .dir
            .path()
            .join(".obsctl/alertmanager/alertmanager.yml"),
    )
    .unwrap();
    assert!(
        !rendered.contains("s3cr3t"),
        "the URL is inlined:\n{rendered}"
    );
    assert!(rendered.contains("url_file:"), "{rendered}");

    let alert =
        r#"[{"labels": {"alertname": "Disk Full", "team": "say \"hi\"", "severity": "critical"}}]"#;
    let status = post_json(
        &format!("http://127.0.0.1:{}/api/v2/alerts", stack.alertmanager_port),
        alert,
    );
    assert_eq!(status, 200);
    let delivered = received
        .recv_timeout(Duration::from_secs(60))
        .expect("Alertmanager delivered the alert to the URL in the secret file");
    assert!(
        delivered.starts_with("POST /hook/s3cr3t-token"),
        "{delivered}"
    );
    assert!(delivered.contains("\"receiver\":\"hook\""), "{delivered}");

    let logs = docker(&["logs", &format!("{}-alertmanager", stack.name)]);
    let logs = format!(
        "{}{}",
        String::from_utf8_lossy(&logs.stdout),
        String::from_utf8_lossy(&logs.stderr)
    );
    assert!(
        !logs.contains("incompatible") && !logs.contains("classic matchers parser"),
        "Alertmanager fell back to the classic matcher parser:\n{logs}"
    );
    let (_, report) = stack.doctor();
    let receivers = check(&report, "alertmanager", "receiver");
    assert_eq!(receivers["status"], "ok", "{receivers}");
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn doctor_right_after_up_passes() {
    require_engine();
    let stack = Stack::new("wired");
    // The default intervals (15s), as users run them: right after up, most
    // targets are listed but not scraped yet.
    let spec = stack
        .spec(&format!(
            "exporters:\n  node: {{image: {}}}\n",
            stack.images.node_exporter
        ))
        .replace(
            "  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n",
            "",
        );
    assert!(!spec.contains("interval"), "{spec}");
    stack.write_spec(&spec);
    let started = Instant::now();
    stack.up();
    let cold = started.elapsed();
    let (code, report) = stack.doctor();
    assert_eq!(
        code,
        0,
        "doctor right after up must pass; failures: {:#?}",
        failures(&report)
    );
    eprintln!("doctor right after up: {}", report["summary"]);
    // Prometheus lists every target and the Alertmanager before up returns.
    let t = stack.prometheus("/api/v1/targets?state=active");
    let pools: Vec<&str> = t["data"]["activeTargets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["scrapePool"].as_str().unwrap())
        .collect();
    for job in ["prometheus", "alertmanager", "grafana", "node"] {
        assert!(pools.contains(&job), "{job} not listed: {pools:?}");
    }
    let ams = stack.prometheus("/api/v1/alertmanagers");
    assert_eq!(
        ams["data"]["activeAlertmanagers"].as_array().unwrap().len(),
        1,
        "{ams}"
    );

    // A no-op up checks once and returns; doctor still passes.
    let started = Instant::now();
    let again = stack.up();
    let noop = started.elapsed();
    assert_eq!(again["changed"], false, "{again}");
    let (code, report) = stack.doctor();
    assert_eq!(code, 0, "{:#?}", failures(&report));
    eprintln!(
        "up (cold) {:.1}s, no-op up {:.2}s",
        cold.as_secs_f64(),
        noop.as_secs_f64()
    );
}
