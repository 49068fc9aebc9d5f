//! Credentials obsctl generates and keeps in the stack directory: the Grafana
//! admin password.
//!
//! Grafana applies `GF_SECURITY_ADMIN_PASSWORD` only when it creates its
//! database, so the password is generated once and never regenerated: a new
//! value would not change the real password, only make the file wrong.

use std::io;
use std::path::{Path, PathBuf};

use rand::distr::Alphanumeric;
use rand::Rng;

use crate::fs::atomic_write;

/// The password file, in the stack directory (mode 0600).
pub const GRAFANA_PASSWORD_FILE: &str = "grafana-admin-password";
/// Length of generated passwords (alphanumeric: about 190 bits).
const PASSWORD_LEN: usize = 32;

/// The Grafana admin password and where it is kept.
pub struct GrafanaPassword {
    pub path: PathBuf,
    pub value: String,
    /// True when this call generated it.
    pub created: bool,
}

/// Reads the stored password, generating and storing one if there is none.
pub fn grafana_password(dir: &Path) -> io::Result<GrafanaPassword> {
    let password = read_or_generate(dir)?;
    if password.created {
        store(&password)?;
    }
    Ok(password)
}

/// Keeps a password [`read_or_generate`] made (mode 0600).
pub fn store(password: &GrafanaPassword) -> io::Result<()> {
    atomic_write(&password.path, password.value.as_bytes(), 0o600)
}

/// Reads the stored password, or generates one without storing it yet
/// (then `created` is true, and [`store`] keeps it once it is used).
pub fn read_or_generate(dir: &Path) -> io::Result<GrafanaPassword> {
    let path = dir.join(GRAFANA_PASSWORD_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => {
            return Ok(GrafanaPassword {
                path,
                value: text.trim_end_matches(['\n', '\r']).to_string(),
                created: false,
            })
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
    }
    let value: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(PASSWORD_LEN)
        .map(char::from)
        .collect();
    Ok(GrafanaPassword {
        path,
        value,
        created: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_password_is_generated_once_private_and_then_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = grafana_password(dir.path()).unwrap();
        assert!(first.created);
        assert!(first.value.len() >= 24);
        let mode = std::fs::metadata(&first.path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let again = grafana_password(dir.path()).unwrap();
        assert!(!again.created);
        assert_eq!(again.value, first.value);
    }
}
