//! Making mounted files readable by the container's user without making
//! secrets readable by anyone else.
//!
//! Secret files are rendered 0600 for the invoking user, but the containers
//! run as their image's user (65534 for Prometheus, Alertmanager and most
//! exporters, 472 for Grafana). As root, obsctl gives each secret file to that
//! uid and keeps it 0600; otherwise it stops with an error saying what to do.
//! It never widens a secret's mode.

use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::fs::with_path;
use crate::model::Service;

/// True when this process may change file owners.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Gives every file in `files` to `uid` (mode unchanged), or explains why not.
pub fn hand_over(service: Service, files: &[PathBuf], uid: u32) -> Result<(), Error> {
    hand_over_as(service, files, uid, is_root())
}

/// [`hand_over`], as a process that may (`root`) or may not change owners.
fn hand_over_as(service: Service, files: &[PathBuf], uid: u32, root: bool) -> Result<(), Error> {
    if uid == 0 {
        return Ok(()); // root in the container reads anything
    }
    let mut unreadable = Vec::new();
    let mut owner = 0;
    for path in files {
        let meta = fs::metadata(path).map_err(Error::io("read", path))?;
        if meta.uid() == uid {
            continue;
        }
        if root {
            std::os::unix::fs::chown(path, Some(uid), None).map_err(|cause| {
                Error::SecretHandOver {
                    path: path.clone(),
                    uid,
                    reason: cause.to_string(),
                }
            })?;
        } else {
            owner = meta.uid();
            unreadable.push(path.clone());
        }
    }
    if unreadable.is_empty() {
        Ok(())
    } else {
        Err(Error::SecretsUnreadable {
            service,
            owner,
            uid,
            files: unreadable,
        })
    }
}

/// Creates each folder in `dirs` and makes it and every folder below it
/// traversable by all (`o+rx`), so a container user other than the invoking
/// one can reach the files; a restrictive umask would otherwise hide them.
/// File modes are left alone: public files are 0644, secrets stay 0600.
pub fn open_folders(dirs: &[PathBuf]) -> io::Result<()> {
    for dir in dirs {
        fs::create_dir_all(dir).map_err(|e| with_path(e, dir))?;
        open_tree(dir)?;
    }
    Ok(())
}

fn open_tree(dir: &Path) -> io::Result<()> {
    let meta = fs::metadata(dir).map_err(|e| with_path(e, dir))?;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o755 != 0o755 {
        fs::set_permissions(dir, fs::Permissions::from_mode(mode | 0o755))
            .map_err(|e| with_path(e, dir))?;
    }
    for entry in fs::read_dir(dir).map_err(|e| with_path(e, dir))?.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            open_tree(&entry.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_become_traversable_and_files_keep_their_mode() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("prometheus/secrets");
        fs::create_dir_all(&nested).unwrap();
        fs::set_permissions(&nested, fs::Permissions::from_mode(0o700)).unwrap();
        let secret = nested.join("token");
        fs::write(&secret, "s").unwrap();
        fs::set_permissions(&secret, fs::Permissions::from_mode(0o600)).unwrap();
        open_folders(&[dir.path().join("prometheus")]).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&nested), 0o755);
        assert_eq!(mode(&secret), 0o600);
    }

    fn private_file(dir: &Path) -> PathBuf {
        let file = dir.join("s");
        fs::write(&file, "s").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
        file
    }

    fn owner_and_mode(p: &Path) -> (u32, u32) {
        let meta = fs::metadata(p).unwrap();
        (meta.uid(), meta.permissions().mode() & 0o777)
    }

    #[test]
    fn files_already_owned_by_the_container_user_need_no_root() {
        let dir = tempfile::tempdir().unwrap();
        let file = private_file(dir.path());
        let (me, _) = owner_and_mode(&file);
        hand_over_as(Service::Prometheus, std::slice::from_ref(&file), me, false).unwrap();
        assert_eq!(owner_and_mode(&file), (me, 0o600));
    }

    #[test]
    fn without_root_a_secret_of_another_user_is_refused_with_the_fix_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let file = private_file(dir.path());
        let before = owner_and_mode(&file);
        let uid = before.0 + 1;
        let err =
            hand_over_as(Service::Prometheus, std::slice::from_ref(&file), uid, false).unwrap_err();
        match &err {
            Error::SecretsUnreadable {
                service,
                owner,
                uid: wanted,
                files,
            } => {
                assert_eq!(
                    (*service, *owner, *wanted),
                    (Service::Prometheus, before.0, uid)
                );
                assert_eq!(files, std::slice::from_ref(&file));
            }
            other => panic!("unexpected error: {other:?}"),
        }
        assert!(err.hint().unwrap().contains("sudo obsctl up"), "{err:?}");
        assert_eq!(owner_and_mode(&file), before, "nothing is changed");
    }

    #[test]
    fn a_container_running_as_root_needs_nothing_handed_over() {
        let dir = tempfile::tempdir().unwrap();
        let file = private_file(dir.path());
        let before = owner_and_mode(&file);
        hand_over_as(Service::Grafana, std::slice::from_ref(&file), 0, false).unwrap();
        assert_eq!(owner_and_mode(&file), before);
    }

    #[test]
    #[ignore = "needs root; scripts/test.sh runs it as root"]
    fn as_root_a_secret_is_given_to_the_container_user_and_stays_private() {
        assert!(is_root(), "this test changes file owners: run it as root");
        let dir = tempfile::tempdir().unwrap();
        let file = private_file(dir.path());
        hand_over(Service::Prometheus, std::slice::from_ref(&file), 65534).unwrap();
        assert_eq!(owner_and_mode(&file), (65534, 0o600));
    }
}
