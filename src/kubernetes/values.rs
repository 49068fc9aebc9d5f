//! The fragment of kube-prometheus-stack's values that carries what the spec
//! sets for the components the chart runs: Prometheus (intervals, retention,
//! external labels, feature flags, agent mode, the remote-write receiver,
//! remote write with credentials by Secret reference and its queue, the
//! selectors that pick up obsctl's resources), Alertmanager (the matcher
//! strategy obsctl's routes need), Grafana (the admin Secret, the dashboard
//! sidecar's folders, the datasource uid the dashboards use) and the
//! exporters the chart ships (node-exporter, cAdvisor through the kubelet).

use serde_json::{json, Map, Value};

use super::dashboards::{CHART_PROMETHEUS_UID, FOLDER_ANNOTATION, LABEL};
use super::scrape::CONSUMER as PROMETHEUS_SECRET;
use super::Out;
use crate::model::{queue_settings, ExporterKind, RemoteWrite};

/// The Secret consumer and keys of the Grafana admin (the chart's default key names).
pub const GRAFANA_CONSUMER: &str = "grafana-admin";
pub const GRAFANA_USER_KEY: &str = "admin-user";
pub const GRAFANA_PASSWORD_KEY: &str = "admin-password";

pub(super) fn fragment(out: &mut Out) -> Value {
    let mut values = Map::new();
    values.insert("prometheus".into(), prometheus(out));
    values.insert("alertmanager".into(), alertmanager(out));
    values.insert("grafana".into(), grafana(out));
    let model = out.model;
    if let Some(node) = model
        .exporters
        .iter()
        .find(|e| e.kind == ExporterKind::Node)
    {
        values.insert("nodeExporter".into(), json!({"enabled": true}));
        if let Some(i) = &node.interval {
            values.insert(
                "prometheus-node-exporter".into(),
                json!({"prometheus": {"monitor": {"interval": i}}}),
            );
        }
    }
    if let Some(c) = model
        .exporters
        .iter()
        .find(|e| e.kind == ExporterKind::Cadvisor)
    {
        let mut monitor = json!({"cAdvisor": true});
        if let Some(i) = &c.interval {
            monitor["interval"] = json!(i);
        }
        values.insert(
            "kubelet".into(),
            json!({"enabled": true, "serviceMonitor": monitor}),
        );
    }
    Value::Object(values)
}

fn prometheus(out: &mut Out) -> Value {
    let Some(prom) = &out.model.prometheus else {
        return json!({"enabled": false});
    };
    let agent = prom.is_agent();
    let mut spec = Map::new();
    spec.insert("scrapeInterval".into(), json!(prom.scrape_interval));
    spec.insert("scrapeTimeout".into(), json!(prom.scrape_timeout));
    // An agent evaluates no rules and keeps no data: the chart leaves these
    // out of its PrometheusAgent, whose schema has no such fields.
    if !agent {
        spec.insert("evaluationInterval".into(), json!(prom.evaluation_interval));
        spec.insert("retention".into(), json!(prom.retention));
        if let Some(size) = &prom.retention_size {
            spec.insert("retentionSize".into(), json!(size));
        }
    }
    if !prom.external_labels.is_empty() {
        spec.insert("externalLabels".into(), json!(prom.external_labels));
    }
    if !prom.enable_features.is_empty() {
        spec.insert("enableFeatures".into(), json!(prom.enable_features));
    }
    if prom.remote_write_receiver {
        spec.insert("enableRemoteWriteReceiver".into(), json!(true));
    }
    let remote_write: Vec<Value> = prom
        .remote_write
        .iter()
        .map(|rw| remote_write(out, rw))
        .collect();
    if !remote_write.is_empty() {
        spec.insert("remoteWrite".into(), json!(remote_write));
    }
    // With these (the chart's defaults, written out because obsctl relies on
    // them), the chart's Prometheus selects resources labelled
    // `release: <the Helm release>`, as obsctl's are. An agent selects no
    // rules.
    let rule = (!agent).then_some("rule");
    for kind in rule
        .into_iter()
        .chain(["serviceMonitor", "podMonitor", "probe", "scrapeConfig"])
    {
        spec.insert(format!("{kind}SelectorNilUsesHelmValues"), json!(true));
    }
    let mut values = json!({"enabled": true});
    if agent {
        // The chart then makes a PrometheusAgent of `prometheusSpec`.
        values["agentMode"] = json!(true);
    }
    values["prometheusSpec"] = Value::Object(spec);
    values
}

