//! Data source endpoints and the Prometheus health check against a small fake
//! Prometheus started in the test.

mod common;

use axum::routing::{get, post};
use axum::{Json, Router};
use common::{standin, Client};
use grafana_standin::StandIn;
use serde_json::{json, Value};
use std::time::Duration;

fn prometheus(name: &str, url: &str) -> Value {
    json!({"name": name, "type": "prometheus", "access": "proxy", "url": url, "uid": name.to_lowercase(),
           "jsonData": {"httpMethod": "POST", "timeInterval": "15s"}})
}

/// A fake Prometheus: `/api/v1/query` answers `answer`, buildinfo answers success.
async fn fake_prometheus(answer: Value) -> String {
    let app = Router::new()
        .route("/api/v1/query", post(move || async move { Json(answer) }))
        .route(
            "/api/v1/status/buildinfo",
            get(|| async { Json(json!({"status": "success", "data": {"version": "2.42.0"}})) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://localhost:{}", addr.port())
}

#[tokio::test]
async fn create_answers_datasource_added() {
    let s = standin().await;
    let r = Client::admin(&s)
        .post(
            "/api/datasources",
            prometheus("Prometheus", "http://prometheus:9090"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["message"], "Datasource added");
    assert_eq!(r.json["name"], "Prometheus");
    assert_eq!(r.json["datasource"]["uid"], "prometheus");
    assert_eq!(r.json["datasource"]["version"], 1);
    assert_eq!(r.json["datasource"]["jsonData"]["timeInterval"], "15s");
}

#[tokio::test]
async fn duplicate_name_or_uid_is_409() {
    let s = standin().await;
    let c = Client::admin(&s);
    c.post(
        "/api/datasources",
        prometheus("Prometheus", "http://p:9090"),
    )
    .await;
    let same_name = c
        .post(
            "/api/datasources",
            prometheus("Prometheus", "http://q:9090"),
        )
        .await;
    assert_eq!(
        (same_name.status, same_name.json["message"].as_str()),
        (409, Some("data source with the same name already exists"))
    );
    let mut other = prometheus("Other", "http://q:9090");
    other["uid"] = json!("prometheus");
    let same_uid = c.post("/api/datasources", other).await;
    assert_eq!(
        (same_uid.status, same_uid.json["message"].as_str()),
        (409, Some("data source with the same uid already exists"))
    );
}

#[tokio::test]
async fn missing_type_or_access_is_bad_request_data() {
    let s = standin().await;
    let r = Client::admin(&s)
        .post(
            "/api/datasources",
            json!({"name": "x", "type": "prometheus"}),
        )
        .await;
    assert_eq!(
        (r.status, r.json["message"].as_str()),
        (400, Some("bad request data"))
    );
}

#[tokio::test]
async fn read_by_uid_name_and_list() {
    let s = standin().await;
    let c = Client::admin(&s);
    let mut secret = prometheus("b-prom", "http://p:9090");
    secret["secureJsonData"] = json!({"basicAuthPassword": "pw"});
    c.post("/api/datasources", secret).await;
    c.post("/api/datasources", json!({"name": "A-am", "type": "alertmanager", "access": "proxy", "jsonData": {"implementation": "prometheus"}})).await;
    let by_uid = c.get("/api/datasources/uid/b-prom").await;
    assert_eq!(
        by_uid.json["secureJsonFields"],
        json!({"basicAuthPassword": true})
    );
    assert!(by_uid.json.get("secureJsonData").is_none());
    assert_eq!(
        c.get("/api/datasources/name/b-prom").await.json["uid"],
        "b-prom"
    );
    let list = c.get("/api/datasources").await;
    let names: Vec<&str> = list
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["A-am", "b-prom"]);
    let missing = c.get("/api/datasources/uid/nope").await;
    assert_eq!(
        (missing.status, missing.json["message"].as_str()),
        (404, Some("Data source not found"))
    );
}

#[tokio::test]
async fn update_with_stale_version_is_409_and_version_moves_on() {
    let s = standin().await;
    let c = Client::admin(&s);
    c.post(
        "/api/datasources",
        prometheus("Prometheus", "http://p:9090"),
    )
    .await;
    let mut body = prometheus("Prometheus", "http://p2:9090");
    body["version"] = json!(1);
    let r = c.put("/api/datasources/uid/prometheus", body.clone()).await;
    assert_eq!(
        (r.status, r.json["message"].as_str()),
        (200, Some("Datasource updated"))
    );
    assert_eq!(r.json["datasource"]["version"], 2);
    let stale = c.put("/api/datasources/uid/prometheus", body).await;
    assert_eq!(stale.status, 409);
}

#[tokio::test]
async fn delete_by_uid_then_404() {
    let s = standin().await;
    let c = Client::admin(&s);
    c.post(
        "/api/datasources",
        prometheus("Prometheus", "http://p:9090"),
    )
    .await;
    let r = c.delete("/api/datasources/uid/prometheus").await;
    assert_eq!(
        (r.status, r.json["message"].as_str()),
        (200, Some("Data source deleted"))
    );
    assert_eq!(
        c.delete("/api/datasources/uid/prometheus").await.status,
        404
    );
}

#[tokio::test]
async fn health_of_a_working_prometheus_is_ok() {
    let s = standin().await;
    let c = Client::admin(&s);
    let url = fake_prometheus(
        json!({"status": "success", "data": {"resultType": "scalar", "result": [4, "2"]}}),
    )
    .await;
    c.post("/api/datasources", prometheus("Prometheus", &url))
        .await;
    let r = c.get("/api/datasources/uid/prometheus/health").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "OK");
    assert_eq!(
        r.json["message"],
        "Successfully queried the Prometheus API."
    );
    assert_eq!(
        r.json["details"],
        json!({"application": "Prometheus", "features": {"rulerApiEnabled": false}})
    );
}

#[tokio::test]
async fn health_reports_a_query_error_as_400_error() {
    let s = standin().await;
    let c = Client::admin(&s);
    let url =
        fake_prometheus(json!({"status": "error", "errorType": "bad_data", "error": "boom"})).await;
    c.post("/api/datasources", prometheus("Prometheus", &url))
        .await;
    let r = c.get("/api/datasources/uid/prometheus/health").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json["status"], "ERROR");
    assert_eq!(
        r.json["message"],
        "bad_data: boom - There was an error returned querying the Prometheus API."
    );
}

#[tokio::test]
async fn health_of_an_unreachable_prometheus_is_400_error() {
    let s = standin().await;
    let c = Client::admin(&s);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    c.post(
        "/api/datasources",
        prometheus("Prometheus", &format!("http://127.0.0.1:{port}")),
    )
    .await;
    let r = c.get("/api/datasources/uid/prometheus/health").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json["status"], "ERROR");
    let msg = r.json["message"].as_str().unwrap();
    assert!(msg.contains("connection refused"), "{msg}");
    assert!(
        msg.ends_with("There was an error returned querying the Prometheus API."),
        "{msg}"
    );
}

