//! "General" is the root, not a folder: the folder API refuses the title in any
//! case, and a provisioning pass that would need such a folder stops there (no
//! dashboard of it is saved, later providers are skipped) while the stand-in keeps
//! running, as Grafana does. Files directly in a provider's path go to the root;
//! with `foldersFromFilesStructure` a file's folder is its innermost directory.

mod common;

use common::{standin, Client, PASSWORD, USER};
use grafana_standin::StandIn;
use serde_json::json;
use std::path::Path;
use tempfile::TempDir;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn dashboard(uid: &str) -> String {
    json!({"uid": uid, "title": uid}).to_string()
}

/// A provisioning directory with one provider per `(name, options)` entry.
fn providers(dir: &TempDir, entries: &[(&str, &str)]) {
    let mut yaml = String::from("apiVersion: 1\nproviders:\n");
    for (name, rest) in entries {
        yaml.push_str(&format!("  - name: {name}\n{rest}"));
    }
    write(&dir.path().join("prov/dashboards/p.yaml"), &yaml);
}

fn structure(dir: &TempDir, sub: &str) -> String {
    format!(
        "    options:\n      path: {}\n      foldersFromFilesStructure: true\n",
        dir.path().join(sub).display()
    )
}

async fn start(dir: &TempDir) -> grafana_standin::Running {
    StandIn::builder()
        .admin(USER, PASSWORD)
        .provisioning_dir(dir.path().join("prov"))
        .poll_provisioning(false)
        .start()
        .await
        .expect("a folder error does not stop the start")
}

#[tokio::test]
async fn the_folder_api_refuses_general_in_any_case() {
    let s = standin().await;
    let c = Client::admin(&s);
    for title in ["General", "general", " GENERAL ", "gEnErAl"] {
        let r = c.post("/api/folders", json!({"title": title})).await;
        assert_eq!(r.status, 409, "{title:?}: {}", r.text);
        assert_eq!(r.json["message"], "a folder with that name already exists");
    }
    let nested = c
        .post("/api/folders", json!({"uid": "ops", "title": "Ops"}))
        .await;
    assert_eq!(nested.status, 200);
    let child = c
        .post(
            "/api/folders",
            json!({"title": "General", "parentUid": "ops"}),
        )
        .await;
    assert_eq!(child.status, 409, "{}", child.text);
    let rename = c
        .put(
            "/api/folders/ops",
            json!({"title": "general", "overwrite": true}),
        )
        .await;
    assert_eq!(rename.status, 409, "{}", rename.text);
    assert_eq!(c.get("/api/folders/ops").await.json["title"], "Ops");
    assert_eq!(s.folders_in(""), [("ops".to_string(), "Ops".to_string())]);
}

#[tokio::test]
async fn a_general_directory_stops_the_pass_and_later_providers() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("dash/General/top.json"), &dashboard("top"));
    write(&dir.path().join("dash/team/svc.json"), &dashboard("svc"));
    write(&dir.path().join("dash/root.json"), &dashboard("root"));
    write(&dir.path().join("later/other.json"), &dashboard("other"));
    providers(
        &dir,
        &[
            ("first", &structure(&dir, "dash")),
            ("second", &structure(&dir, "later")),
        ],
    );
    let s = start(&dir).await;
    for uid in ["top", "svc", "root", "other"] {
        assert!(s.dashboard(uid).is_none(), "{uid} was provisioned");
    }
    assert!(s.folders_in("").iter().all(|(_, t)| t != "General"));
    let health = Client::anonymous(&s).get("/api/health").await;
    assert_eq!(health.status, 200, "the stand-in keeps running");
}

#[tokio::test]
async fn top_level_files_go_to_the_root_and_folders_take_the_innermost_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("dash/top.json"), &dashboard("top"));
    write(&dir.path().join("dash/team/svc.json"), &dashboard("svc"));
    write(&dir.path().join("dash/a/b/deep.json"), &dashboard("deep"));
    providers(&dir, &[("only", &structure(&dir, "dash"))]);
    let s = start(&dir).await;
    assert_eq!(s.dashboard_folder("top").as_deref(), Some(""));
    let folders = s.folders_in("");
    let title_of = |uid: &str| {
        let f = s.dashboard_folder(uid).unwrap();
        folders
            .iter()
            .find(|(u, _)| *u == f)
            .map(|(_, t)| t.clone())
    };
    assert_eq!(title_of("svc").as_deref(), Some("team"));
    assert_eq!(title_of("deep").as_deref(), Some("b"));
    assert!(folders.iter().all(|(_, t)| t != "a"), "{folders:?}");
}

#[tokio::test]
async fn a_provider_folder_named_general_fails_its_pass() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("dash/x.json"), &dashboard("x"));
    let rest = format!(
        "    folder: general\n    options:\n      path: {}\n",
        dir.path().join("dash").display()
    );
    providers(&dir, &[("named", &rest)]);
    let s = start(&dir).await;
    assert!(s.dashboard("x").is_none());
    assert!(s.folders_in("").is_empty());
}

#[tokio::test]
async fn reload_reports_a_folder_error_and_recovers_once_it_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("dash/root.json"), &dashboard("root"));
    providers(&dir, &[("only", &structure(&dir, "dash"))]);
    let s = start(&dir).await;
    assert!(s.dashboard("root").is_some());
    let c = Client::admin(&s);
    write(&dir.path().join("dash/GENERAL/x.json"), &dashboard("x"));
    write(&dir.path().join("dash/team/y.json"), &dashboard("y"));
    let r = c
        .post("/api/admin/provisioning/dashboards/reload", json!({}))
        .await;
    assert_eq!(r.status, 500, "{}", r.text);
    assert_eq!(r.json["message"], "Internal Server Error");
    assert!(s.dashboard("x").is_none() && s.dashboard("y").is_none());
    assert!(
        s.dashboard("root").is_some(),
        "a file still on disk is not deleted"
    );
    std::fs::remove_dir_all(dir.path().join("dash/GENERAL")).unwrap();
    let r = c
        .post("/api/admin/provisioning/dashboards/reload", json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(s.dashboard("y").is_some());
}

#[tokio::test]
async fn a_provider_folder_is_found_by_title_under_any_parent() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("dash")).unwrap();
    let rest = format!(
        "    folder: Team\n    options:\n      path: {}\n",
        dir.path().join("dash").display()
    );
    providers(&dir, &[("named", &rest)]);
    let s = start(&dir).await;
    let c = Client::admin(&s);
    c.post("/api/folders", json!({"uid": "org", "title": "Org"}))
        .await;
    let nested = c
        .post(
            "/api/folders",
            json!({"uid": "team", "title": "Team", "parentUid": "org"}),
        )
        .await;
    assert_eq!(nested.status, 200, "{}", nested.text);
    write(&dir.path().join("dash/x.json"), &dashboard("x"));
    s.reload_provisioning().await.unwrap();
    assert_eq!(s.dashboard_folder("x").as_deref(), Some("team"));
    assert!(s.folders_in("").iter().all(|(_, t)| t != "Team"));
}
