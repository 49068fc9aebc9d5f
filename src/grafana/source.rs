//! Dashboard files named for import: which files, which folder each goes to,
//! and the JSON prepared for saving (unwrapped, datasources mapped, a stable
//! uid, no `id`).
//!
//! Folders come from directories, as `export` writes them: a file directly
//! in a folder given on the command line goes to the root (General); a file
//! below goes into the folder named after its innermost directory, nested
//! in the folders named after the directories above it (Grafana's nested
//! folders), each name read back by [`FolderPath::from_dirs`]. A first
//! directory named `General` is the root. `--folder` puts everything into
//! one folder at the root.

use std::path::PathBuf;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::datasources::{self, Catalog, Target};
use super::folder_path::FolderPath;
use super::library::{self, Wanted};
use crate::dashjson;
use crate::diagnostic::Problems;
use crate::spec::Source;

/// One file to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The path as shown to the user.
    pub display: String,
    /// The path below the folder given on the command line (or the file
    /// name): what a derived uid is made from, so it does not depend on
    /// where obsctl runs.
    pub relative: String,
    /// The Grafana folder it goes into.
    pub folder: FolderPath,
}

/// A dashboard ready to be saved.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub file: SourceFile,
    pub uid: String,
    pub title: String,
    /// Without `__elements`, which go to [`Prepared::library_panels`].
    pub dashboard: Value,
    /// The library panels its panels use, with their models when the file
    /// carries them.
    pub library_panels: Vec<Wanted>,
}

/// A file that cannot be imported; `title` when it got that far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unusable {
    pub title: String,
    pub detail: String,
}

/// The files named and the `.json` files below folders named, in order.
/// Err names a path that does not exist.
pub fn collect(paths: &[PathBuf], folder: Option<&str>) -> Result<Vec<SourceFile>, PathBuf> {
    let mut out = Vec::new();
    for root in paths {
        if root.is_dir() {
            for path in dashjson::json_files(root) {
                let relative = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .to_string();
                let dirs = dashjson::directories(root, &path);
                out.push(source_file(
                    path,
                    relative,
                    folder,
                    FolderPath::from_dirs(&dirs),
                ));
            }
        } else if root.is_file() {
            let name = root
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            out.push(source_file(root.clone(), name, folder, FolderPath::root()));
        } else {
            return Err(root.clone());
        }
    }
    Ok(out)
}

fn source_file(
    path: PathBuf,
    relative: String,
    folder: Option<&str>,
    from_dirs: FolderPath,
) -> SourceFile {
    let folder = folder.map(FolderPath::top).unwrap_or(from_dirs);
    SourceFile {
        display: path.display().to_string(),
        path,
        relative,
        folder,
    }
}

/// Reads `file` and prepares it for saving into a Grafana whose Prometheus
/// datasource is `target`.
pub fn prepare(
    file: &SourceFile,
    target: &Target,
    catalog: &Catalog,
) -> Result<Prepared, Unusable> {
    match std::fs::read_to_string(&file.path) {
        Ok(text) => prepare_text(file, &text, target, catalog),
        Err(e) => Err(Unusable {
            title: String::new(),
            detail: format!("{}: cannot read dashboard: {e}", file.display),
        }),
    }
}

