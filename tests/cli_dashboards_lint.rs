//! `obsctl dashboards lint`: offline checks of dashboard files.

mod support;
use support::Test;

const BAD: &str = r#"{
  "title": "Broken",
  "panels": [
    {"id": 1, "title": "No datasource", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}, "targets": [{"expr": "up"}]},
    {"id": 1, "title": "Twice", "gridPos": {"x": 6, "y": 0, "w": 12, "h": 8},
     "datasource": {"type": "prometheus", "uid": "abc123"}, "targets": [{"expr": "rate(http_requests_total{job=\"api\"}[5m]"}]},
    {"id": 3, "title": "Hard-coded", "gridPos": {"x": 0, "y": 8, "w": 24, "h": 8},
     "datasource": {"type": "prometheus", "uid": "${datasource}"}, "targets": [{"expr": "up{job=\"api\"}"}]}
  ],
  "templating": {"list": [{"name": "datasource", "type": "datasource", "query": "prometheus"}, {"name": "job", "type": "query"}]}
}"#;

#[test]
fn the_built_in_dashboards_pass() {
    let mut t = Test::new();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/dashboards");
    t.args(&["dashboards", "lint", dir])
        .run()
        .code(0)
        .stderr_has("linted 10 dashboard files: 0 errors, 0 warnings");
}

#[test]
fn an_exported_dashboard_with_inputs_passes() {
    let mut t = Test::new().fixture("full");
    t.args(&["dashboards", "lint", "dashboards"])
        .run()
        .code(0)
        .stderr_has("linted 1 dashboard file: 0 errors");
}

#[test]
fn every_fault_is_reported_and_fails() {
    let mut t = Test::new().file("bad.json", BAD);
    let out = t.args(&["dashboards", "lint", "bad.json"]).run();
    out.code(1)
        .stderr_has("linted 1 dashboard file: 7 errors, 0 warnings");
    for needle in [
        "error: bad.json: no `uid`",
        "panel `No datasource` (id 1): no datasource",
        "panel `Twice` (id 1): duplicate panel id 1",
        "panel `No datasource` (id 1): gridPos overlaps panel `Twice` (id 1)",
        "panel `Twice` (id 1): unknown datasource `abc123`",
        "panel `Twice` (id 1): invalid PromQL",
        "panel `Hard-coded` (id 3): query hard-codes job=\"api\" although the dashboard has a $job variable",
    ] {
        assert!(out.stdout.contains(needle), "stdout lacks {needle:?}:\n{}", out.stdout);
    }
}

#[test]
fn invalid_json_names_the_file_and_line() {
    let mut t = Test::new().file("d/broken.json", "{\n  \"panels\": [,]\n}\n");
    let out = t.args(&["dashboards", "lint", "d"]).run();
    out.code(1);
    assert!(
        out.stdout
            .contains("error: d/broken.json:2:14: invalid JSON"),
        "{}",
        out.stdout
    );
}

#[test]
fn json_output_carries_the_same_findings() {
    let mut t = Test::new().file("bad.json", BAD);
    let out = t
        .args(&["dashboards", "lint", "bad.json", "--output", "json"])
        .run();
    out.code(1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["errors"], 7);
    assert_eq!(v["findings"].as_array().unwrap().len(), 7);
}

#[test]
fn a_missing_path_is_a_usage_error() {
    Test::new()
        .args(&["dashboards", "lint", "nope"])
        .run()
        .code(2)
        .stderr_has("nope does not exist");
}
