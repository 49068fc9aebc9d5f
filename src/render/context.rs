//! The data each template sees, built from the model. Empty collections become
//! `null` so `{{#if}}` treats them as absent.

use serde_json::{json, Map, Value};

use super::paths;
use crate::discovery;
use crate::model::defaults::{
    ALERTMANAGER_DATASOURCE_UID, PROMETHEUS_DATASOURCE_UID, SCRAPE_INTERVAL,
};
use crate::model::{
    queue_settings, Alertmanager, Model, Prometheus, Route, ScrapeJob, SecretFile, Service,
};
use crate::spec::QueueSpec;

fn non_empty<T: serde::Serialize>(map: &std::collections::BTreeMap<String, T>) -> Value {
    if map.is_empty() {
        Value::Null
    } else {
        json!(map)
    }
}

pub fn prometheus(model: &Model, prom: &Prometheus) -> Value {
    let jobs: Vec<Value> = docker_jobs(&model.scrape_jobs)
        .map(|j| {
            json!({
                "job": j.job,
                "metrics_path": j.metrics_path,
                "scheme": j.scheme,
                "interval": j.interval,
                "timeout": j.timeout,
                "honor_labels": j.honor_labels,
                "tls_skip_verify": j.tls_skip_verify,
                "targets": j.targets,
                "labels": non_empty(&j.labels),
                "params": non_empty(&j.params),
                "fallback_scrape_protocol": j.fallback_scrape_protocol,
                "basic_auth": j.basic_auth.as_ref().map(|(user, s)| json!({"username": user, "password_file": s.file})),
                "bearer_token_file": j.bearer_token.as_ref().map(|s| s.file.clone()),
                "relabel": if j.relabel.is_empty() { Value::Null } else {
                    json!(j.relabel.iter().map(|r| json!({
                        "source": r.source, "target": r.target, "replacement": r.replacement,
                    })).collect::<Vec<_>>())
                },
                "fallback_scrape_protocol": j.fallback_scrape_protocol,
            })
        })
        .collect();
    let remote_write: Vec<Value> = prom
        .remote_write
        .iter()
        .map(|r| {
            json!({
                "url": r.url,
                "name": r.name,
                "basic_auth": r.basic_auth.as_ref().map(|(user, s)| json!({"username": user, "password_file": s.file})),
                "bearer_token_file": r.bearer_token.as_ref().map(|s| s.file.clone()),
                "headers": non_empty(&r.headers),
                "remote_timeout": r.remote_timeout,
                "queue": queue_config(&r.queue),
            })
        })
        .collect();
    json!({
        "stack": model.name,
        "agent": prom.is_agent(),
        "global": {
            "scrape_interval": prom.scrape_interval,
            "scrape_timeout": prom.scrape_timeout,
            "evaluation_interval": prom.evaluation_interval,
            "external_labels": non_empty(&prom.external_labels),
        },
        "alertmanager": model.alertmanager.as_ref().map(|_| model.address(Service::Alertmanager)),
        "jobs": jobs,
        "discovery": {"job": discovery::JOB, "files": discovery::file_sd::container_pattern()},
        "remote_write": if remote_write.is_empty() { Value::Null } else { json!(remote_write) },
    })
}

/// `queue_config` with only the fields the spec sets, in Prometheus'
/// documented order.
fn queue_config(q: &QueueSpec) -> Value {
    let m: Map<String, Value> = queue_settings(q)
        .into_iter()
        .map(|s| (s.prometheus.to_string(), s.value))
        .collect();
    if m.is_empty() {
        Value::Null
    } else {
        Value::Object(m)
    }
}

/// The jobs the Docker stack scrapes: those with static targets (a job with
/// only `kubernetes:` is for `render --target kubernetes`).
fn docker_jobs(jobs: &[ScrapeJob]) -> impl Iterator<Item = &ScrapeJob> {
    jobs.iter().filter(|j| !j.targets.is_empty())
}

pub fn prometheus_secrets<'a>(prom: &'a Prometheus, jobs: &'a [ScrapeJob]) -> Vec<&'a SecretFile> {
    let mut out = Vec::new();
    for j in docker_jobs(jobs) {
        out.extend(j.basic_auth.as_ref().map(|(_, s)| s));
        out.extend(j.bearer_token.as_ref());
    }
    for r in &prom.remote_write {
        out.extend(r.basic_auth.as_ref().map(|(_, s)| s));
        out.extend(r.bearer_token.as_ref());
    }
    out
}

