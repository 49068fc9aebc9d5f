//! Where `obsctl render` puts the user's dashboards for Grafana's file
//! provisioner, which names a folder after a file's innermost directory,
//! puts files lying directly in its path at the root, and refuses to create
//! a folder titled General (stopping the whole provisioning pass).

mod support;

use support::Test;

fn dashboard(uid: &str) -> String {
    format!(
        r#"{{"uid": "{uid}", "title": "{uid}", "panels": [{{"id": 1, "type": "timeseries", "title": "p", "targets": [{{"expr": "up"}}]}}]}}"#
    )
}

fn spec(dirs: &str) -> String {
    format!("name: shop\ngrafana:\n  dashboards: [{dirs}]\n")
}

/// Every file below `dir`, relative to it, sorted.
fn files(t: &Test, dir: &str) -> Vec<String> {
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(p.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let root = t.path(dir);
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out.sort();
    out
}

#[test]
fn top_level_files_go_to_the_root_and_others_to_their_innermost_directory() {
    let mut t = Test::new()
        .file("obsctl.yaml", &spec("dashboards"))
        .file("dashboards/top.json", &dashboard("top"))
        .file("dashboards/team/y.json", &dashboard("y"))
        .file("dashboards/platform/db/x.json", &dashboard("x"))
        .file("dashboards/General/g.json", &dashboard("g"));
    t.args(&["render", "--out", "out"]).run().code(0);
    let user: Vec<String> = files(&t, "out/grafana/dashboards")
        .into_iter()
        .filter(|f| !f.starts_with("obsctl/"))
        .collect();
    assert_eq!(user, ["db/x.json", "g.json", "team/y.json", "top.json"]);
    assert!(t
        .path("out/grafana/dashboards/obsctl/overview.json")
        .is_file());
}

#[test]
fn a_single_file_entry_goes_to_the_root() {
    let mut t = Test::new()
        .file("obsctl.yaml", &spec("extra/one.json"))
        .file("extra/one.json", &dashboard("one"));
    t.args(&["render", "--out", "out"]).run().code(0);
    assert!(t.path("out/grafana/dashboards/one.json").is_file());
}

#[test]
fn two_directories_of_one_innermost_name_are_refused_naming_both() {
    let mut t = Test::new()
        .file("obsctl.yaml", &spec("dashboards"))
        .file("dashboards/team-a/db/a.json", &dashboard("a"))
        .file("dashboards/team-a/db/c.json", &dashboard("c"))
        .file("dashboards/team-b/db/b.json", &dashboard("b"));
    let out = t.args(&["render", "--out", "out"]).run();
    out.code(2)
        .stderr_has("`dashboards/team-a/db` and `dashboards/team-b/db` would both be provisioned into the Grafana folder `db`")
        .stderr_has("hint: rename one of the directories");
    assert_eq!(out.stderr.matches("would both be provisioned").count(), 1);
    assert!(!t.path("out").exists());
}

#[test]
fn a_user_directory_named_like_the_built_ins_folder_is_refused() {
    let mut t = Test::new()
        .file("obsctl.yaml", &spec("dashboards"))
        .file("dashboards/obsctl/mine.json", &dashboard("mine"));
    t.args(&["render", "--out", "out"])
        .run()
        .code(2)
        .stderr_has("the built-in dashboards and `dashboards/obsctl` would both be provisioned into the Grafana folder `obsctl`");
}

#[test]
fn a_directory_named_general_below_the_top_is_refused_naming_the_file() {
    let mut t = Test::new()
        .file("obsctl.yaml", &spec("dashboards"))
        .file("dashboards/team/general/x.json", &dashboard("x"));
    t.args(&["render", "--out", "out"])
        .run()
        .code(2)
        .stderr_has("dashboards/team/general/x.json: is in a directory named `general`")
        .stderr_has("hint: move the file to the top of the dashboards folder");
}

#[test]
fn a_stack_rendered_with_a_general_directory_is_cleaned_up() {
    let mut t = Test::new()
        .file("obsctl.yaml", &spec("dashboards"))
        .file("dashboards/top.json", &dashboard("top"))
        // What an older obsctl rendered, and listed in its manifest.
        .file("out/grafana/dashboards/General/top.json", &dashboard("top"))
        .file(
            "out/.obsctl-files.json",
            r#"["grafana/dashboards/General/top.json"]"#,
        );
    t.args(&["render", "--out", "out"]).run().code(0);
    assert!(t.path("out/grafana/dashboards/top.json").is_file());
    assert!(!t.path("out/grafana/dashboards/General").exists());
}
