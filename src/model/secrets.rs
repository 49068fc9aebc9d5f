//! Reading the secrets a spec refers to, at model-building time.

use std::path::Path;

use super::{Env, SecretFile};
use crate::diagnostic::Problems;
use crate::spec::{SecretRef, SecretValue};

pub struct Resolver<'a> {
    base_dir: &'a Path,
    env: Env<'a>,
}

impl<'a> Resolver<'a> {
    pub fn new(base_dir: &'a Path, env: Env<'a>) -> Self {
        Self { base_dir, env }
    }

    /// Reads `secret` for the spec field `field`; it will be rendered into
    /// `file`. A missing or empty secret is an error naming the variable.
    pub fn resolve(
        &mut self,
        problems: &mut Problems,
        field: &str,
        secret: &SecretRef,
        file: String,
    ) -> Option<SecretFile> {
        let value = match secret {
            SecretRef::Env(var) => match (self.env)(var) {
                Some(v) if !v.trim().is_empty() => v,
                Some(_) => {
                    problems.error(
                        field,
                        format!("environment variable {var} is empty"),
                        Some(format!("set {var} to the secret before running obsctl")),
                    );
                    return None;
                }
                None => {
                    problems.error(
                        field,
                        format!("environment variable {var} is not set"),
                        Some(format!(
                            "export {var}=... (or point the spec at a file with `{{file: PATH}}`)"
                        )),
                    );
                    return None;
                }
            },
            SecretRef::File(path) => {
                let full = self.base_dir.join(path);
                match std::fs::read_to_string(&full) {
                    Ok(v) if !v.trim().is_empty() => v.trim_end_matches(['\n', '\r']).to_string(),
                    Ok(_) => {
                        problems.error(
                            field,
                            format!("secret file {} is empty", full.display()),
                            None,
                        );
                        return None;
                    }
                    Err(e) => {
                        problems.error(
                            field,
                            format!("cannot read secret file {}: {e}", full.display()),
                            Some("paths are relative to the spec's folder".into()),
                        );
                        return None;
                    }
                }
            }
        };
        Some(SecretFile {
            file: format!("secrets/{file}"),
            value: SecretValue::new(value),
        })
    }
}
