//! Making `up`, `down` and `smoke` of one stack exclusive.
//!
//! Two advisory locks (`flock`, through std's `File::try_lock`), taken in this
//! order and held until the command ends:
//!
//! - `.obsctl-lock` in the stack directory: whoever runs obsctl on the same
//!   files, whatever their user or stack name, works on them alone;
//! - `stack-<name>.lock` in the user's lock directory ([`locks_dir`]): two
//!   runs on the same stack name from different directories (two checkouts,
//!   two CI jobs) drive the same Docker objects, and take turns.
//!
//! A lock goes with its process (the kernel releases it when the process
//! ends, however it ends), so a crash never leaves a stale one. The holder
//! writes who it is into the file, so a second run can say whom it waits
//! for. A run that finds a lock held waits for it, polling, up to a bound,
//! or refuses at once; either way with [`Error::StackLocked`] when it gives
//! up. `watch`, `status` and `doctor` only read, and take no lock.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::runtime::services::hex;
use crate::timeouts;

/// The lock file in the stack directory.
pub const DIR_LOCK: &str = ".obsctl-lock";

/// How long to wait for a lock another run holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Refuse at once (`--no-wait`).
    No,
    /// Poll until the lock is free, at most this long (`--wait-lock`).
    UpTo(Duration),
}

/// The locks one command holds; dropping it releases them.
#[derive(Debug)]
pub struct StackLock {
    files: Vec<(PathBuf, File)>,
}

impl StackLock {
    /// The lock files held, in the order they were taken.
    pub fn paths(&self) -> Vec<&Path> {
        self.files.iter().map(|(p, _)| p.as_path()).collect()
    }
}

/// Who holds a lock, as the holder wrote it into the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub pid: u32,
    /// `up`, `down` or `smoke`.
    pub command: String,
    pub stack: String,
    /// Its stack directory, when it has one.
    pub dir: Option<PathBuf>,
    /// When it took the lock (local time, RFC 3339).
    pub since: String,
}

impl Holder {
    fn me(command: &str, stack: &str, dir: Option<&Path>) -> Holder {
        Holder {
            pid: std::process::id(),
            command: command.into(),
            stack: stack.into(),
            dir: dir.map(Path::to_path_buf),
            since: chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        }
    }

    /// `pid 4242 (obsctl up of stack `shop` in /srv/shop/.obsctl, since ...)`.
    pub fn describe(&self) -> String {
        let place = self
            .dir
            .as_ref()
            .map(|d| format!(" in {}", d.display()))
            .unwrap_or_default();
        format!(
            "pid {} (`obsctl {}` of stack `{}`{place}, since {})",
            self.pid, self.command, self.stack, self.since
        )
    }
}

/// A lock another run holds, as it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Busy {
    pub lock: PathBuf,
    /// `None` when the holder has not written itself in yet, or is not obsctl.
    pub holder: Option<Holder>,
}

impl Busy {
    pub fn describe_holder(&self) -> String {
        self.holder
            .as_ref()
            .map_or_else(|| "another process".into(), Holder::describe)
    }
}

/// Takes the locks of `stack` for `command`: the one in `dir` (the stack
/// directory, created when missing) when given, then the one of its name.
/// Calls `waiting` once, when it starts waiting for a lock another run holds.
pub fn acquire(
    stack: &str,
    dir: Option<&Path>,
    command: &str,
    wait: Wait,
    waiting: impl FnMut(&Busy, Wait),
) -> Result<StackLock, Error> {
    let mut paths = Vec::new();
    if let Some(dir) = dir {
        fs::create_dir_all(dir).map_err(Error::io("create the stack directory", dir))?;
        paths.push(dir.join(DIR_LOCK));
    }
    let locks = locks_dir()?;
    paths.push(locks.join(name_file(stack)));
    acquire_paths(&paths, &Holder::me(command, stack, dir), wait, waiting)
}

