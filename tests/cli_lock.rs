//! One `up`, `down` or `smoke` of a stack at a time: while this test process
//! holds a stack's locks (through the library, as a running obsctl would),
//! the real binary waits for them or refuses, and says who holds them. The
//! locks come before Docker is needed, so these tests need no engine: Docker
//! is pointed at a socket that does not exist, and a run that got past the
//! lock would say so.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use obsctl::lock::{self, StackLock, Wait};
use support::Test;

const NO_ENGINE: &str = "unix:///nonexistent/obsctl-lock-test.sock";

/// A test folder with a spec of a stack named for this test and process.
fn project(test: &str) -> (Test, String) {
    let name = format!("lock-cli-{test}-{}", std::process::id());
    let t = Test::new()
        .env("DOCKER_HOST", NO_ENGINE)
        .file("obsctl.yaml", &format!("name: {name}\n"));
    (t, name)
}

/// Takes the locks of `name` (and of `dir`) as `obsctl up` does.
fn hold(name: &str, dir: &Path) -> StackLock {
    lock::acquire(name, Some(dir), "up", Wait::No, |_, _| {
        panic!("the test's stack is locked by someone else")
    })
    .unwrap()
}

fn holder_text(name: &str) -> String {
    format!(
        "stack `{name}` is busy: pid {} (`obsctl up` of stack `{name}` in [TMP]/.obsctl, since ",
        std::process::id()
    )
}

#[test]
fn with_no_wait_up_down_and_smoke_refuse_at_once_naming_the_holder() {
    let (mut t, name) = project("nowait");
    let _held = hold(&name, &t.path(".obsctl"));
    for command in ["up", "down", "smoke"] {
        let started = Instant::now();
        let out = t.args(&[command, "--no-wait"]).run();
        out.code(2)
            .stderr_has(&holder_text(&name))
            .stderr_has("hint: another `obsctl up`, `down` or `smoke` of this stack is running");
        assert!(
            !out.stderr.contains("cannot reach the Docker engine")
                && !out.stderr.contains("waiting"),
            "`{command} --no-wait` went past the lock or waited:\n{}",
            out.stderr
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "`{command} --no-wait` took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn a_waiting_run_says_whom_it_waits_for_and_gives_up_at_its_bound() {
    let (mut t, name) = project("bound");
    let _held = hold(&name, &t.path(".obsctl"));
    let started = Instant::now();
    let out = t.args(&["up", "--wait-lock", "1"]).run();
    let waited = started.elapsed();
    out.code(2)
        .stderr_has(&holder_text(&name))
        .stderr_has("waiting up to 1s for it to finish (--wait-lock SECONDS sets how long, --no-wait refuses at once)")
        .stderr_has("; gave up after waiting 1s")
        .stderr_has("hint: another `obsctl up`, `down` or `smoke` of this stack is still running");
    assert_eq!(
        out.stderr.matches("waiting up to").count(),
        1,
        "said once:\n{}",
        out.stderr
    );
    assert!(waited >= Duration::from_secs(1), "gave up after {waited:?}");
    assert!(waited < Duration::from_secs(10), "gave up after {waited:?}");
}

#[test]
fn a_waiting_run_goes_on_as_soon_as_the_holder_is_done() {
    let (mut t, name) = project("goes-on");
    let held = hold(&name, &t.path(".obsctl"));
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        drop(held);
    });
    let out = t.args(&["down", "--wait-lock", "60"]).run();
    release.join().unwrap();
    // Past the lock, it went on to Docker, which is not there.
    out.code(2)
        .stderr_has(&holder_text(&name))
        .stderr_has(&format!("stack `{name}`: the other run is done (waited "))
        .stderr_has(&format!("cannot reach the Docker engine at {NO_ENGINE}"));
}

#[test]
fn the_lock_of_the_name_holds_across_directories() {
    let (mut t, name) = project("cross");
    let elsewhere = tempfile::tempdir().unwrap();
    let held = hold(&name, &elsewhere.path().join(".obsctl"));
    let name_lock = held.paths()[1].to_path_buf();
    let out = t.args(&["up", "--no-wait"]).run();
    out.code(2).stderr_has(&format!(
        "stack `{name}` is busy: pid {} (`obsctl up` of stack `{name}` in {}, since ",
        std::process::id(),
        elsewhere.path().join(".obsctl").display()
    ));
    assert!(
        out.stderr
            .contains(&format!("holds its lock {}", name_lock.display())),
        "the name's lock is the one held:\n{}",
        out.stderr
    );
    // Another stack name in that other folder is not held up.
    drop(held);
    let other = format!("{name}-other");
    let _other = hold(&other, &elsewhere.path().join("other"));
    t.args(&["up", "--no-wait"])
        .run()
        .code(2)
        .stderr_has(&format!("cannot reach the Docker engine at {NO_ENGINE}"));
}

#[test]
fn no_wait_and_wait_lock_together_are_refused() {
    let (mut t, _) = project("flags");
    t.args(&["up", "--no-wait", "--wait-lock", "5"])
        .run()
        .code(2)
        .stderr_has("cannot be used with");
}