pub fn alertmanager_secrets(am: &Alertmanager) -> Vec<&SecretFile> {
    let mut out = Vec::new();
    for r in &am.receivers {
        out.extend(r.slack.as_ref().map(|s| &s.webhook_url));
        out.extend(r.pagerduty.as_ref().map(|p| &p.key));
        out.extend(r.email.as_ref().and_then(|e| e.password.as_ref()));
        out.extend(r.webhook.as_ref().and_then(|w| w.url_file.as_ref()));
    }
    out
}

fn route(r: &Route) -> Value {
    let mut m = Map::new();
    if let Some(v) = &r.receiver {
        m.insert("receiver".into(), json!(v));
    }
    if !r.matchers.is_empty() {
        m.insert("matchers".into(), json!(r.matchers));
    }
    if let Some(v) = &r.group_by {
        m.insert("group_by".into(), json!(v));
    }
    for (k, v) in [
        ("group_wait", &r.group_wait),
        ("group_interval", &r.group_interval),
        ("repeat_interval", &r.repeat_interval),
    ] {
        if let Some(v) = v {
            m.insert(k.into(), json!(v));
        }
    }
    if r.continue_matching {
        m.insert("continue".into(), json!(true));
    }
    if !r.routes.is_empty() {
        m.insert(
            "routes".into(),
            Value::Array(r.routes.iter().map(route).collect()),
        );
    }
    Value::Object(m)
}

pub fn alertmanager(model: &Model, am: &Alertmanager) -> Value {
    let secret = |s: &SecretFile| super::container_path(paths::ALERTMANAGER_CONFIG_DIR, s);
    let receivers: Vec<Value> = am
        .receivers
        .iter()
        .map(|r| {
            json!({
                "name": r.name,
                "slack": r.slack.as_ref().map(|s| json!({
                    "api_url_file": secret(&s.webhook_url),
                    "channel": s.channel, "title": s.title, "text": s.text,
                    "send_resolved": s.send_resolved,
                })),
                "pagerduty": r.pagerduty.as_ref().map(|p| json!({
                    "key_field": if p.events_v2 { "routing_key_file" } else { "service_key_file" },
                    "key_file": secret(&p.key),
                    "severity": p.severity,
                    "send_resolved": p.send_resolved,
                })),
                "email": r.email.as_ref().map(|e| json!({
                    "to": e.to, "from": e.from, "smarthost": e.smarthost,
                    "username": e.username,
                    "password_file": e.password.as_ref().map(secret),
                    "require_tls": e.require_tls,
                    "send_resolved": e.send_resolved,
                })),
                "webhook": r.webhook.as_ref().map(|w| json!({
                    "url": w.url,
                    "url_file": w.url_file.as_ref().map(secret),
                    "send_resolved": w.send_resolved,
                    "max_alerts": w.max_alerts,
                })),
            })
        })
        .collect();
    let inhibit: Vec<Value> = am
        .inhibit_rules
        .iter()
        .map(|i| {
            let mut m = Map::new();
            m.insert("source_matchers".into(), json!(i.source_matchers));
            m.insert("target_matchers".into(), json!(i.target_matchers));
            if !i.equal.is_empty() {
                m.insert("equal".into(), json!(i.equal));
            }
            Value::Object(m)
        })
        .collect();
    json!({
        "stack": model.name,
        "resolve_timeout": am.resolve_timeout,
        "route": route(&am.route),
        "inhibit_rules": if inhibit.is_empty() { Value::Null } else { json!(inhibit) },
        "receivers": receivers,
    })
}

pub fn grafana(model: &Model) -> Value {
    json!({
        "stack": model.name,
        "prometheus_uid": PROMETHEUS_DATASOURCE_UID,
        "prometheus_url": format!("http://{}", model.address(Service::Prometheus)),
        "scrape_interval": model.prometheus.as_ref().map(|p| p.scrape_interval.clone()).unwrap_or_else(|| SCRAPE_INTERVAL.into()),
        "alertmanager_uid": ALERTMANAGER_DATASOURCE_UID,
        "alertmanager_url": model.alertmanager.as_ref().map(|_| format!("http://{}", model.address(Service::Alertmanager))),
        "dashboards_path": paths::GRAFANA_DASHBOARDS_DIR,
    })
}
