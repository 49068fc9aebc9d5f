//! Helpers for the end-to-end tests: the real `obsctl` binary run in a temp
//! dir against the Docker engine, with the local test images
//! (tests/images/build.sh), each test on its own stack name and free ports,
//! and `down --volumes` when the test ends, whatever happened.

// Each test binary compiles this module on its own and uses only some of
// its helpers; every helper here is used by at least one of them.
#![allow(dead_code)]

pub mod compose;

/// The arguments of `up` in the tests: local images only, a deadline, the
/// JSON report on stdout.
pub const UP: &[&str] = &[
    "up",
    "--pull",
    "never",
    "--timeout",
    "90s",
    "--output",
    "json",
];
mod http;
mod report;

pub use http::{encode, http_get, http_get_with};
// Each test binary uses some of these (see the allow above).
#[allow(unused_imports)]
pub use report::{action, assert_probed_ready, at_root};

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

pub const STACK_LABEL: &str = "dev.obsctl.stack";

/// Fails the test unless a Docker engine answers and the test images are
/// there. End-to-end tests are `#[ignore]`d, so they run only when asked for
/// (`cargo test -- --include-ignored`, as scripts/test.sh does); a test that
/// was asked for and cannot run fails, it never passes silently.
pub fn require_engine() {
    if !docker(&["version", "--format", "{{.Server.APIVersion}}"])
        .status
        .success()
    {
        panic!("no Docker engine answers (start one with scripts/test-env.sh)");
    }
    let i = Images::get();
    let missing = [
        i.prometheus,
        i.alertmanager,
        i.node_exporter,
        i.postgres_exporter,
        i.redis_exporter,
        i.blackbox_exporter,
        i.pushgateway,
        i.victoria_metrics,
        i.app,
        i.grafana,
    ]
    .into_iter()
    .find(|i| !docker(&["image", "inspect", i.as_str()]).status.success());
    if let Some(image) = missing {
        panic!("the test image {image} is missing (build it with tests/images/build.sh)");
    }
}

/// The local images, from OBSCTL_TEST_*_IMAGE or the names build.sh prints
/// (its tags follow the Debian packages pinned in tests/images/pins.sh), or
/// else [`FALLBACK_IMAGES`].
pub struct Images {
    pub prometheus: String,
    pub alertmanager: String,
    pub node_exporter: String,
    pub postgres_exporter: String,
    pub redis_exporter: String,
    pub blackbox_exporter: String,
    pub pushgateway: String,
    pub victoria_metrics: String,
    /// busybox with a static /metrics page; see tests/images/app/Dockerfile.
    pub app: String,
    /// The Grafana stand-in (tests/grafana-standin), not Grafana.
    pub grafana: String,
}

/// Each image's variable with the name build.sh prints for it, used when
/// neither the variable is set nor build.sh can be run.
pub const FALLBACK_IMAGES: &[(&str, &str)] = &[
    (
        "OBSCTL_TEST_PROMETHEUS_IMAGE",
        "obsctl-test/prometheus:3.5.3",
    ),
    (
        "OBSCTL_TEST_ALERTMANAGER_IMAGE",
        "obsctl-test/alertmanager:0.28.1",
    ),
    (
        "OBSCTL_TEST_NODE_EXPORTER_IMAGE",
        "obsctl-test/node-exporter:1.9.0",
    ),
    (
        "OBSCTL_TEST_POSTGRES_EXPORTER_IMAGE",
        "obsctl-test/postgres-exporter:0.17.1",
    ),
    (
        "OBSCTL_TEST_REDIS_EXPORTER_IMAGE",
        "obsctl-test/redis-exporter:1.69.0",
    ),
    (
        "OBSCTL_TEST_BLACKBOX_EXPORTER_IMAGE",
        "obsctl-test/blackbox-exporter:0.26.0",
    ),
    (
        "OBSCTL_TEST_PUSHGATEWAY_IMAGE",
        "obsctl-test/pushgateway:1.11.0",
    ),
    (
        "OBSCTL_TEST_VICTORIA_METRICS_IMAGE",
        "obsctl-test/victoria-metrics:1.112.0",
    ),
    ("OBSCTL_TEST_APP_IMAGE", "obsctl-test/app:dev"),
    (
        "OBSCTL_TEST_GRAFANA_STANDIN_IMAGE",
        "obsctl-test/grafana-standin:dev",
    ),
];

