//! The `obsctl.yaml` file as written by users: serde types only.
//!
//! Every struct rejects unknown keys. Optional fields stay `Option` here; the
//! defaults are applied in one place, [`crate::model`], which also validates.

mod load;
pub mod positions;
mod secret;

use std::collections::BTreeMap;

use serde::Deserialize;

pub use load::{load, nearest as nearest_word, Source, SpecError};
pub use secret::{SecretRef, SecretValue};

/// The whole spec.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Stack name: prefix of container, network and volume names, and the value
    /// of the ownership label.
    pub name: Option<String>,
    /// Host address that published ports bind to (default 127.0.0.1).
    pub bind: Option<String>,
    #[serde(default)]
    pub prometheus: PrometheusSpec,
    #[serde(default)]
    pub alertmanager: AlertmanagerSpec,
    #[serde(default)]
    pub grafana: GrafanaSpec,
    /// The user's own scrape jobs.
    #[serde(default)]
    pub scrape: Vec<ScrapeSpec>,
    #[serde(default)]
    pub exporters: ExportersSpec,
    #[serde(default)]
    pub rules: RulesSpec,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrometheusSpec {
    pub enabled: Option<bool>,
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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuthSpec {
    pub username: String,
    pub password: SecretRef,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertmanagerSpec {
    pub enabled: Option<bool>,
    pub image: Option<String>,
    pub port: Option<u16>,
    pub resolve_timeout: Option<String>,
    pub route: Option<RouteSpec>,
    #[serde(default)]
    pub receivers: Vec<ReceiverSpec>,
    #[serde(default)]
    pub inhibit_rules: Vec<InhibitSpec>,
}

/// A routing-tree node. The root needs a receiver; children inherit.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    pub receiver: Option<String>,
    /// Label equality shorthand: `{severity: critical}`.
    #[serde(default, rename = "match")]
    pub match_labels: BTreeMap<String, String>,
    /// Alertmanager matcher strings: `severity=~"critical|page"`.
    #[serde(default)]
    pub matchers: Vec<String>,
    pub group_by: Option<Vec<String>>,
    pub group_wait: Option<String>,
    pub group_interval: Option<String>,
    pub repeat_interval: Option<String>,
    #[serde(rename = "continue")]
    pub continue_matching: Option<bool>,
    #[serde(default)]
    pub routes: Vec<RouteSpec>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiverSpec {
    pub name: String,
    pub slack: Option<SlackSpec>,
    pub pagerduty: Option<PagerDutySpec>,
    pub email: Option<EmailSpec>,
    pub webhook: Option<WebhookSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackSpec {
    pub webhook_url: SecretRef,
    pub channel: Option<String>,
    pub title: Option<String>,
    pub text: Option<String>,
    pub send_resolved: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerDutySpec {
    /// Events API v2 integration key.
    pub routing_key: Option<SecretRef>,
    /// "Prometheus" (Events API v1) integration key.
    pub service_key: Option<SecretRef>,
    pub severity: Option<String>,
    pub send_resolved: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSpec {
    pub to: String,
    pub from: String,
    /// `host:port` of the SMTP server.
    pub smarthost: String,
    pub username: Option<String>,
    pub password: Option<SecretRef>,
    pub require_tls: Option<bool>,
    pub send_resolved: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSpec {
    /// A plain URL, for endpoints that are not secret.
    pub url: Option<String>,
    /// A URL that carries a token, read from the environment or a file.
    pub url_secret: Option<SecretRef>,
    pub send_resolved: Option<bool>,
    pub max_alerts: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InhibitSpec {
    #[serde(default)]
    pub source: BTreeMap<String, String>,
    #[serde(default)]
    pub target: BTreeMap<String, String>,
    #[serde(default)]
    pub equal: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrafanaSpec {
    pub enabled: Option<bool>,
    pub image: Option<String>,
    pub port: Option<u16>,
    /// Public URL users reach Grafana at (`GF_SERVER_ROOT_URL`).
    pub root_url: Option<String>,
    pub admin_user: Option<String>,
    /// Built-in dashboards to provision: `all` (default), `none`, or a list.
    pub builtin_dashboards: Option<DashboardSelection>,
    /// The user's own dashboard files or folders (relative to the spec).
    #[serde(default)]
    pub dashboards: Vec<String>,
}

/// `all`, `none`, or a list of built-in dashboard names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum DashboardSelection {
    Keyword(String),
    List(Vec<String>),
}

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
}

/// Exporters run as containers of the stack and scraped automatically.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportersSpec {
    pub node: Option<ExporterSpec>,
    pub cadvisor: Option<ExporterSpec>,
    pub postgres: Option<PostgresExporterSpec>,
    pub redis: Option<RedisExporterSpec>,
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

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesSpec {
    /// Built-in packs to enable, each with optional per-alert overrides.
    /// `stack` is on unless set to `false`.
    #[serde(default)]
    pub packs: BTreeMap<String, PackSetting>,
    /// Alerts written inline in the spec.
    #[serde(default)]
    pub alerts: Vec<CustomAlertSpec>,
}

/// `http:` (defaults), `http: false`, or `http: {HTTPHighErrorRatio: {threshold: 0.1}}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "serde_yaml::Value")]
pub enum PackSetting {
    Toggle(bool),
    Alerts(BTreeMap<String, AlertOverride>),
}

impl TryFrom<serde_yaml::Value> for PackSetting {
    type Error = String;

    fn try_from(value: serde_yaml::Value) -> Result<Self, Self::Error> {
        use serde_yaml::Value;
        match value {
            Value::Null => Ok(PackSetting::Toggle(true)),
            Value::Bool(on) => Ok(PackSetting::Toggle(on)),
            Value::Mapping(map) => {
                let mut alerts = BTreeMap::new();
                for (name, body) in map {
                    let name = name
                        .as_str()
                        .ok_or("alert names in a pack are strings")?
                        .to_string();
                    let body = if body.is_null() {
                        AlertOverride::default()
                    } else {
                        serde_yaml::from_value(body).map_err(|e| format!("alert `{name}`: {e}"))?
                    };
                    alerts.insert(name, body);
                }
                Ok(PackSetting::Alerts(alerts))
            }
            _ => Err("a pack is enabled with `true`, disabled with `false`, or given per-alert overrides such as `{NodeHighCPUUsage: {threshold: 90}}`".into()),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertOverride {
    pub enabled: Option<bool>,
    pub threshold: Option<f64>,
    #[serde(rename = "for")]
    pub for_: Option<String>,
    pub severity: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomAlertSpec {
    pub alert: String,
    pub expr: String,
    #[serde(rename = "for")]
    pub for_: Option<String>,
    pub severity: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}
