//! Authentication, roles and the unauthenticated health endpoints.

mod common;

use common::{standin, Client, TOKEN};
use grafana_standin::{Role, StandIn};
use serde_json::json;

#[tokio::test]
async fn health_needs_no_credentials_and_says_standin() {
    let s = standin().await;
    let r = Client::anonymous(&s).get("/api/health").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json,
        json!({"commit": "standin", "database": "ok", "version": "12.0.2"})
    );
    assert_eq!(r.headers["x-grafana-standin"], env!("CARGO_PKG_VERSION"));
    let head = Client::anonymous(&s)
        .send_raw("HEAD", "/api/health", None)
        .await;
    assert_eq!(head.status, 200);
    assert_eq!(head.text, "");
    let z = Client::anonymous(&s).get("/healthz").await;
    assert_eq!((z.status, z.text.as_str()), (200, "Ok"));
}

#[tokio::test]
async fn metrics_need_no_credentials_and_are_prometheus_text() {
    let s = standin().await;
    let r = Client::anonymous(&s).get("/metrics").await;
    assert_eq!(r.status, 200);
    assert!(
        r.text
            .contains("grafana_standin_info{imitates=\"12.0.2\",version=\"standin\"} 1"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("grafana_standin_http_requests_total "),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn hidden_version_leaves_only_database() {
    let s = StandIn::builder().hide_version(true).start().await.unwrap();
    let r = Client::anonymous(&s).get("/api/health").await;
    assert_eq!(r.json, json!({"database": "ok"}));
}

#[tokio::test]
async fn request_without_credentials_is_401_unauthorized() {
    let s = standin().await;
    let r = Client::anonymous(&s).get("/api/search").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json["message"], "Unauthorized");
}

#[tokio::test]
async fn wrong_password_is_401_with_grafana_message() {
    let s = standin().await;
    let r = Client::anonymous(&s)
        .basic("admin", "nope")
        .get("/api/user")
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json["message"], "Invalid username or password");
}

#[tokio::test]
async fn basic_auth_admin_sees_own_user_and_org() {
    let s = standin().await;
    let c = Client::admin(&s);
    let u = c.get("/api/user").await;
    assert_eq!(u.status, 200);
    assert_eq!(u.json["login"], "admin");
    assert_eq!(u.json["isGrafanaAdmin"], true);
    let o = c.get("/api/org").await;
    assert_eq!(o.json["name"], "Main Org.");
}

#[tokio::test]
async fn bearer_token_is_accepted_and_unknown_token_is_401() {
    let s = standin().await;
    let ok = Client::anonymous(&s).bearer(TOKEN).get("/api/search").await;
    assert_eq!(ok.status, 200);
    let bad = Client::anonymous(&s)
        .bearer("glsa_other")
        .get("/api/search")
        .await;
    assert_eq!(bad.status, 401);
    assert_eq!(bad.json["message"], "Invalid API key");
    let via_basic = Client::anonymous(&s)
        .basic("api_key", TOKEN)
        .get("/api/search")
        .await;
    assert_eq!(via_basic.status, 200);
}

#[tokio::test]
async fn viewer_token_cannot_save_a_dashboard() {
    let s = StandIn::builder()
        .token_with_role("glsa_viewer", Role::Viewer)
        .start()
        .await
        .unwrap();
    let c = Client::anonymous(&s).bearer("glsa_viewer");
    let r = c
        .post("/api/dashboards/db", json!({"dashboard": {"title": "x"}}))
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json["title"], "Access denied");
    assert_eq!(c.get("/api/search").await.status, 200);
}

#[tokio::test]
async fn anonymous_access_when_enabled_gets_its_role() {
    let s = StandIn::builder()
        .anonymous(Role::Viewer)
        .start()
        .await
        .unwrap();
    let c = Client::anonymous(&s);
    assert_eq!(c.get("/api/search").await.status, 200);
    assert_eq!(
        c.post("/api/folders", json!({"title": "f"})).await.status,
        403
    );
    let wrong = c.clone().basic("admin", "wrong").get("/api/search").await;
    assert_eq!(wrong.status, 401);
}

#[tokio::test]
async fn service_account_token_created_through_the_api_works() {
    let s = standin().await;
    let admin = Client::admin(&s);
    let sa = admin
        .post(
            "/api/serviceaccounts",
            json!({"name": "obsctl", "role": "Editor"}),
        )
        .await;
    assert_eq!(sa.status, 201);
    assert_eq!(sa.json["login"], "sa-obsctl");
    assert_eq!(sa.json["role"], "Editor");
    let id = sa.json["id"].as_i64().unwrap();
    let token = admin
        .post(
            &format!("/api/serviceaccounts/{id}/tokens"),
            json!({"name": "ci"}),
        )
        .await;
    assert_eq!(token.status, 200);
    let key = token.json["key"].as_str().unwrap();
    assert!(key.starts_with("glsa_"));
    let c = Client::anonymous(&s).bearer(key);
    assert_eq!(
        c.post("/api/folders", json!({"title": "f"})).await.status,
        200
    );
    assert_eq!(
        c.post(
            "/api/datasources",
            json!({"name": "p", "type": "prometheus", "access": "proxy"})
        )
        .await
        .status,
        403
    );
    let found = admin.get("/api/serviceaccounts/search?query=obs").await;
    assert_eq!(found.json["totalCount"], 1);
}

#[tokio::test]
async fn provisioning_reload_needs_basic_auth_as_server_admin() {
    let s = standin().await;
    let by_token = Client::anonymous(&s)
        .bearer(TOKEN)
        .post("/api/admin/provisioning/dashboards/reload", json!({}))
        .await;
    assert_eq!(by_token.status, 403);
    let by_admin = Client::admin(&s)
        .post("/api/admin/provisioning/dashboards/reload", json!({}))
        .await;
    assert_eq!(by_admin.status, 200);
    assert_eq!(by_admin.json["message"], "Dashboards config reloaded");
}

#[tokio::test]
async fn unknown_api_route_is_404_not_found() {
    let s = standin().await;
    let r = Client::admin(&s).get("/api/nothing-here").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json["message"], "Not found");
}
