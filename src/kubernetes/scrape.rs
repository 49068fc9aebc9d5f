//! The user's scrape jobs: a ScrapeConfig with the job's static targets, or,
//! when the job says where it runs in Kubernetes (`kubernetes:`), a
//! ServiceMonitor (a Service by name) or a PodMonitor (Pods by labels).
//! Either way the `job` label is the spec's job name, so rules and routes
//! that name it keep working.
//!
//! The stack's own jobs (Prometheus, Alertmanager, Grafana, node-exporter,
//! cAdvisor) are scraped by kube-prometheus-stack's own monitors; the
//! exporters obsctl runs come with their monitors (workload.rs), and the
//! probes' jobs are Probes (probes.rs).

use serde_json::{json, Map, Value};

use super::names::resource_name;
use super::{object, Meta, Out};
use crate::model::kubernetes::{KubernetesTarget, Port, Selects};
use crate::model::{probe_job, ScrapeJob};

/// The Secret scrape credentials (and remote-write credentials) live in.
pub(super) const CONSUMER: &str = "prometheus";

pub(super) fn add(out: &mut Out) {
    let mut own: Vec<String> = out
        .model
        .services()
        .iter()
        .map(|s| s.service.job().to_string())
        .collect();
    own.extend(out.model.probes.iter().map(|p| probe_job(&p.name)));
    let user_jobs: Vec<ScrapeJob> = out
        .model
        .scrape_jobs
        .iter()
        .filter(|j| !own.contains(&j.job))
        .cloned()
        .collect();
    // User jobs keep the spec's order, so the index is the one in `scrape:`.
    for (i, job) in user_jobs.iter().enumerate() {
        let name = resource_name(&[&out.model.name, &job.job]);
        match &job.kubernetes {
            Some(k) => monitor(out, job, k, name),
            None => {
                warn_docker_only_targets(out, i, job);
                static_config(out, job, name);
            }
        }
    }
}

/// Credentials and TLS of a job, in the fields every kind shares.
fn http_config(out: &mut Out, job: &ScrapeJob, body: &mut Map<String, Value>) {
    let what = format!("scrape job `{}`", job.job);
    if let Some((user, password)) = &job.basic_auth {
        let auth = out.secrets.basic_auth(CONSUMER, user, password, &what);
        body.insert("basicAuth".into(), auth);
    }
    if let Some(token) = &job.bearer_token {
        let auth = out.secrets.bearer(CONSUMER, token, &what);
        body.insert("authorization".into(), auth);
    }
    if job.tls_skip_verify {
        body.insert("tlsConfig".into(), json!({"insecureSkipVerify": true}));
    }
}

/// The settings a ScrapeConfig, ServiceMonitor endpoint and PodMonitor
/// endpoint share, under the names the first one uses.
fn common(job: &ScrapeJob, scheme: String, body: &mut Map<String, Value>) {
    body.insert("scheme".into(), json!(scheme));
    if let Some(i) = &job.interval {
        body.insert("scrapeInterval".into(), json!(i));
    }
    if let Some(t) = &job.timeout {
        body.insert("scrapeTimeout".into(), json!(t));
    }
    if job.honor_labels {
        body.insert("honorLabels".into(), json!(true));
    }
    if !job.params.is_empty() {
        body.insert("params".into(), json!(job.params));
    }
}

fn static_config(out: &mut Out, job: &ScrapeJob, name: String) {
    let mut spec = Map::new();
    spec.insert("jobName".into(), json!(job.job));
    spec.insert("metricsPath".into(), json!(job.metrics_path));
    // Older Operators accept only the upper-case form here.
    common(job, job.scheme.to_uppercase(), &mut spec);
    http_config(out, job, &mut spec);
    fallback_protocol(job, &mut spec);
    let mut target = json!({"targets": job.targets});
    if !job.labels.is_empty() {
        target["labels"] = json!(job.labels);
    }
    spec.insert("staticConfigs".into(), json!([target]));
    let mut body = Map::new();
    body.insert("spec".into(), Value::Object(spec));
    out.add(
        "ScrapeConfig",
        "monitoring.coreos.com/v1alpha1",
        name,
        Meta::default(),
        body,
    );
}

