//! `obsctl dashboards import` against the Grafana stand-in, run in-process:
//! the real obsctl binary talks to it over HTTP on loopback.
//!
//! Every test gets its own stand-in and its own HOME and XDG_STATE_HOME, so
//! the state file obsctl keeps per Grafana starts empty.

mod grafana_support;
mod support;

use grafana_standin::Fault;
use grafana_support::*;
use serde_json::{json, Value};

// ---------------------------------------------------------------- datasources

#[tokio::test(flavor = "multi_thread")]
async fn an_exported_dashboard_with_inputs_is_created_against_the_default_prometheus() {
    let mut s = Setup::new().await.file("node.json", EXPORTED);
    let report = s.import_json(&["node.json"]);
    assert_eq!(only_row(&report)["result"], "created");
    let d = s.stored("node-exporter-full");
    assert!(d.get("__inputs").is_none());
    assert_eq!(
        d["panels"][0]["datasource"],
        json!({"type": "prometheus", "uid": PROM})
    );
    assert_eq!(d["panels"][0]["targets"][0]["datasource"]["uid"], PROM);
    assert_eq!(d["templating"]["list"][0]["datasource"]["uid"], PROM);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_foreign_datasource_uid_maps_to_the_target() {
    let mut s = Setup::new().await.file(
        "d.json",
        &dashboard(
            Some("d"),
            "Foreign",
            json!({"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}),
        ),
    );
    s.import(&["d.json"]).code(0);
    assert_eq!(s.stored("d")["panels"][0]["datasource"]["uid"], PROM);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_datasource_named_by_name_maps_to_the_target() {
    let mut s = Setup::new().await.file(
        "d.json",
        &dashboard(Some("d"), "By name", json!({"uid": "Thanos"})),
    );
    s.import(&["d.json"]).code(0);
    assert_eq!(
        s.stored("d")["panels"][0]["datasource"],
        json!({"type": "prometheus", "uid": PROM})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn old_string_and_null_datasources_map_to_the_target() {
    let mut s = Setup::new()
        .await
        .file(
            "a.json",
            &dashboard(Some("a"), "String", json!("Prometheus")),
        )
        .file("b.json", &dashboard(Some("b"), "Null", Value::Null));
    s.import(&["a.json", "b.json"]).code(0);
    for uid in ["a", "b"] {
        assert_eq!(
            s.stored(uid)["panels"][0]["datasource"],
            json!({"type": "prometheus", "uid": PROM})
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrapped_dashboard_is_unwrapped() {
    let inner: Value = serde_json::from_str(&simple("wrapped", "Wrapped")).unwrap();
    let wrapped = json!({"dashboard": inner, "meta": {"folderTitle": "x"}}).to_string();
    let mut s = Setup::new().await.file("w.json", &wrapped);
    s.import(&["w.json"]).code(0);
    assert_eq!(s.stored("wrapped")["title"], "Wrapped");
    assert!(s.stored("wrapped").get("meta").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_datasource_variable_is_kept_and_its_current_value_is_the_target() {
    let mut d: Value = serde_json::from_str(&dashboard(
        Some("v"),
        "Var",
        json!({"type": "prometheus", "uid": "${ds}"}),
    ))
    .unwrap();
    d["templating"] = json!({"list": [{"name": "ds", "type": "datasource", "query": "prometheus", "current": {"text": "Old", "value": "old-uid"}}]});
    let mut s = Setup::new().await.file("v.json", &d.to_string());
    s.import(&["v.json"]).code(0);
    let stored = s.stored("v");
    assert_eq!(stored["panels"][0]["datasource"]["uid"], "${ds}");
    assert_eq!(stored["templating"]["list"][0]["current"]["value"], PROM);
}

#[tokio::test(flavor = "multi_thread")]
async fn datasource_flag_picks_the_prometheus_to_map_to() {
    let mut s = Setup::new().await.file("node.json", EXPORTED);
    s.import(&["node.json", "--datasource", "Thanos"]).code(0);
    assert_eq!(
        s.stored("node-exporter-full")["panels"][0]["datasource"]["uid"],
        "thanos"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_non_prometheus_datasource_fails_naming_file_title_and_panel() {
    let mut s = Setup::new().await.file(
        "traces.json",
        &dashboard(
            Some("t"),
            "Traces",
            json!({"type": "tempo", "uid": "tempo-9"}),
        ),
    );
    s.import(&["traces.json"])
        .code(1)
        .stdout_has("traces.json")
        .stdout_has("Traces")
        .stdout_has("failed")
        .stdout_has("panel `Requests` (id 1): datasource `tempo-9` (type `tempo`) does not exist");
    assert_eq!(s.saves(), 0);
}

// -------------------------------------------------------------------- folders

#[tokio::test(flavor = "multi_thread")]
async fn sub_directories_become_folders_and_the_top_level_is_general() {
    let mut s = Setup::new()
        .await
        .file("dash/top.json", &simple("top", "Top"))
        .file("dash/Payments/api.json", &simple("api", "API"));
    s.import(&["dash"]).code(0);
    let folders = s.listed_folders();
    assert_eq!(
        folders,
        [
            ("top".into(), "General".into()),
            ("api".into(), "Payments".into())
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn folder_flag_puts_every_dashboard_into_one_folder_created_once() {
    let mut s = Setup::new()
        .await
        .file("dash/a.json", &simple("a", "A"))
        .file("dash/team/b.json", &simple("b", "B"));
    s.import(&["dash", "--folder", "Ops"]).code(0);
    s.import(&["dash", "--folder", "Ops"]).code(0);
    assert!(s.listed().iter().all(|d| d["folder"] == "Ops"));
    assert_eq!(s.grafana.request_count("POST", "/api/folders"), 1);
}

// ------------------------------------------------------- updates and conflicts

#[tokio::test(flavor = "multi_thread")]
async fn importing_the_same_files_again_changes_nothing() {
    let mut s = Setup::new().await.file("node.json", EXPORTED);
    s.import(&["node.json"]).code(0);
    let report = s.import_json(&["node.json"]);
    assert_eq!(only_row(&report)["result"], "unchanged");
    assert_eq!(s.saves(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_file_updates_the_same_dashboard() {
    let mut s = Setup::new()
        .await
        .file("d.json", &dashboard(None, "Before", Value::Null));
    s.import(&["d.json"]).code(0);
    s = s.file("d.json", &dashboard(None, "After", Value::Null));
    let report = s.import_json(&["d.json"]);
    assert_eq!(only_row(&report)["result"], "updated");
    let listed = s.listed();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["title"], "After");
    assert_eq!(listed[0]["version"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dashboard_edited_in_grafana_is_a_conflict_and_is_kept() {
    let mut s = Setup::new().await.file("d.json", &simple("d", "Mine"));
    s.import(&["d.json"]).code(0);
    s.grafana
        .edit_dashboard("d", |d| d["title"] = json!("Edited in the UI"));
    s = s.file("d.json", &simple("d", "Mine, changed"));
    s.import(&["d.json"])
        .code(1)
        .stdout_has("conflict")
        .stdout_has("changed in Grafana since obsctl saved it (version 2 there, obsctl saved 1)")
        .stderr_has("--force overwrites them");
    assert_eq!(s.stored("d")["title"], "Edited in the UI");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_save_in_grafana_that_changed_nothing_is_not_a_conflict() {
    let mut s = Setup::new().await.file("d.json", &simple("d", "Mine"));
    s.import(&["d.json"]).code(0);
    s.grafana.bump_dashboard_version("d");
    s.import(&["d.json"]).code(0).stdout_has("unchanged");
    // The version found identical is adopted: the next change updates.
    s = s.file("d.json", &simple("d", "Mine, changed"));
    s.import(&["d.json"]).code(0).stdout_has("updated");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dashboard_obsctl_never_imported_is_a_conflict() {
    let mut s = Setup::new().await.file("d.json", &simple("d", "Theirs"));
    s.import(&["d.json"]).code(0);
    std::fs::remove_dir_all(s.t.path("state")).unwrap();
    s = s.file("d.json", &simple("d", "Mine"));
    s.import(&["d.json"])
        .code(1)
        .stdout_has("exists in Grafana (version 1) but was not imported by obsctl");
    assert_eq!(s.stored("d")["title"], "Theirs");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_version_mismatch_from_grafana_is_a_conflict() {
    let mut s = Setup::new().await.file("d.json", &simple("d", "Mine"));
    s.import(&["d.json"]).code(0);
    // Someone saves between obsctl's read and its save: Grafana answers 412.
    s.grafana.inject(
        Fault::new("/api/dashboards/db", 412)
            .method("POST")
            .body(r#"{"status":"version-mismatch","message":"The dashboard has been changed by someone else"}"#),
    );
    s = s.file("d.json", &simple("d", "Mine, changed"));
    s.import(&["d.json"])
        .code(1)
        .stdout_has("conflict")
        .stdout_has("changed in Grafana while importing");
    assert_eq!(s.stored("d")["title"], "Mine");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_title_taken_in_the_folder_on_older_grafana_is_a_conflict() {
    let mut s = Setup::with(|b| b.reject_duplicate_titles(true))
        .await
        .file("a.json", &simple("a", "Same"))
        .file("b.json", &simple("b", "Same"));
    s.import(&["a.json"]).code(0);
    s.import(&["b.json"])
        .code(1)
        .stdout_has("conflict")
        .stdout_has(
        "Grafana refused to save it: A dashboard with the same name in the folder already exists",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dashboard_grafana_provisions_from_a_file_is_not_saved_over() {
    let prov = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = prov.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("datasources/ds.yaml", DATASOURCES);
    write(
        "dashboards/files.yaml",
        &format!(
            "apiVersion: 1\nproviders:\n  - name: files\n    options:\n      path: {}\n",
            prov.path().join("files").display()
        ),
    );
    write("files/p.json", &simple("p", "Provisioned"));
    let dir = prov.path().to_path_buf();
    let mut s = Setup::with(|b| b.provisioning_dir(dir))
        .await
        .file("p.json", &simple("p", "Mine"));
    s.import(&["p.json"])
        .code(1)
        .stdout_has("failed")
        .stdout_has("Grafana provisions this dashboard from a file");
    assert_eq!(s.stored("p")["title"], "Provisioned");
}

#[tokio::test(flavor = "multi_thread")]
async fn force_overwrites_a_dashboard_edited_in_grafana() {
    let mut s = Setup::new().await.file("d.json", &simple("d", "Mine"));
    s.import(&["d.json"]).code(0);
    s.grafana
        .edit_dashboard("d", |d| d["title"] = json!("Edited in the UI"));
    let report = s.import_json(&["d.json", "--force"]);
    assert_eq!(only_row(&report)["result"], "updated");
    assert!(only_row(&report)["detail"]
        .as_str()
        .unwrap()
        .starts_with("overwritten (--force)"));
    assert_eq!(s.stored("d")["title"], "Mine");
    assert_eq!(s.grafana.dashboard_version("d"), Some(3));
    // The overwrite is obsctl's now: the next change imports without --force.
    s = s.file("d.json", &simple("d", "Mine again"));
    s.import(&["d.json"]).code(0).stdout_has("updated");
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_reports_what_would_happen_and_writes_nothing() {
    let mut s = Setup::new()
        .await
        .file("dash/team/d.json", &simple("d", "D"));
    let report = s.import_json(&["dash", "--dry-run"]);
    assert_eq!(report["dry_run"], true);
    assert_eq!(only_row(&report)["result"], "created");
    assert_eq!(s.saves(), 0);
    assert_eq!(s.grafana.request_count("POST", "/api/folders"), 0);
    assert!(s.grafana.dashboard("d").is_none());
    assert!(!s.t.path("state").exists());
}

// ------------------------------------------------------------------ bad input

#[tokio::test(flavor = "multi_thread")]
async fn invalid_json_names_the_file_line_and_column() {
    let mut s = Setup::new()
        .await
        .file("d/broken.json", "{\n  \"panels\": [,]\n}\n")
        .file("d/good.json", &simple("good", "Good"));
    s.import(&["d"])
        .code(1)
        .stdout_has("d/broken.json:2:14: invalid JSON")
        .stdout_has("created");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_that_is_not_a_dashboard_fails_with_a_hint() {
    let mut s = Setup::new().await.file("alerts.json", r#"{"groups": []}"#);
    s.import(&["alerts.json"])
        .code(1)
        .stdout_has("not a Grafana dashboard")
        .stdout_has("hint: export dashboards from Grafana");
}

// ------------------------------------------------------------- server errors

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_are_retried_until_the_save_goes_through() {
    let mut s = Setup::new().await.file("d.json", &simple("d", "D"));
    s.grafana.fail_next("/api/dashboards/db", 2, 503);
    let report = s.import_json(&["d.json"]);
    assert_eq!(only_row(&report)["result"], "created");
    assert_eq!(s.saves(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_error_that_persists_fails_the_dashboard_naming_status_and_body() {
    let mut s = Setup::new().await.file("d.json", &simple("d", "D"));
    s.grafana.inject(
        Fault::new("/api/dashboards/db", 500)
            .times(100)
            .body(r#"{"message":"database is locked"}"#),
    );
    s.import(&["d.json"])
        .code(1)
        .stdout_has("failed")
        .stdout_has("answered HTTP 500 (after 4 attempts): database is locked");
    assert_eq!(s.saves(), 4);
}
