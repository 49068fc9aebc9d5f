//! Probes and pushed metrics on a real stack, with Debian's blackbox exporter
//! and Pushgateway imaged like the upstream ones (tests/images): a probe of a
//! service of the stack succeeds, ICMP works, a probe of a closed port fails
//! and doctor explains it from the exporter's own log, a certificate that
//! expires in a few days (made with `openssl`) raises the expiry alert, a
//! changed probe list is applied by reloading the exporter; and a job's push
//! reaches Prometheus.
//!
//! `#[ignore]`d like every end-to-end test; scripts/test.sh runs them.

#[path = "e2e_support/mod.rs"]
mod e2e;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use e2e::{action, docker, encode, free_port, poll, require_engine, stdout, Images, Stack};
use serde_json::Value;

/// `openssl s_server` serving HTTPS with a certificate valid for `days`,
/// on the address containers reach the host at (the default bridge's
/// gateway, which `host.docker.internal` names); stopped when dropped.
struct TlsServer {
    child: Child,
    port: e2e::ports::Lease,
}

impl TlsServer {
    fn start(dir: &Path, days: u32) -> TlsServer {
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        let made = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
            ])
            .args([
                "-days",
                &days.to_string(),
                "-subj",
                "/CN=host.docker.internal",
            ])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .output()
            .expect("openssl is installed (scripts/test-env.sh installs it)");
        assert!(made.status.success(), "openssl req: {made:?}");
        // What `host.docker.internal:host-gateway` resolves to in a container.
        let app = Images::get().app;
        let hosts = docker(&[
            "run",
            "--rm",
            "--add-host",
            "host.docker.internal:host-gateway",
            "--entrypoint",
            "cat",
            &app,
            "/etc/hosts",
        ]);
        let gateway = stdout(&hosts)
            .lines()
            .find(|l| l.ends_with("host.docker.internal"))
            .and_then(|l| l.split_whitespace().next())
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no host.docker.internal in a container: {hosts:?}"));
        let port = free_port();
        let child = Command::new("openssl")
            .args(["s_server", "-www", "-quiet", "-accept"])
            .arg(format!("{gateway}:{port}"))
            .arg("-cert")
            .arg(&cert)
            .arg("-key")
            .arg(&key)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl s_server starts");
        TlsServer { child, port }
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of an instant query's single series, if there is one.
fn value(stack: &Stack, query: &str) -> Option<f64> {
    let path = format!("/api/v1/query?query={}", encode(query));
    let body = stack.prometheus(&path);
    let result = body["data"]["result"].as_array()?;
    result.first()?["value"][1].as_str()?.parse().ok()
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn probes_succeed_fail_with_a_reason_watch_certificates_and_reload() {
    require_engine();
    let stack = Stack::new("probes");
    let tls = TlsServer::start(stack.dir.path(), 3);
    let blackbox_port = free_port();
    let probes = format!(
        "probes:\n  - {{name: ready, url: 'http://prometheus:9090/-/ready'}}\n  - {{name: ping, url: alertmanager, module: icmp}}\n  - {{name: closed, url: 'prometheus:9999', module: tcp_connect}}\n  - {{name: cert, url: 'https://host.docker.internal:{}/', tls_verify: false}}\n",
        tls.port
    );
    // SLOs on Prometheus' own HTTP metrics: one whose `le` is a bucket of
    // its histogram, one whose `le` is not.
    let slos = "slos:\n  - {name: ready, objective: 99.9, window: 7d, errors: 'prometheus_http_requests_total{code=~\"5..\"}', total: prometheus_http_requests_total}\n  - {name: ready-fast, objective: 99, window: 7d, histogram: 'prometheus_http_request_duration_seconds{handler=\"/-/ready\"}', le: 0.1}\n  - {name: ready-wrong-bucket, objective: 99, window: 7d, histogram: 'prometheus_http_request_duration_seconds{handler=\"/-/ready\"}', le: 0.5}\n";
    let rest = format!(
        "exporters:\n  blackbox: {{image: {}, port: {blackbox_port}}}\nrules:\n  packs:\n    probes:\n      ProbeTLSCertificateExpiringCritical: {{for: 0s}}\n{slos}",
        stack.images.blackbox_exporter
    );
    stack.write_spec(&stack.spec(&format!("{probes}{rest}")));
    let report = stack.up();
    assert_eq!(action(&report, "blackbox-exporter"), "created", "{report}");

    let success = |probe: &str| value(&stack, &format!("probe_success{{probe=\"{probe}\"}}"));
    poll("the probes' first results", Duration::from_secs(60), || {
        ["ready", "ping", "closed", "cert"]
            .iter()
            .all(|p| success(p).is_some())
            .then_some(())
    });
    assert_eq!(
        success("ready"),
        Some(1.0),
        "a probe of Prometheus' /-/ready"
    );
    assert_eq!(success("ping"), Some(1.0), "an ICMP probe of Alertmanager");
    assert_eq!(success("closed"), Some(0.0), "a probe of a closed port");
    assert_eq!(
        success("cert"),
        Some(1.0),
        "an HTTPS probe of the local server"
    );
    // Every probe's series carry its name, module and target.
    let labels = stack.prometheus(&format!(
        "/api/v1/query?query={}",
        encode("probe_success{probe=\"ready\"}")
    ))["data"]["result"][0]["metric"]
        .clone();
    assert_eq!(labels["job"], "probes", "{labels}");
    assert_eq!(labels["module"], "http_2xx", "{labels}");
    assert_eq!(
        labels["instance"], "http://prometheus:9090/-/ready",
        "{labels}"
    );

    // The certificate expires in 3 days: under the 7-day threshold.
    let days = value(
        &stack,
        "(probe_ssl_earliest_cert_expiry{probe=\"cert\"} - time()) / 86400",
    )
    .expect("the TLS probe reports its certificate");
    assert!(days > 2.9 && days < 3.0, "{days} days left");
    poll(
        "ProbeTLSCertificateExpiringCritical to fire",
        Duration::from_secs(60),
        || {
            let alerts = stack.prometheus("/api/v1/alerts");
            alerts["data"]["alerts"].as_array()?.iter().find(|a| {
                a["labels"]["alertname"] == "ProbeTLSCertificateExpiringCritical"
                    && a["labels"]["probe"] == "cert"
                    && a["state"] == "firing"
            })?;
            Some(())
        },
    );

    // Doctor runs the failing probe on the exporter and reads why.
    let out = stack.obsctl(&["doctor", "--output", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doctor: Value = serde_json::from_slice(&out.stdout).unwrap();
    let probe_checks: Vec<&Value> = doctor["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["group"] == "probes")
        .collect();
    assert_eq!(
        probe_checks[0]["detail"], "3 of 4 probes succeed",
        "{doctor}"
    );
    let closed = probe_checks
        .iter()
        .find(|c| c["name"] == "closed")
        .unwrap_or_else(|| panic!("no check for the closed port: {probe_checks:#?}"));
    let detail = closed["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("tcp_connect prometheus:9999 fails (refused): Error dialing TCP"),
        "{detail}"
    );
    assert!(
        closed["hint"]
            .as_str()
            .unwrap()
            .contains("nothing accepts connections at prometheus:9999"),
        "{closed}"
    );

    // The SLOs' rules run, and doctor checks what each reads: Prometheus 3
    // stores the bucket bound 1 as le="1.0", and has no 0.5 bucket here.
    poll("the SLOs' first ratios", Duration::from_secs(60), || {
        value(&stack, "slo:sli_error:ratio_rate5m{slo=\"ready-fast\"}").map(drop)
    });
    let slo = |name: &str| {
        doctor["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["group"] == "slos" && c["name"] == format!("slo {name}"))
            .unwrap_or_else(|| panic!("no check of slo {name}: {doctor}"))
            .clone()
    };
    assert_eq!(slo("ready")["status"], "ok", "{}", slo("ready"));
    assert_eq!(slo("ready-fast")["status"], "ok", "{}", slo("ready-fast"));
    let wrong = slo("ready-wrong-bucket");
    assert_eq!(wrong["status"], "fail", "{wrong}");
    let detail = wrong["detail"].as_str().unwrap();
    assert!(
        detail.contains("no le=\"0.5\" bucket") && detail.contains("1.0"),
        "{detail}"
    );

    // A probe with options of its own needs a new module: the exporter is
    // reloaded, not restarted, and the probe succeeds only if it was.
    let before = stack.container_ids()["blackbox-exporter"].clone();
    let more = probes
        + "  - {name: alertmanager, url: 'http://alertmanager:9093/-/ready', status_codes: [200]}\n";
    stack.write_spec(&stack.spec(&format!("{more}{rest}")));
    let report = stack.up();
    assert_eq!(action(&report, "blackbox-exporter"), "reloaded", "{report}");
    assert_eq!(action(&report, "prometheus"), "reloaded", "{report}");
    assert_eq!(stack.container_ids()["blackbox-exporter"], before);
    poll(
        "the new probe's first success",
        Duration::from_secs(60),
        || (success("alertmanager")? == 1.0).then_some(()),
    );
    drop(tls);
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn a_push_reaches_prometheus_survives_a_restart_and_a_silent_job_is_stale() {
    require_engine();
    let stack = Stack::new("push");
    let port = free_port();
    stack.write_spec(&stack.spec(&format!(
        "exporters:\n  pushgateway:\n    image: {}\n    port: {port}\n    jobs:\n      - {{job: cad-extraction, max_age: 1h}}\n      - {{job: never-pushes, max_age: 2s}}\n",
        stack.images.pushgateway
    )));
    stack.up();

    // What a cron job does at its end (the README shows it).
    let push = Command::new("curl")
        .args(["-sS", "--fail", "--data-binary", "@-"])
        .arg(format!(
            "http://127.0.0.1:{port}/metrics/job/cad-extraction"
        ))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("curl is installed (scripts/test-env.sh installs it)");
    {
        use std::io::Write;
        let mut stdin = push.stdin.as_ref().unwrap();
        stdin
            .write_all(
                b"# TYPE cad_extraction_files_processed gauge\ncad_extraction_files_processed 3\n",
            )
            .unwrap();
    }
    let pushed = push.wait_with_output().unwrap();
    assert!(pushed.status.success(), "the push failed: {pushed:?}");

    // Scraped with honor_labels: the pushing job's own label is kept.
    poll(
        "the pushed metric in Prometheus",
        Duration::from_secs(60),
        || {
            (value(
                &stack,
                "cad_extraction_files_processed{job=\"cad-extraction\"}",
            )? == 3.0)
                .then_some(())
        },
    );
    let stale = |job: &str| {
        let alerts = stack.prometheus("/api/v1/alerts");
        alerts["data"]["alerts"].as_array().is_some_and(|a| {
            a.iter().any(|a| {
                a["labels"]["alertname"] == "BatchJobStale"
                    && a["labels"]["job"] == job
                    && a["state"] == "firing"
            })
        })
    };
    poll(
        "BatchJobStale for the job that never pushes",
        Duration::from_secs(60),
        || stale("never-pushes").then_some(()),
    );
    assert!(
        !stale("cad-extraction"),
        "a job that just pushed is not stale"
    );

    // Pushes are kept on the data volume across a restart.
    let container = format!("{}-pushgateway", stack.name);
    let restarted = docker(&["restart", "-t", "5", &container]);
    assert!(restarted.status.success(), "{restarted:?}");
    let metrics = poll(
        "the Pushgateway after its restart",
        Duration::from_secs(30),
        || {
            e2e::http_get(&format!("http://127.0.0.1:{port}/metrics"))
                .filter(|(status, _)| *status == 200)
                .map(|(_, body)| body)
        },
    );
    assert!(
        metrics.contains("cad_extraction_files_processed{instance=\"\",job=\"cad-extraction\"} 3"),
        "the push did not survive the restart:\n{metrics}"
    );
}
