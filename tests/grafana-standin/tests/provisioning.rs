//! Provisioning from a temporary directory laid out like `/etc/grafana/provisioning`.

mod common;

use common::{save, Client};
use grafana_standin::{StandIn, StartError};
use serde_json::json;
use std::path::Path;
use tempfile::TempDir;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A provisioning dir with one data source and two providers over `dash/`.
fn layout() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        &root.join("prov/datasources/prometheus.yaml"),
        "apiVersion: 1\ndatasources:\n  - name: Prometheus\n    type: prometheus\n    uid: prometheus\n    url: http://${STANDIN_TEST_PROM_HOST}:9090\n    isDefault: true\n    jsonData: {httpMethod: POST, timeInterval: 15s}\n    secureJsonData: {basicAuthPassword: $$literal}\n",
    );
    write(
        &root.join("prov/dashboards/obsctl.yml"),
        &format!(
            "apiVersion: 1\nproviders:\n  - name: obsctl\n    folder: Obsctl\n    options:\n      path: {}\n  - name: editable\n    allowUiUpdates: true\n    options:\n      path: {}\n  - name: teams\n    options:\n      path: {}\n      foldersFromFilesStructure: true\n",
            root.join("dash").display(),
            root.join("editable").display(),
            root.join("teams").display()
        ),
    );
    write(
        &root.join("dash/http.json"),
        r#"{"id": 42, "uid": "http", "title": "HTTP", "version": 7, "tags": ["http"]}"#,
    );
    write(
        &root.join("editable/free.json"),
        r#"{"uid": "free", "title": "Free"}"#,
    );
    write(
        &root.join("teams/payments/api.json"),
        r#"{"uid": "payments-api", "title": "Payments API"}"#,
    );
    write(
        &root.join("teams/root.json"),
        r#"{"uid": "root-dash", "title": "Root"}"#,
    );
    dir
}

async fn start(dir: &TempDir) -> Result<grafana_standin::Running, StartError> {
    std::env::set_var("STANDIN_TEST_PROM_HOST", "prometheus");
    StandIn::builder()
        .admin("admin", "secret")
        .provisioning_dir(dir.path().join("prov"))
        .start()
        .await
}

#[tokio::test]
async fn data_sources_are_provisioned_read_only_with_env_values() {
    let dir = layout();
    let s = start(&dir).await.unwrap();
    let c = Client::admin(&s);
    let ds = c.get("/api/datasources/uid/prometheus").await;
    assert_eq!(ds.status, 200);
    assert_eq!(ds.json["url"], "http://prometheus:9090");
    assert_eq!(ds.json["readOnly"], true);
    assert_eq!(ds.json["isDefault"], true);
    assert_eq!(ds.json["access"], "proxy");
    assert_eq!(ds.json["jsonData"]["timeInterval"], "15s");
    assert_eq!(
        ds.json["secureJsonFields"],
        json!({"basicAuthPassword": true})
    );
    let upd = c
        .put(
            "/api/datasources/uid/prometheus",
            json!({"name": "Prometheus", "type": "prometheus", "access": "proxy"}),
        )
        .await;
    assert_eq!(
        (upd.status, upd.json["message"].as_str()),
        (403, Some("Cannot update read-only data source"))
    );
    assert_eq!(
        c.delete("/api/datasources/uid/prometheus").await.status,
        403
    );
}

#[tokio::test]
async fn dashboards_are_provisioned_into_their_folders() {
    let dir = layout();
    let s = start(&dir).await.unwrap();
    let c = Client::admin(&s);
    let http = c.get("/api/dashboards/uid/http").await;
    assert_eq!(http.status, 200);
    assert_eq!(http.json["meta"]["provisioned"], true);
    assert_eq!(http.json["meta"]["provisionedExternalId"], "http.json");
    assert_eq!(http.json["meta"]["folderTitle"], "Obsctl");
    assert_eq!(http.json["meta"]["version"], 1);
    assert_ne!(http.json["dashboard"]["id"], 42);
    let team = c.get("/api/dashboards/uid/payments-api").await;
    assert_eq!(team.json["meta"]["folderTitle"], "payments");
    let root = c.get("/api/dashboards/uid/root-dash").await;
    assert_eq!(root.json["meta"]["folderUid"], "");
}

#[tokio::test]
async fn provisioned_dashboard_cannot_be_saved_imported_or_deleted() {
    let dir = layout();
    let s = start(&dir).await.unwrap();
    let c = Client::admin(&s);
    let r = save(
        &c,
        json!({"uid": "http", "title": "HTTP"}),
        json!({"overwrite": true}),
    )
    .await;
    assert_eq!(
        (r.status, r.json["message"].as_str()),
        (400, Some("Cannot save provisioned dashboard"))
    );
    let imp = c
        .post(
            "/api/dashboards/import",
            json!({"dashboard": {"uid": "http", "title": "HTTP"}, "overwrite": true}),
        )
        .await;
    assert_eq!(
        (imp.status, imp.json["message"].as_str()),
        (400, Some("Cannot save provisioned dashboard"))
    );
    let del = c.delete("/api/dashboards/uid/http").await;
    assert_eq!(
        (del.status, del.json["message"].as_str()),
        (400, Some("provisioned dashboard cannot be deleted"))
    );
}

