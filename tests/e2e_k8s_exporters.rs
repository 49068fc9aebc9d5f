//! The Pods of the exporters `render --target kubernetes` writes, run with
//! the exporters of the pinned versions: each container on the Docker engine
//! with its Pod's security settings read from the rendered Deployment (user
//! and group, capabilities dropped, no privilege escalation, read-only root,
//! sysctls), its arguments, and its volumes (a ConfigMap's files, a
//! directory owned by the Pod's `fsGroup` for a claimed volume). The engine is
//! a stand-in for a kubelet here: both hand these settings to runc, which
//! applies them the same way.
//!
//! - The blackbox exporter, as rendered, pings and runs an HTTP probe. With
//!   the Pod's `net.ipv4.ping_group_range` replaced by a range no group is in
//!   (what a node gives a Pod that sets nothing, unless its runtime opens the
//!   range itself), the ICMP probe fails, and adding `NET_RAW` to that
//!   container, which does not run as root, does not help: the sysctl, not a
//!   capability, is what the Pod needs.
//! - The Pushgateway, as rendered (read-only root, not root), keeps a push on
//!   its volume across a restart.
//!
//! `#[ignore]`d like every end-to-end test; scripts/test.sh runs them.

#[path = "e2e_support/mod.rs"]
mod e2e;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use e2e::{docker, encode, free_port, http_get, poll, require_engine, Images};
use serde_yaml::Value;

/// A container started by this test, removed when dropped, and the host
/// port leased for it.
struct Container {
    name: String,
    _port: e2e::ports::Lease,
}

impl Drop for Container {
    fn drop(&mut self) {
        docker(&["rm", "-f", &self.name]);
    }
}

