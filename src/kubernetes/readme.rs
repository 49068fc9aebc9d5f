//! The output's README.md: how to apply it, what each kind is for, the
//! release label and Alertmanager's matcher strategy, and the Secrets (names
//! and keys, never values) the resources need.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::Out;
use crate::error::Error;
use crate::model::ExporterKind;

/// What each kind the render may write is for.
fn about(kind: &str) -> &'static str {
    match kind {
        "PrometheusRule" => "the rule packs, inline alerts and your rule files, one per rule file the Docker stack loads",
        "ScrapeConfig" => "scrape jobs with static targets",
        "ServiceMonitor" => "scrape jobs that name a Service, and the Postgres/Redis exporters",
        "PodMonitor" => "scrape jobs that select Pods by labels",
        "AlertmanagerConfig" => "the routes, receivers and inhibit rules",
        "ConfigMap" => "the dashboards, for Grafana's sidecar",
        "Deployment" => "the Postgres/Redis exporters",
        "Service" => "the Postgres/Redis exporters' metrics port",
        _ => "",
    }
}

pub(super) fn render(out: &Out, kinds: &BTreeMap<String, usize>) -> Result<String, Error> {
    let model = out.model;
    let kinds: Vec<Value> = kinds
        .iter()
        .map(|(kind, count)| json!({"kind": kind, "count": count, "about": about(kind)}))
        .collect();
    let secrets: Vec<Value> = out
        .secrets
        .secrets
        .iter()
        .flat_map(|(name, keys)| {
            keys.iter()
                .map(move |(key, k)| json!({"secret": name, "key": key, "purpose": k.purpose}))
        })
        .collect();
    let mut summary = Vec::new();
    if model.prometheus.is_some() {
        summary.push("Prometheus' intervals, retention, external labels and remote write, and the selectors that pick these resources up");
    }
    if model.alertmanager.is_some() {
        summary.push("Alertmanager's resolve timeout and matcher strategy");
    }
    if model.grafana.is_some() {
        summary.push("Grafana's admin Secret, dashboard sidecar and datasource uid");
    }
    summary.push(
        "the chart's parts the spec turns off, and the exporters it ships that the spec turns on",
    );
    let mut exporters = Vec::new();
    for e in &model.exporters {
        exporters.push(match e.kind {
            ExporterKind::Node => "node-exporter: the chart's DaemonSet (`nodeExporter.enabled`), on every node".to_string(),
            ExporterKind::Cadvisor => "cAdvisor: built into each node's kubelet, scraped by the chart (`kubelet.serviceMonitor.cAdvisor`)".to_string(),
            ExporterKind::Postgres | ExporterKind::Redis => format!(
                "{}: a Deployment, a Service and a ServiceMonitor here, its password mounted from its Secret as a file; the address the spec gives (`{}.address`) must resolve in the cluster",
                e.service().name(),
                e.service().spec_field()
            ),
            ExporterKind::Blackbox | ExporterKind::Pushgateway => format!(
                "{}: not rendered for Kubernetes by this version of obsctl",
                e.service().name()
            ),
        });
    }
    let context = json!({
        "stack": model.name,
        "namespace": out.settings.namespace,
        "release": out.settings.release,
        "kinds": kinds,
        "values_summary": summary.join("; "),
        "prometheus": model.prometheus.is_some(),
        "alertmanager": model.alertmanager.is_some(),
        "grafana": model.grafana.is_some(),
        "secrets": secrets,
        "secrets_written": out.settings.secrets,
        "exporters": exporters,
    });
    crate::render::render_template("kubernetes/README.md", &context)
}
