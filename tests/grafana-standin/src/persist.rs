//! Keeps the stand-in's state in its data directory (`GF_PATHS_DATA`), in one JSON
//! file, [`STATE_FILE`], standing for Grafana's `grafana.db`. The file is read at
//! start; when it is missing the stand-in "creates its database", and only then
//! applies the admin user and password it was given, as Grafana does: restarting
//! with another `GF_SECURITY_ADMIN_PASSWORD` keeps the old password. After every
//! change the whole state is written again (to a temporary file, then renamed, mode
//! 0600); a write that fails makes `/api/health` report the database as failing.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::store::Store;

/// The state file's name inside the data directory.
pub const STATE_FILE: &str = "grafana-standin.json";

/// Writes the store to its file; one write at a time, always the latest state.
#[derive(Debug)]
pub struct Persister {
    file: PathBuf,
    write: Mutex<()>,
    failure: Mutex<Option<String>>,
}

impl Persister {
    /// Creates the data directory if needed (as Grafana does) and reads the state
    /// file; `None` when there is none yet.
    pub fn open(dir: &Path) -> Result<(Persister, Option<Store>), String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the data directory {}: {e}", dir.display()))?;
        let file = dir.join(STATE_FILE);
        let stored = match std::fs::read(&file) {
            Ok(bytes) => Some(
                serde_json::from_slice::<Store>(&bytes)
                    .map_err(|e| format!("{} is not a stand-in state file: {e}", file.display()))?,
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("cannot read {}: {e}", file.display())),
        };
        let persister = Persister {
            file,
            write: Mutex::new(()),
            failure: Mutex::new(None),
        };
        Ok((persister, stored))
    }

    /// The state file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Writes the current state; `Err` says why it could not be written.
    pub fn save(&self, store: &Mutex<Store>) -> Result<(), String> {
        let _one_at_a_time = self.write.lock().expect("persist lock");
        let bytes = serde_json::to_vec(&*store.lock().expect("store lock"))
            .map_err(|e| format!("cannot serialise the state: {e}"))?;
        let outcome = self.write_file(&bytes);
        *self.failure.lock().expect("persist lock") = outcome.as_ref().err().cloned();
        outcome
    }

    fn write_file(&self, bytes: &[u8]) -> Result<(), String> {
        let tmp = self.file.with_extension("json.tmp");
        let at = |e: std::io::Error| format!("cannot write {}: {e}", tmp.display());
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(at)?;
        f.write_all(bytes).map_err(at)?;
        f.sync_all().map_err(at)?;
        std::fs::rename(&tmp, &self.file)
            .map_err(|e| format!("cannot replace {}: {e}", self.file.display()))
    }

    /// Whether the last write succeeded.
    pub fn healthy(&self) -> bool {
        self.failure.lock().expect("persist lock").is_none()
    }
}
