//! File-system helpers every writer shares: a file is replaced atomically
//! (a temporary file in the same folder, flushed, then renamed over it), so a
//! reader never sees half a file and an interrupted run leaves the old one;
//! and I/O errors name the path they concern.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

pub use tempfile::TempPath;

/// Writes `contents` to a temporary file beside `path` with `mode`, flushes it
/// to disk, then renames it over `path`. Missing parent folders are created.
pub fn atomic_write(path: &Path, contents: &[u8], mode: u32) -> io::Result<()> {
    stage(path, contents, mode)
        .map_err(|e| with_path(e, path))?
        .persist(path)
        .map_err(|e| with_path(e.error, path))
}

/// The first half of [`atomic_write`]: `contents` written with `mode` and
/// flushed to a temporary file beside `path` (its missing parent folders
/// created), to be renamed over `path` with [`TempPath::persist`]. Dropped
/// unpersisted, the temporary file is removed. Errors are the bare I/O error.
pub fn stage(path: &Path, contents: &[u8], mode: u32) -> io::Result<TempPath> {
    let parent = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".obsctl-")
        .tempfile_in(parent)?;
    // The temporary file is created 0600, so a secret is never readable by others.
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(mode))?;
    Ok(tmp.into_temp_path())
}

/// The same error, its message prefixed with the path it is about.
pub fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_with_its_mode_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/secret");
        atomic_write(&path, b"one", 0o600).unwrap();
        atomic_write(&path, b"two", 0o600).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let names: Vec<_> = fs::read_dir(dir.path().join("nested"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["secret"]);
    }
}
