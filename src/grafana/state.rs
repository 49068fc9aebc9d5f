//! What obsctl last saved into a Grafana: for each dashboard uid (and each
//! library panel uid), the version the save returned. A dashboard whose stored version has moved past that
//! number was changed by someone else since, and import leaves it alone.
//!
//! For the stack's own Grafana the file lives in the stack directory; for any
//! other Grafana (`--url`) under the user's state directory, one file per
//! server, so two projects importing into one Grafana share what they know.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fs::atomic_write;

/// The state file's name in the stack directory.
pub const STACK_STATE_FILE: &str = "grafana-dashboards.json";

/// uid -> version obsctl last saved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The Grafana this is about, for whoever reads the file.
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub dashboards: BTreeMap<String, i64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub library_panels: BTreeMap<String, i64>,
}

/// The state file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot read {}: {source}", .path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{} is not a valid obsctl state file: {source}", .path.display())]
    Invalid {
        path: PathBuf,
        source: serde_json::Error,
    },
}

impl State {
    /// Reads the file; a missing file is an empty state.
    pub fn load(path: &Path) -> Result<State, StateError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(State::default()),
            Err(source) => {
                return Err(StateError::Read {
                    path: path.into(),
                    source,
                })
            }
        };
        serde_json::from_slice(&bytes).map_err(|source| StateError::Invalid {
            path: path.into(),
            source,
        })
    }

    /// Writes the file atomically, so an interrupted run never leaves half a file.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let mut text = serde_json::to_vec_pretty(self).expect("state serialises");
        text.push(b'\n');
        atomic_write(path, &text, 0o644)
    }

    pub fn recorded(&self, uid: &str) -> Option<i64> {
        self.dashboards.get(uid).copied()
    }

    pub fn record(&mut self, uid: &str, version: i64) {
        self.dashboards.insert(uid.to_string(), version);
    }

    pub fn recorded_panel(&self, uid: &str) -> Option<i64> {
        self.library_panels.get(uid).copied()
    }

    pub fn record_panel(&mut self, uid: &str, version: i64) {
        self.library_panels.insert(uid.to_string(), version);
    }
}

/// Where the state of a Grafana given by URL lives:
/// `$XDG_STATE_HOME/obsctl/grafana-<host>.json`, else under `~/.local/state`.
pub fn path_for_url(url: &str, env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let base = env("XDG_STATE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            env("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| Path::new(&h).join(".local/state"))
        })?;
    Some(
        base.join("obsctl")
            .join(format!("grafana-{}.json", server_name(url))),
    )
}

/// `https://grafana.example.com:3000/sub` -> `grafana.example.com_3000_sub`.
fn server_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.trim_end_matches('/');
    // Credentials in the URL are not part of the server's name.
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_named_after_the_server() {
        let env = |k: &str| (k == "XDG_STATE_HOME").then(|| "/state".to_string());
        assert_eq!(
            path_for_url("http://127.0.0.1:3000/", &env).unwrap(),
            PathBuf::from("/state/obsctl/grafana-127.0.0.1_3000.json")
        );
        let home = |k: &str| (k == "HOME").then(|| "/home/u".to_string());
        assert_eq!(
            path_for_url("https://u:p@grafana.example.com/g", &home).unwrap(),
            PathBuf::from("/home/u/.local/state/obsctl/grafana-grafana.example.com_g.json")
        );
        assert_eq!(path_for_url("http://x", &|_| None), None);
    }

    #[test]
    fn a_missing_file_is_empty_and_a_saved_one_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s/state.json");
        let mut s = State::load(&path).unwrap();
        assert_eq!(s, State::default());
        s.record("a", 3);
        s.save(&path).unwrap();
        assert_eq!(State::load(&path).unwrap().recorded("a"), Some(3));
        std::fs::write(&path, "{").unwrap();
        assert!(matches!(
            State::load(&path),
            Err(StateError::Invalid { .. })
        ));
    }
}
