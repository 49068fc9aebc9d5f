//! Exporting dashboards as files for version control and backup: one file
//! per dashboard, named after its uid, in one sub-directory per level of its
//! folder path (Grafana's nested folders; the root at the top), in the
//! stable form of [`canonical`]. The library panels a dashboard uses are
//! written into its `__elements`, as Grafana's "export for sharing
//! externally" does. The layout is the one import reads, so importing an
//! export restores the same dashboards in the same folders, and exporting
//! again gives the same bytes.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use futures_util::stream::{self, StreamExt, TryStreamExt};
use serde::Serialize;
use serde_json::{Map, Value};

use super::canonical;
use super::client::{ApiError, Client, Element, Hit, Remote};
use super::folder_path::{is_general, FolderPath};
use super::folders;
use super::library;
use crate::fs::atomic_write;

/// Which dashboards to export: all when both lists are empty, else those in
/// (or below) one of `folders` — by title or by path from the root, `A/B` —
/// or with one of `uids`. `General` is the root alone.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub folders: Vec<String>,
    pub uids: Vec<String>,
}

/// A dashboard found by search, with its folder's path.
#[derive(Debug, Clone)]
pub struct Placed {
    pub hit: Hit,
    pub folder: FolderPath,
}

/// Whether the folder `name` (as `--folder` gives it) is `path` or above it.
fn names(name: &str, path: &FolderPath) -> bool {
    if is_general(name) {
        return path.is_root();
    }
    path.levels()
        .any(|level| level.title() == name || level.to_string() == name)
}

impl Selection {
    fn wants(&self, p: &Placed) -> bool {
        (self.folders.is_empty() && self.uids.is_empty())
            || self.folders.iter().any(|f| names(f, &p.folder))
            || self.uids.contains(&p.hit.uid)
    }

    /// Names in the selection that match nothing, most likely typos.
    pub fn unmatched(&self, found: &[Placed]) -> Vec<String> {
        let folders = self
            .folders
            .iter()
            .filter(|f| !found.iter().any(|p| names(f, &p.folder)))
            .map(|f| format!("folder `{f}`"));
        let uids = self
            .uids
            .iter()
            .filter(|u| !found.iter().any(|p| &p.hit.uid == *u))
            .map(|u| format!("uid `{u}`"));
        folders.chain(uids).collect()
    }
}

/// One exported file, before it is written.
#[derive(Debug, Clone, Serialize)]
pub struct ExportFile {
    pub uid: String,
    pub title: String,
    /// The folder path, `General` for the root.
    pub folder: String,
    /// Relative to the output directory.
    pub path: PathBuf,
    #[serde(skip)]
    pub text: String,
}

/// The files of an export, and what it could not keep.
#[derive(Debug, Clone, Default)]
pub struct Export {
    pub files: Vec<ExportFile>,
    pub warnings: Vec<String>,
}

/// The folder path of every hit, from its folder's ancestors in Grafana.
pub async fn locate(
    client: &Client,
    hits: Vec<Hit>,
    concurrency: usize,
) -> Result<Vec<Placed>, ApiError> {
    let titles: BTreeMap<String, String> = hits
        .iter()
        .map(|h| (h.folder_uid.clone(), h.folder().to_string()))
        .collect();
    let paths = folders::paths_of(client, &titles, concurrency).await?;
    Ok(hits
        .into_iter()
        .map(|hit| {
            let folder = paths.get(&hit.folder_uid).cloned().unwrap_or_default();
            Placed { hit, folder }
        })
        .collect())
}

