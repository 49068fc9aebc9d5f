//! State kept in the data directory across restarts, and the admin password from
//! the environment applied only when that state is first created, as Grafana
//! applies `GF_SECURITY_ADMIN_PASSWORD` only when it creates its database.

mod common;

use common::{save, Client};
use grafana_standin::{StandIn, StartError, STATE_FILE};
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

async fn start(data: &Path, password: &str) -> grafana_standin::Running {
    StandIn::builder()
        .admin("admin", password)
        .data_dir(data)
        .start()
        .await
        .expect("the stand-in starts")
}

#[tokio::test]
async fn state_survives_a_restart_and_the_first_password_stays() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = start(&data, "first").await;
    let c = Client::admin(&first).basic("admin", "first");
    c.post("/api/folders", json!({"uid": "ops", "title": "Ops"}))
        .await;
    let saved = save(
        &c,
        json!({"uid": "d", "title": "D"}),
        json!({"folderUid": "ops"}),
    )
    .await;
    assert_eq!(saved.status, 200);
    c.post(
        "/api/library-elements",
        json!({"uid": "le", "name": "LE", "kind": 1, "model": {}}),
    )
    .await;
    let sa = c
        .post(
            "/api/serviceaccounts",
            json!({"name": "ci", "role": "Editor"}),
        )
        .await;
    let token = c
        .post(
            &format!("/api/serviceaccounts/{}/tokens", sa.json["id"]),
            json!({"name": "t"}),
        )
        .await
        .json["key"]
        .as_str()
        .unwrap()
        .to_string();
    first.shutdown().await;

    let file = data.join(STATE_FILE);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the state file holds secrets");

    let second = start(&data, "second").await;
    let old = Client::admin(&second).basic("admin", "first");
    assert_eq!(
        old.get("/api/user").await.status,
        200,
        "the first password still works"
    );
    let new = Client::admin(&second).basic("admin", "second");
    assert_eq!(
        new.get("/api/user").await.status,
        401,
        "a later password is not applied"
    );
    let d = old.get("/api/dashboards/uid/d").await;
    assert_eq!(
        (d.status, d.json["meta"]["folderUid"].as_str()),
        (200, Some("ops"))
    );
    assert_eq!(d.json["dashboard"]["version"], 1);
    assert_eq!(old.get("/api/library-elements/le").await.status, 200);
    let by_token = Client::anonymous(&second).bearer(&token);
    assert_eq!(by_token.get("/api/folders/ops").await.status, 200);
    // Ids go on from where they were.
    let next = save(&old, json!({"uid": "e", "title": "E"}), json!({})).await;
    assert!(next.json["id"].as_i64().unwrap() > saved.json["id"].as_i64().unwrap());
}

#[tokio::test]
async fn a_damaged_state_file_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(STATE_FILE), "{ not state").unwrap();
    match StandIn::builder().data_dir(dir.path()).start().await {
        Err(StartError::Data(e)) => assert!(e.contains(STATE_FILE), "{e}"),
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("the stand-in started on a damaged state file"),
    }
}

#[tokio::test]
async fn health_reports_the_database_failing_while_the_state_cannot_be_written() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), "pw").await;
    let c = Client::admin(&s).basic("admin", "pw");
    // The state is written through a temporary file beside it: block that name.
    let blocker = dir.path().join(format!("{}.tmp", STATE_FILE));
    std::fs::create_dir(&blocker).unwrap();
    c.post("/api/folders", json!({"title": "Ops"})).await;
    let health = Client::anonymous(&s).get("/api/health").await;
    assert_eq!(health.status, 503, "{}", health.text);
    assert_eq!(health.json["database"], "failing");
    std::fs::remove_dir(&blocker).unwrap();
    c.post("/api/folders", json!({"title": "Ops 2"})).await;
    assert_eq!(Client::anonymous(&s).get("/api/health").await.status, 200);
}