#[tokio::test]
async fn health_times_out_on_a_silent_prometheus() {
    let s = StandIn::builder()
        .admin("admin", "secret")
        .datasource_timeout(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let c = Client::admin(&s);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            let (sock, _) = listener.accept().await.unwrap();
            held.push(sock);
        }
    });
    c.post(
        "/api/datasources",
        prometheus("Prometheus", &format!("http://127.0.0.1:{port}")),
    )
    .await;
    let r = c.get("/api/datasources/uid/prometheus/health").await;
    assert_eq!(r.status, 400);
    assert!(r.json["message"]
        .as_str()
        .unwrap()
        .contains("deadline exceeded"));
}

#[tokio::test]
async fn health_of_an_unknown_uid_is_500_as_in_grafana() {
    let s = standin().await;
    let r = Client::admin(&s)
        .get("/api/datasources/uid/nope/health")
        .await;
    assert_eq!(
        (r.status, r.json["message"].as_str()),
        (500, Some("Unable to load datasource metadata"))
    );
}

#[tokio::test]
async fn health_of_other_types_says_the_standin_does_not_check_them() {
    let s = standin().await;
    let c = Client::admin(&s);
    c.post(
        "/api/datasources",
        json!({"name": "Loki", "uid": "loki", "type": "loki", "access": "proxy"}),
    )
    .await;
    let r = c.get("/api/datasources/uid/loki/health").await;
    assert_eq!(r.status, 501);
    assert!(r.json["message"].as_str().unwrap().contains("stand-in"));
}
