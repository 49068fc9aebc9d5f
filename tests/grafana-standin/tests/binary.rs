//! The `grafana-standin` binary: settings from Grafana's environment variables,
//! provisioning at start, state kept in `GF_PATHS_DATA` (the admin password applies
//! only when it is created), `--version`, and a non-zero exit on broken provisioning.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http_get(port: u16, path: &str, auth: Option<&str>) -> Option<String> {
    use std::io::Write;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    let auth = auth
        .map(|a| format!("Authorization: Basic {a}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n"
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

#[test]
fn binary_serves_with_env_settings_and_a_password_file() {
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "from-file\n").unwrap();
    std::fs::create_dir_all(dir.path().join("prov/datasources")).unwrap();
    std::fs::write(
        dir.path().join("prov/datasources/ds.yaml"),
        "apiVersion: 1\ndatasources:\n  - {name: Prometheus, type: prometheus, uid: prometheus, url: 'http://prometheus:9090'}\n",
    )
    .unwrap();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_grafana-standin"))
        .env_clear()
        .env("GF_SERVER_HTTP_PORT", port.to_string())
        .env("GF_SERVER_HTTP_ADDR", "127.0.0.1")
        .env("GF_SECURITY_ADMIN_USER", "root")
        .env("GF_SECURITY_ADMIN_PASSWORD__FILE", &pw)
        .env("GF_PATHS_PROVISIONING", dir.path().join("prov"))
        .env("GF_PATHS_DATA", dir.path().join("data"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let health = loop {
        if let Some(r) = http_get(port, "/api/health", None) {
            break r;
        }
        assert!(Instant::now() < deadline, "the binary did not listen");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains(r#""commit":"standin""#), "{health}");
    // root:from-file
    let ds = http_get(
        port,
        "/api/datasources/uid/prometheus",
        Some("cm9vdDpmcm9tLWZpbGU="),
    )
    .unwrap();
    assert!(ds.starts_with("HTTP/1.1 200"), "{ds}");
    let denied = http_get(port, "/api/datasources", None).unwrap();
    assert!(denied.starts_with("HTTP/1.1 401"), "{denied}");
    child.kill().unwrap();
    child.wait().unwrap();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(log.contains("logger=grafana-standin"), "{log}");
}

#[test]
fn binary_exits_non_zero_on_a_malformed_provisioning_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("dashboards")).unwrap();
    std::fs::write(
        dir.path().join("dashboards/p.yaml"),
        "apiVersion: 1\nproviders: {{{\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_grafana-standin"))
        .env_clear()
        .env("GF_SERVER_HTTP_PORT", free_port().to_string())
        .env("GF_PATHS_PROVISIONING", dir.path())
        .env("GF_PATHS_DATA", dir.path().join("data"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("p.yaml") && log.contains("level=error"),
        "{log}"
    );
}

/// Starts the binary on a free port with these variables and waits until it answers.
fn spawn(vars: &[(&str, &std::ffi::OsStr)]) -> (std::process::Child, u16) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_grafana-standin"))
        .env_clear()
        .env("GF_SERVER_HTTP_PORT", port.to_string())
        .env("GF_SERVER_HTTP_ADDR", "127.0.0.1")
        .envs(vars.iter().map(|(k, v)| (*k, *v)))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while http_get(port, "/api/health", None).is_none() {
        assert!(Instant::now() < deadline, "the binary did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, port)
}

fn status_line(port: u16, auth: &str) -> String {
    use base64::Engine;
    let auth = base64::engine::general_purpose::STANDARD.encode(auth);
    let r = http_get(port, "/api/user", Some(&auth)).unwrap();
    r.lines().next().unwrap_or_default().to_string()
}

#[test]
fn the_binary_keeps_its_state_in_gf_paths_data_and_the_first_password() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut first, port) = spawn(&[
        ("GF_PATHS_DATA", data.as_os_str()),
        ("GF_SECURITY_ADMIN_PASSWORD", "one".as_ref()),
    ]);
    assert!(status_line(port, "admin:one").contains(" 200 "));
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(data.join(grafana_standin::STATE_FILE).is_file());
    let (mut second, port) = spawn(&[
        ("GF_PATHS_DATA", data.as_os_str()),
        ("GF_SECURITY_ADMIN_PASSWORD", "two".as_ref()),
    ]);
    let old = status_line(port, "admin:one");
    let new = status_line(port, "admin:two");
    second.kill().unwrap();
    second.wait().unwrap();
    assert!(old.contains(" 200 "), "{old}");
    assert!(new.contains(" 401 "), "{new}");
}

#[test]
fn version_says_it_is_a_stand_in() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_grafana-standin"))
        .arg("--version")
        .env_clear()
        .env("GF_SERVER_HTTP_PORT", free_port().to_string())
        .env("GF_PATHS_DATA", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("`grafana-standin --version` did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
    let mut text = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert!(text.starts_with("grafana-standin "), "{text}");
    assert!(
        text.contains("not Grafana") && text.contains("12.0.2"),
        "{text}"
    );
}