/// Takes every lock in `paths`, in order, and writes `me` into each.
fn acquire_paths(
    paths: &[PathBuf],
    me: &Holder,
    wait: Wait,
    mut waiting: impl FnMut(&Busy, Wait),
) -> Result<StackLock, Error> {
    let started = Instant::now();
    let mut told = false;
    let mut files = Vec::new();
    let record = serde_json::to_vec(me).expect("a holder serialises");
    for path in paths {
        let file = match open(path) {
            Ok(file) => file,
            // A stack directory on a read-only file system: no run can
            // write its files, so its lock guards nothing (the name's lock
            // still holds), and the render says what cannot be written.
            Err(e) if e.kind() == ErrorKind::ReadOnlyFilesystem && path.ends_with(DIR_LOCK) => {
                continue
            }
            Err(e) => return Err(Error::io("open the lock file", path)(e)),
        };
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => return Err(Error::io("lock", path)(e)),
            }
            let busy = Busy {
                lock: path.clone(),
                holder: holder_of(path),
            };
            let limit = match wait {
                Wait::No => None,
                Wait::UpTo(limit) => Some(limit),
            };
            if limit.is_none_or(|l| started.elapsed() >= l) {
                return Err(Error::StackLocked {
                    stack: me.stack.clone(),
                    holder: busy.describe_holder(),
                    lock: busy.lock,
                    waited_secs: limit.map(|l| l.as_secs()),
                });
            }
            if !told {
                waiting(&busy, wait);
                told = true;
            }
            std::thread::sleep(timeouts::LOCK_POLL);
        }
        // Recorded at once, so a run that finds this lock held names us. The
        // record only serves that message: on a full disk the lock is held
        // without it (a waiter then speaks of "another run"), and the render
        // says what cannot be written.
        match write_holder(&file, &record) {
            Err(e) if e.kind() != ErrorKind::StorageFull => {
                return Err(Error::io("record the lock holder in", path)(e))
            }
            _ => {}
        }
        files.push((path.clone(), file));
    }
    Ok(StackLock { files })
}

/// Opens (creating when missing) a lock file without truncating it: the
/// holder's record must survive a waiter opening it.
fn open(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o644)
        .open(path)
}

fn write_holder(mut file: &File, record: &[u8]) -> std::io::Result<()> {
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&[record, b"\n"].concat())
}

/// The holder of a lock found held. It writes its record just after taking
/// the lock, so an empty or half-written one is read again a few times.
fn holder_of(path: &Path) -> Option<Holder> {
    for _ in 0..timeouts::LOCK_HOLDER_READS {
        if let Some(holder) = read_holder(path) {
            return Some(holder);
        }
        std::thread::sleep(timeouts::LOCK_HOLDER_REREAD);
    }
    None
}

fn read_holder(path: &Path) -> Option<Holder> {
    let mut text = String::new();
    File::open(path).ok()?.read_to_string(&mut text).ok()?;
    serde_json::from_str(text.trim()).ok()
}

/// The lock file of stack `name` in the lock directory: the name itself when
/// it is a plain file name, else its digest (`down` reads the name without
/// validating the spec, so it may hold anything).
fn name_file(name: &str) -> String {
    let plain = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if plain {
        format!("stack-{name}.lock")
    } else {
        format!(
            "stack-{}.lock",
            &hex(&Sha256::digest(name.as_bytes()))[..32]
        )
    }
}

/// Where the locks of stack names live, per user: `/run/user/<uid>/obsctl`
/// (the runtime directory systemd gives a user, which `XDG_RUNTIME_DIR`
/// names in a login session) when that exists, else `/tmp/obsctl-<uid>`.
/// Both follow from the uid alone, so runs from a login shell, cron, a CI
/// runner or a service of the same user find the same locks whatever their
/// environment. The folder is made 0700 and must belong to the user.
pub fn locks_dir() -> Result<PathBuf, Error> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    let runtime = PathBuf::from(format!("/run/user/{uid}"));
    let dir = if runtime.is_dir() {
        runtime.join("obsctl")
    } else {
        PathBuf::from(format!("/tmp/obsctl-{uid}"))
    };
    private_dir(&dir, uid)?;
    Ok(dir)
}

/// Creates `dir` 0700 when missing; refuses one that is a symbolic link or
/// belongs to another user (in /tmp anyone could have made it first).
fn private_dir(dir: &Path, uid: u32) -> Result<(), Error> {
    match fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(Error::io("create the lock directory", dir)(e)),
    }
    let meta = fs::symlink_metadata(dir).map_err(Error::io("read the lock directory", dir))?;
    if !meta.is_dir() || meta.uid() != uid {
        return Err(Error::LockDirForeign {
            dir: dir.to_path_buf(),
            owner: meta.uid(),
            uid,
        });
    }
    Ok(())
}

#[cfg(test)]
#[path = "lock_tests.rs"]
mod tests;
