//! Secrets in the Kubernetes output: the manifests only ever name a `Secret`
//! and a key (`{name, key}`); the values stay out of them. Every reference
//! is collected here, so the output's README can list what each Secret must
//! hold, and `--secrets` can write the Secrets themselves (from the spec's
//! environment variables and files, read at render time) into a separate,
//! private folder.
//!
//! One Secret per consumer (`<stack>-alertmanager`, `<stack>-prometheus`,
//! `<stack>-grafana-admin`, `<stack>-<exporter>`): a Pod that mounts a Secret
//! sees all of it, so an exporter never sees the receivers' keys.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::names::resource_name;
use crate::model::SecretFile;

/// What a key of a Secret holds.
#[derive(Debug, Clone)]
pub enum Content {
    /// A secret the spec refers to (empty when the secrets were not read).
    Secret(SecretFile),
    /// Plain text that a field only takes from a Secret (a Basic-auth user).
    Plain(String),
    /// A password obsctl generates (`None` when it was not asked to).
    Generated(Option<String>),
}

/// One key of a Secret: what it is for, and what it holds.
#[derive(Debug, Clone)]
pub struct Key {
    pub purpose: String,
    pub content: Content,
}

/// Every Secret the manifests refer to: Secret name -> key -> content.
#[derive(Debug, Default)]
pub struct Secrets {
    stack: String,
    pub secrets: BTreeMap<String, BTreeMap<String, Key>>,
}

impl Secrets {
    pub fn new(stack: &str) -> Self {
        Self {
            stack: stack.to_string(),
            secrets: BTreeMap::new(),
        }
    }

    /// The name of the Secret of `consumer` (`alertmanager`, `prometheus`...).
    pub fn name(&self, consumer: &str) -> String {
        resource_name(&[&self.stack, consumer])
    }

    /// A reference to the key holding `secret` in the Secret of `consumer`.
    pub fn secret(&mut self, consumer: &str, secret: &SecretFile, purpose: String) -> Value {
        let key = key_of(secret);
        self.add(consumer, key, purpose, Content::Secret(secret.clone()))
    }

    /// A reference to a key of `consumer`'s Secret holding plain `text`.
    pub fn plain(&mut self, consumer: &str, key: String, text: &str, purpose: String) -> Value {
        self.add(consumer, key, purpose, Content::Plain(text.to_string()))
    }

    /// A reference to a key of `consumer`'s Secret holding a generated password.
    pub fn generated(
        &mut self,
        consumer: &str,
        key: String,
        password: Option<String>,
        purpose: String,
    ) -> Value {
        self.add(consumer, key, purpose, Content::Generated(password))
    }

    /// `basicAuth` for an Operator field: the user and the password, both
    /// from `consumer`'s Secret (the Operator takes the user from one too),
    /// under `<key>-username` and `<key>-password`.
    pub fn basic_auth(
        &mut self,
        consumer: &str,
        user: &str,
        password: &SecretFile,
        what: &str,
    ) -> Value {
        let key = key_of(password);
        let stem = key.strip_suffix("-password").unwrap_or(&key);
        let username = self.plain(
            consumer,
            format!("{stem}-username"),
            user,
            format!("{what}: Basic-auth user"),
        );
        let password = self.secret(consumer, password, format!("{what}: Basic-auth password"));
        json!({"username": username, "password": password})
    }

    /// `authorization` for an Operator field: a bearer token from `consumer`'s Secret.
    pub fn bearer(&mut self, consumer: &str, token: &SecretFile, what: &str) -> Value {
        let credentials = self.secret(consumer, token, format!("{what}: bearer token"));
        json!({"type": "Bearer", "credentials": credentials})
    }

    fn add(&mut self, consumer: &str, key: String, purpose: String, content: Content) -> Value {
        let name = self.name(consumer);
        let reference = json!({"name": name, "key": key});
        self.secrets
            .entry(name)
            .or_default()
            .insert(key, Key { purpose, content });
        reference
    }
}

/// The key a secret is kept under: its file name (`secrets/slack-ops` ->
/// `slack-ops`), already limited to `[A-Za-z0-9_.-]` by the model.
pub fn key_of(secret: &SecretFile) -> String {
    secret
        .file
        .strip_prefix("secrets/")
        .unwrap_or(&secret.file)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::SecretValue;

    fn file(name: &str, value: &str) -> SecretFile {
        SecretFile {
            file: format!("secrets/{name}"),
            value: SecretValue::new(value),
        }
    }

    #[test]
    fn a_reference_names_the_consumers_secret_and_the_key_never_the_value() {
        let mut s = Secrets::new("shop");
        let r = s.secret(
            "alertmanager",
            &file("slack-ops", "https://hooks.example/T/B/x"),
            "Slack".into(),
        );
        assert_eq!(r, json!({"name": "shop-alertmanager", "key": "slack-ops"}));
        assert!(!r.to_string().contains("hooks.example"));
        let u = s.plain(
            "prometheus",
            "scrape-db-username".into(),
            "prom",
            "user".into(),
        );
        assert_eq!(
            u,
            json!({"name": "shop-prometheus", "key": "scrape-db-username"})
        );
        assert_eq!(
            s.secrets.keys().collect::<Vec<_>>(),
            ["shop-alertmanager", "shop-prometheus"]
        );
    }
}
