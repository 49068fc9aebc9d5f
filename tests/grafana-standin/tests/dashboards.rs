//! `POST /api/dashboards/db` and the dashboard read/delete endpoints: the id, uid,
//! version and overwrite rules and their exact error answers.

mod common;

use common::{save, standin, Client};
use grafana_standin::StandIn;
use serde_json::json;

#[tokio::test]
async fn create_assigns_id_uid_version_1_and_url() {
    let s = standin().await;
    let r = save(
        &Client::admin(&s),
        json!({"id": null, "title": "HTTP Overview"}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["status"], "success");
    assert_eq!(r.json["version"], 1);
    assert_eq!(r.json["slug"], "http-overview");
    let uid = r.json["uid"].as_str().unwrap();
    assert_eq!(uid.len(), 26);
    assert_eq!(r.json["url"], format!("/d/{uid}/http-overview"));
    assert!(r.json["id"].as_i64().unwrap() > 0);
}

#[tokio::test]
async fn update_with_current_version_bumps_it() {
    let s = standin().await;
    let c = Client::admin(&s);
    save(&c, json!({"uid": "http", "title": "HTTP"}), json!({})).await;
    let r = save(
        &c,
        json!({"uid": "http", "title": "HTTP", "version": 1}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["version"], 2);
    let got = c.get("/api/dashboards/uid/http").await;
    assert_eq!(got.json["dashboard"]["version"], 2);
    assert_eq!(got.json["meta"]["version"], 2);
}

#[tokio::test]
async fn stale_version_without_overwrite_is_412_version_mismatch() {
    let s = standin().await;
    let c = Client::admin(&s);
    save(&c, json!({"uid": "http", "title": "HTTP"}), json!({})).await;
    save(
        &c,
        json!({"uid": "http", "title": "HTTP", "version": 1}),
        json!({}),
    )
    .await;
    let r = save(
        &c,
        json!({"uid": "http", "title": "HTTP", "version": 1}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, 412);
    assert_eq!(
        r.json,
        json!({"status": "version-mismatch", "message": "The dashboard has been changed by someone else"})
    );
    let no_version = save(&c, json!({"uid": "http", "title": "HTTP"}), json!({})).await;
    assert_eq!(no_version.status, 412);
}

#[tokio::test]
async fn overwrite_adopts_the_stored_version() {
    let s = standin().await;
    let c = Client::admin(&s);
    save(&c, json!({"uid": "http", "title": "HTTP"}), json!({})).await;
    save(
        &c,
        json!({"uid": "http", "title": "HTTP", "version": 1}),
        json!({}),
    )
    .await;
    let r = save(
        &c,
        json!({"id": null, "uid": "http", "title": "HTTP v2"}),
        json!({"overwrite": true}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["version"], 3);
}

#[tokio::test]
async fn user_edit_in_the_ui_is_detected_as_a_conflict() {
    let s = standin().await;
    let c = Client::admin(&s);
    save(&c, json!({"uid": "http", "title": "HTTP"}), json!({})).await;
    let v = s
        .edit_dashboard("http", |d| d["title"] = json!("HTTP (edited)"))
        .unwrap();
    assert_eq!(v, 2);
    assert_eq!(s.dashboard("http").unwrap()["title"], "HTTP (edited)");
    let r = save(
        &c,
        json!({"uid": "http", "title": "HTTP", "version": 1}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, 412);
    assert_eq!(s.bump_dashboard_version("http"), Some(3));
}

#[tokio::test]
async fn unknown_id_is_404_dashboard_not_found() {
    let s = standin().await;
    let r = save(
        &Client::admin(&s),
        json!({"id": 999, "title": "x"}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json,
        json!({"status": "not-found", "message": "Dashboard not found"})
    );
}

#[tokio::test]
async fn id_and_uid_of_two_dashboards_is_400() {
    let s = standin().await;
    let c = Client::admin(&s);
    let a = save(&c, json!({"uid": "a", "title": "A"}), json!({})).await;
    save(&c, json!({"uid": "b", "title": "B"}), json!({})).await;
    let r = save(
        &c,
        json!({"id": a.json["id"], "uid": "b", "title": "A", "version": 1}),
        json!({}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json,
        json!({"message": "A dashboard with the same uid already exists"})
    );
}

#[tokio::test]
async fn update_by_id_alone_finds_the_dashboard() {
    let s = standin().await;
    let c = Client::admin(&s);
    let a = save(&c, json!({"uid": "a", "title": "A"}), json!({})).await;
    let r = save(
        &c,
        json!({"id": a.json["id"], "title": "A2", "version": 1}),
        json!({}),
    )
    .await;
    assert_eq!((r.status, r.json["uid"].as_str()), (200, Some("a")));
}

#[tokio::test]
async fn validation_errors_match_grafana() {
    let s = standin().await;
    let c = Client::admin(&s);
    let empty = save(&c, json!({"title": "  "}), json!({})).await;
    assert_eq!(
        (empty.status, empty.json["status"].as_str()),
        (400, Some("empty-name"))
    );
    let bad_uid = save(&c, json!({"uid": "a/b", "title": "x"}), json!({})).await;
    assert_eq!(
        bad_uid.json,
        json!({"message": "uid contains illegal characters"})
    );
    let long_uid = save(&c, json!({"uid": "x".repeat(41), "title": "x"}), json!({})).await;
    assert_eq!(
        long_uid.json,
        json!({"message": "uid too long, max 40 characters"})
    );
    let long_msg = save(
        &c,
        json!({"title": "x"}),
        json!({"message": "m".repeat(501)}),
    )
    .await;
    assert_eq!(
        long_msg.json,
        json!({"message": "message too long, max 500 characters"})
    );
    let garbage = c
        .send_raw("POST", "/api/dashboards/db", Some("{not json"))
        .await;
    assert_eq!(
        (garbage.status, garbage.json["message"].as_str()),
        (400, Some("bad request data"))
    );
}

#[tokio::test]
async fn unknown_folder_uid_is_400_folder_not_found() {
    let s = standin().await;
    let r = save(
        &Client::admin(&s),
        json!({"title": "x"}),
        json!({"folderUid": "nope"}),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json, json!({"message": "folder not found"}));
}

#[tokio::test]
async fn update_without_folder_fields_moves_to_the_root() {
    let s = standin().await;
    let c = Client::admin(&s);
    c.post("/api/folders", json!({"uid": "ops", "title": "Ops"}))
        .await;
    let r = save(
        &c,
        json!({"uid": "d", "title": "D"}),
        json!({"folderUid": "ops"}),
    )
    .await;
    assert_eq!(r.json["folderUid"], "ops");
    let meta = c.get("/api/dashboards/uid/d").await.json["meta"].clone();
    assert_eq!(
        (meta["folderUid"].as_str(), meta["folderTitle"].as_str()),
        (Some("ops"), Some("Ops"))
    );
    save(
        &c,
        json!({"uid": "d", "title": "D", "version": 1}),
        json!({}),
    )
    .await;
    let meta = c.get("/api/dashboards/uid/d").await.json["meta"].clone();
    assert_eq!(
        (meta["folderUid"].as_str(), meta["folderTitle"].as_str()),
        (Some(""), Some("General"))
    );
}

#[tokio::test]
async fn get_shows_meta_and_unknown_uid_is_404() {
    let s = standin().await;
    let c = Client::admin(&s);
    save(
        &c,
        json!({"uid": "d", "title": "D", "tags": ["a"]}),
        json!({}),
    )
    .await;
    let r = c.get("/api/dashboards/uid/d").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["dashboard"]["uid"], "d");
    assert_eq!(r.json["meta"]["provisioned"], false);
    assert_eq!(r.json["meta"]["url"], "/d/d/d");
    let missing = c.get("/api/dashboards/uid/nope").await;
    assert_eq!(
        (missing.status, missing.json["message"].as_str()),
        (404, Some("Dashboard not found"))
    );
}

#[tokio::test]
async fn delete_answers_title_and_then_404() {
    let s = standin().await;
    let c = Client::admin(&s);
    save(&c, json!({"uid": "d", "title": "Disk"}), json!({})).await;
    let r = c.delete("/api/dashboards/uid/d").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["message"], "Dashboard Disk deleted");
    assert_eq!(c.delete("/api/dashboards/uid/d").await.status, 404);
}

#[tokio::test]
async fn refresh_below_minimum_is_raised() {
    let s = standin().await;
    let c = Client::admin(&s);
    save(
        &c,
        json!({"uid": "d", "title": "D", "refresh": "1s"}),
        json!({}),
    )
    .await;
    assert_eq!(s.dashboard("d").unwrap()["refresh"], "5s");
    save(
        &c,
        json!({"uid": "e", "title": "E", "refresh": "30s"}),
        json!({}),
    )
    .await;
    assert_eq!(s.dashboard("e").unwrap()["refresh"], "30s");
}

#[tokio::test]
async fn dashboard_uid_of_a_folder_is_400() {
    let s = standin().await;
    let c = Client::admin(&s);
    c.post("/api/folders", json!({"uid": "ops", "title": "Ops"}))
        .await;
    let r = save(&c, json!({"uid": "ops", "title": "D"}), json!({})).await;
    assert_eq!(
        r.json,
        json!({"message": "Dashboard cannot be changed to a folder"})
    );
}

#[tokio::test]
async fn older_grafana_name_exists_can_be_reproduced() {
    let s = StandIn::builder()
        .admin("admin", "secret")
        .reject_duplicate_titles(true)
        .start()
        .await
        .unwrap();
    let c = Client::admin(&s);
    save(&c, json!({"uid": "a", "title": "Same"}), json!({})).await;
    let r = save(&c, json!({"uid": "b", "title": "same"}), json!({})).await;
    assert_eq!(
        (r.status, r.json["status"].as_str()),
        (412, Some("name-exists"))
    );
}

#[tokio::test]
async fn versions_are_listed_and_restored() {
    let s = standin().await;
    let c = Client::admin(&s);
    save(&c, json!({"uid": "d", "title": "One"}), json!({})).await;
    save(
        &c,
        json!({"uid": "d", "title": "Two", "version": 1}),
        json!({"message": "second"}),
    )
    .await;
    let list = c.get("/api/dashboards/uid/d/versions").await;
    let versions = list.json["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(versions[0]["message"], "second");
    assert_eq!(versions[1]["message"], "Initial save");
    let one = c.get("/api/dashboards/uid/d/versions/1").await;
    assert_eq!(one.json["data"]["title"], "One");
    let r = c
        .post("/api/dashboards/uid/d/restore", json!({"version": 1}))
        .await;
    assert_eq!((r.status, r.json["version"].as_i64()), (200, Some(3)));
    assert_eq!(s.dashboard("d").unwrap()["title"], "One");
    let missing = c
        .post("/api/dashboards/uid/d/restore", json!({"version": 9}))
        .await;
    assert_eq!(
        (missing.status, missing.json["message"].as_str()),
        (404, Some("Dashboard version not found"))
    );
}

#[tokio::test]
async fn older_versions_list_shape_is_a_bare_array() {
    let s = StandIn::builder()
        .admin("admin", "secret")
        .versions_list(grafana_standin::VersionsList::Array)
        .start()
        .await
        .unwrap();
    let c = Client::admin(&s);
    save(&c, json!({"uid": "d", "title": "One"}), json!({})).await;
    let list = c.get("/api/dashboards/uid/d/versions").await;
    assert_eq!(list.json.as_array().map(Vec::len), Some(1));
}
