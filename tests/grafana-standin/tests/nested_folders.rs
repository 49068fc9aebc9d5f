//! Nested folders as Grafana 12 has them: `GET /api/folders` lists only the
//! children of `parentUid` (the root when absent), a folder names its parent and
//! its ancestors, search hits name their immediate parent, titles may repeat,
//! folders move, and nesting stops at four levels.

mod common;

use common::{save, standin, Client};
use serde_json::{json, Value};

async fn folder(c: &Client, uid: &str, title: &str, parent: Option<&str>) -> Value {
    let mut body = json!({"uid": uid, "title": title});
    if let Some(p) = parent {
        body["parentUid"] = json!(p);
    }
    let r = c.post("/api/folders", body).await;
    assert_eq!(r.status, 200, "{uid}: {}", r.text);
    r.json
}

fn uids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| f["uid"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn listing_shows_only_the_immediate_children() {
    let s = standin().await;
    let c = Client::admin(&s);
    folder(&c, "a", "A", None).await;
    folder(&c, "b", "B", Some("a")).await;
    folder(&c, "c", "C", Some("b")).await;
    folder(&c, "z", "Z", None).await;
    assert_eq!(uids(&c.get("/api/folders").await.json), ["a", "z"]);
    assert_eq!(uids(&c.get("/api/folders?parentUid=a").await.json), ["b"]);
    assert_eq!(uids(&c.get("/api/folders?parentUid=b").await.json), ["c"]);
    assert!(uids(&c.get("/api/folders?parentUid=c").await.json).is_empty());
}

#[tokio::test]
async fn a_folder_names_its_parent_and_its_ancestors_root_first() {
    let s = standin().await;
    let c = Client::admin(&s);
    folder(&c, "a", "A", None).await;
    folder(&c, "b", "B", Some("a")).await;
    let created = folder(&c, "c", "C", Some("b")).await;
    assert_eq!(created["parentUid"], "b");
    let got = c.get("/api/folders/c").await.json;
    assert_eq!(got["parentUid"], "b");
    assert_eq!(uids(&got["parents"]), ["a", "b"]);
    let top = c.get("/api/folders/a").await.json;
    assert!(top.get("parentUid").is_none() && top.get("parents").is_none());
}

#[tokio::test]
async fn search_hits_carry_their_immediate_parent() {
    let s = standin().await;
    let c = Client::admin(&s);
    folder(&c, "a", "A", None).await;
    folder(&c, "b", "B", Some("a")).await;
    save(
        &c,
        json!({"uid": "d", "title": "Deep"}),
        json!({"folderUid": "b"}),
    )
    .await;
    let hits = c.get("/api/search?query=Deep").await.json;
    assert_eq!(hits[0]["folderUid"], "b");
    assert_eq!(hits[0]["folderTitle"], "B");
    let folders = c.get("/api/search?type=dash-folder&query=B").await.json;
    assert_eq!(folders[0]["uid"], "b");
    assert_eq!(folders[0]["folderUid"], "a");
    assert_eq!(folders[0]["folderTitle"], "A");
}

#[tokio::test]
async fn titles_may_repeat_under_other_parents_and_under_the_same_parent() {
    let s = standin().await;
    let c = Client::admin(&s);
    folder(&c, "x", "X", None).await;
    folder(&c, "y", "Y", None).await;
    folder(&c, "x-ops", "Ops", Some("x")).await;
    folder(&c, "y-ops", "Ops", Some("y")).await;
    // Grafana 12 dropped the unique title index: a second "Ops" in X is allowed too.
    folder(&c, "x-ops-2", "Ops", Some("x")).await;
    assert_eq!(
        uids(&c.get("/api/folders?parentUid=x").await.json),
        ["x-ops", "x-ops-2"]
    );
}

#[tokio::test]
async fn a_folder_moves_with_its_subtree_but_never_below_itself() {
    let s = standin().await;
    let c = Client::admin(&s);
    folder(&c, "a", "A", None).await;
    folder(&c, "b", "B", Some("a")).await;
    folder(&c, "c", "C", Some("b")).await;
    folder(&c, "t", "T", None).await;
    let moved = c
        .post("/api/folders/b/move", json!({"parentUid": "t"}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.json["parentUid"], "t");
    assert_eq!(
        uids(&c.get("/api/folders/c").await.json["parents"]),
        ["t", "b"]
    );
    assert!(uids(&c.get("/api/folders?parentUid=a").await.json).is_empty());
    let itself = c
        .post("/api/folders/b/move", json!({"parentUid": "b"}))
        .await;
    assert_eq!(itself.status, 400, "{}", itself.text);
    let below = c
        .post("/api/folders/b/move", json!({"parentUid": "c"}))
        .await;
    assert_eq!(below.status, 400, "{}", below.text);
    let nowhere = c
        .post("/api/folders/b/move", json!({"parentUid": "nope"}))
        .await;
    assert_eq!(nowhere.status, 404, "{}", nowhere.text);
    let root = c
        .post("/api/folders/b/move", json!({"parentUid": ""}))
        .await;
    assert_eq!(root.status, 200, "{}", root.text);
    assert_eq!(uids(&c.get("/api/folders").await.json), ["a", "b", "t"]);
}

#[tokio::test]
async fn nesting_stops_at_four_levels() {
    let s = standin().await;
    let c = Client::admin(&s);
    folder(&c, "l1", "L1", None).await;
    folder(&c, "l2", "L2", Some("l1")).await;
    folder(&c, "l3", "L3", Some("l2")).await;
    folder(&c, "l4", "L4", Some("l3")).await;
    let too_deep = c
        .post(
            "/api/folders",
            json!({"uid": "l5", "title": "L5", "parentUid": "l4"}),
        )
        .await;
    assert_eq!(too_deep.status, 400, "{}", too_deep.text);
    assert_eq!(too_deep.json["messageId"], "folder.maximum-depth-reached");
    folder(&c, "other", "Other", None).await;
    folder(&c, "other-child", "Child", Some("other")).await;
    let deep_move = c
        .post("/api/folders/other/move", json!({"parentUid": "l3"}))
        .await;
    assert_eq!(deep_move.status, 400, "{}", deep_move.text);
}
