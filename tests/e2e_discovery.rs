//! Finding what to scrape, on the real Docker engine: a labelled container
//! started after `up` becomes a target at the next `up`, and within seconds
//! while `obsctl watch` runs; removed, it goes the same way; and Prometheus
//! is never restarted or reloaded for it; when the engine goes away and comes
//! back, `watch` follows its events again. `init --discover` looks at an
//! application run by Compose and writes a spec whose every target comes up.
//!
//! The tests are `#[ignore]`d: `cargo test -- --include-ignored` (as
//! scripts/test.sh does) runs them, and without a Docker engine they then fail.

#[path = "e2e_support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use serde_yaml::Value as Yaml;
use support::compose::{App, Container, Network};
use support::{docker, poll, require_engine, set_yaml, stdout, Stack};

/// The discovered targets Prometheus scrapes now: job -> health.
fn discovered(stack: &Stack) -> Vec<(String, String)> {
    let targets = stack.prometheus("/api/v1/targets");
    let mut out: Vec<(String, String)> = targets["data"]["activeTargets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["scrapePool"] == "discovered")
        .map(|t| {
            (
                t["labels"]["job"].as_str().unwrap().to_string(),
                t["health"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn wait_for(stack: &Stack, what: &str, wanted: &[(&str, &str)]) {
    poll(what, Duration::from_secs(30), || {
        let now = discovered(stack);
        let now: Vec<(&str, &str)> = now.iter().map(|(j, h)| (j.as_str(), h.as_str())).collect();
        (now == wanted).then_some(())
    });
}

/// A labelled container of the application on `network`.
fn labelled(stack: &Stack, name: &str, network: &str) -> Container {
    Container::run(
        name,
        &[
            "--network",
            network,
            "--label",
            "prometheus.io/scrape=true",
            "--label",
            "prometheus.io/path=/cgi-bin/metrics",
            &stack.images.app,
        ],
    )
}

/// `obsctl watch --output json` running in the stack's folder.
struct Watch {
    child: std::process::Child,
    lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
}

impl Watch {
    fn start(stack: &Stack, docker_host: Option<&str>) -> Watch {
        let mut command = Command::new(env!("CARGO_BIN_EXE_obsctl"));
        command
            .args(["watch", "--output", "json"])
            .current_dir(stack.dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(host) = docker_host {
            command.env("DOCKER_HOST", host);
        }
        let mut child = command.spawn().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Watch { child, lines }
    }

    /// The next line it prints: the first look, then each change.
    fn next(&mut self) -> Value {
        let line = self.lines.next().expect("watch ended").unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    }

    /// Sends `signal`; it must end with exit 0.
    fn stop(mut self, signal: i32) {
        // SAFETY: kill(2) on the pid of a child we spawned and have not reaped.
        unsafe { libc::kill(self.child.id() as i32, signal) };
        let ended = self.child.wait().unwrap();
        assert!(ended.success(), "watch ended with {ended}");
    }
}

/// What shows that Prometheus was neither restarted nor reloaded: when its
/// container started, and when it last loaded its configuration.
fn prometheus_life(stack: &Stack) -> (String, String) {
    let started = stdout(&docker(&[
        "inspect",
        "-f",
        "{{.State.StartedAt}}",
        &format!("{}-prometheus", stack.name),
    ]));
    let info = stack.prometheus("/api/v1/status/runtimeinfo");
    assert_eq!(info["data"]["reloadConfigSuccess"], true, "{info}");
    (started, info["data"]["lastConfigTime"].to_string())
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn labelled_containers_come_and_go_without_prometheus_restarting_or_reloading() {
    require_engine();
    let network = Network::create(&format!("e2e-discovery-app-{}", std::process::id()));
    let stack = Stack::new("discovery");
    stack.write_spec(&stack.spec(&format!("networks: [{}]\n", network.0)));
    stack.up();
    let life = prometheus_life(&stack);
    let ids = stack.container_ids();

    // Started after `up`: a target after the next `up`, which touches nothing else.
    let first = labelled(&stack, &format!("{}-first", stack.name), &network.0);
    let report = stack.up();
    assert_eq!(report["changed"], false, "{report}");
    assert_eq!(report["discovered"][0]["job"], first.0.as_str(), "{report}");
    wait_for(&stack, "the first container up", &[(&first.0, "up")]);

    // Under `obsctl watch`, removed and started containers follow within seconds.
    let mut watch = Watch::start(&stack, None);
    let mut next_event = || watch.next();
    let look = next_event();
    assert_eq!(look["targets"][0]["job"], first.0.as_str(), "{look}");

    first.remove();
    let gone = next_event();
    assert_eq!(gone["removed"][0]["job"], first.0.as_str(), "{gone}");
    wait_for(&stack, "the first container gone", &[]);
    let second = labelled(&stack, &format!("{}-second", stack.name), &network.0);
    let came = next_event();
    assert_eq!(came["added"][0]["job"], second.0.as_str(), "{came}");
    wait_for(&stack, "the second container up", &[(&second.0, "up")]);

    // Ctrl-C ends it cleanly.
    watch.stop(libc::SIGINT);

    assert_eq!(
        prometheus_life(&stack),
        life,
        "Prometheus restarted or reloaded"
    );
    assert_eq!(stack.container_ids(), ids, "a container was replaced");
}

/// The application `init --discover` looks at: `api` serves FastAPI-like
/// metrics at /api/v1/metrics on 8000 with no Content-Type (busybox's httpd
/// sends none for a file without an extension), `worker` is labelled for
/// scraping, and `db` and `cache` expose PostgreSQL's and Redis' ports. No
/// PostgreSQL or Redis image can be had here: `db` and `cache` are the test
/// application standing in for them, so the exporters obsctl runs answer
/// (their targets are up) while reporting the database down (pg_up 0).
fn shop(app_image: &str) -> String {
    format!(
        r#"version: "2.4"
services:
  api:
    image: {app_image}
    expose: ["8000"]
    command: ["sh", "-c", "mkdir -p /tmp/www/api/v1 && printf '# TYPE http_requests_total counter\nhttp_requests_total{{method=\"GET\",status=\"200\"}} 7\n' >/tmp/www/api/v1/metrics && exec httpd -f -p 8000 -h /tmp/www"]
  worker:
    image: {app_image}
    labels:
      prometheus.io/scrape: "true"
      prometheus.io/path: /cgi-bin/metrics
  db:
    image: {app_image}
    expose: ["5432"]
  cache:
    image: {app_image}
    expose: ["6379"]
"#
    )
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn init_discover_proposes_a_spec_whose_every_target_comes_up() {
    require_engine();
    // The exporter's password placeholder, for every obsctl run of this test.
    std::env::set_var("POSTGRES_PASSWORD", "not-the-application-secret");
    let app = App::up("init", &shop(&support::Images::get().app));
    let stack = Stack::new("init");

    let out = stack.obsctl(&[
        "init",
        "--discover",
        "--yes",
        "--project",
        &app.project,
        "--name",
        &stack.name,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("before `obsctl up`, set: POSTGRES_PASSWORD"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(stack.dir.path().join("obsctl.yaml")).unwrap();
    let mut spec: Yaml = serde_yaml::from_str(&text).unwrap();
    assert_eq!(spec["networks"][0], app.network().as_str(), "{text}");
    let api = &spec["scrape"][0];
    assert_eq!(api["job"], "api", "{text}");
    assert_eq!(api["targets"][0], "api:8000", "{text}");
    assert_eq!(api["metrics_path"], "/api/v1/metrics", "{text}");
    assert_eq!(
        api["fallback_scrape_protocol"], "PrometheusText0.0.4",
        "{text}"
    );
    assert!(
        spec["scrape"].get(1).is_none(),
        "the labelled worker needs no job: {text}"
    );
    assert_eq!(
        spec["exporters"]["postgres"]["address"], "db:5432",
        "{text}"
    );
    assert_eq!(
        spec["exporters"]["redis"]["address"], "cache:6379",
        "{text}"
    );
    for pack in ["http", "postgres", "redis"] {
        assert_eq!(spec["rules"]["packs"][pack], true, "{pack}: {text}");
    }
    let valid = stack.obsctl(&["validate"]);
    assert!(
        valid.status.success(),
        "{}",
        String::from_utf8_lossy(&valid.stderr)
    );

    // Brought up with the local images, free ports and short intervals.
    stack.localize(&mut spec);
    set_yaml(&mut spec, &["prometheus", "scrape_interval"], "2s".into());
    set_yaml(&mut spec, &["prometheus", "scrape_timeout"], "2s".into());
    stack.write_spec(&serde_yaml::to_string(&spec).unwrap());
    stack.up();

    let expected = [
        "alertmanager",
        "api",
        "grafana",
        "node",
        "postgres",
        "prometheus",
        "redis",
        "worker",
    ];
    poll("every proposed target up", Duration::from_secs(60), || {
        let targets = stack.prometheus("/api/v1/targets");
        let mut jobs: Vec<(String, String)> = targets["data"]["activeTargets"]
            .as_array()?
            .iter()
            .map(|t| {
                (
                    t["labels"]["job"].as_str().unwrap_or_default().to_string(),
                    t["health"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        jobs.sort();
        let up = jobs.iter().all(|(_, h)| h == "up");
        let names: Vec<&str> = jobs.iter().map(|(j, _)| j.as_str()).collect();
        (up && names == expected).then_some(())
    });
}

/// A stand-in for the Docker socket between `watch` and the engine, which can
/// drop every connection and refuse new ones for a while, as an engine that
/// restarts does (the shared engine itself is never restarted).
struct Socket {
    path: std::path::PathBuf,
    conns: std::sync::Arc<std::sync::Mutex<Vec<std::os::unix::net::UnixStream>>>,
    refusing: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Socket {
    fn forward_to_engine(path: std::path::PathBuf) -> Socket {
        use std::os::unix::net::{UnixListener, UnixStream};
        use std::sync::atomic::Ordering;
        let engine = std::env::var("DOCKER_HOST")
            .ok()
            .and_then(|h| h.strip_prefix("unix://").map(str::to_string))
            .unwrap_or_else(|| "/var/run/docker.sock".into());
        let listener = UnixListener::bind(&path).unwrap();
        let socket = Socket {
            path,
            conns: Default::default(),
            refusing: Default::default(),
        };
        let (conns, refusing) = (socket.conns.clone(), socket.refusing.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if refusing.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is reset
                }
                let Ok(upstream) = UnixStream::connect(&engine) else {
                    continue;
                };
                let mut list = conns.lock().unwrap();
                list.push(client.try_clone().unwrap());
                list.push(upstream.try_clone().unwrap());
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), upstream.try_clone().unwrap()),
                    (upstream, client),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        socket
    }

    /// Drops every connection and refuses new ones for `pause`.
    fn restart(&self, pause: Duration) {
        use std::sync::atomic::Ordering;
        self.refusing.store(true, Ordering::SeqCst);
        for c in self.conns.lock().unwrap().drain(..) {
            let _ = c.shutdown(std::net::Shutdown::Both);
        }
        std::thread::sleep(pause);
        self.refusing.store(false, Ordering::SeqCst);
    }
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn watch_follows_the_engine_again_after_it_went_away() {
    require_engine();
    let network = Network::create(&format!("e2e-watch-app-{}", std::process::id()));
    let stack = Stack::new("rewatch");
    stack.write_spec(&stack.spec(&format!("networks: [{}]\n", network.0)));
    let socket = Socket::forward_to_engine(stack.dir.path().join("engine.sock"));

    // `watch` needs no running stack: it only hands targets over.
    let mut watch = Watch::start(&stack, Some(&format!("unix://{}", socket.path.display())));
    let mut next_event = || watch.next();
    assert_eq!(next_event()["event"], "targets");

    socket.restart(Duration::from_millis(1500));
    assert_eq!(next_event()["event"], "lost");
    let mut event = next_event();
    while event["event"] == "lost" {
        event = next_event(); // still refused: it tries again, later
    }
    assert_eq!(event["event"], "following", "{event}");

    let late = labelled(&stack, &format!("{}-late", stack.name), &network.0);
    let came = next_event();
    assert_eq!(came["added"][0]["job"], late.0.as_str(), "{came}");

    // SIGTERM (`systemctl stop`) ends it cleanly.
    watch.stop(libc::SIGTERM);
}
