//! `scrape:` in the spec: the user's own scrape jobs.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{BasicAuthSpec, SecretRef};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScrapeSpec {
    /// The Prometheus `job` label.
    pub job: String,
    /// `host:port` addresses.
    pub targets: Vec<String>,
    pub metrics_path: Option<String>,
    pub scheme: Option<String>,
    pub interval: Option<String>,
    pub timeout: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    pub basic_auth: Option<BasicAuthSpec>,
    pub bearer_token: Option<SecretRef>,
    pub tls_skip_verify: Option<bool>,
    pub honor_labels: Option<bool>,
    #[serde(default)]
    pub params: BTreeMap<String, Vec<String>>,
    /// How Prometheus reads an answer with a blank or unsupported
    /// Content-Type (Prometheus 3 refuses it otherwise).
    pub fallback_scrape_protocol: Option<String>,
}
