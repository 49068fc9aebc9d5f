//! Test support: run the real `obsctl` binary in a temporary folder and read
//! what it did, so each test reads like a specification.

// Each test binary compiles this module on its own and uses only some of
// its helpers; every helper here is used by at least one of them.
#![allow(dead_code)]

pub mod ports;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

/// A temporary project folder and the command to run in it.
pub struct Test {
    pub dir: tempfile::TempDir,
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Option<String>,
}

/// What a run produced, with the temp folder replaced by `[TMP]`.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Test {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
        }
    }

    /// Writes a file relative to the project folder.
    pub fn file(self, path: &str, contents: &str) -> Self {
        let full = self.dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, contents).unwrap();
        self
    }

    /// Copies a fixture folder from tests/fixtures into the project folder.
    pub fn fixture(self, name: &str) -> Self {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        copy_dir(&src, self.dir.path());
        self
    }

    pub fn args(&mut self, args: &[&str]) -> &mut Self {
        self.args.extend(args.iter().map(|s| s.to_string()));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.into());
        self
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
    }

    /// Runs obsctl with the arguments given so far (they are then cleared).
    pub fn run(&mut self) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_obsctl"));
        cmd.current_dir(self.dir.path())
            .args(&self.args)
            .env_remove("OBSCTL_FILE")
            .env("NO_COLOR", "1");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let stdin_text = self.stdin.take();
        cmd.stdin(if stdin_text.is_some() {
            std::process::Stdio::piped()
        } else {
            std::process::Stdio::null()
        });
        cmd.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("obsctl runs");
        if let Some(text) = stdin_text {
            use std::io::Write;
            // The command may exit before reading its input (that is what some tests check).
            let _ = child.stdin.take().unwrap().write_all(text.as_bytes());
        }
        let out = child.wait_with_output().expect("obsctl finishes");
        self.args.clear();
        let tmp = self.dir.path().to_string_lossy().to_string();
        let clean = |b: &[u8]| String::from_utf8_lossy(b).replace(&tmp, "[TMP]");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: clean(&out.stdout),
            stderr: clean(&out.stderr),
        }
    }
}

impl Output {
    /// Asserts the exit code, showing the output when it differs.
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "unexpected exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap_or_else(|e| panic!("{}: {e}", src.display())) {
        let entry = entry.unwrap();
        let target = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Finds a validator the suite runs (promtool, amtool, kubernetes-validate,
/// prometheus-operator-validate), or fails the test: a missing tool, or a
/// promtool/amtool of another version than obsctl's pinned
/// Prometheus/Alertmanager, is a failure with the reason. Tests that need a
/// validator are `#[ignore]`d, so they run only when asked for
/// (`cargo test -- --include-ignored`, as scripts/test.sh does).
///
/// Looked for, in this order: the directory `OBSCTL_TEST_TOOLS` names (when
/// set, nowhere else), the `tools/` directory that scripts/test-env.sh fills
/// (`target/test-env/tools`, or under `OBSCTL_TEST_ENV_DIR`), then `PATH`.
/// promtool and amtool must match the major.minor version of the pinned
/// default images, so an older Debian release's promtool on `PATH` is never
/// taken silently for the one users run.
pub fn require_tool(name: &str) -> PathBuf {
    static FOUND: OnceLock<Mutex<HashMap<String, Result<PathBuf, String>>>> = OnceLock::new();
    let found = FOUND
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .entry(name.to_string())
        .or_insert_with(|| find_tool(name))
        .clone();
    found.unwrap_or_else(|problem| panic!("{problem}; scripts/test.sh sets the validators up"))
}

/// The pinned default image whose version a validator must match.
fn pinned_image(name: &str) -> Option<&'static str> {
    match name {
        "promtool" => Some(obsctl::model::defaults::PROMETHEUS_IMAGE),
        "amtool" => Some(obsctl::model::defaults::ALERTMANAGER_IMAGE),
        _ => None,
    }
}

fn find_tool(name: &str) -> Result<PathBuf, String> {
    let path = locate_tool(name)?;
    if let Some(image) = pinned_image(name) {
        let pinned = major_minor(
            image
                .rsplit(':')
                .next()
                .unwrap_or_default()
                .trim_start_matches('v'),
        );
        let out = Command::new(&path)
            .arg("--version")
            .output()
            .map_err(|e| format!("{} does not run: {e}", path.display()))?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let version = text
            .split_whitespace()
            .skip_while(|w| *w != "version")
            .nth(1)
            .unwrap_or("unknown");
        if major_minor(version) != pinned {
            return Err(format!(
                "{} is version {version}, but obsctl pins {image}: the suite checks with {name} {pinned}.x",
                path.display()
            ));
        }
    }
    Ok(path)
}

fn locate_tool(name: &str) -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("OBSCTL_TEST_TOOLS") {
        let path = Path::new(&dir).join(name);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!(
                "{name} is not in OBSCTL_TEST_TOOLS ({})",
                Path::new(&dir).display()
            ))
        };
    }
    let env_dir = std::env::var_os("OBSCTL_TEST_ENV_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-env"),
        PathBuf::from,
    );
    let set_up = env_dir.join("tools").join(name);
    if set_up.is_file() {
        return Ok(set_up);
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(name))
                .find(|p| p.is_file())
        })
        .ok_or_else(|| {
            format!(
                "{name} is not installed (not in {} nor on PATH)",
                set_up.display()
            )
        })
}

