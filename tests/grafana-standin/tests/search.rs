//! `GET /api/search` filters, ordering and paging.

mod common;

use common::{save, standin, Client};
use grafana_standin::Running;
use serde_json::{json, Value};

async fn seeded() -> (Running, Client) {
    let s = standin().await;
    let c = Client::admin(&s);
    c.post("/api/folders", json!({"uid": "ops", "title": "Ops"}))
        .await;
    save(
        &c,
        json!({"uid": "http", "title": "HTTP overview", "tags": ["http", "red"]}),
        json!({"folderUid": "ops"}),
    )
    .await;
    save(
        &c,
        json!({"uid": "pg", "title": "Postgres", "tags": ["db"]}),
        json!({}),
    )
    .await;
    save(
        &c,
        json!({"uid": "redis", "title": "Redis", "tags": ["db", "cache"]}),
        json!({}),
    )
    .await;
    (s, c)
}

fn uids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|h| h["uid"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn all_hits_list_folders_first_then_titles() {
    let (_s, c) = seeded().await;
    let r = c.get("/api/search").await;
    assert_eq!(uids(&r.json), ["ops", "http", "pg", "redis"]);
    let http = &r.json[1];
    assert_eq!(http["type"], "dash-db");
    assert_eq!(http["folderUid"], "ops");
    assert_eq!(http["folderTitle"], "Ops");
    assert_eq!(http["url"], "/d/http/http-overview");
    assert_eq!(http["tags"], json!(["http", "red"]));
    assert_eq!(r.json[0]["type"], "dash-folder");
    assert!(r.json[2].get("folderUid").is_none());
}

#[tokio::test]
async fn query_matches_title_substring_ignoring_case() {
    let (_s, c) = seeded().await;
    assert_eq!(
        uids(&c.get("/api/search?query=re").await.json),
        ["pg", "redis"]
    );
}

#[tokio::test]
async fn type_filter_selects_dashboards_or_folders() {
    let (_s, c) = seeded().await;
    assert_eq!(
        uids(&c.get("/api/search?type=dash-folder").await.json),
        ["ops"]
    );
    assert_eq!(
        uids(&c.get("/api/search?type=dash-db").await.json),
        ["http", "pg", "redis"]
    );
}

#[tokio::test]
async fn every_tag_must_match() {
    let (_s, c) = seeded().await;
    assert_eq!(
        uids(&c.get("/api/search?tag=db").await.json),
        ["pg", "redis"]
    );
    assert_eq!(
        uids(&c.get("/api/search?tag=db&tag=cache").await.json),
        ["redis"]
    );
}

#[tokio::test]
async fn folder_and_dashboard_uid_filters() {
    let (_s, c) = seeded().await;
    assert_eq!(
        uids(&c.get("/api/search?folderUIDs=ops").await.json),
        ["http"]
    );
    assert_eq!(
        uids(
            &c.get("/api/search?type=dash-db&folderUIDs=general")
                .await
                .json
        ),
        ["pg", "redis"]
    );
    assert_eq!(
        uids(
            &c.get("/api/search?dashboardUIDs=pg&dashboardUIDs=http")
                .await
                .json
        ),
        ["http", "pg"]
    );
    assert_eq!(
        uids(&c.get("/api/search?dashboardUIDs=pg,redis").await.json),
        ["pg", "redis"]
    );
}

#[tokio::test]
async fn limit_and_page() {
    let (_s, c) = seeded().await;
    assert_eq!(
        uids(&c.get("/api/search?type=dash-db&limit=2").await.json),
        ["http", "pg"]
    );
    assert_eq!(
        uids(&c.get("/api/search?type=dash-db&limit=2&page=2").await.json),
        ["redis"]
    );
    let over = c.get("/api/search?limit=5001").await;
    assert_eq!(over.status, 422);
}

#[tokio::test]
async fn tags_endpoint_counts_terms() {
    let (_s, c) = seeded().await;
    let r = c.get("/api/dashboards/tags").await;
    assert_eq!(r.json[0], json!({"term": "cache", "count": 1}));
    assert_eq!(r.json[1], json!({"term": "db", "count": 2}));
}
