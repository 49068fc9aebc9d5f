//! Library panels through `dashboards import` and `export`, against the
//! Grafana stand-in run in-process. Grafana's `POST /api/dashboards/db`
//! does not create library panels (it stores the dashboard, then answers 500
//! when one is missing), so import creates them from the file's `__elements`
//! first, and export writes them back there.

mod grafana_support;
mod support;

use grafana_support::*;
use serde_json::{json, Value};

const LIB: &str = "lib-cpu";

fn model(title: &str) -> Value {
    json!({
        "type": "timeseries", "title": title, "description": "",
        "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"},
        "targets": [{"refId": "A", "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"},
                     "expr": "sum(rate(node_cpu_seconds_total{mode!=\"idle\"}[5m]))"}]
    })
}

/// A dashboard exported "for sharing externally", using one library panel
/// twice (once in a row), and carrying it in `__elements` when `carried`.
fn shared(panel_title: &str, carried: bool) -> String {
    let mut d = json!({
        "__inputs": [{"name": "DS_PROMETHEUS", "label": "Prometheus", "type": "datasource",
                      "pluginId": "prometheus", "pluginName": "Prometheus"}],
        "uid": "shared", "title": "Shared", "schemaVersion": 39,
        "panels": [
            {"id": 1, "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}, "libraryPanel": {"uid": LIB, "name": "CPU busy"}},
            {"id": 2, "type": "row", "title": "More", "collapsed": true, "gridPos": {"x": 0, "y": 8, "w": 24, "h": 1}, "panels": [
                {"id": 3, "gridPos": {"x": 0, "y": 9, "w": 12, "h": 8}, "libraryPanel": {"uid": LIB, "name": "CPU busy"}}
            ]}
        ]
    });
    if carried {
        d["__elements"] =
            json!({LIB: {"name": "CPU busy", "uid": LIB, "kind": 1, "model": model(panel_title)}});
    }
    serde_json::to_string_pretty(&d).unwrap()
}

fn panel_rows(report: &Value) -> Vec<(String, String)> {
    results_of(&report["library_panels"])
}

fn pair(uid: &str, result: &str) -> Vec<(String, String)> {
    vec![(uid.to_string(), result.to_string())]
}

#[tokio::test(flavor = "multi_thread")]
async fn library_panels_are_created_before_the_dashboard_and_a_re_import_changes_nothing() {
    let mut s = Setup::new().await.file("shared.json", &shared("CPU", true));
    let report = s.import_json(&["shared.json"]);
    assert_eq!(results_of(&report["dashboards"]), pair("shared", "created"));
    assert_eq!(panel_rows(&report), pair(LIB, "created"));
    assert_eq!(report["library_panels"][0]["dashboards"], json!(["shared"]));

    let order: Vec<String> = s
        .grafana
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.path)
        .collect();
    assert_eq!(order, ["/api/library-elements", "/api/dashboards/db"]);
    let element = s.grafana.library_element(LIB).expect("the element exists");
    assert_eq!(element["title"], "CPU");
    assert_eq!(
        element["datasource"],
        json!({"type": "prometheus", "uid": PROM})
    );
    assert_eq!(element["targets"][0]["datasource"]["uid"], PROM);
    let stored = s.stored("shared");
    assert!(stored.get("__elements").is_none(), "{stored:#}");

    let again = s.import_json(&["shared.json"]);
    assert_eq!(
        results_of(&again["dashboards"]),
        pair("shared", "unchanged")
    );
    assert_eq!(panel_rows(&again), pair(LIB, "unchanged"));
    assert_eq!(s.grafana.request_count("POST", "/api/library-elements"), 1);
    assert_eq!(s.saves(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_library_panel_neither_in_grafana_nor_in_the_file_is_refused_clearly() {
    let mut s = Setup::new().await.file("bare.json", &shared("CPU", false));
    let out = s.import(&["bare.json", "--output", "json"]);
    out.code(1);
    let report = out.json();
    assert_eq!(results_of(&report["dashboards"]), pair("shared", "failed"));
    assert_eq!(panel_rows(&report), pair(LIB, "failed"));
    let detail = report["dashboards"][0]["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("library panel `CPU busy` (lib-cpu): not in Grafana, and the file does not carry it in `__elements`"),
        "{detail}"
    );
    // Nothing was stored: Grafana would have kept a dashboard whose panels do not render.
    assert_eq!(s.saves(), 0);
    assert!(s.grafana.dashboard("shared").is_none());

    // Once Grafana has the library panel, the same file imports.
    let element = json!({"uid": LIB, "name": "CPU busy", "kind": 1, "model": model("CPU")});
    s.api("POST", "/api/library-elements", element).await;
    let report = s.import_json(&["bare.json"]);
    assert_eq!(results_of(&report["dashboards"]), pair("shared", "created"));
    assert_eq!(panel_rows(&report), pair(LIB, "unchanged"));
}

#[tokio::test(flavor = "multi_thread")]
async fn export_carries_library_panels_and_import_restores_them_into_an_empty_grafana() {
    let mut first = Setup::new().await;
    let mut m = model("CPU");
    m["datasource"]["uid"] = json!(PROM);
    m["targets"][0]["datasource"]["uid"] = json!(PROM);
    let element = json!({"uid": LIB, "name": "CPU busy", "kind": 1, "model": m});
    first.api("POST", "/api/library-elements", element).await;
    let mut d: Value = serde_json::from_str(&shared("CPU", false)).unwrap();
    d.as_object_mut().unwrap().remove("__inputs");
    first.save(&d.to_string(), "").await;
    first.obsctl(&["export", "--out", "one"]).code(0);
    let text = std::fs::read_to_string(first.t.path("one/shared.json")).unwrap();
    let exported: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(exported["__elements"][LIB]["name"], "CPU busy");
    assert_eq!(exported["__elements"][LIB]["model"]["title"], "CPU");

    let mut second = Setup::new().await;
    let file = first.t.path("one/shared.json").display().to_string();
    let report = second.import_json(&[&file]);
    assert_eq!(results_of(&report["dashboards"]), pair("shared", "created"));
    assert_eq!(panel_rows(&report), pair(LIB, "created"));
    assert_eq!(
        second.grafana.library_element(LIB),
        first.grafana.library_element(LIB)
    );
    second.obsctl(&["export", "--out", "two"]).code(0);
    let again = std::fs::read_to_string(second.t.path("two/shared.json")).unwrap();
    assert_eq!(again, text);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_library_panel_changed_in_grafana_is_a_conflict_unless_force() {
    let mut s = Setup::new().await.file("shared.json", &shared("CPU", true));
    s.import(&["shared.json"]).code(0);
    let edited = json!({"kind": 1, "version": 1, "model": model("Edited in the UI")});
    s.api("PATCH", &format!("/api/library-elements/{LIB}"), edited)
        .await;
    s = s.file("shared.json", &shared("CPU, changed", true));

    let out = s.import(&["shared.json", "--output", "json"]);
    out.code(1);
    let report = out.json();
    assert_eq!(panel_rows(&report), pair(LIB, "conflict"));
    assert_eq!(
        results_of(&report["dashboards"]),
        pair("shared", "conflict")
    );
    assert_eq!(
        report["library_panels"][0]["detail"],
        "changed in Grafana since obsctl saved it (version 2 there, obsctl saved 1); --force overwrites it"
    );
    assert_eq!(
        s.grafana.library_element(LIB).unwrap()["title"],
        "Edited in the UI"
    );

    let report = s.import_json(&["shared.json", "--force"]);
    assert_eq!(panel_rows(&report), pair(LIB, "updated"));
    assert_eq!(
        results_of(&report["dashboards"]),
        pair("shared", "unchanged")
    );
    assert_eq!(
        s.grafana.library_element(LIB).unwrap()["title"],
        "CPU, changed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_library_panel_obsctl_saved_is_updated_when_the_file_changes() {
    let mut s = Setup::new().await.file("shared.json", &shared("CPU", true));
    s.import(&["shared.json"]).code(0);
    s = s.file("shared.json", &shared("CPU, changed", true));
    let report = s.import_json(&["shared.json"]);
    assert_eq!(panel_rows(&report), pair(LIB, "updated"));
    assert_eq!(
        s.grafana.library_element(LIB).unwrap()["title"],
        "CPU, changed"
    );
    let again = s.import_json(&["shared.json"]);
    assert_eq!(panel_rows(&again), pair(LIB, "unchanged"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_creates_no_library_panel() {
    let mut s = Setup::new().await.file("shared.json", &shared("CPU", true));
    let report = s.import_json(&["shared.json", "--dry-run"]);
    assert_eq!(panel_rows(&report), pair(LIB, "created"));
    assert!(s.grafana.library_element(LIB).is_none());
    assert_eq!(s.grafana.request_count("POST", "/api/library-elements"), 0);
}
