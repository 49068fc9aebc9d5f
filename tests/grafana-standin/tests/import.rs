//! `POST /api/dashboards/import` with `inputs`.

mod common;

use common::{standin, Client};
use serde_json::{json, Value};

fn exported() -> Value {
    json!({
        "__inputs": [{"name": "DS_PROMETHEUS", "label": "Prometheus", "type": "datasource", "pluginId": "prometheus", "pluginName": "Prometheus"}],
        "__requires": [{"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"}],
        "uid": "node",
        "title": "Node",
        "panels": [{
            "id": 1, "type": "timeseries",
            "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"},
            "targets": [{"refId": "A", "expr": "up", "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}}]
        }],
        "templating": {"list": [{"name": "job", "datasource": "${DS_PROMETHEUS}", "query": "label_values(up, job)"}]}
    })
}

fn prom_input() -> Value {
    json!([{"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus", "value": "prometheus"}])
}

#[tokio::test]
async fn inputs_replace_placeholders_and_inputs_are_dropped() {
    let s = standin().await;
    let c = Client::admin(&s);
    c.post("/api/folders", json!({"uid": "obs", "title": "Obs"}))
        .await;
    let r = c
        .post("/api/dashboards/import", json!({"dashboard": exported(), "overwrite": true, "inputs": prom_input(), "folderUid": "obs"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["imported"], true);
    assert_eq!(r.json["uid"], "node");
    assert_eq!(r.json["importedUrl"], "/d/node/node");
    assert_eq!(r.json["folderUid"], "obs");
    let d = s.dashboard("node").unwrap();
    assert_eq!(d["panels"][0]["datasource"]["uid"], "prometheus");
    assert_eq!(
        d["panels"][0]["targets"][0]["datasource"]["uid"],
        "prometheus"
    );
    assert_eq!(d["templating"]["list"][0]["datasource"], "prometheus");
    assert!(d.get("__inputs").is_none() && d.get("__requires").is_none());
}

#[tokio::test]
async fn missing_input_fails_the_import() {
    let s = standin().await;
    let r = Client::admin(&s)
        .post(
            "/api/dashboards/import",
            json!({"dashboard": exported(), "inputs": []}),
        )
        .await;
    assert_eq!(r.status, 500);
    assert_eq!(r.json["message"], "Failed to save dashboard");
    assert!(s.dashboard("node").is_none());
}

#[tokio::test]
async fn without_inputs_section_nothing_is_substituted() {
    let s = standin().await;
    let mut d = exported();
    d.as_object_mut().unwrap().remove("__inputs");
    let r = Client::admin(&s)
        .post(
            "/api/dashboards/import",
            json!({"dashboard": d, "inputs": prom_input()}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        s.dashboard("node").unwrap()["panels"][0]["datasource"]["uid"],
        "${DS_PROMETHEUS}"
    );
}

#[tokio::test]
async fn missing_dashboard_is_422() {
    let s = standin().await;
    let r = Client::admin(&s)
        .post("/api/dashboards/import", json!({"inputs": []}))
        .await;
    assert_eq!(
        (r.status, r.json["message"].as_str()),
        (422, Some("Dashboard must be set"))
    );
}

#[tokio::test]
async fn reimport_without_overwrite_is_412_like_db() {
    let s = standin().await;
    let c = Client::admin(&s);
    let body = json!({"dashboard": exported(), "inputs": prom_input()});
    assert_eq!(
        c.post("/api/dashboards/import", body.clone()).await.status,
        200
    );
    let again = c.post("/api/dashboards/import", body).await;
    assert_eq!(
        (again.status, again.json["status"].as_str()),
        (412, Some("version-mismatch"))
    );
}

#[tokio::test]
async fn unknown_folder_is_400() {
    let s = standin().await;
    let r = Client::admin(&s)
        .post(
            "/api/dashboards/import",
            json!({"dashboard": exported(), "inputs": prom_input(), "folderUid": "nope"}),
        )
        .await;
    assert_eq!(
        (r.status, r.json["message"].as_str()),
        (400, Some("folder not found"))
    );
}
