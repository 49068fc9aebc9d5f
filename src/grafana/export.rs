//! Exporting dashboards as files for version control and backup: one file
//! per dashboard, named after its uid, in a sub-directory per folder (General
//! at the top), in the stable form of [`canonical`]. The layout is the one
//! import reads, so importing an export restores the same dashboards in the
//! same folders, and exporting again gives the same bytes.

use std::io;
use std::path::{Path, PathBuf};

use futures_util::stream::{self, StreamExt, TryStreamExt};
use serde::Serialize;

use super::canonical;
use super::client::{ApiError, Client, Hit, Remote};
use super::GENERAL;
use crate::fs::atomic_write;

/// Which dashboards to export: all when both lists are empty, else those in
/// one of `folders` (by title) or with one of `uids`.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub folders: Vec<String>,
    pub uids: Vec<String>,
}

impl Selection {
    fn wants(&self, hit: &Hit) -> bool {
        (self.folders.is_empty() && self.uids.is_empty())
            || self.folders.iter().any(|f| f == hit.folder())
            || self.uids.contains(&hit.uid)
    }

    /// Names in the selection that match nothing, most likely typos.
    pub fn unmatched(&self, hits: &[Hit]) -> Vec<String> {
        let folders = self
            .folders
            .iter()
            .filter(|f| !hits.iter().any(|h| h.folder() == f.as_str()))
            .map(|f| format!("folder `{f}`"));
        let uids = self
            .uids
            .iter()
            .filter(|u| !hits.iter().any(|h| &h.uid == *u))
            .map(|u| format!("uid `{u}`"));
        folders.chain(uids).collect()
    }
}

/// One exported file, before it is written.
#[derive(Debug, Clone, Serialize)]
pub struct ExportFile {
    pub uid: String,
    pub title: String,
    pub folder: String,
    /// Relative to the output directory.
    pub path: PathBuf,
    #[serde(skip)]
    pub text: String,
}

/// Reads every selected dashboard, `concurrency` at a time.
pub async fn collect(
    client: &Client,
    hits: Vec<Hit>,
    selection: &Selection,
    concurrency: usize,
) -> Result<Vec<ExportFile>, ApiError> {
    let wanted: Vec<Hit> = hits.into_iter().filter(|h| selection.wants(h)).collect();
    let mut files: Vec<ExportFile> = fetch_all(client, wanted, concurrency)
        .await?
        .into_iter()
        .map(|(hit, remote)| {
            let dir = match hit.folder() {
                GENERAL => PathBuf::new(),
                folder => PathBuf::from(dir_name(folder)),
            };
            ExportFile {
                path: dir.join(format!("{}.json", hit.uid)),
                text: canonical::to_file(&remote.dashboard),
                folder: hit.folder().to_string(),
                uid: hit.uid,
                title: hit.title,
            }
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Reads the dashboards of `hits`, `concurrency` at a time; ones deleted
/// since the search are left out.
pub async fn fetch_all(
    client: &Client,
    hits: Vec<Hit>,
    concurrency: usize,
) -> Result<Vec<(Hit, Remote)>, ApiError> {
    let found: Vec<Option<(Hit, Remote)>> = stream::iter(hits.into_iter().map(|hit| async move {
        let remote = client.dashboard(&hit.uid).await?;
        Ok::<_, ApiError>(remote.map(|r| (hit, r)))
    }))
    .buffered(concurrency.max(1))
    .try_collect()
    .await?;
    Ok(found.into_iter().flatten().collect())
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

/// A folder title as a directory name; import reads it back as the title.
fn dir_name(title: &str) -> String {
    let name: String = title
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | '\0') {
                '_'
            } else {
                c
            }
        })
        .collect();
    match name.as_str() {
        "." | ".." => name.replace('.', "_"),
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(uid: &str, folder: Option<&str>) -> Hit {
        Hit {
            uid: uid.into(),
            title: uid.into(),
            folder_uid: String::new(),
            folder_title: folder.map(str::to_string),
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
        assert_eq!(
            sel.unmatched(&[hit("a", None)]),
            ["folder `Ops`", "uid `b`"]
        );
    }

    #[test]
    fn folder_titles_make_safe_directory_names() {
        assert_eq!(dir_name("Team A"), "Team A");
        assert_eq!(dir_name("a/b"), "a_b");
        assert_eq!(dir_name(".."), "__");
    }
}
