//! The output's README.md: how to apply it, what each kind is for, the
//! release label and Alertmanager's matcher strategy, the Secrets (names
//! and keys, never values) the resources need, and how the probes and the
//! Pushgateway are carried over.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::workload::Workload;
use super::{blackbox, pushgateway, Out};
use crate::error::Error;
use crate::model::{ExporterKind, ProbeModule, Prometheus, Service};

/// The exporters obsctl runs in the cluster itself, as the spec enables them.
fn own_exporters(out: &Out) -> Vec<&'static str> {
    out.model
        .exporters
        .iter()
        .filter(|e| !matches!(e.kind, ExporterKind::Node | ExporterKind::Cadvisor))
        .map(|e| e.service().name())
        .collect()
}

/// What each kind the render may write is for.
fn about(kind: &str, out: &Out) -> String {
    let exporters = own_exporters(out).join(", ");
    match kind {
        "PrometheusRule" => "the rule packs, inline alerts and your rule files, one per rule file the Docker stack loads".into(),
        "ScrapeConfig" => "scrape jobs with static targets".into(),
        "ServiceMonitor" => format!("scrape jobs that name a Service, and the exporters obsctl runs here ({exporters})"),
        "PodMonitor" => "scrape jobs that select Pods by labels".into(),
        "Probe" => "the probes, through the blackbox exporter".into(),
        "AlertmanagerConfig" => "the routes, receivers and inhibit rules".into(),
        "ConfigMap" if out.model.exporters.iter().any(|e| e.kind == ExporterKind::Blackbox) => {
            "the dashboards, for Grafana's sidecar; the blackbox exporter's modules".into()
        }
        "ConfigMap" => "the dashboards, for Grafana's sidecar".into(),
        "Deployment" => format!("the exporters the chart does not ship ({exporters})"),
        "Service" => format!("the metrics port of {exporters}"),
        "PersistentVolumeClaim" => "the Pushgateway's pushed metrics, kept across restarts".into(),
        _ => String::new(),
    }
}

/// What values.yaml sets for Prometheus, as the spec has it.
fn prometheus_summary(p: &Prometheus) -> String {
    let mut parts = vec!["Prometheus' intervals"];
    if p.is_agent() {
        parts.insert(0, "`prometheus.agentMode` (the chart then runs a PrometheusAgent, which scrapes and remote-writes only)");
    } else {
        parts.push("retention");
    }
    if !p.external_labels.is_empty() {
        parts.push("external labels");
    }
    if !p.enable_features.is_empty() {
        parts.push("feature flags");
    }
    if p.remote_write_receiver {
        parts.push("the remote-write receiver");
    }
    if !p.remote_write.is_empty() {
        parts.push("remote write");
    }
    parts.push("the selectors that pick these resources up");
    let last = parts.pop().unwrap_or_default();
    format!("{}, and {last}", parts.join(", "))
}

pub(super) fn render(out: &Out, kinds: &BTreeMap<String, usize>) -> Result<String, Error> {
    let model = out.model;
    let kinds: Vec<Value> = kinds
        .iter()
        .map(|(kind, count)| json!({"kind": kind, "count": count, "about": about(kind, out)}))
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
    let mut summary: Vec<&str> = Vec::new();
    let prometheus = model.prometheus.as_ref().map(prometheus_summary);
    summary.extend(prometheus.as_deref());
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
            ExporterKind::Blackbox => "blackbox-exporter: a Deployment, a Service, a ServiceMonitor and the ConfigMap of its modules here (see [Probes](#probes))".to_string(),
            ExporterKind::Pushgateway => "pushgateway: a Deployment, a Service, a ServiceMonitor and a PersistentVolumeClaim here (see [The Pushgateway](#the-pushgateway))".to_string(),
        });
    }
    let blackbox = Service::Exporter(ExporterKind::Blackbox);
    let push = Service::Exporter(ExporterKind::Pushgateway);
    let has = |kind| model.exporters.iter().any(|e| e.kind == kind);
    let context = json!({
        "stack": model.name,
        "namespace": out.settings.namespace,
        "receiver": model.prometheus.as_ref().is_some_and(|p| p.remote_write_receiver),
        "release": out.settings.release,
        "kinds": kinds,
        "values_summary": summary.join("; "),
        "prometheus": model.prometheus.is_some(),
        "alertmanager": model.alertmanager.is_some(),
        "grafana": model.grafana.is_some(),
        "secrets": secrets,
        "secrets_written": out.settings.secrets,
        "exporters": exporters,
        "blackbox": has(ExporterKind::Blackbox).then(|| json!({
            "address": Workload::address(blackbox, &model.name, &out.settings.namespace),
            "probes": model.probes.len(),
            "icmp": model.probes.iter().any(|p| p.module == ProbeModule::Icmp),
            "uid": blackbox::UID,
            "sysctl": blackbox::PING_GROUP_RANGE,
            "checksum": blackbox::CONFIG_CHECKSUM,
        })),
        "pushgateway": has(ExporterKind::Pushgateway).then(|| json!({
            "address": Workload::address(push, &model.name, &out.settings.namespace),
            "size": pushgateway::VOLUME_SIZE,
        })),
    });
    crate::render::render_template("kubernetes/README.md", &context)
}