#[tokio::test]
async fn allow_ui_updates_lets_the_api_save_but_not_import() {
    let dir = layout();
    let s = start(&dir).await.unwrap();
    let c = Client::admin(&s);
    assert_eq!(
        c.get("/api/dashboards/uid/free").await.json["meta"]["provisioned"],
        false
    );
    let r = save(
        &c,
        json!({"uid": "free", "title": "Free 2", "version": 1}),
        json!({}),
    )
    .await;
    assert_eq!((r.status, r.json["version"].as_i64()), (200, Some(2)));
    let imp = c
        .post(
            "/api/dashboards/import",
            json!({"dashboard": {"uid": "free", "title": "Free"}, "overwrite": true}),
        )
        .await;
    assert_eq!(imp.status, 400);
}

#[tokio::test]
async fn reload_picks_up_new_files_and_drops_removed_ones() {
    let dir = layout();
    let s = start(&dir).await.unwrap();
    let c = Client::admin(&s);
    write(
        &dir.path().join("dash/db.json"),
        r#"{"uid": "db", "title": "Databases"}"#,
    );
    std::fs::remove_file(dir.path().join("dash/http.json")).unwrap();
    let r = c
        .post("/api/admin/provisioning/dashboards/reload", json!({}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(c.get("/api/dashboards/uid/db").await.status, 200);
    assert_eq!(c.get("/api/dashboards/uid/http").await.status, 404);
}

async fn start_error(dir: &TempDir) -> String {
    match start(dir).await {
        Err(StartError::Provisioning(e)) => e,
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("the stand-in started"),
    }
}

#[tokio::test]
async fn malformed_yaml_stops_the_start() {
    let dir = layout();
    write(
        &dir.path().join("prov/datasources/broken.yaml"),
        "apiVersion: 1\ndatasources: [name: x\n",
    );
    assert!(start_error(&dir).await.contains("broken.yaml"));
}

#[tokio::test]
async fn missing_provider_path_stops_the_start() {
    let dir = layout();
    std::fs::remove_dir_all(dir.path().join("dash")).unwrap();
    assert!(start_error(&dir).await.contains("Cannot read directory"));
}

#[tokio::test]
async fn invalid_dashboard_json_stops_the_start() {
    let dir = layout();
    write(&dir.path().join("dash/bad.json"), "{ not json");
    assert!(start_error(&dir).await.contains("bad.json"));
}

#[tokio::test]
async fn two_default_data_sources_stop_the_start() {
    let dir = layout();
    write(
        &dir.path().join("prov/datasources/second.yaml"),
        "apiVersion: 1\ndatasources:\n  - {name: Other, type: prometheus, isDefault: true}\n",
    );
    assert!(start_error(&dir)
        .await
        .contains("Only one datasource per organization can be marked as default"));
}

#[tokio::test]
async fn folder_with_folders_from_files_structure_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("x/a.json"), r#"{"title": "A"}"#);
    write(
        &dir.path().join("prov/dashboards/p.yaml"),
        &format!("apiVersion: 1\nproviders:\n  - name: p\n    folder: F\n    options: {{path: {}, foldersFromFilesStructure: true}}\n", dir.path().join("x").display()),
    );
    assert!(start_error(&dir)
        .await
        .contains("foldersFromFilesStructure"));
}

#[tokio::test]
async fn missing_provisioning_directory_is_not_an_error() {
    let s = StandIn::builder()
        .provisioning_dir("/nonexistent/provisioning")
        .start()
        .await;
    assert!(s.is_ok());
}

#[tokio::test]
async fn changed_files_are_picked_up_by_polling() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("d/poll.json");
    write(&file, r#"{"uid": "poll", "title": "Before"}"#);
    write(
        &dir.path().join("prov/dashboards/p.yaml"),
        &format!("apiVersion: 1\nproviders:\n  - name: p\n    updateIntervalSeconds: 1\n    options: {{path: {}}}\n", dir.path().join("d").display()),
    );
    let s = StandIn::builder()
        .provisioning_dir(dir.path().join("prov"))
        .start()
        .await
        .unwrap();
    assert_eq!(s.dashboard("poll").unwrap()["title"], "Before");
    write(&file, r#"{"uid": "poll", "title": "After"}"#);
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while s.dashboard("poll").unwrap()["title"] != "After" {
        assert!(
            std::time::Instant::now() < deadline,
            "the change was not picked up"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(s.dashboard_version("poll"), Some(2));
}
