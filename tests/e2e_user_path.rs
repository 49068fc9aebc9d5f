//! What a person reads with a Docker engine at hand: `up` from nothing, `up`
//! again, `status`, `doctor` on a healthy stack, `down`, `down --volumes`;
//! and the failures met on the way: a port taken, an image missing under
//! `--pull never`, a service that never becomes ready. Each snapshot holds
//! the exit code, stdout and stderr as printed, with what changes from run
//! to run (folders, the stack's name, ports, durations, versions) filtered
//! out. The path without Docker is in tests/cli_user_path.rs.

#[path = "e2e_support/mod.rs"]
mod support;

use std::net::TcpListener;
use std::process::Output;
use std::time::Duration;

use regex::Regex;
use serde_json::Value;
use support::{docker, poll, require_engine, Stack, Untag};

/// Exit code, stdout and stderr, as one text to snapshot, with what differs
/// between runs replaced by names in brackets.
fn transcript(stack: &Stack, out: &Output) -> String {
    let text = format!(
        "exit code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut text = text
        .replace(&stack.dir.path().display().to_string(), "[DIR]")
        .replace(&stack.name, "[STACK]");
    for (port, name) in [
        (stack.prometheus_port, "[PROMETHEUS_PORT]"),
        (stack.alertmanager_port, "[ALERTMANAGER_PORT]"),
        (stack.grafana_port, "[GRAFANA_PORT]"),
    ] {
        text = text.replace(&port.to_string(), name);
    }
    for (pattern, with) in [
        // Image tags: the pinned versions and the test programs' source hashes.
        (r"(obsctl-test/[a-z-]+):[0-9A-Za-z.+-]+", "$1:[TAG]"),
        (
            r"Docker \S+ at (\S+), API [0-9.]+",
            "Docker [VERSION] at $1, API [VERSION]",
        ),
        (r"\b\d+\.\d+s\b", "[TIME]"),
        (
            r"\bup (\d+|an?|about an?) (second|minute)s?\b",
            "up [UPTIME]",
        ),
        (r"(?m)  \d+[smh]$", "  [UPTIME]"),
        (r"within \d+s", "within [TIME]"),
        (r"by process \d+ \([^)]*\)", "by process [PID] ([NAME])"),
    ] {
        text = Regex::new(pattern)
            .unwrap()
            .replace_all(&text, with)
            .into_owned();
    }
    in_order(&text)
}

/// `up` waits for the services in parallel, so their "is ready" lines come in
/// any order: each run of them is sorted.
fn in_order(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    let ready = Regex::new(r"^\S+ is ready \(").unwrap();
    for line in text.split_inclusive('\n') {
        if ready.is_match(line) {
            run.push(line);
            continue;
        }
        run.sort();
        out.append(&mut run);
        out.push(line);
    }
    run.sort();
    out.append(&mut run);
    out.concat()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn the_path_from_up_to_down_volumes_as_a_person_reads_it() {
    require_engine();
    let stack = Stack::new("path");
    stack.write_spec(&stack.spec(""));

    let up = stack.obsctl(&["up", "--pull", "never"]);
    insta::assert_snapshot!("up_from_nothing", transcript(&stack, &up));
    assert_eq!(code(&up), 0);

    let again = stack.obsctl(&["up", "--pull", "never"]);
    insta::assert_snapshot!("up_again_changes_nothing", transcript(&stack, &again));
    assert_eq!(code(&again), 0);

    let status = stack.obsctl(&["status"]);
    // Its columns are as wide as the images' names, which change with their
    // versions: the padding is shortened to two spaces.
    let columns = Regex::new(" {2,}").unwrap();
    insta::assert_snapshot!(
        "status",
        columns.replace_all(&transcript(&stack, &status), "  ")
    );
    assert_eq!(code(&status), 0);

    // Once every target has been scraped and every rule evaluated, doctor
    // has nothing left to wait for: its report is the same from run to run.
    poll(
        "every target scraped and every rule evaluated",
        Duration::from_secs(60),
        || {
            let (_, report) = stack.doctor();
            let waiting: Vec<&Value> = report["checks"]
                .as_array()?
                .iter()
                .filter(|c| c["status"] == "skip" && c["group"] != "discovered")
                .collect();
            waiting.is_empty().then_some(())
        },
    );
    let doctor = stack.obsctl(&["doctor"]);
    insta::assert_snapshot!("doctor_on_a_healthy_stack", transcript(&stack, &doctor));
    assert_eq!(code(&doctor), 0);

    let down = stack.obsctl(&["down"]);
    insta::assert_snapshot!("down_keeps_the_data", transcript(&stack, &down));
    assert_eq!(code(&down), 0);

    let volumes = stack.obsctl(&["down", "--volumes"]);
    insta::assert_snapshot!(
        "down_volumes_removes_the_data",
        transcript(&stack, &volumes)
    );
    assert_eq!(code(&volumes), 0);
    for kind in ["container", "network", "volume"] {
        assert!(stack.labelled(kind).is_empty(), "a labelled {kind} is left");
    }
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn a_taken_port_stops_up_naming_the_port_the_service_and_the_field() {
    require_engine();
    let stack = Stack::new("path-port");
    // Something else listens on the port the spec gives Prometheus.
    let _holder = TcpListener::bind(("127.0.0.1", stack.prometheus_port)).unwrap();
    stack.write_spec(&stack.spec(""));
    let out = stack.obsctl(&["up", "--pull", "never"]);
    insta::assert_snapshot!(transcript(&stack, &out));
    assert_eq!(code(&out), 2);
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn a_missing_image_under_pull_never_stops_up_naming_the_image() {
    require_engine();
    let stack = Stack::new("path-image");
    let missing = "obsctl-missing/prometheus:0.0.0";
    assert!(!docker(&["image", "inspect", missing]).status.success());
    stack.write_spec(&stack.spec("").replace(&stack.images.prometheus, missing));
    let out = stack.obsctl(&["up", "--pull", "never"]);
    insta::assert_snapshot!(transcript(&stack, &out));
    assert_eq!(code(&out), 2);
    for kind in ["container", "network", "volume"] {
        assert!(stack.labelled(kind).is_empty(), "a {kind} was created");
    }
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn a_service_that_never_becomes_ready_fails_up_with_the_end_of_its_log() {
    // A stand-in for a Prometheus that starts but never gets ready: the
    // busybox test app, logging two lines, then answering 404 on /-/ready.
    let run = up_with_a_prometheus_that_runs(
        "never-ready",
        "echo 'starting (a stand-in that never gets ready)'; echo 'listening on :9090'; exec httpd -f -p 9090 -h /www",
    );
    insta::assert_snapshot!(transcript(&run.stack, &run.out));
    assert_eq!(code(&run.out), 1);
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn a_service_that_crashes_at_start_fails_up_at_once_with_the_end_of_its_log() {
    // A stand-in for a Prometheus that exits at start: the busybox test app,
    // saying why and exiting 1 (and restarted by its policy, again and again).
    let run = up_with_a_prometheus_that_runs(
        "crashes",
        "echo 'starting (a stand-in that crashes)'; echo 'error: opening storage failed: permission denied'; exit 1",
    );
    insta::assert_snapshot!(transcript(&run.stack, &run.out));
    assert_eq!(code(&run.out), 1);
}

/// A stack brought up with a stand-in Prometheus image, and what `up` said.
struct Run {
    stack: Stack,
    out: Output,
    /// Dropped after the stack (fields drop in order), once no container
    /// uses the image any more.
    _image: Untag,
}

/// `up --timeout 5s` of a stack whose Prometheus image is the test app
/// running the `sh -c` script `script` instead.
fn up_with_a_prometheus_that_runs(name: &str, script: &str) -> Run {
    require_engine();
    let tag = format!(
        "obsctl-test/stand-in-prometheus:{name}-{}",
        std::process::id()
    );
    let dockerfile = format!(
        "FROM {}\nENTRYPOINT [\"sh\", \"-c\", {}]\n",
        support::Images::get().app,
        serde_json::to_string(script).unwrap()
    );
    build(&tag, &dockerfile);
    let image = Untag(tag.clone());
    let stack = Stack::new(&format!("path-{name}"));
    stack.write_spec(&stack.spec("").replace(&stack.images.prometheus, &tag));
    let out = stack.obsctl(&["up", "--pull", "never", "--timeout", "5s"]);
    Run {
        stack,
        out,
        _image: image,
    }
}

/// Builds `tag` from a Dockerfile with no context (its base image is local).
fn build(tag: &str, dockerfile: &str) {
    use std::io::Write;
    let mut child = std::process::Command::new("docker")
        .args(["build", "--quiet", "--tag", tag, "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dockerfile.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "docker build {tag}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
