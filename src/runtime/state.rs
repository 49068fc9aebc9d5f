//! Which rendered configuration each running service has applied, kept in the
//! stack directory. `up` applies a service's configuration when its files
//! changed in this run or when what was written differs from what was last
//! applied, so an `up` interrupted between writing files and reloading still
//! converges on the next run.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::services::hex;
use crate::fs::atomic_write;
use crate::render::RenderedFile;

/// The state file, in the stack directory.
pub const STATE_FILE: &str = ".obsctl-state.json";

/// Service name -> digest of the configuration it runs with.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Applied {
    pub config: BTreeMap<String, String>,
}

/// Reads the state; a missing file means nothing is known. So does one that
/// cannot be read or parsed (say, cut short by a full disk or by an older
/// obsctl that did not write it atomically): then the second value says so,
/// and the caller applies every service's configuration again and rewrites
/// the file.
pub fn load(dir: &Path) -> (Applied, Option<String>) {
    let path = dir.join(STATE_FILE);
    let damaged = |reason: String| {
        Some(format!(
            "the state file {} is unreadable ({reason}): treating it as absent, so every service's configuration is applied again, and writing it anew",
            path.display()
        ))
    };
    match std::fs::read(&path) {
        Ok(bytes) => match serde_json::from_slice(&bytes) {
            Ok(applied) => (applied, None),
            Err(e) => (Applied::default(), damaged(e.to_string())),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => (Applied::default(), None),
        Err(e) => (Applied::default(), damaged(e.to_string())),
    }
}

/// Writes the state, private: the digests cover secret files too.
pub fn save(dir: &Path, applied: &Applied) -> io::Result<()> {
    let bytes = serde_json::to_vec_pretty(applied).expect("the state serialises");
    atomic_write(&dir.join(STATE_FILE), &bytes, 0o600)
}

/// Digest of every rendered file under `prefix` (paths and contents).
pub fn digest(files: &[RenderedFile], prefix: &str) -> String {
    let mut hasher = Sha256::new();
    let mut under: Vec<&RenderedFile> = files
        .iter()
        .filter(|f| f.path.starts_with(prefix))
        .collect();
    under.sort_by(|a, b| a.path.cmp(&b.path));
    for f in under {
        hasher.update(f.path.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update((f.contents.len() as u64).to_le_bytes());
        hasher.update(&f.contents);
    }
    hex(&hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> RenderedFile {
        RenderedFile {
            path: path.into(),
            contents: text.as_bytes().to_vec(),
            private: false,
        }
    }

    #[test]
    fn the_digest_covers_only_files_under_the_prefix() {
        let a = [
            file("prometheus/prometheus.yml", "1"),
            file("alertmanager/a.yml", "x"),
        ];
        let b = [
            file("prometheus/prometheus.yml", "1"),
            file("alertmanager/a.yml", "y"),
        ];
        let c = [
            file("prometheus/prometheus.yml", "2"),
            file("alertmanager/a.yml", "x"),
        ];
        assert_eq!(digest(&a, "prometheus/"), digest(&b, "prometheus/"));
        assert_ne!(digest(&a, "prometheus/"), digest(&c, "prometheus/"));
    }

    #[test]
    fn state_round_trips_and_a_missing_file_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()), (Applied::default(), None));
        let mut applied = Applied::default();
        applied.config.insert("prometheus".into(), "abc".into());
        save(dir.path(), &applied).unwrap();
        assert_eq!(load(dir.path()), (applied, None));
    }

    #[test]
    fn a_file_cut_short_is_absent_with_a_warning_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut applied = Applied::default();
        applied.config.insert("prometheus".into(), "abc".into());
        save(dir.path(), &applied).unwrap();
        let path = dir.path().join(STATE_FILE);
        let whole = std::fs::read(&path).unwrap();
        for cut in [0, 1, whole.len() / 2, whole.len() - 2] {
            std::fs::write(&path, &whole[..cut]).unwrap();
            let (loaded, warning) = load(dir.path());
            assert_eq!(loaded, Applied::default(), "cut at {cut}");
            let warning = warning.unwrap_or_else(|| panic!("no warning when cut at {cut}"));
            assert!(warning.contains(&path.display().to_string()), "{warning}");
            assert!(warning.contains("treating it as absent"), "{warning}");
        }
    }
}