/// Prepares the text of `file` (what [`prepare`] does once it is read).
pub fn prepare_text(
    file: &SourceFile,
    text: &str,
    target: &Target,
    catalog: &Catalog,
) -> Result<Prepared, Unusable> {
    let unusable = |title: &str, detail: String| Unusable {
        title: title.to_string(),
        detail,
    };
    // Parsing goes through the same located errors as `dashboards lint`.
    let source = Source::new(None, String::new());
    let mut problems = Problems::new(&source);
    let Some(json) = dashjson::parse(text, &file.display, &mut problems) else {
        let detail = problems
            .list
            .first()
            .map(|p| {
                let mut s = p.file.clone();
                if let (Some(line), Some(column)) = (p.line, p.column) {
                    s.push_str(&format!(":{line}:{column}"));
                }
                s.push_str(&format!(": {}", p.message));
                if let Some(hint) = &p.hint {
                    s.push_str(&format!(" (hint: {hint})"));
                }
                s
            })
            .unwrap_or_default();
        return Err(unusable("", detail));
    };
    if let Some(why) = file.folder.invalid() {
        let detail = format!("folder `{}`: {why}", file.folder);
        return Err(unusable("", detail));
    }
    let mut dash = dashjson::unwrap(json);
    let title = dash
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    if title.is_empty() {
        return Err(unusable("", "the dashboard has no `title`".into()));
    }
    datasources::map(&mut dash, target, catalog).map_err(|u| unusable(&title, format!("{u}")))?;
    let library_panels = library::wanted(&mut dash).map_err(|why| unusable(&title, why))?;
    let uid = match dash.get("uid").and_then(Value::as_str) {
        Some(uid) if !uid.trim().is_empty() => uid.trim().to_string(),
        _ => derived_uid(&file.relative),
    };
    let map = dash.as_object_mut().expect("read checks for an object");
    map.insert("uid".into(), Value::String(uid.clone()));
    // Grafana resolves a save by `id` first: an id from another Grafana would
    // point at a different dashboard, or at none.
    map.insert("id".into(), Value::Null);
    map.remove("version");
    Ok(Prepared {
        file: file.clone(),
        uid,
        title,
        dashboard: dash,
        library_panels,
    })
}

/// A stable uid for a file that has none: importing it again updates the
/// same dashboard instead of adding another. 40 characters, Grafana's limit.
pub fn derived_uid(relative: &str) -> String {
    let digest = Sha256::digest(relative.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("obsctl-{}", &hex[..33])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_come_from_the_whole_directory_path() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "top.json",
            "team/a.json",
            "team/deep/b.json",
            "General/c.json",
            "a%2Fb/d.json",
            "notes.txt",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "{}").unwrap();
        }
        let files = collect(&[root.to_path_buf()], None).unwrap();
        let got: Vec<(&str, Vec<&str>)> = files
            .iter()
            .map(|f| {
                let titles = f.folder.0.iter().map(String::as_str).collect();
                (f.relative.as_str(), titles)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("General/c.json", vec![]),
                ("a%2Fb/d.json", vec!["a/b"]),
                ("team/a.json", vec!["team"]),
                ("team/deep/b.json", vec!["team", "deep"]),
                ("top.json", vec![])
            ]
        );
        let forced = collect(&[root.join("team/a.json")], Some("Ops")).unwrap();
        assert_eq!(
            (forced[0].relative.as_str(), forced[0].folder.to_string()),
            ("a.json", "Ops".to_string())
        );
        let general = collect(&[root.join("team")], Some("general")).unwrap();
        assert!(general.iter().all(|f| f.folder.is_root()));
        assert_eq!(
            collect(&[root.join("missing")], None),
            Err(root.join("missing"))
        );
    }

    #[test]
    fn a_float_in_a_dashboard_is_imported_digit_for_digit() {
        // serde_json's default float parsing is off by one ulp for some
        // numbers, so a dashboard changed a little at every import.
        let text = r#"{"title": "t", "panels": [], "threshold": 5.139950157862162e+198}"#;
        let file = SourceFile {
            path: "a.json".into(),
            display: "a.json".into(),
            relative: "a.json".into(),
            folder: FolderPath::root(),
        };
        let target = Target {
            uid: "obsctl-prometheus".into(),
            name: "Prometheus".into(),
        };
        let p = prepare_text(&file, text, &target, &Catalog(None)).unwrap();
        let saved = serde_json::to_string(&p.dashboard).unwrap();
        assert!(saved.contains("5.139950157862162e+198"), "{saved}");
    }

    #[test]
    fn derived_uids_are_stable_and_fit_grafanas_limit() {
        let uid = derived_uid("team/a.json");
        assert_eq!(uid, derived_uid("team/a.json"));
        assert_ne!(uid, derived_uid("team/b.json"));
        assert!(uid.len() <= 40, "{uid}");
        assert!(uid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }
}
