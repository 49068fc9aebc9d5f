//! Faults the stack must survive without losing anything, on the real
//! engine: Prometheus killed outright (its restart policy brings it back and
//! the samples scraped before the kill are replayed from its write-ahead
//! log), and the disk of the stack directory read-only or full while
//! `render` and `up` write (a clear error naming the file, and every file of
//! the previous render byte for byte as it was).
//!
//! The disk tests mount a tmpfs over the stack directory, so they need root.
//! Restarting the Docker daemon is in tests/e2e_daemon_restart.rs, which runs
//! alone.
//!
//! Each test prints what it measured (run with `--nocapture` to see it).

#[path = "e2e_support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use support::{docker, encode, now, poll, require_engine, stdout, Stack};

/// Samples of `up{job="prometheus"}` Prometheus holds from the hour before
/// Unix time `at`.
fn samples_before(stack: &Stack, at: f64) -> u64 {
    let query = encode("count_over_time(up{job=\"prometheus\"}[1h])");
    let answer = stack.prometheus(&format!("/api/v1/query?query={query}&time={at:.3}"));
    answer["data"]["result"][0]["value"][1]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn inspect(id: &str, format: &str) -> String {
    let out = docker(&["inspect", "-f", format, id]);
    assert!(
        out.status.success(),
        "docker inspect {id}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out)
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn prometheus_killed_outright_comes_back_by_itself_with_every_sample_it_had() {
    require_engine();
    let stack = Stack::new("sigkill");
    stack.write_spec(&stack.spec(""));
    stack.up();
    let id = stack.container_ids()["prometheus"].clone();
    assert_eq!(
        inspect(&id, "{{.HostConfig.RestartPolicy.Name}}"),
        "unless-stopped"
    );

    // Scraped every second: wait for a few samples, then count them at a
    // fixed time, so the same query can be asked again after the kill.
    stack.wait_for_a_sample();
    let counted_at = poll("ten samples", Duration::from_secs(60), || {
        let at = now();
        (samples_before(&stack, at) >= 10).then_some(at)
    });
    let before = samples_before(&stack, counted_at);
    let restarts = inspect(&id, "{{.RestartCount}}");

    // SIGKILL to Prometheus's process from outside, as the kernel's OOM
    // killer or a crash ends it. (`docker kill` would not do: Docker takes it
    // for a deliberate stop and applies no restart policy after it.)
    let pid: i32 = inspect(&id, "{{.State.Pid}}").parse().unwrap();
    assert!(pid > 0, "prometheus is not running");
    // SAFETY: kill(2) with a pid read from the engine just now.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
    let killed = Instant::now();

    poll("prometheus to restart", Duration::from_secs(60), || {
        (inspect(&id, "{{.RestartCount}}") != restarts).then_some(())
    });
    let ready = format!("http://127.0.0.1:{}/-/ready", stack.prometheus_port);
    poll(
        "prometheus to be ready again",
        Duration::from_secs(60),
        || matches!(support::http_get(&ready), Some((200, _))).then_some(()),
    );
    let back_in = killed.elapsed();
    assert_eq!(
        stack.container_ids()["prometheus"],
        id,
        "the same container restarted"
    );
    let after = samples_before(&stack, counted_at);
    assert_eq!(
        after, before,
        "samples scraped before the kill were lost (WAL replay)"
    );
    poll(
        "a sample after the restart",
        Duration::from_secs(30),
        || {
            let at = now();
            (stack.series_at("up{job=\"prometheus\"}", at) > 0
                && samples_before(&stack, at) > before)
                .then_some(())
        },
    );
    let scraping_again = killed.elapsed();
    let (code, report) = stack.doctor();
    assert_eq!(code, 0, "doctor after the restart: {report}");
    eprintln!(
        "sigkill: {before} samples before the kill, {after} queryable after it; ready again {:.1}s after SIGKILL, scraping again {:.1}s after it",
        back_in.as_secs_f64(),
        scraping_again.as_secs_f64(),
    );
}

/// Fails the test unless it runs as root (mounting a tmpfs needs it).
fn require_root() {
    // SAFETY: geteuid(2) has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        panic!("this test mounts a tmpfs, so it needs root (scripts/test.sh runs as root)");
    }
}

/// A tmpfs mounted over a folder, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(at).unwrap();
        run(
            "mount",
            &[
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
                path(at),
            ],
        );
        Tmpfs(at.to_path_buf())
    }

    fn read_only(&self) {
        run("mount", &["-o", "remount,ro", path(&self.0)]);
    }

    /// Fills the file system up with one file, until it has no byte left.
    fn fill(&self) {
        use std::io::Write;
        let mut f = std::fs::File::create(self.0.join("filler")).unwrap();
        let block = vec![0u8; 4096];
        loop {
            match f.write(&block) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => break,
                Err(e) => panic!("filling {}: {e}", self.0.display()),
            }
        }
        let _ = f.sync_all();
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let out = Command::new("umount").arg(&self.0).output().unwrap();
        if !out.status.success() {
            eprintln!(
                "umount {}: {}",
                self.0.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every file under `dir` with its bytes.
/// Every file below `dir` with its bytes, but for the stack's lock file:
/// `up` takes the lock (creating the file) before it renders, and it is no
/// file of a render.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().map(Result::unwrap) {
            if e.file_type().unwrap().is_dir() {
                todo.push(e.path());
            } else if e.file_name() != ".obsctl-lock" {
                let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

/// How a disk fails under the stack directory.
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    ReadOnly,
    Full,
}

/// Renders a stack into a tmpfs over its stack directory, breaks the disk
/// as `fault` says, changes the spec, and checks that `render` and `up` both
/// fail naming a file and saying why, and leave the previous render whole.
fn a_broken_disk_keeps_the_previous_render(fault: Fault, reason: &str, hint: &str) {
    require_root();
    require_engine();
    let stack = Stack::new(if fault == Fault::Full {
        "diskfull"
    } else {
        "diskro"
    });
    let dir = stack.dir.path().join(".obsctl");
    // Declared after the stack, so it is unmounted before the stack's `down`.
    let disk = Tmpfs::mount(&dir, "8m");
    stack.write_spec(&stack.spec(""));
    let first = stack.obsctl(&["render"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    match fault {
        Fault::ReadOnly => disk.read_only(),
        Fault::Full => disk.fill(),
    }
    let previous = files(&dir);
    stack.write_spec(
        &stack.spec("rules:\n  alerts:\n    - alert: E2eDiskFault\n      expr: up == 0\n"),
    );

    for args in [
        &["render"][..],
        &["up", "--pull", "never", "--timeout", "60s"],
    ] {
        let out = stack.obsctl(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let said = stderr.lines().find(|l| l.starts_with("error: "));
        eprintln!("{}: {}", args[0], stderr.trim_end());
        let said = said.unwrap_or_else(|| panic!("no error line:\n{stderr}"));
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        // The file, relative to the folder obsctl ran in or absolute.
        let (file, why) = said
            .strip_prefix("error: cannot write ")
            .and_then(|s| s.rsplit_once(": "))
            .unwrap_or_else(|| panic!("{stderr}"));
        let file = stack.dir.path().join(file);
        assert!(
            file.starts_with(&dir) && file.file_name().unwrap() != "filler",
            "the error names a rendered file: {stderr}"
        );
        assert_eq!(why, reason, "{stderr}");
        assert!(!stderr.contains("os error"), "{stderr}");
        assert!(
            stderr.contains(hint)
                && stderr.contains(
                    "nothing was changed: the files of the previous render are as they were"
                ),
            "{stderr}"
        );
        assert!(
            files(&dir) == previous,
            "{}: the previous render's files changed",
            args[0]
        );
    }
    for kind in ["container", "network", "volume"] {
        assert!(stack.labelled(kind).is_empty(), "a {kind} was created");
    }
}

#[test]
#[ignore = "end-to-end: needs root (mounts a tmpfs), a Docker engine and the test images; scripts/test.sh runs it"]
fn a_read_only_stack_directory_fails_render_and_up_and_keeps_the_previous_render() {
    a_broken_disk_keeps_the_previous_render(
        Fault::ReadOnly,
        "Read-only file system",
        "is on a read-only file system: remount it read-write",
    );
}

#[test]
#[ignore = "end-to-end: needs root (mounts a tmpfs), a Docker engine and the test images; scripts/test.sh runs it"]
fn a_full_disk_fails_render_and_up_and_keeps_the_previous_render() {
    a_broken_disk_keeps_the_previous_render(
        Fault::Full,
        "No space left on device",
        "the disk is full (`df -h ",
    );
}
