//! Nested folders (Grafana 12 has them on by default) through `dashboards
//! export` and `import`, against the Grafana stand-in run in-process: the
//! whole folder path is written as directories and recreated with
//! `parentUid`, two folders of one title under different parents stay two,
//! and importing again changes nothing.

mod grafana_support;
mod support;

use grafana_support::*;

/// The title path of the folder a dashboard is in, walked up in the stand-in.
fn folder_path(s: &Setup, uid: &str) -> Vec<String> {
    let mut folder = s
        .grafana
        .dashboard_folder(uid)
        .expect("the dashboard exists");
    let mut path = Vec::new();
    while !folder.is_empty() {
        let (parent, title) = parent_of(s, &folder);
        path.insert(0, title);
        folder = parent;
    }
    path
}

/// The parent uid and title of a folder, found by listing from the root down.
fn parent_of(s: &Setup, uid: &str) -> (String, String) {
    let mut queue = vec![String::new()];
    while let Some(parent) = queue.pop() {
        for (child, title) in s.grafana.folders_in(&parent) {
            if child == uid {
                return (parent, title);
            }
            queue.push(child);
        }
    }
    panic!("no folder {uid}");
}

/// A Grafana whose folders were made in its UI: two `Databases` under
/// different parents, three levels, titles that are no directory names.
async fn source_grafana() -> Setup {
    let s = Setup::new().await;
    let platform = s.folder("Platform", "").await;
    let product = s.folder("Product", "").await;
    let platform_db = s.folder("Databases", &platform).await;
    let product_db = s.folder("Databases", &product).await;
    let postgres = s.folder("Postgres", &platform_db).await;
    let slash = s.folder("a/b", "").await;
    let dots = s.folder("..", &product).await;
    s.save(&simple("top", "Top"), "").await;
    s.save(&simple("platform-db", "Platform DB"), &platform_db)
        .await;
    s.save(&simple("product-db", "Product DB"), &product_db)
        .await;
    s.save(&simple("pg", "Postgres"), &postgres).await;
    s.save(&simple("slash", "Slash"), &slash).await;
    s.save(&simple("dots", "Dots"), &dots).await;
    s
}

const EXPECTED_FILES: [&str; 6] = [
    "Platform/Databases/Postgres/pg.json",
    "Platform/Databases/platform-db.json",
    "Product/%2E%2E/dots.json",
    "Product/Databases/product-db.json",
    "a%2Fb/slash.json",
    "top.json",
];

fn paths_by_uid(s: &Setup) -> Vec<(&'static str, Vec<String>)> {
    ["top", "platform-db", "product-db", "pg", "slash", "dots"]
        .into_iter()
        .map(|uid| (uid, folder_path(s, uid)))
        .collect()
}

fn expected_paths() -> Vec<(&'static str, Vec<String>)> {
    let p = |titles: &[&str]| titles.iter().map(|t| t.to_string()).collect();
    vec![
        ("top", p(&[])),
        ("platform-db", p(&["Platform", "Databases"])),
        ("product-db", p(&["Product", "Databases"])),
        ("pg", p(&["Platform", "Databases", "Postgres"])),
        ("slash", p(&["a/b"])),
        ("dots", p(&["Product", ".."])),
    ]
}

