//! `alertmanager:` in the spec: the routing tree, receivers and inhibit rules.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::SecretRef;

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
