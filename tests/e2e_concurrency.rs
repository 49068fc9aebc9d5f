//! Concurrency and convergence on a real Docker engine: runs of `up` on one
//! stack take turns (in one directory or two), `--no-wait` refuses while
//! another run holds the lock, and `up` converges from what a race or a
//! crash leaves: a second labelled network under the stack network's name,
//! a container created but never started, a state file cut short.
//!
//! The tests are `#[ignore]`d: `cargo test -- --include-ignored` (as
//! scripts/test.sh does) runs them, and without a Docker engine they then fail.

#[path = "e2e_support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use support::{action, docker, poll, require_engine, stdout, Stack, STACK_LABEL};

/// Starts `obsctl up` (local images, JSON report) in `dir`, not waiting for it.
fn spawn_up(dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_obsctl"))
        .args(support::UP)
        .current_dir(dir)
        .env_remove("OBSCTL_FILE")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Waits until the `up` with pid `pid` has recorded itself in the lock file
/// of the stack directory `dir`: it holds the stack's locks from then on.
fn wait_until_it_holds(dir: &Path, pid: u32) {
    let lock = dir.join(".obsctl/.obsctl-lock");
    poll(
        &format!("pid {pid} to hold {}", lock.display()),
        Duration::from_secs(30),
        || {
            let record = std::fs::read_to_string(&lock).ok()?;
            record.contains(&format!("\"pid\":{pid},")).then_some(())
        },
    );
}

fn assert_no_docker_race(stderr: &str) {
    for raw in ["Conflict", "ambiguous", "already in use"] {
        assert!(!stderr.contains(raw), "Docker's raw {raw:?}:\n{stderr}");
    }
}

/// Ids of the networks carrying the stack's label.
fn labelled_network_ids(stack: &Stack) -> Vec<String> {
    let filter = format!("label={STACK_LABEL}={}", stack.name);
    let out = docker(&["network", "ls", "-q", "--no-trunc", "--filter", &filter]);
    stdout(&out).lines().map(str::to_string).collect()
}

/// A network created straight through the Engine API, which the docker CLI
/// cannot do: another one under a name that is taken, as two concurrent
/// creates make it. Removed when dropped.
struct RawNetwork(String);

impl RawNetwork {
    fn create(name: &str, labels: Value) -> RawNetwork {
        let body = serde_json::json!({
            "Name": name,
            "CheckDuplicate": false,
            "Driver": "bridge",
            "Labels": labels,
        })
        .to_string();
        let (status, answer) = engine_post("/networks/create", &body);
        assert_eq!(
            status, 201,
            "this engine refuses a second network named {name}, so the state this test starts from cannot arise on it: {answer}"
        );
        let id = serde_json::from_str::<Value>(&answer).unwrap()["Id"]
            .as_str()
            .unwrap()
            .to_string();
        RawNetwork(id)
    }
}

impl Drop for RawNetwork {
    fn drop(&mut self) {
        // Gone already when obsctl removed it, as it should a labelled one.
        let _ = docker(&["network", "rm", &self.0]);
    }
}

/// `POST path` with a JSON body on the engine's unix socket: (status, body).
fn engine_post(path: &str, body: &str) -> (u16, String) {
    let socket = std::env::var("DOCKER_HOST")
        .ok()
        .and_then(|h| h.strip_prefix("unix://").map(str::to_string))
        .unwrap_or_else(|| "/var/run/docker.sock".into());
    let mut stream = UnixStream::connect(&socket).unwrap_or_else(|e| panic!("{socket}: {e}"));
    write!(
        stream,
        "POST {path} HTTP/1.0\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, answer) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, answer.to_string())
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn two_ups_started_together_take_turns_and_leave_one_network() {
    require_engine();
    let stack = Stack::new("race");
    stack.write_spec(&stack.spec(""));

    let (a, b) = (spawn_up(stack.dir.path()), spawn_up(stack.dir.path()));
    let pids = [a.id(), b.id()];
    let outs: Vec<Output> = [a, b]
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for out in &outs {
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_no_docker_race(&text(&out.stderr));
    }
    // One of them waited for the other, naming it, and then found nothing to do.
    let waiter = (0..2)
        .find(|&i| text(&outs[i].stderr).contains("is busy: pid"))
        .unwrap_or_else(|| {
            panic!(
                "neither run waited:\n{}\n{}",
                text(&outs[0].stderr),
                text(&outs[1].stderr)
            )
        });
    let (first, second) = (1 - waiter, waiter);
    let waited = text(&outs[second].stderr);
    assert!(
        waited.contains(&format!(
            "is busy: pid {} (`obsctl up` of stack `{}`",
            pids[first], stack.name
        )),
        "{waited}"
    );
    let figure = waited
        .split("the other run is done (waited ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no wait figure:\n{waited}"));
    eprintln!("the second `up` waited {figure} for the first");
    let first_report: Value = serde_json::from_slice(&outs[first].stdout).unwrap();
    let second_report: Value = serde_json::from_slice(&outs[second].stdout).unwrap();
    for service in ["prometheus", "alertmanager", "grafana"] {
        assert_eq!(action(&first_report, service), "created");
        assert_eq!(action(&second_report, service), "unchanged");
    }
    assert_eq!(second_report["changed"], false, "{second_report}");
    support::assert_probed_ready(&second_report);
    assert_eq!(stack.labelled("network"), [format!("{}-net", stack.name)]);
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn no_wait_refuses_with_exit_2_while_another_up_holds_the_lock() {
    require_engine();
    let stack = Stack::new("nowait");
    stack.write_spec(&stack.spec(""));
    let first = spawn_up(stack.dir.path());
    let pid = first.id();
    wait_until_it_holds(stack.dir.path(), pid);

    let out = stack.obsctl(&["up", "--pull", "never", "--no-wait"]);
    let first = first.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error: stack `{}` is busy: pid {pid} (`obsctl up` of stack `{}` in {}, since ",
            stack.name,
            stack.name,
            stack.dir.path().join(".obsctl").display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("hint: another `obsctl up`"), "{stderr}");
    assert!(!stderr.contains("waiting"), "{stderr}");
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_no_docker_race(&text(&first.stderr));
    assert_eq!(stack.labelled("network"), [format!("{}-net", stack.name)]);
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn the_same_stack_name_from_another_directory_waits_for_the_lock_of_the_name() {
    require_engine();
    let stack = Stack::new("twodirs");
    let spec = stack.spec("");
    stack.write_spec(&spec);
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("obsctl.yaml"), &spec).unwrap();

    let first = spawn_up(stack.dir.path());
    let pid = first.id();
    wait_until_it_holds(stack.dir.path(), pid);
    let refused = Command::new(env!("CARGO_BIN_EXE_obsctl"))
        .args(["up", "--pull", "never", "--no-wait"])
        .current_dir(other.path())
        .env_remove("OBSCTL_FILE")
        .output()
        .unwrap();
    let first = first.wait_with_output().unwrap();
    let stderr = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "is busy: pid {pid} (`obsctl up` of stack `{}` in {}, since ",
            stack.name,
            stack.dir.path().join(".obsctl").display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("stack-{}.lock", stack.name)),
        "the lock of the name, not of a directory:\n{stderr}"
    );
    assert!(first.status.success(), "{}", text(&first.stderr));

    // Once the first is done, the other directory's turn comes.
    let down = Command::new(env!("CARGO_BIN_EXE_obsctl"))
        .args(["down", "--no-wait"])
        .current_dir(other.path())
        .env_remove("OBSCTL_FILE")
        .output()
        .unwrap();
    assert!(down.status.success(), "{}", text(&down.stderr));
    assert!(stack.labelled("container").is_empty());
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn a_second_labelled_network_is_removed_and_an_unlabelled_namesake_is_refused() {
    require_engine();
    let stack = Stack::new("dupnet");
    stack.write_spec(&stack.spec(""));
    stack.up();
    let net = format!("{}-net", stack.name);
    let original = labelled_network_ids(&stack);
    assert_eq!(original.len(), 1);

    // What two concurrent runs of an unlocked `up` leave: a second network
    // of the stack under the same name.
    let surplus = RawNetwork::create(
        &net,
        serde_json::json!({STACK_LABEL: stack.name, "dev.obsctl.service": "network"}),
    );
    assert_eq!(labelled_network_ids(&stack).len(), 2);
    // And a container the race left created but not started: Docker refuses
    // to start it while its network's name is ambiguous.
    let grafana = format!("{}-grafana", stack.name);
    assert!(docker(&["rm", "-f", &grafana]).status.success());
    let network = original[0].clone();
    create_as_up_does(
        &stack,
        &stack.dir.path().join(".obsctl"),
        "grafana",
        &network,
    );

    let out = stack.obsctl(support::UP);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_no_docker_race(&stderr);
    assert!(
        stderr.contains(&format!("removing network {net} ({})", &surplus.0[..12])),
        "{stderr}"
    );
    assert_eq!(
        labelled_network_ids(&stack),
        original,
        "the containers' one stays"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(action(&report, "grafana"), "started");
    assert_eq!(action(&report, "prometheus"), "unchanged");
    support::assert_probed_ready(&report);

    // A network of that name without obsctl's label is someone else's:
    // refused, and left alone.
    let foreign = RawNetwork::create(&net, serde_json::json!({}));
    let out = stack.obsctl(&["up", "--pull", "never", "--timeout", "90s"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "network {net} already exists without the label of stack `{}`",
            stack.name
        )),
        "{stderr}"
    );
    assert!(
        docker(&["network", "inspect", &foreign.0]).status.success(),
        "the unlabelled network is still there"
    );
    assert_eq!(labelled_network_ids(&stack), original);
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn a_container_created_but_never_started_and_a_state_file_cut_short_converge() {
    require_engine();
    let stack = Stack::new("crashed");
    stack.write_spec(&stack.spec(""));
    stack.up();
    let before = stack.container_ids();
    let dir = stack.dir.path().join(".obsctl");
    let state_path = dir.join(".obsctl-state.json");
    let state: Value = serde_json::from_slice(&std::fs::read(&state_path).unwrap()).unwrap();

    // An `up` stopped between creating a container and starting it: the
    // Alertmanager container made anew, exactly as `up` makes it, not started.
    let alertmanager = format!("{}-alertmanager", stack.name);
    assert!(docker(&["rm", "-f", &alertmanager]).status.success());
    let network = labelled_network_ids(&stack).pop().unwrap();
    let created = create_as_up_does(&stack, &dir, "alertmanager", &network);
    let status = |name: &str| stdout(&docker(&["inspect", "--format", "{{.State.Status}}", name]));
    assert_eq!(status(&alertmanager), "created");
    // And a state file cut short (a full disk, an older writer).
    let whole = std::fs::read(&state_path).unwrap();
    std::fs::write(&state_path, &whole[..whole.len() / 2]).unwrap();
    let cut_inode = std::fs::metadata(&state_path).unwrap().ino();

    let out = stack.obsctl(support::UP);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "warning: the state file {} is unreadable (",
            state_path.display()
        )) && stderr.contains("treating it as absent"),
        "{stderr}"
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(action(&report, "alertmanager"), "started", "{report}");
    support::assert_probed_ready(&report);
    let after = stack.container_ids();
    assert!(
        created.starts_with(&after["alertmanager"]),
        "the created container itself was started, not replaced"
    );
    assert_eq!(after["prometheus"], before["prometheus"]);
    assert_eq!(after["grafana"], before["grafana"]);
    assert_eq!(status(&alertmanager), "running");
    // The state is whole again, and was replaced (a new file renamed over
    // the cut one), not patched in place.
    let rewritten: Value = serde_json::from_slice(&std::fs::read(&state_path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", state_path.display()));
    assert_eq!(rewritten, state);
    assert_ne!(std::fs::metadata(&state_path).unwrap().ino(), cut_inode);
}

/// Creates the container of `service` as `up` does (same definition and
/// labels, on network `network`), without starting it; returns its id.
fn create_as_up_does(stack: &Stack, dir: &Path, service: &str, network: &str) -> String {
    use obsctl::runtime::{self, services};
    let spec = stack.dir.path().join("obsctl.yaml");
    let loaded = obsctl::stack::load(Some(&spec)).unwrap();
    let files = obsctl::render::render(&loaded.model).unwrap();
    let desired = services::desired(&loaded.model, dir, &files, &services::Host::detect());
    let container = desired.service(service).unwrap();
    obsctl::task::block_on(async {
        let engine = runtime::connect().await.unwrap();
        engine
            .create_container(&stack.name, container, network)
            .await
            .unwrap()
    })
    .unwrap()
}