fn every(result: &str) -> Vec<(String, String)> {
    let mut uids: Vec<&str> = expected_paths().iter().map(|(u, _)| *u).collect();
    uids.sort();
    uids.into_iter()
        .map(|u| (u.to_string(), result.to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn nested_folders_round_trip_exactly_and_a_re_import_changes_nothing() {
    let mut first = source_grafana().await;
    assert_eq!(paths_by_uid(&first), expected_paths());
    first.obsctl(&["export", "--out", "one"]).code(0);
    let one = files_under(&first.t.path("one"));
    let names: Vec<&str> = one.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, EXPECTED_FILES);

    // Into an empty Grafana: every level is created, under the right parent.
    let mut second = Setup::new().await;
    let backup = first.t.path("one").display().to_string();
    let report = second.import_json(&[&backup]);
    assert_eq!(results_of(&report["dashboards"]), every("created"));
    assert_eq!(paths_by_uid(&second), expected_paths());
    let databases: Vec<String> = ["Platform", "Product"]
        .iter()
        .map(|parent| {
            let (uid, _) = second
                .grafana
                .folders_in("")
                .into_iter()
                .find(|(_, t)| t == parent)
                .unwrap();
            let children = second.grafana.folders_in(&uid);
            let db = children.iter().find(|(_, t)| t == "Databases").unwrap();
            db.0.clone()
        })
        .collect();
    assert_ne!(databases[0], databases[1]);

    // Again into the same Grafana: every dashboard unchanged, nothing written.
    let (folders, saves) = (
        second.grafana.request_count("POST", "/api/folders"),
        second.saves(),
    );
    let again = second.import_json(&[&backup]);
    assert_eq!(results_of(&again["dashboards"]), every("unchanged"));
    assert_eq!(again["summary"]["unchanged"], 6, "{again:#}");
    assert_eq!(
        second.grafana.request_count("POST", "/api/folders"),
        folders
    );
    assert_eq!(second.saves(), saves);

    // And the export of the copy is the export of the original, byte for byte.
    second.obsctl(&["export", "--out", "two"]).code(0);
    assert_eq!(one, files_under(&second.t.path("two")));
}

#[tokio::test(flavor = "multi_thread")]
async fn importing_into_the_source_reuses_its_folders_found_by_title_under_each_parent() {
    let mut s = source_grafana().await;
    s.obsctl(&["export", "--out", "backup"]).code(0);
    let folders = s.grafana.request_count("POST", "/api/folders");
    let report = s.import_json(&["backup"]);
    assert_eq!(results_of(&report["dashboards"]), every("unchanged"));
    assert_eq!(s.grafana.request_count("POST", "/api/folders"), folders);
    assert_eq!(paths_by_uid(&s), expected_paths());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_level_is_created_under_the_existing_parent() {
    let mut s = Setup::new()
        .await
        .file("dash/Platform/Databases/New/n.json", &simple("n", "New"));
    let platform = s.folder("Platform", "").await;
    let databases = s.folder("Databases", &platform).await;
    s.folder("Databases", "").await;
    let report = s.import_json(&["dash"]);
    assert_eq!(only_row(&report)["result"], "created");
    assert_eq!(only_row(&report)["folder"], "Platform/Databases/New");
    assert_eq!(folder_path(&s, "n"), ["Platform", "Databases", "New"]);
    let (parent, _) = parent_of(&s, &s.grafana.dashboard_folder("n").unwrap());
    assert_eq!(parent, databases);
    assert_eq!(s.grafana.request_count("POST", "/api/folders"), 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn export_selects_a_folder_with_what_lies_below_it() {
    let mut s = source_grafana().await;
    s.obsctl(&["export", "--out", "sel", "--folder", "Platform"])
        .code(0);
    let names: Vec<String> = files_under(&s.t.path("sel"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "Platform/Databases/Postgres/pg.json",
            "Platform/Databases/platform-db.json"
        ]
    );
    s.obsctl(&[
        "export",
        "--out",
        "by-path",
        "--folder",
        "Product/Databases",
    ])
    .code(0);
    let names: Vec<String> = files_under(&s.t.path("by-path"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["Product/Databases/product-db.json"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_shows_the_folder_path() {
    let mut s = source_grafana().await;
    let listed = s.listed_folders();
    assert_eq!(
        listed,
        [
            ("top".to_string(), "General".to_string()),
            ("platform-db".into(), "Platform/Databases".into()),
            ("pg".into(), "Platform/Databases/Postgres".into()),
            ("dots".into(), "Product/..".into()),
            ("product-db".into(), "Product/Databases".into()),
            ("slash".into(), "a/b".into()),
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_directory_named_general_is_the_root_at_the_top_and_refused_below() {
    let mut s = Setup::new()
        .await
        .file("dash/General/g.json", &simple("g", "G"))
        .file("dash/Team/general/x.json", &simple("x", "X"));
    let report = s.import(&["dash", "--output", "json"]);
    report.code(1);
    let report = report.json();
    assert_eq!(
        results_of(&report["dashboards"]),
        [
            ("".to_string(), "failed".to_string()),
            ("g".to_string(), "created".to_string())
        ]
    );
    assert_eq!(s.grafana.dashboard_folder("g").as_deref(), Some(""));
    let failed = report["dashboards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["result"] == "failed")
        .unwrap();
    assert!(
        failed["detail"]
            .as_str()
            .unwrap()
            .contains("no folder can be titled `general`"),
        "{failed}"
    );
    assert!(s.grafana.folders_in("").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn folder_flag_general_is_the_root() {
    let mut s = Setup::new()
        .await
        .file("dash/Team/a.json", &simple("a", "A"));
    s.import(&["dash", "--folder", "general"]).code(0);
    assert_eq!(s.grafana.dashboard_folder("a").as_deref(), Some(""));
    assert_eq!(s.grafana.request_count("POST", "/api/folders"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_folders_of_one_title_under_one_parent_are_exported_with_a_warning() {
    let mut s = Setup::new().await;
    let first = s.folder("Dup", "").await;
    let second = s.folder("Dup", "").await;
    s.save(&simple("one", "One"), &first).await;
    s.save(&simple("two", "Two"), &second).await;
    let out = s.obsctl(&["export", "--out", "backup"]);
    out.code(0)
        .stderr_has("warning: two folders are both `Dup`")
        .stderr_has("import puts them into one folder");
    let names: Vec<String> = files_under(&s.t.path("backup"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["Dup/one.json", "Dup/two.json"]);
}
