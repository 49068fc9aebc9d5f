//! Spec settings that only the Docker stack can use, warned about by field
//! so that nothing the spec sets is dropped without a word: the host address
//! and ports it publishes, the images of the components kube-prometheus-stack
//! runs itself (each with the chart value that sets it), the Docker networks
//! it joins, and exporter addresses that name Docker's host or the local one.
//! Everything else the spec sets is rendered (resources, or values.yaml).

use super::scrape::docker_only;
use super::Out;
use crate::model::ExporterKind;

/// The components the chart runs, and the value that picks their image.
const CHART_IMAGES: [(&str, &str); 4] = [
    ("prometheus", "prometheus.prometheusSpec.image"),
    ("alertmanager", "alertmanager.alertmanagerSpec.image"),
    ("grafana", "grafana.image"),
    ("exporters.node", "prometheus-node-exporter.image"),
];

/// Sections with a `port` the Docker stack publishes on the host.
const PUBLISHED: [&str; 9] = [
    "prometheus",
    "alertmanager",
    "grafana",
    "exporters.node",
    "exporters.cadvisor",
    "exporters.postgres",
    "exporters.redis",
    "exporters.blackbox",
    "exporters.pushgateway",
];

pub(super) fn warn(out: &mut Out) {
    let w = &mut out.warnings;
    if w.is_written("bind") {
        w.warning(
            "bind",
            "the host address the Docker stack publishes its ports on means nothing in a cluster, so the Kubernetes render does not use it",
            Some("reach Prometheus, Alertmanager and Grafana with `kubectl port-forward`, or through the chart's `ingress` values".into()),
        );
    }
    if w.is_written("networks") {
        w.warning(
            "networks",
            "Docker networks have no counterpart in a cluster, where every Pod reaches every Service by its DNS name; the Kubernetes render does not use them",
            Some("say where each job runs with `scrape[].kubernetes: {service: NAME}` or `{pod_selector: {...}}`".into()),
        );
    }
    for section in PUBLISHED {
        let field = format!("{section}.port");
        if w.is_written(&field) {
            w.warning(
                &field,
                "a host port of the Docker stack; in a cluster the Service's own port is used",
                Some("reach it with `kubectl port-forward`, or through the Service's in-cluster address (README.md in the output)".into()),
            );
        }
    }
    for (section, value) in CHART_IMAGES {
        let field = format!("{section}.image");
        if w.is_written(&field) {
            w.warning(
                &field,
                "kube-prometheus-stack runs this component with the image of its release, so the Kubernetes render does not use this one",
                Some(format!("set `{value}` (registry, repository, tag) in your own values, after obsctl's")),
            );
        }
    }
    if w.is_written("exporters.cadvisor.image") {
        w.warning(
            "exporters.cadvisor.image",
            "in a cluster cAdvisor is the kubelet's own, scraped through the chart's kubelet ServiceMonitor; there is no image to run",
            None,
        );
    }
    for e in &out.model.exporters {
        // The address the spec gave, as the exporter's environment holds it.
        let env = |name: &str| e.env.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        let (field, address) = match e.kind {
            ExporterKind::Postgres => (
                "exporters.postgres.address",
                env("DATA_SOURCE_URI").and_then(|u| u.split('/').next()),
            ),
            ExporterKind::Redis => (
                "exporters.redis.address",
                env("REDIS_ADDR").and_then(|a| a.strip_prefix("redis://")),
            ),
            _ => continue,
        };
        let Some(address) = address else { continue };
        let host = address.rsplit_once(':').map_or(address, |(h, _)| h);
        if let Some(why) = docker_only(host, "the exporter's Pod") {
            out.warnings.warning(
                field,
                format!("`{address}` {why}, not a place in the cluster"),
                Some("give the database's Service address (`NAME.NAMESPACE.svc:PORT`)".into()),
            );
        }
    }
}
