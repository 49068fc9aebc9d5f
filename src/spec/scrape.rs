//! `scrape:` in the spec: the user's own scrape jobs.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{BasicAuthSpec, SecretRef};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScrapeSpec {
    /// The Prometheus `job` label.
    pub job: String,
    /// `host:port` addresses (what the Docker stack scrapes).
    #[serde(default)]
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
    /// How Prometheus parses an answer with no, or an unknown, Content-Type
    /// (`PrometheusText0.0.4`, ...); Prometheus 3 refuses such answers otherwise.
    pub fallback_scrape_protocol: Option<String>,
    /// Where the job's targets run in Kubernetes, for `render --target
    /// kubernetes` (a ServiceMonitor or PodMonitor instead of static targets).
    pub kubernetes: Option<KubernetesScrapeSpec>,
}

/// `scrape[].kubernetes`: a Service by name, or Pods by labels.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KubernetesScrapeSpec {
    /// The Service's name (scraped through a ServiceMonitor).
    pub service: Option<String>,
    /// Labels the Pods carry (scraped through a PodMonitor).
    pub pod_selector: Option<BTreeMap<String, String>>,
    /// The namespace of the Service or Pods [default: the render's namespace].
    pub namespace: Option<String>,
    /// The port: its name, or its number.
    pub port: Option<PortSpec>,
}

/// A port by name (`http`) or by number (`8000`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum PortSpec {
    Number(i64),
    Name(String),
}
