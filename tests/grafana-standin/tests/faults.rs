//! Test hooks: injected failures and stalls, and request counting.

mod common;

use common::{save, standin, Client};
use grafana_standin::Fault;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn next_requests_fail_then_the_api_answers_again() {
    let s = standin().await;
    let c = Client::admin(&s);
    s.fail_next("/api/dashboards/db", 2, 503);
    let body = json!({"uid": "d", "title": "D"});
    assert_eq!(save(&c, body.clone(), json!({})).await.status, 503);
    assert_eq!(save(&c, body.clone(), json!({})).await.status, 503);
    assert_eq!(save(&c, body, json!({})).await.status, 200);
    assert_eq!(s.request_count("POST", "/api/dashboards/db"), 3);
    let injected: Vec<bool> = s.requests().iter().map(|r| r.injected).collect();
    assert_eq!(injected, [true, true, false]);
}

#[tokio::test]
async fn faults_can_match_a_method_and_a_path_prefix() {
    let s = standin().await;
    let c = Client::admin(&s);
    s.inject(
        Fault::new("/api/dashboards/*", 500)
            .method("GET")
            .body(r#"{"message":"boom"}"#),
    );
    assert_eq!(
        save(&c, json!({"uid": "d", "title": "D"}), json!({}))
            .await
            .status,
        200
    );
    let r = c.get("/api/dashboards/uid/d").await;
    assert_eq!((r.status, r.json["message"].as_str()), (500, Some("boom")));
    assert_eq!(c.get("/api/dashboards/uid/d").await.status, 200);
}

#[tokio::test]
async fn faults_apply_before_authentication() {
    let s = standin().await;
    s.fail_next("/api/health", 1, 503);
    assert_eq!(Client::anonymous(&s).get("/api/health").await.status, 503);
    assert_eq!(Client::anonymous(&s).get("/api/health").await.status, 200);
}

#[tokio::test]
async fn a_stall_delays_the_answer() {
    let s = standin().await;
    s.inject(Fault::stall("/api/health", Duration::from_millis(300)));
    let started = Instant::now();
    assert_eq!(Client::anonymous(&s).get("/api/health").await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn cleared_faults_and_requests_are_gone() {
    let s = standin().await;
    s.fail_next("/api/health", 5, 500);
    s.clear_faults();
    assert_eq!(Client::anonymous(&s).get("/api/health").await.status, 200);
    s.clear_requests();
    assert!(s.requests().is_empty());
}
