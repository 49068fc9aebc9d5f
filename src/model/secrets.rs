//! Reading the secrets a spec refers to, at model-building time (or, for
//! output that only refers to them, naming them without reading them).

use std::path::Path;

use super::{Env, SecretFile};
use crate::diagnostic::Problems;
use crate::spec::{BasicAuthSpec, SecretRef, SecretValue};

/// HTTP credentials as rendered: Basic auth (user and password file) or a
/// bearer token file.
pub struct HttpAuth {
    pub basic_auth: Option<(String, SecretFile)>,
    pub bearer_token: Option<SecretFile>,
}

pub struct Resolver<'a> {
    base_dir: &'a Path,
    env: Env<'a>,
    /// False when only the references are wanted: no variable or file is
    /// read, and every secret's value is left empty.
    read: bool,
}

impl<'a> Resolver<'a> {
    pub fn new(base_dir: &'a Path, env: Env<'a>) -> Self {
        Self {
            base_dir,
            env,
            read: true,
        }
    }

    /// A resolver that never reads a secret: for output that only refers
    /// to secrets (Kubernetes manifests), so they need not be at hand.
    pub fn references_only(base_dir: &'a Path, env: Env<'a>) -> Self {
        Self {
            read: false,
            ..Self::new(base_dir, env)
        }
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
        if !self.read {
            return Some(SecretFile {
                file: format!("secrets/{file}"),
                value: SecretValue::new(String::new()),
            });
        }
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

    /// Reads the HTTP credentials of `field` (a scrape job or a remote
    /// write): at most one of Basic auth and a bearer token, rendered into
    /// `{name}-password` or `{name}-token`.
    pub fn http_auth(
        &mut self,
        problems: &mut Problems,
        field: &str,
        basic_auth: Option<&BasicAuthSpec>,
        bearer_token: Option<&SecretRef>,
        name: &str,
    ) -> HttpAuth {
        if basic_auth.is_some() && bearer_token.is_some() {
            problems.error(
                field,
                "set either basic_auth or bearer_token, not both",
                None,
            );
        }
        let basic_auth = basic_auth.and_then(|b| {
            self.resolve(
                problems,
                &format!("{field}.basic_auth.password"),
                &b.password,
                format!("{name}-password"),
            )
            .map(|f| (b.username.clone(), f))
        });
        let bearer_token = bearer_token.and_then(|t| {
            self.resolve(
                problems,
                &format!("{field}.bearer_token"),
                t,
                format!("{name}-token"),
            )
        });
        HttpAuth {
            basic_auth,
            bearer_token,
        }
    }
}
