//! Writing rendered files: each atomically (temporary file in the same folder,
//! then rename), unchanged files left alone, and files obsctl wrote before but
//! no longer renders removed, with the directories they leave empty. Only
//! files listed in the manifest are ever removed, and only empty directories,
//! so nothing a user put in the folder is touched.
//!
//! Files are replaced in place rather than by swapping the whole folder, because
//! containers bind-mount the folders: a renamed-over file is seen by the
//! container at once, a renamed folder is not.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::RenderedFile;
use crate::fs::{atomic_write, with_path};

/// The list of files obsctl wrote, kept in the stack directory.
pub const MANIFEST: &str = ".obsctl-files.json";

#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WriteReport {
    pub written: Vec<PathBuf>,
    pub unchanged: Vec<PathBuf>,
    pub removed: Vec<PathBuf>,
}

impl WriteReport {
    /// True if any file under `prefix` (e.g. `prometheus/`) changed.
    pub fn changed_under(&self, prefix: &str) -> bool {
        self.written
            .iter()
            .chain(&self.removed)
            .any(|p| p.starts_with(prefix))
    }
}

/// Writes `files` into `dir`; returns what changed.
pub fn write(dir: &Path, files: &[RenderedFile]) -> io::Result<WriteReport> {
    write_listed(dir, files, MANIFEST)
}

/// Writes `files` into `dir`, keeping the list of what was written in
/// `manifest` (a file name in `dir`): each kind of output keeps its own list,
/// so rendering one kind never removes the files of another.
pub fn write_listed(dir: &Path, files: &[RenderedFile], manifest: &str) -> io::Result<WriteReport> {
    fs::create_dir_all(dir).map_err(|e| with_path(e, dir))?;
    let mut report = WriteReport::default();
    for file in files {
        let target = dir.join(&file.path);
        let mode = if file.private { 0o600 } else { 0o644 };
        if is_current(&target, &file.contents, mode) {
            report.unchanged.push(file.path.clone());
            continue;
        }
        atomic_write(&target, &file.contents, mode)?;
        report.written.push(file.path.clone());
    }

    let previous = read_manifest(&dir.join(manifest));
    let current: BTreeSet<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    for stale in previous.difference(&current) {
        let path = dir.join(stale);
        match fs::remove_file(&path) {
            Ok(()) => report.removed.push(stale.clone()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(with_path(e, &path)),
        }
        remove_empty_parents(dir, stale);
    }
    let list = serde_json::to_vec_pretty(&current).expect("paths serialise");
    if !is_current(&dir.join(manifest), &list, 0o644) {
        atomic_write(&dir.join(manifest), &list, 0o644)?;
    }
    Ok(report)
}

/// Removes the directories of `file` (relative to `dir`) that are left
/// empty, innermost first; stops at the first that is not (or is `dir`).
fn remove_empty_parents(dir: &Path, file: &Path) {
    for parent in file.ancestors().skip(1) {
        if parent.as_os_str().is_empty() || fs::remove_dir(dir.join(parent)).is_err() {
            break;
        }
    }
}

fn read_manifest(path: &Path) -> BTreeSet<PathBuf> {
    fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<BTreeSet<PathBuf>>(&bytes).ok())
        .map(|set| {
            // Never follow a manifest entry out of the stack directory.
            set.into_iter()
                .filter(|p| p.is_relative() && !p.components().any(|c| c.as_os_str() == ".."))
                .collect()
        })
        .unwrap_or_default()
}

fn is_current(path: &Path, contents: &[u8], mode: u32) -> bool {
    let same_mode = fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o777 == mode)
        .unwrap_or(false);
    same_mode && fs::read(path).is_ok_and(|c| c == contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str, private: bool) -> RenderedFile {
        RenderedFile {
            path: path.into(),
            contents: contents.as_bytes().to_vec(),
            private,
        }
    }

    #[test]
    fn writes_then_reports_unchanged_then_removes_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        let first = write(
            dir.path(),
            &[file("a/x.yml", "1", false), file("a/y.yml", "2", false)],
        )
        .unwrap();
        assert_eq!(first.written.len(), 2);
        let again = write(
            dir.path(),
            &[file("a/x.yml", "1", false), file("a/y.yml", "2", false)],
        )
        .unwrap();
        assert!(again.written.is_empty() && again.removed.is_empty());
        let shrink = write(dir.path(), &[file("a/x.yml", "3", false)]).unwrap();
        assert_eq!(shrink.written, vec![PathBuf::from("a/x.yml")]);
        assert_eq!(shrink.removed, vec![PathBuf::from("a/y.yml")]);
        assert!(!dir.path().join("a/y.yml").exists());
        assert!(shrink.changed_under("a"));
        assert!(!shrink.changed_under("b"));
    }

    #[test]
    fn directories_left_empty_are_removed_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                file("g/General/x.json", "1", false),
                file("g/keep/y.json", "2", false),
            ],
        )
        .unwrap();
        fs::write(dir.path().join("g/keep/mine.txt"), "mine").unwrap();
        write(dir.path(), &[file("g/x.json", "1", false)]).unwrap();
        assert!(!dir.path().join("g/General").exists());
        assert!(dir.path().join("g/keep/mine.txt").exists());
        assert!(dir.path().join("g/x.json").exists());
    }

    #[test]
    fn private_files_are_0600_and_others_0644() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[file("s", "secret", true), file("p", "public", false)],
        )
        .unwrap();
        let mode = |n: &str| {
            fs::metadata(dir.path().join(n))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode("s"), 0o600);
        assert_eq!(mode("p"), 0o644);
    }

    #[test]
    fn files_the_user_added_are_never_removed() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        write(dir.path(), &[file("x", "1", false)]).unwrap();
        write(dir.path(), &[]).unwrap();
        assert!(dir.path().join("notes.txt").exists());
        assert!(!dir.path().join("x").exists());
    }

    #[test]
    fn no_temporary_files_are_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[file("x", "1", false)]).unwrap();
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_name().to_string_lossy().starts_with(".obsctl-") && e.file_name() != MANIFEST
            })
            .collect();
        assert!(leftovers.is_empty());
    }
}
