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
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::RenderedFile;
use crate::error::Error;
use crate::fs;

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
pub fn write(dir: &Path, files: &[RenderedFile]) -> Result<WriteReport, Error> {
    write_listed(dir, files, MANIFEST)
}

/// Writes `files` into `dir`, keeping the list of what was written in
/// `manifest` (a file name in `dir`): each kind of output keeps its own list,
/// so rendering one kind never removes the files of another.
///
/// All or nothing, as far as the file system allows: every changed file is
/// first written and flushed beside its target, and only when all of them
/// (and the list) are on disk are they renamed over the old ones. A folder
/// that is read-only or a disk that fills up therefore fails the write
/// before any file is replaced, and the temporary files and new folders are
/// removed again.
pub fn write_listed(
    dir: &Path,
    files: &[RenderedFile],
    manifest: &str,
) -> Result<WriteReport, Error> {
    let mut report = WriteReport::default();
    let previous = read_manifest(&dir.join(manifest));
    let current: BTreeSet<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    let list = serde_json::to_vec_pretty(&current).expect("paths serialise");

    let mut new_dirs = NewDirs::default();
    let mut staged = Vec::new();
    let changed = files
        .iter()
        .map(|f| (f.path.as_path(), f.contents.as_slice(), f.private))
        .chain([(Path::new(manifest), list.as_slice(), false)]);
    for (path, contents, private) in changed {
        let target = dir.join(path);
        let mode = if private { 0o600 } else { 0o644 };
        if is_current(&target, contents, mode) {
            if path != Path::new(manifest) {
                report.unchanged.push(path.to_path_buf());
            }
            continue;
        }
        new_dirs.note(&target);
        match fs::stage(&target, contents, mode) {
            Ok(tmp) => staged.push((tmp, path, target)),
            Err(reason) => {
                drop(staged);
                new_dirs.remove();
                return Err(Error::WriteRendered {
                    path: target,
                    reason,
                    replaced: 0,
                });
            }
        }
    }
    let mut replaced = 0;
    for (tmp, path, target) in staged {
        if let Err(e) = tmp.persist(&target) {
            return Err(Error::WriteRendered {
                path: target,
                reason: e.error,
                replaced,
            });
        }
        replaced += 1;
        if path != Path::new(manifest) {
            report.written.push(path.to_path_buf());
        }
    }

    for stale in previous.difference(&current) {
        let path = dir.join(stale);
        match std::fs::remove_file(&path) {
            Ok(()) => report.removed.push(stale.clone()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(reason) => {
                return Err(Error::WriteRendered {
                    path,
                    reason,
                    replaced,
                })
            }
        }
        remove_empty_parents(dir, stale);
    }
    Ok(report)
}

/// The folders a write is about to create, removed again (innermost first,
/// only while empty) when it fails.
#[derive(Default)]
struct NewDirs(Vec<PathBuf>);

impl NewDirs {
    /// Notes the missing folders above `file`.
    fn note(&mut self, file: &Path) {
        for parent in file.ancestors().skip(1) {
            if parent.as_os_str().is_empty() || parent.exists() {
                break;
            }
            if !self.0.iter().any(|d| d == parent) {
                self.0.push(parent.to_path_buf());
            }
        }
    }

    fn remove(mut self) {
        self.0
            .sort_by_key(|d| std::cmp::Reverse(d.components().count()));
        for d in &self.0 {
            let _ = std::fs::remove_dir(d);
        }
    }
}

/// Removes the directories of `file` (relative to `dir`) that are left
/// empty, innermost first; stops at the first that is not (or is `dir`).
fn remove_empty_parents(dir: &Path, file: &Path) {
    for parent in file.ancestors().skip(1) {
        if parent.as_os_str().is_empty() || std::fs::remove_dir(dir.join(parent)).is_err() {
            break;
        }
    }
}

fn read_manifest(path: &Path) -> BTreeSet<PathBuf> {
    std::fs::read(path)
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
    let same_mode = std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o777 == mode)
        .unwrap_or(false);
    same_mode && std::fs::read(path).is_ok_and(|c| c == contents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

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

    #[test]
    fn a_file_that_cannot_be_written_leaves_every_previous_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[file("a.yml", "old", false), file("c/z.yml", "old", false)],
        )
        .unwrap();
        let manifest = fs::read(dir.path().join(MANIFEST)).unwrap();
        // `b` is a file, so nothing can be written under it.
        fs::write(dir.path().join("b"), "in the way").unwrap();
        let err = write(
            dir.path(),
            &[
                file("a.yml", "new", false),
                file("c/d/new.yml", "new", false),
                file("b/x.yml", "new", false),
            ],
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::WriteRendered { path, replaced: 0, .. } if path == &dir.path().join("b/x.yml")),
            "{err:?}"
        );
        assert_eq!(fs::read(dir.path().join("a.yml")).unwrap(), b"old");
        assert_eq!(fs::read(dir.path().join("c/z.yml")).unwrap(), b"old");
        assert_eq!(fs::read(dir.path().join(MANIFEST)).unwrap(), manifest);
        assert!(!dir.path().join("c/d").exists(), "a new folder was left");
        let mut left: Vec<String> = walk(dir.path());
        left.sort();
        assert_eq!(left, [MANIFEST, "a.yml", "b", "c/z.yml"]);
    }

    /// Every file under `dir`, relative to it.
    fn walk(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for e in fs::read_dir(dir).unwrap().map(Result::unwrap) {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.file_type().unwrap().is_dir() {
                out.extend(walk(&e.path()).into_iter().map(|f| format!("{name}/{f}")));
            } else {
                out.push(name);
            }
        }
        out
    }
}
