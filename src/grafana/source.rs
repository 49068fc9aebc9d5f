//! Dashboard files named for import: which files, which folder each goes to,
//! and the JSON prepared for saving (unwrapped, datasources mapped, a stable
//! uid, no `id`).
//!
//! Folders follow Grafana's `foldersFromFilesStructure`: a file in a
//! sub-directory of a folder given on the command line goes into the Grafana
//! folder of that sub-directory's name (one level only); anything else into
//! General. `--folder` puts everything into one folder.

use std::path::PathBuf;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::datasources::{self, Catalog, Target};
use super::GENERAL;
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
    /// The Grafana folder's title; [`GENERAL`] for the root.
    pub folder: String,
}

/// A dashboard ready to be saved.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub file: SourceFile,
    pub uid: String,
    pub title: String,
    pub dashboard: Value,
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
                let from_dir = dashjson::subfolder(root, &path);
                out.push(source_file(path, relative, folder, from_dir));
            }
        } else if root.is_file() {
            let name = root
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            out.push(source_file(root.clone(), name, folder, None));
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
    from_dir: Option<String>,
) -> SourceFile {
    let folder = folder
        .map(str::to_string)
        .or(from_dir)
        .unwrap_or_else(|| GENERAL.to_string());
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
    fn folders_come_from_one_level_of_sub_directories() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in ["top.json", "team/a.json", "team/deep/b.json", "notes.txt"] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "{}").unwrap();
        }
        let files = collect(&[root.to_path_buf()], None).unwrap();
        let got: Vec<(&str, &str)> = files
            .iter()
            .map(|f| (f.relative.as_str(), f.folder.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("team/a.json", "team"),
                ("team/deep/b.json", "team"),
                ("top.json", "General")
            ]
        );
        let forced = collect(&[root.join("team/a.json")], Some("Ops")).unwrap();
        assert_eq!(
            (forced[0].relative.as_str(), forced[0].folder.as_str()),
            ("a.json", "Ops")
        );
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
            folder: GENERAL.into(),
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
