//! Folder endpoints: create, read, update with the version rule, list, delete.

mod common;

use common::{save, standin, Client};
use serde_json::json;

#[tokio::test]
async fn create_answers_the_folder_dto() {
    let s = standin().await;
    let r = Client::admin(&s)
        .post("/api/folders", json!({"uid": "ops", "title": "Ops Team"}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["uid"], "ops");
    assert_eq!(r.json["title"], "Ops Team");
    assert_eq!(r.json["url"], "/dashboards/f/ops/ops-team");
    assert_eq!(r.json["version"], 1);
    assert!(r.json["id"].as_i64().unwrap() > 0);
}

#[tokio::test]
async fn duplicate_uid_is_409() {
    let s = standin().await;
    let c = Client::admin(&s);
    c.post("/api/folders", json!({"uid": "ops", "title": "Ops"}))
        .await;
    let r = c
        .post("/api/folders", json!({"uid": "ops", "title": "Other"}))
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(
        r.json["message"],
        "a folder/dashboard with the same uid already exists"
    );
}

#[tokio::test]
async fn empty_title_and_bad_uid_are_400() {
    let s = standin().await;
    let c = Client::admin(&s);
    let r = c.post("/api/folders", json!({"title": ""})).await;
    assert_eq!(
        (r.status, r.json["message"].as_str()),
        (400, Some("folder title cannot be empty"))
    );
    let r = c
        .post("/api/folders", json!({"uid": "a b", "title": "x"}))
        .await;
    assert_eq!(
        (r.status, r.json["message"].as_str()),
        (400, Some("uid contains illegal characters"))
    );
}

#[tokio::test]
async fn unknown_folder_is_404_not_found() {
    let s = standin().await;
    let r = Client::admin(&s).get("/api/folders/nope").await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json,
        json!({"status": "not-found", "message": "folder not found"})
    );
}

#[tokio::test]
async fn stale_version_on_update_is_412_and_overwrite_wins() {
    let s = standin().await;
    let c = Client::admin(&s);
    c.post("/api/folders", json!({"uid": "ops", "title": "Ops"}))
        .await;
    let ok = c
        .put("/api/folders/ops", json!({"title": "Ops 2", "version": 1}))
        .await;
    assert_eq!((ok.status, ok.json["version"].as_i64()), (200, Some(2)));
    let stale = c
        .put("/api/folders/ops", json!({"title": "Ops 3", "version": 1}))
        .await;
    assert_eq!(stale.status, 412);
    assert_eq!(stale.json["status"], "version-mismatch");
    let forced = c
        .put(
            "/api/folders/ops",
            json!({"title": "Ops 3", "overwrite": true}),
        )
        .await;
    assert_eq!(
        (forced.status, forced.json["title"].as_str()),
        (200, Some("Ops 3"))
    );
}

#[tokio::test]
async fn list_is_sorted_and_nested_folders_show_parents() {
    let s = standin().await;
    let c = Client::admin(&s);
    c.post("/api/folders", json!({"uid": "b", "title": "beta"}))
        .await;
    c.post("/api/folders", json!({"uid": "a", "title": "Alpha"}))
        .await;
    c.post(
        "/api/folders",
        json!({"uid": "child", "title": "Child", "parentUid": "a"}),
    )
    .await;
    let list = c.get("/api/folders").await;
    assert_eq!(
        list.json,
        json!([
            {"id": list.json[0]["id"], "uid": "a", "title": "Alpha"},
            {"id": list.json[1]["id"], "uid": "b", "title": "beta"}
        ])
    );
    let children = c.get("/api/folders?parentUid=a").await;
    assert_eq!(children.json[0]["uid"], "child");
    let child = c.get("/api/folders/child").await;
    assert_eq!(child.json["parentUid"], "a");
    assert_eq!(child.json["parents"][0]["uid"], "a");
    let orphan = c
        .post("/api/folders", json!({"title": "x", "parentUid": "nope"}))
        .await;
    assert_eq!(orphan.status, 404);
}

#[tokio::test]
async fn delete_removes_the_folder_and_its_dashboards() {
    let s = standin().await;
    let c = Client::admin(&s);
    c.post("/api/folders", json!({"uid": "ops", "title": "Ops"}))
        .await;
    save(
        &c,
        json!({"uid": "d", "title": "D"}),
        json!({"folderUid": "ops"}),
    )
    .await;
    let r = c.delete("/api/folders/ops").await;
    assert_eq!(
        (r.status, r.json["message"].as_str()),
        (200, Some("Folder deleted"))
    );
    assert_eq!(c.get("/api/dashboards/uid/d").await.status, 404);
    assert_eq!(c.delete("/api/folders/ops").await.status, 404);
}
