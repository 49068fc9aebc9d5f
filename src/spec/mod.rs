//! The `obsctl.yaml` file as written by users: serde types only.
//!
//! Every struct rejects unknown keys. Optional fields stay `Option` here; the
//! defaults are applied in one place, [`crate::model`], which also validates.

mod alerting;
mod exporters;
mod grafana;
mod load;
pub mod positions;
mod probes;
mod prometheus;
mod remote_write;
mod rules;
mod scrape;
mod secret;
mod slos;

use serde::Deserialize;

pub use alerting::{
    AlertmanagerSpec, EmailSpec, InhibitSpec, PagerDutySpec, ReceiverSpec, RouteSpec, SlackSpec,
    WebhookSpec,
};
pub use exporters::{
    ExporterSpec, ExportersSpec, PostgresExporterSpec, PushJobSpec, PushgatewaySpec,
    RedisExporterSpec,
};
pub use grafana::{DashboardSelection, GrafanaSpec};
pub use load::{load, nearest as nearest_word, Source, SpecError};
pub use probes::ProbeSpec;
pub use prometheus::{BasicAuthSpec, PrometheusSpec, RemoteWriteSpec};
pub use remote_write::{PrometheusMode, QueueSpec};
pub use rules::{AlertOverride, CustomAlertSpec, PackSetting, RulesSpec};
pub use scrape::{KubernetesScrapeSpec, PortSpec, ScrapeSpec};
pub use secret::{SecretRef, SecretValue};
pub use slos::SloSpec;

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
    /// Endpoints checked from the outside by the blackbox exporter.
    #[serde(default)]
    pub probes: Vec<ProbeSpec>,
    /// Service level objectives, each turned into burn-rate alerts.
    #[serde(default)]
    pub slos: Vec<SloSpec>,
    /// Existing Docker networks (the application's) the stack joins.
    #[serde(default)]
    pub networks: Vec<String>,
}
