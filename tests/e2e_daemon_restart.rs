//! The Docker daemon restarted under a running stack: afterwards the stack is
//! back on its own (the restart policy obsctl sets) and `obsctl doctor` is
//! green, with no new `up`, and the samples scraped before are still there.
//!
//! Restarting the daemon stops every container on the engine (unless
//! live-restore is on), so this test must never run beside another one that
//! uses Docker. It refuses to run unless OBSCTL_E2E_DAEMON_RESTART=1 says it
//! is alone; scripts/test.sh runs it by itself after the other tests, and
//! elsewhere it shows as ignored.

#[path = "e2e_support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{docker, now, poll, require_engine, stdout, Stack};

const ALONE: &str = "OBSCTL_E2E_DAEMON_RESTART";

#[test]
#[ignore = "end-to-end: restarts the Docker daemon, so it runs alone; scripts/test.sh runs it by itself with OBSCTL_E2E_DAEMON_RESTART=1"]
fn after_the_docker_daemon_restarts_the_stack_is_back_and_doctor_is_green_without_up() {
    assert_eq!(
        std::env::var(ALONE).as_deref(),
        Ok("1"),
        "this test restarts the Docker daemon: run it alone, with {ALONE}=1 (scripts/test.sh does)"
    );
    require_engine();
    let live_restore = stdout(&docker(&["info", "--format", "{{.LiveRestoreEnabled}}"]));
    let stack = Stack::new("dockerd");
    stack.write_spec(&stack.spec(""));
    stack.up();
    let before = stack.container_ids();
    let sample_at = stack.wait_for_a_sample();

    let (down_for, restarted) = restart_dockerd();

    let green = poll("doctor to be green again", Duration::from_secs(120), || {
        let (code, report) = stack.doctor();
        (code == 0 && report["summary"]["warn"] == 0).then_some(report)
    });
    let green_in = restarted.elapsed();
    assert_eq!(
        stack.container_ids(),
        before,
        "the same containers came back, none was recreated"
    );
    assert_eq!(green["healthy"], true, "{green}");
    assert_eq!(green["summary"]["fail"], 0, "{green}");
    assert!(
        stack.series_at("up{job=\"prometheus\"}", sample_at) > 0,
        "the samples scraped before the restart are gone"
    );
    poll(
        "a sample after the restart",
        Duration::from_secs(30),
        || {
            let at = now();
            (stack.series_at("up{job=\"prometheus\"}", at) > 0).then_some(())
        },
    );
    eprintln!(
        "dockerd restart (live-restore {live_restore}): down {:.1}s, doctor green {:.1}s after dockerd answered again",
        down_for.as_secs_f64(),
        green_in.as_secs_f64()
    );
}

/// Stops the running dockerd and starts it again the same way (its command
/// line, its log), or through systemd when systemd runs it. Returns how long
/// the engine did not answer and when it answered again.
fn restart_dockerd() -> (Duration, Instant) {
    let stopped = Instant::now();
    let systemd = Command::new("systemctl")
        .args(["is-active", "--quiet", "docker"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if systemd {
        let out = Command::new("systemctl")
            .args(["restart", "docker"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "systemctl restart docker: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    } else {
        let pid = dockerd_pid();
        let argv: Vec<String> = std::fs::read(format!("/proc/{pid}/cmdline"))
            .unwrap()
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let log = std::fs::read_link(format!("/proc/{pid}/fd/2"))
            .ok()
            .filter(|p| p.is_file())
            .unwrap_or_else(|| PathBuf::from("/dev/null"));
        // SAFETY: kill(2) on the pid of the running dockerd.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        poll("dockerd to exit", Duration::from_secs(90), || {
            gone(pid).then_some(())
        });
        let output = || {
            std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(&log)
                .unwrap()
        };
        // In a session of its own, as scripts/test-env.sh starts it, so it
        // outlives the test: `setsid --fork` starts it and returns at once.
        let status = Command::new("setsid")
            .arg("--fork")
            .args(&argv)
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(output())
            .stderr(output())
            .status()
            .unwrap();
        assert!(
            status.success(),
            "setsid --fork {}: {status}",
            argv.join(" ")
        );
    }
    poll("dockerd to answer", Duration::from_secs(90), || {
        docker(&["info", "--format", "{{.ID}}"])
            .status
            .success()
            .then_some(())
    });
    (stopped.elapsed(), Instant::now())
}

fn dockerd_pid() -> i32 {
    let out = Command::new("pidof")
        .args(["-s", "dockerd"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("no dockerd process to restart"))
}

/// True once `pid` has exited (a zombie waiting for its parent counts).
fn gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z')),
    }
}