fn monitor(out: &mut Out, job: &ScrapeJob, k: &KubernetesTarget, name: String) {
    let namespace = k
        .namespace
        .clone()
        .unwrap_or_else(|| out.settings.namespace.clone());
    let mut endpoint = Map::new();
    let pods = matches!(k.selects, Selects::Pods(_));
    match (&k.port, pods) {
        (Port::Name(port), _) => endpoint.insert("port".into(), json!(port)),
        (Port::Number(n), true) => endpoint.insert("portNumber".into(), json!(n)),
        // A ServiceMonitor's `port` is a Service port's name; a number is the
        // Pods' container port.
        (Port::Number(n), false) => endpoint.insert("targetPort".into(), json!(n)),
    };
    endpoint.insert("path".into(), json!(job.metrics_path));
    let mut shared = Map::new();
    common(job, job.scheme.clone(), &mut shared);
    for (key, value) in shared {
        // Monitors call the interval `interval`.
        let key = if key == "scrapeInterval" {
            "interval".to_string()
        } else {
            key
        };
        endpoint.insert(key, value);
    }
    http_config(out, job, &mut endpoint);
    let mut relabelings = Vec::new();
    if let Selects::Service(service) = &k.selects {
        relabelings.push(json!({
            "action": "keep",
            "sourceLabels": ["__meta_kubernetes_service_name"],
            "regex": service,
        }));
    }
    relabelings.push(json!({"action": "replace", "targetLabel": "job", "replacement": job.job}));
    for (label, value) in &job.labels {
        relabelings.push(json!({"action": "replace", "targetLabel": label, "replacement": value}));
    }
    endpoint.insert("relabelings".into(), json!(relabelings));

    let (kind, endpoints_field, selector) = match &k.selects {
        // Services are picked by name through the relabeling above; a label
        // selector cannot name one.
        Selects::Service(_) => ("ServiceMonitor", "endpoints", json!({})),
        Selects::Pods(labels) => (
            "PodMonitor",
            "podMetricsEndpoints",
            json!({"matchLabels": labels}),
        ),
    };
    let mut spec = json!({
        "selector": selector,
        "namespaceSelector": {"matchNames": [namespace]},
        endpoints_field: [endpoint],
    });
    fallback_protocol(job, spec.as_object_mut().expect("an object"));
    out.add(
        kind,
        "monitoring.coreos.com/v1",
        name,
        Meta::default(),
        object(json!({ "spec": spec })),
    );
}

/// How Prometheus parses an answer without a usable Content-Type: a field
/// of the whole ScrapeConfig, ServiceMonitor or PodMonitor (Operator
/// 0.79.1 and later), not of one endpoint.
fn fallback_protocol(job: &ScrapeJob, spec: &mut Map<String, Value>) {
    if let Some(protocol) = &job.fallback_scrape_protocol {
        spec.insert("fallbackScrapeProtocol".into(), json!(protocol));
    }
}

/// Static targets that only mean something under Docker.
fn warn_docker_only_targets(out: &mut Out, i: usize, job: &ScrapeJob) {
    for (t, target) in job.targets.iter().enumerate() {
        let host = target.rsplit_once(':').map_or(target.as_str(), |(h, _)| h);
        let Some(why) = docker_only(host, "the Prometheus Pod") else {
            continue;
        };
        out.warnings.warning(
            &format!("scrape[{i}].targets[{t}]"),
            format!("job `{}`: target `{target}` {why}, not a place in the cluster", job.job),
            Some("say where the job runs in Kubernetes: `kubernetes: {service: NAME, port: PORT}` or `{pod_selector: {LABEL: VALUE}, port: PORT}`".into()),
        );
    }
}

/// Why `host` names no place in the cluster, if it does not: Docker's name
/// for its host, or the local host, which is `pod` itself.
pub(super) fn docker_only(host: &str, pod: &str) -> Option<String> {
    match host {
        "host.docker.internal" => Some("is Docker's name for its host".into()),
        "localhost" | "127.0.0.1" | "::1" | "[::1]" => Some(format!("would be {pod} itself")),
        _ => None,
    }
}
