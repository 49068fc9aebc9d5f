//! `/api/library-elements` and library panels in dashboards: the DTO and search
//! shapes, Grafana's error answers, the 500 a dashboard save gets when one of its
//! library panels does not exist (the dashboard is stored anyway), the refusal to
//! delete an element in use, and import creating elements from `__elements`.

mod common;

use common::{save, standin, Client, PASSWORD, USER};
use grafana_standin::{Role, StandIn};
use serde_json::{json, Value};

fn element(uid: &str, name: &str) -> Value {
    json!({"uid": uid, "name": name, "kind": 1,
           "model": {"type": "stat", "title": name, "description": "about it"}})
}

/// A dashboard whose second panel, inside a collapsed row, is a library panel.
fn using(uid: &str, element_uid: &str) -> Value {
    json!({"uid": uid, "title": uid, "panels": [
        {"id": 1, "type": "timeseries", "title": "plain"},
        {"id": 2, "type": "row", "collapsed": true, "panels": [
            {"id": 3, "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4},
             "libraryPanel": {"uid": element_uid, "name": "Shared"}}
        ]}
    ]})
}

#[tokio::test]
async fn create_get_search_and_delete() {
    let s = standin().await;
    let c = Client::admin(&s);
    c.post("/api/folders", json!({"uid": "ops", "title": "Ops"}))
        .await;
    let mut body = element("cpu", "CPU");
    body["folderUid"] = json!("ops");
    let r = c.post("/api/library-elements", body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let e = &r.json["result"];
    assert_eq!(
        (e["uid"].as_str(), e["name"].as_str()),
        (Some("cpu"), Some("CPU"))
    );
    assert_eq!(
        (e["kind"].as_i64(), e["version"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        (e["type"].as_str(), e["description"].as_str()),
        (Some("stat"), Some("about it"))
    );
    assert_eq!(e["folderUid"], "ops");
    assert_eq!(e["meta"]["folderName"], "Ops");
    assert_eq!(e["meta"]["connectedDashboards"], 0);
    assert_eq!(e["model"]["title"], "CPU");

    let got = c.get("/api/library-elements/cpu").await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json["result"]["uid"], "cpu");
    c.post("/api/library-elements", element("mem", "Memory"))
        .await;
    let root = c.get("/api/library-elements/mem").await.json;
    assert_eq!(root["result"]["folderUid"], "general");
    assert_eq!(root["result"]["meta"]["folderName"], "General");

    let all = c.get("/api/library-elements").await.json;
    assert_eq!(all["result"]["totalCount"], 2);
    assert_eq!(
        (
            all["result"]["page"].as_i64(),
            all["result"]["perPage"].as_i64()
        ),
        (Some(1), Some(100))
    );
    let names: Vec<&str> = all["result"]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["CPU", "Memory"]);
    let found = c.get("/api/library-elements?searchString=mem").await.json;
    assert_eq!(found["result"]["elements"][0]["uid"], "mem");
    assert_eq!(found["result"]["totalCount"], 1);
    let in_ops = c
        .get("/api/library-elements?folderFilterUIDs=ops")
        .await
        .json;
    assert_eq!(in_ops["result"]["totalCount"], 1);
    let by_name = c.get("/api/library-elements/name/Memory").await;
    assert_eq!(by_name.json["result"][0]["uid"], "mem");

    let del = c.delete("/api/library-elements/cpu").await;
    assert_eq!(del.status, 200);
    assert_eq!(del.json["message"], "Library element deleted");
    let gone = c.get("/api/library-elements/cpu").await;
    assert_eq!(
        (gone.status, gone.json["message"].as_str()),
        (404, Some("library element could not be found"))
    );
    assert_eq!(c.delete("/api/library-elements/cpu").await.status, 404);
}

#[tokio::test]
async fn duplicates_and_bad_requests_get_grafanas_answers() {
    let s = standin().await;
    let c = Client::admin(&s);
    c.post("/api/folders", json!({"uid": "ops", "title": "Ops"}))
        .await;
    assert_eq!(
        c.post("/api/library-elements", element("a", "Same"))
            .await
            .status,
        200
    );
    for dup in [element("a", "Other"), element("b", "Same")] {
        let r = c.post("/api/library-elements", dup).await;
        assert_eq!(r.status, 400, "{}", r.text);
        assert_eq!(
            r.json["message"],
            "library element with that name or UID already exists"
        );
    }
    let mut elsewhere = element("c", "Same");
    elsewhere["folderUid"] = json!("ops");
    assert_eq!(c.post("/api/library-elements", elsewhere).await.status, 200);
    let no_kind = c
        .post("/api/library-elements", json!({"name": "x", "model": {}}))
        .await;
    assert_eq!(
        (no_kind.status, no_kind.json["message"].as_str()),
        (400, Some("bad request data"))
    );
    let bad_uid = c
        .post("/api/library-elements", element("a b", "Spaced"))
        .await;
    assert_eq!(
        (bad_uid.status, bad_uid.json["message"].as_str()),
        (400, Some("uid contains illegal characters"))
    );
    let mut lost = element("d", "Lost");
    lost["folderUid"] = json!("nope");
    let r = c.post("/api/library-elements", lost).await;
    assert_eq!(
        (r.status, r.json["message"].as_str()),
        (400, Some("failed to get folder"))
    );
}

#[tokio::test]
async fn a_dashboard_with_a_missing_library_panel_is_stored_but_answered_500() {
    let s = standin().await;
    let c = Client::admin(&s);
    let r = save(&c, using("d", "absent"), json!({})).await;
    assert_eq!(r.status, 500, "{}", r.text);
    assert_eq!(r.json["message"], "Error while connecting library panels");
    let stored = c.get("/api/dashboards/uid/d").await;
    assert_eq!(
        stored.status, 200,
        "Grafana stores the dashboard before the check"
    );
    assert_eq!(
        stored.json["dashboard"]["panels"][1]["panels"][0]["libraryPanel"]["uid"],
        "absent"
    );
    assert_eq!(c.get("/api/library-elements/absent").await.status, 404);

    c.post("/api/library-elements", element("absent", "Shared"))
        .await;
    let again = save(&c, using("d", "absent"), json!({"overwrite": true})).await;
    assert_eq!(again.status, 200, "{}", again.text);
    let no_uid =
        json!({"uid": "e", "title": "E", "panels": [{"id": 1, "libraryPanel": {"name": "x"}}]});
    assert_eq!(save(&c, no_uid, json!({})).await.status, 500);
}

#[tokio::test]
async fn an_element_in_use_cannot_be_deleted() {
    let s = standin().await;
    let c = Client::admin(&s);
    c.post("/api/library-elements", element("shared", "Shared"))
        .await;
    assert_eq!(save(&c, using("d", "shared"), json!({})).await.status, 200);
    let meta = c.get("/api/library-elements/shared").await.json;
    assert_eq!(meta["result"]["meta"]["connectedDashboards"], 1);
    let r = c.delete("/api/library-elements/shared").await;
    assert_eq!(
        (r.status, r.json["message"].as_str()),
        (403, Some("the library element has connections"))
    );
    c.delete("/api/dashboards/uid/d").await;
    assert_eq!(c.delete("/api/library-elements/shared").await.status, 200);
}

#[tokio::test]
async fn import_creates_missing_elements_from_dunder_elements_in_its_folder() {
    let s = standin().await;
    let c = Client::admin(&s);
    c.post("/api/folders", json!({"uid": "obs", "title": "Obs"}))
        .await;
    c.post("/api/library-elements", element("kept", "Kept"))
        .await;
    let mut dash = using("imp", "fresh");
    dash["panels"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": 9, "libraryPanel": {"uid": "kept", "name": "Kept"}}));
    dash["__inputs"] = json!([{"name": "DS_PROM", "type": "datasource", "pluginId": "prometheus"}]);
    dash["__elements"] = json!({
        "fresh": {"name": "Fresh", "uid": "fresh", "kind": 1,
                  "model": {"type": "gauge", "datasource": {"uid": "${DS_PROM}"}}},
        "kept": {"name": "Kept", "uid": "kept", "kind": 1, "model": {"type": "changed"}}
    });
    let inputs = json!([{"name": "DS_PROM", "type": "datasource", "pluginId": "prometheus", "value": "prom"}]);
    let r = c
        .post(
            "/api/dashboards/import",
            json!({"dashboard": dash, "inputs": inputs, "folderUid": "obs"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let fresh = c.get("/api/library-elements/fresh").await.json;
    assert_eq!(fresh["result"]["folderUid"], "obs");
    // The name comes from the panel's `libraryPanel` reference, as in Grafana.
    assert_eq!(fresh["result"]["name"], "Shared");
    assert_eq!(fresh["result"]["model"]["datasource"]["uid"], "prom");
    assert_eq!(fresh["result"]["model"]["libraryPanel"]["uid"], "fresh");
    assert_eq!(
        s.library_element("kept").unwrap()["type"],
        "stat",
        "existing elements are kept"
    );
    assert!(s.dashboard("imp").unwrap().get("__elements").is_none());
}

#[tokio::test]
async fn import_fails_for_a_new_library_panel_without_a_name() {
    let s = standin().await;
    let c = Client::admin(&s);
    let dash = json!({"uid": "imp", "title": "Imp", "panels": [{"id": 1, "libraryPanel": {"uid": "nameless"}}]});
    let r = c
        .post("/api/dashboards/import", json!({"dashboard": dash}))
        .await;
    assert_eq!(
        (r.status, r.json["message"].as_str()),
        (500, Some("Failed to save dashboard"))
    );
    assert!(s.dashboard("imp").is_none());
    let array_form = json!({"uid": "arr", "title": "Arr",
        "panels": [{"id": 1, "libraryPanel": {"uid": "listed", "name": "Listed"}}],
        "__elements": [{"uid": "listed", "name": "Listed", "kind": 1, "model": {"type": "text"}}]});
    let r = c
        .post("/api/dashboards/import", json!({"dashboard": array_form}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(s.library_element("listed").unwrap()["type"], "text");
}

#[tokio::test]
async fn deleting_a_folder_deletes_its_elements_and_viewers_cannot_create() {
    let s = StandIn::builder()
        .admin(USER, PASSWORD)
        .token_with_role("glsa_viewer", Role::Viewer)
        .start()
        .await
        .unwrap();
    let c = Client::admin(&s);
    c.post("/api/folders", json!({"uid": "ops", "title": "Ops"}))
        .await;
    let mut body = element("in-ops", "In Ops");
    body["folderUid"] = json!("ops");
    c.post("/api/library-elements", body).await;
    assert_eq!(c.delete("/api/folders/ops").await.status, 200);
    assert_eq!(c.get("/api/library-elements/in-ops").await.status, 404);
    let viewer = Client::anonymous(&s).bearer("glsa_viewer");
    assert_eq!(
        viewer
            .post("/api/library-elements", element("v", "V"))
            .await
            .status,
        403
    );
    assert_eq!(viewer.get("/api/library-elements").await.status, 200);
}

#[tokio::test]
async fn patch_checks_the_version() {
    let s = standin().await;
    let c = Client::admin(&s);
    c.post("/api/library-elements", element("p", "P")).await;
    let ok = c
        .send_raw(
            "PATCH",
            "/api/library-elements/p",
            Some(&json!({"kind": 1, "version": 1, "model": {"type": "table"}}).to_string()),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(
        (
            ok.json["result"]["version"].as_i64(),
            ok.json["result"]["type"].as_str()
        ),
        (Some(2), Some("table"))
    );
    let stale = c
        .send_raw(
            "PATCH",
            "/api/library-elements/p",
            Some(&json!({"kind": 1, "version": 1}).to_string()),
        )
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
}