/// Reads every selected dashboard and the library panels they use,
/// `concurrency` at a time.
pub async fn collect(
    client: &Client,
    found: Vec<Placed>,
    selection: &Selection,
    concurrency: usize,
) -> Result<Export, ApiError> {
    let wanted: Vec<Placed> = found.into_iter().filter(|p| selection.wants(p)).collect();
    let dashboards = fetch_all(client, wanted, concurrency).await?;
    let elements = library_panels(client, &dashboards, concurrency).await?;
    let mut warnings = Vec::new();
    let mut dirs: BTreeMap<PathBuf, (String, FolderPath)> = BTreeMap::new();
    let mut files = Vec::new();
    for (placed, remote) in dashboards {
        let Placed { hit, folder } = placed;
        let dir = folder.dirs();
        match dirs.get(&dir) {
            Some((uid, _)) if *uid != hit.folder_uid => warnings.push(format!(
                "two folders are both `{folder}` (uids {uid} and {}): their dashboards share the directory {}, and import puts them into one folder",
                hit.folder_uid,
                dir.display()
            )),
            Some(_) => {}
            None => {
                dirs.insert(dir.clone(), (hit.folder_uid.clone(), folder.clone()));
            }
        }
        let mut dashboard = remote.dashboard;
        let mut carried = Map::new();
        for r in library::references(&dashboard) {
            match elements.get(&r.uid) {
                Some(Some(e)) => {
                    carried.insert(r.uid.clone(), library::element_entry(&e.uid, &e.name, &e.model));
                }
                _ => warnings.push(format!(
                    "dashboard `{}` uses library panel `{}` ({}), which Grafana does not have: the export cannot restore it",
                    hit.uid, r.name, r.uid
                )),
            }
        }
        if !carried.is_empty() {
            dashboard["__elements"] = Value::Object(carried);
        }
        files.push(ExportFile {
            path: dir.join(format!("{}.json", hit.uid)),
            text: canonical::to_file(&dashboard),
            folder: folder.to_string(),
            uid: hit.uid,
            title: hit.title,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Export { files, warnings })
}

/// The library panels the dashboards use, by uid; `None` for one Grafana
/// does not have.
async fn library_panels(
    client: &Client,
    dashboards: &[(Placed, Remote)],
    concurrency: usize,
) -> Result<BTreeMap<String, Option<Element>>, ApiError> {
    let mut uids: Vec<String> = dashboards
        .iter()
        .flat_map(|(_, r)| library::references(&r.dashboard))
        .map(|r| r.uid)
        .filter(|u| !u.is_empty())
        .collect();
    uids.sort();
    uids.dedup();
    stream::iter(uids.into_iter().map(|uid| async move {
        let element = client.library_element(&uid).await?;
        Ok::<_, ApiError>((uid, element))
    }))
    .buffered(concurrency.max(1))
    .try_collect()
    .await
}

/// Reads the dashboards of `found`, `concurrency` at a time; ones deleted
/// since the search are left out.
pub async fn fetch_all(
    client: &Client,
    found: Vec<Placed>,
    concurrency: usize,
) -> Result<Vec<(Placed, Remote)>, ApiError> {
    let read: Vec<Option<(Placed, Remote)>> =
        stream::iter(found.into_iter().map(|placed| async move {
            let remote = client.dashboard(&placed.hit.uid).await?;
            Ok::<_, ApiError>(remote.map(|r| (placed, r)))
        }))
        .buffered(concurrency.max(1))
        .try_collect()
        .await?;
    Ok(read.into_iter().flatten().collect())
}

/// Writes the files below `out`; returns for each whether it changed (an
/// unchanged file is not rewritten, so its modification time stays).
pub fn write(out: &Path, files: &[ExportFile]) -> io::Result<Vec<bool>> {
    files
        .iter()
        .map(|f| {
            let path = out.join(&f.path);
            if std::fs::read(&path).is_ok_and(|old| old == f.text.as_bytes()) {
                return Ok(false);
            }
            atomic_write(&path, f.text.as_bytes(), 0o644).map(|()| true)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(uid: &str, folder: Option<&str>) -> Placed {
        let path: Vec<String> = folder
            .map(|f| f.split('/').map(str::to_string).collect())
            .unwrap_or_default();
        Placed {
            hit: Hit {
                uid: uid.into(),
                title: uid.into(),
                folder_uid: String::new(),
                folder_title: path.last().cloned(),
            },
            folder: FolderPath(path),
        }
    }

    #[test]
    fn selection_is_the_union_of_folders_and_uids() {
        let all = Selection::default();
        let sel = Selection {
            folders: vec!["Ops".into()],
            uids: vec!["b".into()],
        };
        assert!(all.wants(&hit("a", None)));
        assert!(sel.wants(&hit("a", Some("Ops"))));
        assert!(sel.wants(&hit("b", None)));
        assert!(!sel.wants(&hit("c", None)));
        let general = Selection {
            folders: vec!["General".into()],
            uids: vec![],
        };
        assert!(general.wants(&hit("c", None)));
        assert!(!general.wants(&hit("d", Some("Ops"))));
        assert_eq!(
            sel.unmatched(&[hit("a", None)]),
            ["folder `Ops`", "uid `b`"]
        );
    }

    #[test]
    fn a_folder_selects_what_lies_below_it_by_title_or_path() {
        let by_title = Selection {
            folders: vec!["Team".into()],
            uids: vec![],
        };
        assert!(by_title.wants(&hit("a", Some("Team"))));
        assert!(by_title.wants(&hit("b", Some("Team/Sub"))));
        assert!(!by_title.wants(&hit("c", Some("Other/Sub"))));
        let by_path = Selection {
            folders: vec!["Other/Sub".into()],
            uids: vec![],
        };
        assert!(by_path.wants(&hit("c", Some("Other/Sub"))));
        assert!(!by_path.wants(&hit("d", Some("Team/Sub"))));
        assert!(!by_path.wants(&hit("e", Some("Other"))));
    }
}