/// The NAME=IMAGE lines of `tests/images/build.sh --print` (empty when it
/// cannot run).
pub fn printed_images() -> String {
    Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/images/build.sh"))
        .arg("--print")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

impl Images {
    pub fn get() -> Images {
        let printed = printed_images();
        let image = |var: &str| {
            std::env::var(var)
                .ok()
                .or_else(|| {
                    printed
                        .lines()
                        .find_map(|l| l.strip_prefix(&format!("{var}=")).map(str::to_string))
                })
                .or_else(|| {
                    FALLBACK_IMAGES
                        .iter()
                        .find(|(v, _)| *v == var)
                        .map(|(_, i)| i.to_string())
                })
                .unwrap_or_else(|| panic!("{var} has no fallback image"))
        };
        Images {
            prometheus: image("OBSCTL_TEST_PROMETHEUS_IMAGE"),
            alertmanager: image("OBSCTL_TEST_ALERTMANAGER_IMAGE"),
            node_exporter: image("OBSCTL_TEST_NODE_EXPORTER_IMAGE"),
            postgres_exporter: image("OBSCTL_TEST_POSTGRES_EXPORTER_IMAGE"),
            redis_exporter: image("OBSCTL_TEST_REDIS_EXPORTER_IMAGE"),
            blackbox_exporter: image("OBSCTL_TEST_BLACKBOX_EXPORTER_IMAGE"),
            pushgateway: image("OBSCTL_TEST_PUSHGATEWAY_IMAGE"),
            victoria_metrics: image("OBSCTL_TEST_VICTORIA_METRICS_IMAGE"),
            app: image("OBSCTL_TEST_APP_IMAGE"),
            grafana: image("OBSCTL_TEST_GRAFANA_STANDIN_IMAGE"),
        }
    }
}

/// Runs the docker CLI.
pub fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .unwrap_or_else(|e| Output {
            status: std::os::unix::process::ExitStatusExt::from_raw(127 << 8),
            stdout: Vec::new(),
            stderr: format!("docker: {e}").into_bytes(),
        })
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

#[path = "../support/ports.rs"]
pub mod ports;

/// A port nothing listens on, reserved from every other test until the
/// lease is dropped (see [`ports`]).
pub fn free_port() -> ports::Lease {
    ports::lease()
}

/// One stack under test: a temp dir with its spec, a unique name, free ports.
pub struct Stack {
    pub name: String,
    pub dir: tempfile::TempDir,
    pub prometheus_port: u16,
    pub alertmanager_port: u16,
    pub grafana_port: u16,
    pub images: Images,
    /// The ports' reservations, released after `down` when the stack is dropped.
    leases: Vec<ports::Lease>,
}

impl Stack {
    pub fn new(test: &str) -> Stack {
        let leases = vec![free_port(), free_port(), free_port()];
        Stack {
            name: format!("e2e-{test}-{}", std::process::id()),
            dir: tempfile::tempdir().unwrap(),
            prometheus_port: leases[0].port,
            alertmanager_port: leases[1].port,
            grafana_port: leases[2].port,
            images: Images::get(),
            leases,
        }
    }

    /// The stack's spec with `extra` YAML appended; scrapes and evaluates
    /// every second so tests see samples and rules quickly.
    pub fn spec(&self, extra: &str) -> String {
        format!(
            "name: {name}\nprometheus:\n  image: {prom}\n  port: {pp}\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nalertmanager:\n  image: {am}\n  port: {ap}\ngrafana:\n  image: {gf}\n  port: {gp}\n{extra}",
            name = self.name,
            prom = self.images.prometheus,
            pp = self.prometheus_port,
            am = self.images.alertmanager,
            ap = self.alertmanager_port,
            gf = self.images.grafana,
            gp = self.grafana_port,
        )
    }

    /// Points a spec (parsed) at this stack's free ports and the local
    /// images of its services and exporters.
    pub fn localize(&self, spec: &mut serde_yaml::Value) {
        let i = &self.images;
        for (service, image, port) in [
            ("prometheus", &i.prometheus, self.prometheus_port),
            ("alertmanager", &i.alertmanager, self.alertmanager_port),
            ("grafana", &i.grafana, self.grafana_port),
        ] {
            set_yaml(spec, &[service, "image"], image.clone().into());
            set_yaml(spec, &[service, "port"], u64::from(port).into());
        }
        let exporters: Vec<String> = spec["exporters"]
            .as_mapping()
            .into_iter()
            .flatten()
            .map(|(k, _)| k.as_str().unwrap().to_string())
            .collect();
        for exporter in exporters {
            let image = match exporter.as_str() {
                "node" => &i.node_exporter,
                "postgres" => &i.postgres_exporter,
                "redis" => &i.redis_exporter,
                other => panic!("no local test image for the {other} exporter"),
            };
            set_yaml(
                spec,
                &["exporters", &exporter, "image"],
                image.clone().into(),
            );
        }
    }

    pub fn write_spec(&self, text: &str) {
        std::fs::write(self.dir.path().join("obsctl.yaml"), text).unwrap();
    }

    /// Runs obsctl in the stack's folder.
    pub fn obsctl(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_obsctl"))
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("OBSCTL_FILE")
            .output()
            .unwrap()
    }

    /// `up --pull never --output json`, which must succeed; returns its report.
    pub fn up(&self) -> Value {
        let out = self.obsctl(UP);
        assert!(
            out.status.success(),
            "obsctl up failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("up --output json prints JSON")
    }

    /// `doctor --output json`: (exit code, report).
    pub fn doctor(&self) -> (i32, Value) {
        let out = self.obsctl(&["doctor", "--output", "json"]);
        let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "doctor printed no JSON ({e}):\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap_or(-1), report)
    }

    /// Service -> container id, for every container carrying the stack label.
    pub fn container_ids(&self) -> BTreeMap<String, String> {
        let filter = format!("label={STACK_LABEL}={}", self.name);
        let out = docker(&[
            "ps",
            "-a",
            "--filter",
            &filter,
            "--format",
            "{{.Label \"dev.obsctl.service\"}} {{.ID}}",
        ]);
        stdout(&out)
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(s, id)| (s.to_string(), id.to_string()))
            .collect()
    }

    /// Names of labelled objects of one kind: container, network or volume.
    pub fn labelled(&self, kind: &str) -> Vec<String> {
        let filter = format!("label={STACK_LABEL}={}", self.name);
        let args: Vec<&str> = match kind {
            "container" => vec!["ps", "-a", "--filter", &filter, "--format", "{{.Names}}"],
            "network" => vec![
                "network",
                "ls",
                "--filter",
                &filter,
                "--format",
                "{{.Name}}",
            ],
            _ => vec!["volume", "ls", "--filter", &filter, "--format", "{{.Name}}"],
        };
        stdout(&docker(&args)).lines().map(str::to_string).collect()
    }

    pub fn prometheus(&self, path: &str) -> Value {
        let url = format!("http://127.0.0.1:{}{path}", self.prometheus_port);
        match http_get(&url) {
            Some((200, body)) => serde_json::from_str(&body).unwrap(),
            other => panic!("GET {url}: {other:?}"),
        }
    }

    /// `GET path` on the stack's Grafana as its admin, with the password
    /// `up` generated; the answer must be a 200 with JSON.
    pub fn grafana(&self, path: &str) -> Value {
        use base64::Engine;
        let password_file = self.dir.path().join(".obsctl/grafana-admin-password");
        let password = std::fs::read_to_string(&password_file)
            .unwrap_or_else(|e| panic!("{}: {e}", password_file.display()));
        let credentials = format!("admin:{}", password.trim_end());
        let auth = base64::engine::general_purpose::STANDARD.encode(credentials);
        let url = format!("http://127.0.0.1:{}{path}", self.grafana_port);
        match http_get_with(&url, &[("Authorization", &format!("Basic {auth}"))]) {
            Some((200, body)) => serde_json::from_str(&body).unwrap(),
            other => panic!("GET {url}: {other:?}"),
        }
    }

    /// The search hit of dashboard `uid` in the stack's Grafana, which must
    /// have it.
    pub fn dashboard_hit(&self, uid: &str) -> Value {
        let hits = self.grafana("/api/search?type=dash-db");
        hits.as_array()
            .unwrap()
            .iter()
            .find(|h| h["uid"] == uid)
            .unwrap_or_else(|| panic!("Grafana has no dashboard {uid}: {hits}"))
            .clone()
    }

    /// Number of series an instant query returns at Unix time `at`.
    pub fn series_at(&self, query: &str, at: f64) -> usize {
        let path = format!("/api/v1/query?query={}&time={at:.3}", encode(query));
        self.prometheus(&path)["data"]["result"]
            .as_array()
            .map_or(0, Vec::len)
    }

    /// Waits until Prometheus has stored at least one sample of `up` for its
    /// own job; returns a time at which that sample is queryable.
    pub fn wait_for_a_sample(&self) -> f64 {
        poll(
            "a first sample of up{job=\"prometheus\"}",
            Duration::from_secs(60),
            || {
                let at = now();
                (self.series_at("up{job=\"prometheus\"}", at) > 0).then_some(at)
            },
        )
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        let out = self.obsctl(&["down", "--volumes"]);
        if !out.status.success() {
            eprintln!(
                "cleanup of stack {} failed: {}",
                self.name,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// Removes an extra image tag when the test ends.
pub struct Untag(pub String);

impl Drop for Untag {
    fn drop(&mut self) {
        let out = docker(&["image", "rm", &self.0]);
        if !out.status.success() {
            eprintln!(
                "removing the image tag {}: {}",
                self.0,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// Polls `f` until it returns something or `limit` passes (then panics naming `what`).
pub fn poll<T>(what: &str, limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    let mut delay = Duration::from_millis(50);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(delay);
        delay = (delay * 2).min(Duration::from_millis(500));
    }
}

pub fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// Sets the value at `path` (keys from the top) in a YAML document whose
/// parents exist.
pub fn set_yaml(doc: &mut serde_yaml::Value, path: &[&str], value: serde_yaml::Value) {
    let mut node = doc;
    for key in &path[..path.len() - 1] {
        node = node
            .get_mut(*key)
            .unwrap_or_else(|| panic!("the spec has no `{key}`"));
    }
    node[path[path.len() - 1]] = value;
}
