//! `obsctl dashboards export` and `list` against the Grafana stand-in, run
//! in-process, and the export -> import round trip.

mod grafana_support;
mod support;

use grafana_support::*;
use serde_json::{json, Value};

// --------------------------------------------------------------------- export

#[tokio::test(flavor = "multi_thread")]
async fn export_writes_stable_json_per_folder_named_by_uid() {
    let mut s = Setup::new()
        .await
        .file("dash/top.json", &simple("top", "Top"))
        .file("dash/Team A/node.json", EXPORTED);
    s.import(&["dash"]).code(0);
    s.obsctl(&["export", "--out", "backup"])
        .code(0)
        .stdout_has("Team A/node-exporter-full.json");
    let files = files_under(&s.t.path("backup"));
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Team A/node-exporter-full.json", "top.json"]);
    let text = &files[1].1;
    assert!(text.starts_with("{\n  \"panels\": [\n"), "{text}");
    assert!(text.ends_with("}\n"));
    let v: Value = serde_json::from_str(text).unwrap();
    assert!(v.get("id").is_none());
    assert_eq!(v["uid"], "top");
}

#[tokio::test(flavor = "multi_thread")]
async fn export_then_import_into_a_fresh_grafana_gives_the_same_bytes() {
    let mut first = Setup::new()
        .await
        .file("dash/node.json", EXPORTED)
        .file(
            "dash/Team/v.json",
            &dashboard(None, "No uid", json!("Prometheus")),
        )
        .file("dash/Team/t.json", &simple("t", "T"));
    first.import(&["dash"]).code(0);
    first
        .grafana
        .edit_dashboard("t", |d| d["description"] = json!("edited in the UI"));
    first.obsctl(&["export", "--out", "one"]).code(0);

    let mut second = Setup::new().await;
    let backup = first.t.path("one").display().to_string();
    second.import(&[&backup]).code(0);
    second.obsctl(&["export", "--out", "two"]).code(0);

    let one = files_under(&first.t.path("one"));
    assert_eq!(one.len(), 3);
    assert_eq!(one, files_under(&second.t.path("two")));
}

#[tokio::test(flavor = "multi_thread")]
async fn export_selects_by_folder_and_uid() {
    let mut s = Setup::new()
        .await
        .file("dash/a.json", &simple("a", "A"))
        .file("dash/b.json", &simple("b", "B"))
        .file("dash/Ops/c.json", &simple("c", "C"));
    s.import(&["dash"]).code(0);
    s.obsctl(&["export", "--out", "sel", "--folder", "Ops", "--uid", "a"])
        .code(0);
    let names: Vec<String> = files_under(&s.t.path("sel"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["Ops/c.json", "a.json"]);
    s.obsctl(&["export", "--out", "sel", "--uid", "nope"])
        .code(2)
        .stderr_has("Grafana has no dashboards for uid `nope`");
}

// ----------------------------------------------------------------------- list

#[tokio::test(flavor = "multi_thread")]
async fn list_shows_uid_title_folder_and_version() {
    let mut s = Setup::new()
        .await
        .file("dash/a.json", &simple("a", "Alpha"))
        .file("dash/Ops/b.json", &simple("b", "Beta"));
    s.import(&["dash"]).code(0);
    s.grafana.bump_dashboard_version("b");
    let out = s.obsctl(&["list"]);
    out.code(0).stderr_has("2 dashboards in");
    assert_eq!(
        out.stdout,
        "UID  TITLE  FOLDER   VERSION\na    Alpha  General  1\nb    Beta   Ops      2\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn list_as_json_gives_the_same_facts() {
    let mut s = Setup::new()
        .await
        .file("dash/Ops/b.json", &simple("b", "Beta"));
    s.import(&["dash"]).code(0);
    assert_eq!(
        s.listed(),
        [json!({"uid": "b", "title": "Beta", "folder": "Ops", "version": 1})]
    );
}
