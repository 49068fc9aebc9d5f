//! `exporters:` in the spec: exporters run as containers of the stack.

use serde::Deserialize;

use super::SecretRef;

/// Exporters run as containers of the stack and scraped automatically.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportersSpec {
    pub node: Option<ExporterSpec>,
    pub cadvisor: Option<ExporterSpec>,
    pub postgres: Option<PostgresExporterSpec>,
    pub redis: Option<RedisExporterSpec>,
    /// Runs whenever `probes:` lists any; configured here.
    pub blackbox: Option<ExporterSpec>,
    pub pushgateway: Option<PushgatewaySpec>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExporterSpec {
    pub enabled: Option<bool>,
    pub image: Option<String>,
    /// Publish the exporter on this host port too (not needed for scraping).
    pub port: Option<u16>,
    pub interval: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostgresExporterSpec {
    pub enabled: Option<bool>,
    pub image: Option<String>,
    pub port: Option<u16>,
    pub interval: Option<String>,
    /// `host:port` of the database, as the exporter container reaches it.
    pub address: String,
    pub database: Option<String>,
    pub user: String,
    pub password: SecretRef,
    pub sslmode: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisExporterSpec {
    pub enabled: Option<bool>,
    pub image: Option<String>,
    pub port: Option<u16>,
    pub interval: Option<String>,
    /// `host:port` of Redis, as the exporter container reaches it.
    pub address: String,
    pub password: Option<SecretRef>,
}

/// The Pushgateway batch jobs push their metrics to.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushgatewaySpec {
    pub enabled: Option<bool>,
    pub image: Option<String>,
    /// Host port it is published on (default 9091), for jobs on this machine.
    pub port: Option<u16>,
    pub interval: Option<String>,
    /// Jobs expected to push regularly; each gets a stale-push alert.
    #[serde(default)]
    pub jobs: Vec<PushJobSpec>,
}

/// A batch job and how long it may go without pushing.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushJobSpec {
    /// The `job` it pushes under (`/metrics/job/<job>`).
    pub job: String,
    /// The longest expected time between two successful pushes, e.g. 2h.
    pub max_age: String,
}