fn read(path: &Path) -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The container of `deployment` (under `out/manifests`) started as its Pod
/// says, each volume's files from `volumes` (name -> host folder), its
/// sysctls replaced by `sysctls` when given and `cap_add` added; returns the
/// container and the host port its `port` is published on, once it answers.
fn start(
    out: &Path,
    deployment: &str,
    volumes: &[(&str, &Path)],
    tag: &str,
    sysctls: Option<&[(&str, &str)]>,
    cap_add: &[&str],
) -> (Container, u16) {
    let d = read(&out.join("manifests").join(deployment));
    let pod = &d["spec"]["template"]["spec"];
    let c = &pod["containers"][0];
    let security = &c["securityContext"];
    let name = format!("e2e-k8s-{}-{tag}", std::process::id());
    let lease = free_port();
    let port = lease.port;
    let container_port = c["ports"][0]["containerPort"].as_u64().unwrap();
    let user = format!(
        "{}:{}",
        pod["securityContext"]["runAsUser"].as_u64().unwrap(),
        pod["securityContext"]["runAsGroup"].as_u64().unwrap()
    );
    let mut args: Vec<String> = vec![
        "run".into(),
        "-d".into(),
        "--name".into(),
        name.clone(),
        "--user".into(),
        user,
        "-p".into(),
        format!("127.0.0.1:{port}:{container_port}"),
    ];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    for cap in security["capabilities"]["drop"].as_sequence().unwrap() {
        args.push(format!("--cap-drop={}", cap.as_str().unwrap()));
    }
    assert!(security["capabilities"].get("add").is_none());
    args.extend(cap_add.iter().map(|c| format!("--cap-add={c}")));
    if security["allowPrivilegeEscalation"] == false {
        args.push("--security-opt=no-new-privileges".into());
    }
    if security["readOnlyRootFilesystem"] == true {
        args.push("--read-only".into());
    }
    let rendered: Vec<(String, String)> = pod["securityContext"]["sysctls"]
        .as_sequence()
        .map(|s| {
            s.iter()
                .map(|x| {
                    (
                        x["name"].as_str().unwrap().to_string(),
                        x["value"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let sysctls: Vec<(String, String)> = match sysctls {
        Some(s) => s
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        None => rendered,
    };
    for (k, v) in &sysctls {
        args.push(format!("--sysctl={k}={v}"));
    }
    for mount in c["volumeMounts"].as_sequence().unwrap() {
        let volume = mount["name"].as_str().unwrap();
        let (_, dir) = volumes
            .iter()
            .find(|(n, _)| *n == volume)
            .unwrap_or_else(|| panic!("no folder for volume {volume}"));
        let ro = if mount["readOnly"] == true { ":ro" } else { "" };
        args.push(format!(
            "--volume={}:{}{ro}",
            dir.display(),
            mount["mountPath"].as_str().unwrap()
        ));
    }
    args.push(c["image"].as_str().unwrap().to_string());
    for a in c["args"].as_sequence().unwrap() {
        args.push(a.as_str().unwrap().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = docker(&args);
    assert!(run.status.success(), "docker run: {run:?}");
    let container = Container { name, _port: lease };
    wait_ready(&container, port);
    (container, port)
}

/// Waits until the container's exporter answers on `port`.
fn wait_ready(c: &Container, port: u16) {
    poll(
        &format!("{} to answer", c.name),
        Duration::from_secs(20),
        || http_get(&format!("http://127.0.0.1:{port}/metrics")).filter(|(s, _)| *s == 200),
    );
}

/// Renders `spec` for Kubernetes in a new folder; returns the folder.
fn render(spec: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("obsctl.yaml"), spec).unwrap();
    let render = Command::new(env!("CARGO_BIN_EXE_obsctl"))
        .args(["render", "--target", "kubernetes", "--out", "out"])
        .current_dir(dir.path())
        .env_remove("OBSCTL_FILE")
        .output()
        .unwrap();
    assert!(render.status.success(), "{render:?}");
    dir
}

/// `probe_success` of `module` on `target`, and the exporter's debug log.
fn probe(port: u16, module: &str, target: &str) -> (f64, String) {
    let url = format!(
        "http://127.0.0.1:{port}/probe?module={module}&target={}&debug=true",
        encode(target)
    );
    let (status, body) = http_get(&url).expect("the exporter answers");
    assert_eq!(status, 200, "{body}");
    let value = body
        .lines()
        .find_map(|l| l.strip_prefix("probe_success "))
        .unwrap_or_else(|| panic!("no probe_success:\n{body}"))
        .trim()
        .parse()
        .unwrap();
    (value, body)
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn the_rendered_blackbox_pod_pings_as_nobody_through_its_sysctl_not_a_capability() {
    require_engine();
    let image = Images::get().blackbox_exporter;
    let dir = render(&format!(
        "name: k8sbb\nexporters:\n  blackbox: {{image: {image}}}\nprobes:\n  - {{name: loopback, url: 127.0.0.1, module: icmp}}\n  - {{name: itself, url: 'http://127.0.0.1:9115/metrics', status_codes: [200]}}\n"
    ));
    let out = dir.path().join("out");

    // The ConfigMap's modules, as the Pod mounts them (readable by all, as
    // a ConfigMap volume's files are: mode 0644).
    let config = read(&out.join("manifests/configmap-k8sbb-blackbox-exporter.yaml"));
    let config_dir = dir.path().join("config");
    std::fs::create_dir(&config_dir).unwrap();
    std::fs::set_permissions(&config_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    for (key, text) in config["data"].as_mapping().unwrap() {
        let file = config_dir.join(key.as_str().unwrap());
        std::fs::write(&file, text.as_str().unwrap()).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let deployment = "deployment-k8sbb-blackbox-exporter.yaml";
    let volumes = [("config", config_dir.as_path())];

    let (_c, port) = start(&out, deployment, &volumes, "bb", None, &[]);
    let (icmp, log) = probe(port, "icmp", "127.0.0.1");
    assert_eq!(icmp, 1.0, "the rendered Pod cannot ping:\n{log}");
    let (http, log) = probe(port, "http_2xx-itself", "http://127.0.0.1:9115/metrics");
    assert_eq!(http, 1.0, "{log}");

    // No group may open unprivileged ICMP sockets: the probe fails, and
    // NET_RAW given to the non-root process does not help.
    let closed = [("net.ipv4.ping_group_range", "1 0")];
    for (tag, caps) in [("bb-closed", &[][..]), ("bb-netraw", &["NET_RAW"][..])] {
        let (_c, port) = start(&out, deployment, &volumes, tag, Some(&closed), caps);
        let (icmp, log) = probe(port, "icmp", "127.0.0.1");
        assert_eq!(icmp, 0.0, "{tag}: pinged without the sysctl:\n{log}");
        assert!(log.contains("operation not permitted"), "{tag}:\n{log}");
    }
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn the_rendered_pushgateway_pod_keeps_a_push_on_its_volume_across_a_restart() {
    require_engine();
    let image = Images::get().pushgateway;
    let dir = render(&format!(
        "name: k8spg\nexporters:\n  pushgateway: {{image: {image}, jobs: [{{job: nightly, max_age: 1d}}]}}\n"
    ));
    let out = dir.path().join("out");
    let d = read(&out.join("manifests/deployment-k8spg-pushgateway.yaml"));
    let group = d["spec"]["template"]["spec"]["securityContext"]["fsGroup"]
        .as_u64()
        .unwrap() as u32;
    // A fresh claimed volume: empty, group-owned by the Pod's fsGroup and
    // group-writable, as the kubelet prepares it.
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::os::unix::fs::chown(&data, Some(0), Some(group)).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o2775)).unwrap();
    let volumes = [("data", data.as_path())];

    let (c, port) = start(
        &out,
        "deployment-k8spg-pushgateway.yaml",
        &volumes,
        "pg",
        None,
        &[],
    );
    let body = "# TYPE nightly_rows gauge\nnightly_rows 42\n";
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "POST /metrics/job/nightly HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.0 200"), "{answer}");

    // The Pushgateway writes its file when it stops; it starts from it again.
    let restart = docker(&["restart", &c.name]);
    assert!(restart.status.success(), "{restart:?}");
    wait_ready(&c, port);
    let (_, metrics) = http_get(&format!("http://127.0.0.1:{port}/metrics")).unwrap();
    assert!(
        metrics.lines().any(|l| l.starts_with("nightly_rows{")
            && l.contains("job=\"nightly\"")
            && l.ends_with(" 42")),
        "the push did not survive the restart:\n{metrics}"
    );
    assert!(data.join("metrics.store").exists());
}
