//! `prometheus:` in the spec: the server, its storage and where it writes to.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{PrometheusMode, QueueSpec, SecretRef};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrometheusSpec {
    pub enabled: Option<bool>,
    /// `server` (default) or `agent`: scrape and remote-write only.
    pub mode: Option<PrometheusMode>,
    /// Accept remote write from edges (`--web.enable-remote-write-receiver`).
    pub remote_write_receiver: Option<bool>,
    /// External labels that tell the edges writing here apart (`[site]`):
    /// rule packs keep them in every aggregation, dashboards filter on them.
    #[serde(default)]
    pub edge_labels: Vec<String>,
    pub image: Option<String>,
    pub port: Option<u16>,
    pub scrape_interval: Option<String>,
    pub scrape_timeout: Option<String>,
    pub evaluation_interval: Option<String>,
    /// How long samples are kept (`15d`).
    pub retention: Option<String>,
    /// Size cap for the TSDB (`10GB`).
    pub retention_size: Option<String>,
    #[serde(default)]
    pub external_labels: BTreeMap<String, String>,
    /// Paths or globs (relative to the spec) of the user's own rule files.
    #[serde(default)]
    pub rule_files: Vec<String>,
    #[serde(default)]
    pub remote_write: Vec<RemoteWriteSpec>,
    /// Prometheus feature flags (`--enable-feature`), e.g.
    /// `promql-experimental-functions`.
    #[serde(default)]
    pub enable_features: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteWriteSpec {
    pub url: String,
    pub name: Option<String>,
    pub basic_auth: Option<BasicAuthSpec>,
    pub bearer_token: Option<SecretRef>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Timeout of one send (`30s`).
    pub remote_timeout: Option<String>,
    /// The sending queue (Prometheus' `queue_config`).
    pub queue: Option<QueueSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuthSpec {
    pub username: String,
    pub password: SecretRef,
}
