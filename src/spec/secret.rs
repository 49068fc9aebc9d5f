//! References to secrets: `{env: NAME}` or `{file: PATH}`, never the value itself.
//!
//! A spec is meant to be committed, so it may only say *where* a secret lives.
//! The value is read while building the model and is held in [`SecretValue`],
//! whose `Debug` never shows it.

use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;

/// Where a secret is read from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "serde_yaml::Value")]
pub enum SecretRef {
    Env(String),
    File(PathBuf),
}

impl TryFrom<serde_yaml::Value> for SecretRef {
    type Error = String;

    fn try_from(value: serde_yaml::Value) -> Result<Self, Self::Error> {
        use serde_yaml::Value;
        const HINT: &str = "write `{env: VARIABLE}` or `{file: PATH}`";
        let map = match value {
            Value::Mapping(map) => map,
            Value::String(_) => {
                return Err(format!(
                    "secrets are not written into the spec; {HINT} so the value stays out of files you commit"
                ))
            }
            _ => return Err(format!("expected a secret reference; {HINT}")),
        };
        if map.len() != 1 {
            return Err(format!(
                "a secret reference has exactly one of `env` or `file`; {HINT}"
            ));
        }
        let (key, val) = map.into_iter().next().expect("one entry");
        let val = match val {
            Value::String(s) if !s.trim().is_empty() => s,
            _ => {
                return Err(format!(
                    "the secret's `{}` must be a non-empty string",
                    key.as_str().unwrap_or("?")
                ))
            }
        };
        match key.as_str() {
            Some("env") => Ok(SecretRef::Env(val)),
            Some("file") => Ok(SecretRef::File(PathBuf::from(val))),
            other => Err(format!(
                "unknown secret source `{}`; {HINT}",
                other.unwrap_or("?")
            )),
        }
    }
}

impl fmt::Display for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretRef::Env(name) => write!(f, "environment variable {name}"),
            SecretRef::File(path) => write!(f, "file {}", path.display()),
        }
    }
}

/// A secret's value, read at model-building time. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(String);

impl SecretValue {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretValue(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<SecretRef, String> {
        serde_yaml::from_str::<SecretRef>(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn env_and_file_references_parse() {
        assert_eq!(parse("{env: SLACK}"), Ok(SecretRef::Env("SLACK".into())));
        assert_eq!(
            parse("{file: /run/key}"),
            Ok(SecretRef::File("/run/key".into()))
        );
    }

    #[test]
    fn a_literal_secret_is_refused_with_a_hint() {
        let err = parse("https://hooks.slack.com/x").unwrap_err();
        assert!(
            err.contains("secrets are not written into the spec"),
            "{err}"
        );
        assert!(err.contains("{env: VARIABLE}"), "{err}");
    }

    #[test]
    fn unknown_sources_are_refused() {
        assert!(parse("{vault: x}")
            .unwrap_err()
            .contains("unknown secret source `vault`"));
        assert!(parse("{env: A, file: b}")
            .unwrap_err()
            .contains("exactly one"));
    }

    #[test]
    fn debug_never_shows_the_value() {
        assert_eq!(
            format!("{:?}", SecretValue::new("hunter2")),
            "SecretValue(<redacted>)"
        );
    }
}