/// One `remoteWrite` entry: credentials by Secret reference, and the send
/// timeout and queue under the Operator's names (`retry_on_http_429` is its
/// `retryOnRateLimit`).
fn remote_write(out: &mut Out, rw: &RemoteWrite) -> Value {
    let mut entry = Map::new();
    entry.insert("url".into(), json!(rw.url));
    if let Some(n) = &rw.name {
        entry.insert("name".into(), json!(n));
    }
    let what = format!("remote write {}", rw.name.as_deref().unwrap_or(&rw.url));
    if let Some((user, password)) = &rw.basic_auth {
        let auth = out
            .secrets
            .basic_auth(PROMETHEUS_SECRET, user, password, &what);
        entry.insert("basicAuth".into(), auth);
    }
    if let Some(token) = &rw.bearer_token {
        let auth = out.secrets.bearer(PROMETHEUS_SECRET, token, &what);
        entry.insert("authorization".into(), auth);
    }
    if !rw.headers.is_empty() {
        entry.insert("headers".into(), json!(rw.headers));
    }
    if let Some(t) = &rw.remote_timeout {
        entry.insert("remoteTimeout".into(), json!(t));
    }
    let queue: Map<String, Value> = queue_settings(&rw.queue)
        .into_iter()
        .map(|s| (s.operator.to_string(), s.value))
        .collect();
    if !queue.is_empty() {
        entry.insert("queueConfig".into(), Value::Object(queue));
    }
    Value::Object(entry)
}

fn alertmanager(out: &Out) -> Value {
    let Some(am) = &out.model.alertmanager else {
        return json!({"enabled": false});
    };
    json!({
        "enabled": true,
        "config": {"global": {"resolve_timeout": am.resolve_timeout}},
        "alertmanagerSpec": {
            // Without it, obsctl's AlertmanagerConfig would only see alerts
            // whose `namespace` label is its own namespace (README.md).
            "alertmanagerConfigMatcherStrategy": {"type": "None"},
        },
    })
}

fn grafana(out: &mut Out) -> Value {
    let Some(g) = &out.model.grafana else {
        return json!({"enabled": false});
    };
    let user = out.secrets.plain(
        GRAFANA_CONSUMER,
        GRAFANA_USER_KEY.into(),
        &g.admin_user,
        "Grafana admin user".into(),
    );
    let password = out.secrets.generated(
        GRAFANA_CONSUMER,
        GRAFANA_PASSWORD_KEY.into(),
        out.settings.grafana_admin_password.clone(),
        "Grafana admin password".into(),
    );
    let mut values = json!({
        "enabled": true,
        "admin": {
            "existingSecret": user["name"],
            "userKey": user["key"],
            "passwordKey": password["key"],
        },
        "sidecar": {
            "dashboards": {
                "enabled": true,
                "label": LABEL.0,
                "labelValue": LABEL.1,
                "folderAnnotation": FOLDER_ANNOTATION,
                "provider": {"foldersFromFilesStructure": true},
            },
            "datasources": {"defaultDatasourceEnabled": true, "uid": CHART_PROMETHEUS_UID},
        },
    });
    // The model's default root URL is the Docker stack's published port,
    // which means nothing in a cluster: only a URL the spec gives is kept.
    if g.root_url != format!("http://localhost:{}/", g.port) {
        values["grafana.ini"] = json!({"server": {"root_url": g.root_url}});
    }
    values
}
