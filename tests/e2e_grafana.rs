//! Grafana in the running stack (the Grafana API stand-in, since no Grafana
//! image can be obtained here): provisioned by `up` with the datasource and
//! dashboards from the mounted files — a user's top-level dashboard at the
//! root, a nested one in the folder of its innermost directory, the built-ins
//! in `obsctl` — then `dashboards import` of an exported third-party
//! dashboard into it with the stored admin credentials.

#[path = "e2e_support/mod.rs"]
mod e2e;

use std::path::Path;

use e2e::{at_root, require_engine, Stack};
use serde_json::Value;

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}):\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn write(to: &Path, text: &str) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::write(to, text).unwrap();
}

fn user_dashboard(uid: &str) -> String {
    format!(
        r#"{{"uid": "{uid}", "title": "{uid}", "schemaVersion": 39, "panels": [{{"id": 1, "type": "timeseries", "title": "Up",
            "gridPos": {{"x": 0, "y": 0, "w": 12, "h": 8}}, "datasource": {{"type": "prometheus", "uid": "obsctl-prometheus"}},
            "targets": [{{"refId": "A", "expr": "up"}}]}}]}}"#
    )
}

/// (uid, result) of each dashboard an `import --output json` reports.
fn results(report: &Value) -> Vec<(String, String)> {
    report["dashboards"]
        .as_array()
        .unwrap_or_else(|| panic!("no `dashboards` list: {report}"))
        .iter()
        .map(|d| {
            (
                d["uid"].as_str().unwrap_or_default().to_string(),
                d["result"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn copy(from: &str, to: &Path) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(from);
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(&src, to).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn up_provisions_grafana_and_import_adds_a_third_party_dashboard() {
    require_engine();
    let stack = Stack::new("grafana");
    copy(
        "tests/fixtures/full/dashboards/team/exported.json",
        &stack.dir.path().join("dashboards/team/exported.json"),
    );
    let dashboards = stack.dir.path().join("dashboards");
    write(&dashboards.join("top.json"), &user_dashboard("e2e-top"));
    write(
        &dashboards.join("platform/db/nested.json"),
        &user_dashboard("e2e-nested"),
    );
    // `spec` appends extra YAML at the end; put the dashboards under grafana.
    let spec = stack.spec("").replacen(
        &format!(
            "grafana:\n  image: {}\n  port: {}\n",
            stack.images.grafana, stack.grafana_port
        ),
        &format!(
            "grafana:\n  image: {}\n  port: {}\n  dashboards: [dashboards]\n",
            stack.images.grafana, stack.grafana_port
        ),
        1,
    );
    assert!(spec.contains("dashboards: [dashboards]"), "{spec}");
    stack.write_spec(&spec);
    stack.up();

    // Grafana's own view: the search hits of the provisioned dashboards.
    let top = stack.dashboard_hit("e2e-top");
    assert!(
        at_root(&top),
        "a top-level user dashboard lies at the root: {top}"
    );
    let folder = |uid: &str| stack.dashboard_hit(uid)["folderTitle"].clone();
    assert_eq!(
        folder("e2e-nested"),
        "db",
        "the innermost directory names it"
    );
    assert_eq!(folder("team-exported"), "team");
    for uid in ["obsctl-overview", "obsctl-http", "obsctl-self-monitoring"] {
        assert_eq!(folder(uid), "obsctl", "{uid}");
    }
    let folders = stack.grafana("/api/folders");
    let mut titles: Vec<&str> = folders
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["title"].as_str())
        .collect();
    titles.sort();
    assert_eq!(titles, ["db", "obsctl", "team"], "{folders}");

    // Provisioned from the mounted files: the built-in set in `obsctl`, the
    // user's in the folder named after its sub-directory.
    let list = json(&stack.obsctl(&["dashboards", "list", "--output", "json"]));
    let dashboards = list["dashboards"]
        .as_array()
        .unwrap_or_else(|| panic!("no `dashboards` list: {list}"));
    let folder_of = |uid: &str| {
        dashboards
            .iter()
            .find(|d| d["uid"] == uid)
            .map(|d| d["folder"].as_str().unwrap_or("").to_string())
    };
    for uid in ["obsctl-overview", "obsctl-http", "obsctl-self-monitoring"] {
        assert_eq!(folder_of(uid).as_deref(), Some("obsctl"), "{uid} in {list}");
    }
    assert_eq!(
        folder_of("team-exported").as_deref(),
        Some("team"),
        "{list}"
    );

    // Anonymous access is off: a request without credentials is refused.
    let search = format!("http://127.0.0.1:{}/api/search", stack.grafana_port);
    let anonymous = e2e::http_get(&search).map(|(status, _)| status);
    assert_eq!(anonymous, Some(401), "GET {search} without credentials");

    // The provisioned datasource answers through Grafana's own health check,
    // and the generated admin password logs in.
    let doctor = json(&stack.obsctl(&["doctor", "--output", "json"]));
    for name in ["health", "admin login", "datasource", "dashboards"] {
        let check = doctor["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["group"] == "grafana" && c["name"] == name)
            .unwrap_or_else(|| panic!("no grafana {name} check: {doctor}"));
        assert_eq!(check["status"], "ok", "{check}");
    }

    // An exported third-party dashboard, with `__inputs` and a foreign uid.
    copy(
        "tests/fixtures/third-party/requests.json",
        &stack.dir.path().join("third-party/requests.json"),
    );
    let import = || {
        let out = stack.obsctl(&["dashboards", "import", "third-party", "--output", "json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        json(&out)
    };
    let first = import();
    assert_eq!(
        results(&first),
        [("third-party-requests".to_string(), "created".to_string())],
        "{first}"
    );
    let again = import();
    assert_eq!(
        results(&again),
        [("third-party-requests".to_string(), "unchanged".to_string())],
        "a re-import changes nothing: {again}"
    );
    assert_eq!(again["summary"]["unchanged"], 1, "{again}");

    let out = stack.obsctl(&[
        "dashboards",
        "export",
        "--out",
        "backup",
        "--uid",
        "third-party-requests",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported = e2e_find_json(
        &stack.dir.path().join("backup"),
        "third-party-requests.json",
    );
    let d: Value = serde_json::from_str(&std::fs::read_to_string(exported).unwrap()).unwrap();
    for panel in d["panels"].as_array().unwrap() {
        assert_eq!(panel["datasource"]["uid"], "obsctl-prometheus", "{panel}");
    }
    assert!(d.get("__inputs").is_none());
}

fn e2e_find_json(dir: &Path, name: &str) -> std::path::PathBuf {
    for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let p = entry.path();
        if p.is_dir() {
            if let Some(found) = std::fs::read_dir(&p)
                .unwrap()
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|f| f.file_name().is_some_and(|n| n == name))
            {
                return found;
            }
        } else if p.file_name().is_some_and(|n| n == name) {
            return p;
        }
    }
    panic!("{name} not exported under {}", dir.display());
}
