//! The Grafana side of the dashboards tests: a stand-in with known
//! credentials and datasources, in-process, and a project folder with its
//! own HOME and XDG_STATE_HOME from which the real obsctl binary talks to it.

// Each test binary compiles this module on its own and uses only some of
// its helpers; every helper here is used by at least one of them.
#![allow(dead_code)]

use grafana_standin::{Builder, Role, Running, StandIn};
use serde_json::{json, Value};

use crate::support::{Output, Test};

pub const USER: &str = "admin";
pub const PASSWORD: &str = "secret";
pub const TOKEN: &str = "glsa_editor";
pub const VIEWER_TOKEN: &str = "glsa_viewer";
/// The default Prometheus datasource of the stand-in.
pub const PROM: &str = "prom-main";

pub const DATASOURCES: &str = "apiVersion: 1
datasources:
  - {name: Prometheus, type: prometheus, uid: prom-main, url: 'http://prometheus:9090', access: proxy, isDefault: true}
  - {name: Thanos, type: prometheus, uid: thanos, url: 'http://thanos:9090', access: proxy}
  - {name: Loki, type: loki, uid: loki-1, url: 'http://loki:3100', access: proxy}
";

/// A project folder with its own HOME, and a Grafana stand-in to talk to.
pub struct Setup {
    pub t: Test,
    pub grafana: Running,
}

/// A stand-in with the test credentials and datasources, changed by `adjust`.
pub async fn standin(project: &Test, adjust: impl FnOnce(Builder) -> Builder) -> Running {
    let prov = project.path("provisioning");
    std::fs::create_dir_all(prov.join("datasources")).unwrap();
    std::fs::write(prov.join("datasources/ds.yaml"), DATASOURCES).unwrap();
    let builder = StandIn::builder()
        .admin(USER, PASSWORD)
        .token_with_role(TOKEN, Role::Editor)
        .token_with_role(VIEWER_TOKEN, Role::Viewer)
        .provisioning_dir(prov)
        .poll_provisioning(false);
    adjust(builder).start().await.expect("the stand-in starts")
}

impl Setup {
    pub async fn new() -> Self {
        Self::with(|b| b).await
    }

    /// With a stand-in whose settings `adjust` changes.
    pub async fn with(adjust: impl FnOnce(Builder) -> Builder) -> Self {
        let t = Test::new();
        let home = t.path("home").display().to_string();
        let state = t.path("state").display().to_string();
        let t = t.env("HOME", &home).env("XDG_STATE_HOME", &state);
        let grafana = standin(&t, adjust).await;
        Setup { t, grafana }
    }

    pub fn file(mut self, path: &str, contents: &str) -> Self {
        self.t = self.t.file(path, contents);
        self
    }

    pub fn url(&self) -> String {
        self.grafana.base_url()
    }

    /// `obsctl dashboards ARGS --url <stand-in> --user admin --password secret`.
    pub fn obsctl(&mut self, args: &[&str]) -> Output {
        let url = self.url();
        let mut all = vec!["dashboards"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--url", &url, "--user", USER, "--password", PASSWORD]);
        self.t.args(&all).run()
    }

    pub fn import(&mut self, args: &[&str]) -> Output {
        let mut all = vec!["import"];
        all.extend_from_slice(args);
        self.obsctl(&all)
    }

    pub fn import_json(&mut self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--output", "json"]);
        self.import(&all).json()
    }

    /// The stored dashboard, which must exist.
    pub fn stored(&self, uid: &str) -> Value {
        self.grafana
            .dashboard(uid)
            .unwrap_or_else(|| panic!("Grafana has no dashboard `{uid}`"))
    }

    /// What `dashboards list --output json` reports, by uid.
    pub fn listed(&mut self) -> Vec<Value> {
        self.obsctl(&["list", "--output", "json"]).code(0).json()["dashboards"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// `(uid, folder)` of each dashboard `dashboards list` reports, in its order.
    pub fn listed_folders(&mut self) -> Vec<(String, String)> {
        self.listed()
            .iter()
            .map(|d| {
                let text = |k: &str| d[k].as_str().unwrap().to_string();
                (text("uid"), text("folder"))
            })
            .collect()
    }

    pub fn saves(&self) -> usize {
        self.grafana.request_count("POST", "/api/dashboards/db")
    }

    /// A request to the stand-in's API as the admin, as a person working
    /// in Grafana's UI would make it; the answer must be a success.
    pub async fn api(&self, method: &str, path: &str, body: Value) -> Value {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = reqwest::Client::new()
            .request(method.clone(), format!("{}{path}", self.url()))
            .basic_auth(USER, Some(PASSWORD))
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// A folder created in Grafana (not by obsctl); returns its uid.
    pub async fn folder(&self, title: &str, parent_uid: &str) -> String {
        let body = json!({"title": title, "parentUid": parent_uid});
        let f = self.api("POST", "/api/folders", body).await;
        f["uid"].as_str().unwrap().to_string()
    }

    /// A dashboard saved in Grafana (not by obsctl) into a folder.
    pub async fn save(&self, dashboard: &str, folder_uid: &str) {
        let d: Value = serde_json::from_str(dashboard).unwrap();
        let body = json!({"dashboard": d, "folderUid": folder_uid});
        self.api("POST", "/api/dashboards/db", body).await;
    }
}

/// Every file below `dir` with its text, by path relative to `dir`.
pub fn files_under(dir: &std::path::Path) -> Vec<(String, String)> {
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().display().to_string();
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// `(uid, result)` of each row of a report section, sorted by uid.
pub fn results_of(rows: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = rows
        .as_array()
        .unwrap_or_else(|| panic!("not a list of rows: {rows}"))
        .iter()
        .map(|r| {
            (
                r["uid"].as_str().unwrap().to_string(),
                r["result"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

pub trait OutputExt {
    fn stdout_has(&self, needle: &str) -> &Self;
    fn json(&self) -> Value;
}

impl OutputExt for Output {
    fn stdout_has(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// A dashboard with one PromQL panel whose datasource is `ds`.
pub fn dashboard(uid: Option<&str>, title: &str, ds: Value) -> String {
    let mut d = json!({
        "title": title,
        "schemaVersion": 39,
        "panels": [{"id": 1, "type": "timeseries", "title": "Requests", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
                    "datasource": ds, "targets": [{"refId": "A", "expr": "sum(rate(http_requests_total[5m]))"}]}]
    });
    if let Some(uid) = uid {
        d["uid"] = json!(uid);
    }
    serde_json::to_string_pretty(&d).unwrap()
}

pub fn simple(uid: &str, title: &str) -> String {
    dashboard(Some(uid), title, json!({"type": "prometheus", "uid": PROM}))
}

/// The single row of an import's JSON report.
pub fn only_row(report: &Value) -> &Value {
    let rows = report["dashboards"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{report:#}");
    &rows[0]
}

pub const EXPORTED: &str = r#"{
  "__inputs": [{"name": "DS_PROMETHEUS", "label": "Prometheus", "type": "datasource", "pluginId": "prometheus", "pluginName": "Prometheus"}],
  "__requires": [{"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"}],
  "id": 7,
  "uid": "node-exporter-full",
  "title": "Node Exporter Full",
  "version": 12,
  "panels": [{"id": 1, "type": "timeseries", "title": "CPU", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
              "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"},
              "targets": [{"refId": "A", "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}, "expr": "rate(node_cpu_seconds_total[5m])"}]}],
  "templating": {"list": [{"name": "job", "type": "query", "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}, "query": "label_values(up, job)"}]}
}"#;