/// "3.5.3+ds1" -> "3.5".
fn major_minor(version: &str) -> String {
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}

/// Runs a tool, returning (success, combined output).
pub fn run_tool(tool: &Path, args: &[&str], dir: &Path) -> (bool, String) {
    let out = Command::new(tool)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("tool runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

impl Test {
    /// Copies an example folder from examples/ into the project folder.
    pub fn example(self, name: &str) -> Self {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name);
        copy_dir(&src, self.dir.path());
        self
    }
}

/// Files under `dir`, recursively, as paths relative to `root`.
pub fn files(root: &Path, dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(root, &path));
        } else {
            out.push(
                path.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    out.sort();
    out
}

/// A service on this machine that answers every request with `head` (the
/// status line and headers, without the blank line) and a metrics body;
/// returns its port. It serves until the test process ends.
pub fn service_answering(head: &'static str) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let body = "app_up 1\n";
            let _ = write!(
                stream,
                "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

/// `amtool check-config` of `dir`'s rendered Alertmanager configuration, in
/// the default (fallback) mode and in `utf8-strict-mode`, which refuses what
/// the default mode only warns about. `what` names it in a failure.
pub fn check_alertmanager(amtool: &Path, dir: &Path, what: &str) {
    for strict in [false, true] {
        let mut args = vec!["check-config", "alertmanager/alertmanager.yml"];
        if strict {
            args.insert(0, "--enable-feature=utf8-strict-mode");
        }
        let (ok, out) = run_tool(amtool, &args, dir);
        assert!(ok, "{what}: amtool {args:?} failed:\n{out}");
        assert!(out.contains("SUCCESS"), "{out}");
    }
}

/// `amtool config routes test` of `dir`'s rendered Alertmanager
/// configuration: does an alert with `labels` (matchers such as
/// `severity="critical"`) reach exactly `receivers` (comma-separated)?
/// Returns the verdict and amtool's output.
pub fn routes_to(amtool: &Path, dir: &Path, labels: &[&str], receivers: &str) -> (bool, String) {
    let verify = format!("--verify.receivers={receivers}");
    let mut args = vec![
        "config",
        "routes",
        "test",
        "--config.file=alertmanager/alertmanager.yml",
        &verify,
    ];
    args.extend(labels);
    run_tool(amtool, &args, dir)
}
