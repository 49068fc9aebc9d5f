//! Where Prometheus writes its samples (`prometheus.remote_write`): the URL,
//! credentials read from secrets, the send timeout and the sending queue,
//! each checked and named by its field.

use std::collections::BTreeMap;

use super::fields::duration;
use super::secrets::Resolver;
use super::SecretFile;
use crate::diagnostic::Problems;
use crate::duration::parse_duration;
use crate::spec::{QueueSpec, RemoteWriteSpec};

/// Prometheus' own `queue_config` defaults, for the checks between fields.
const DEFAULT_CAPACITY: u32 = 10_000;
const DEFAULT_MIN_SHARDS: u32 = 1;
const DEFAULT_MAX_SHARDS: u32 = 50;
const DEFAULT_MAX_SAMPLES_PER_SEND: u32 = 2_000;

#[derive(Debug, Clone)]
pub struct RemoteWrite {
    pub url: String,
    pub name: Option<String>,
    pub basic_auth: Option<(String, SecretFile)>,
    pub bearer_token: Option<SecretFile>,
    pub headers: BTreeMap<String, String>,
    pub remote_timeout: Option<String>,
    /// `queue_config`: only what the spec sets; the rest is Prometheus' default.
    pub queue: QueueSpec,
}

/// One queue setting the spec sets, under its name in Prometheus'
/// `queue_config` and in the Prometheus Operator's `queueConfig` (which
/// calls `retry_on_http_429` `retryOnRateLimit`).
#[derive(Debug, Clone, PartialEq)]
pub struct QueueSetting {
    pub prometheus: &'static str,
    pub operator: &'static str,
    pub value: serde_json::Value,
}

/// The queue settings `q` sets, in Prometheus' documented order.
pub fn queue_settings(q: &QueueSpec) -> Vec<QueueSetting> {
    use serde_json::json;
    [
        ("capacity", "capacity", q.capacity.map(|v| json!(v))),
        ("max_shards", "maxShards", q.max_shards.map(|v| json!(v))),
        ("min_shards", "minShards", q.min_shards.map(|v| json!(v))),
        (
            "max_samples_per_send",
            "maxSamplesPerSend",
            q.max_samples_per_send.map(|v| json!(v)),
        ),
        (
            "batch_send_deadline",
            "batchSendDeadline",
            q.batch_send_deadline.as_ref().map(|v| json!(v)),
        ),
        (
            "retry_on_http_429",
            "retryOnRateLimit",
            q.retry_on_http_429.map(|v| json!(v)),
        ),
        (
            "sample_age_limit",
            "sampleAgeLimit",
            q.sample_age_limit.as_ref().map(|v| json!(v)),
        ),
    ]
    .into_iter()
    .filter_map(|(prometheus, operator, value)| {
        value.map(|value| QueueSetting {
            prometheus,
            operator,
            value,
        })
    })
    .collect()
}

/// Every `prometheus.remote_write` entry, checked.
pub fn remote_writes(
    specs: &[RemoteWriteSpec],
    p: &mut Problems,
    secrets: &mut Resolver,
) -> Vec<RemoteWrite> {
    let mut out = Vec::new();
    for (i, rw) in specs.iter().enumerate() {
        let field = format!("prometheus.remote_write[{i}]");
        url(p, &format!("{field}.url"), &rw.url);
        if let Some(name) = &rw.name {
            if specs[..i].iter().any(|o| o.name.as_ref() == Some(name)) {
                p.error(
                    &format!("{field}.name"),
                    format!("remote write `{name}` is named twice"),
                    Some("Prometheus refuses two queues with one name".into()),
                );
            }
        }
        let auth = secrets.http_auth(
            p,
            &field,
            rw.basic_auth.as_ref(),
            rw.bearer_token.as_ref(),
            &format!("remote-write-{i}"),
        );
        let remote_timeout = rw.remote_timeout.as_ref().map(|t| {
            positive_duration(p, &format!("{field}.remote_timeout"), t);
            t.clone()
        });
        let queue = rw
            .queue
            .as_ref()
            .map(|q| queue(p, &format!("{field}.queue"), q))
            .unwrap_or_default();
        out.push(RemoteWrite {
            url: rw.url.clone(),
            name: rw.name.clone(),
            basic_auth: auth.basic_auth,
            bearer_token: auth.bearer_token,
            headers: rw.headers.clone(),
            remote_timeout,
            queue,
        });
    }
    out
}

fn url(p: &mut Problems, field: &str, url: &str) {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        p.error(
            field,
            format!("`{url}` is not an http(s) URL"),
            Some("e.g. https://mimir.example.com/api/v1/push".into()),
        );
        return;
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => authority,
    };
    if matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
        p.warning(
            field,
            format!("`{host}` inside the Prometheus container is the container itself"),
            Some("a receiver on this machine is `host.docker.internal:PORT` (publish its port on an address other than 127.0.0.1)".into()),
        );
    }
}

fn queue(p: &mut Problems, field: &str, q: &QueueSpec) -> QueueSpec {
    for (name, value) in [
        ("capacity", q.capacity),
        ("min_shards", q.min_shards),
        ("max_shards", q.max_shards),
        ("max_samples_per_send", q.max_samples_per_send),
    ] {
        if value == Some(0) {
            p.error(
                &format!("{field}.{name}"),
                format!("{name} must be at least 1"),
                None,
            );
        }
    }
    let min = q.min_shards.unwrap_or(DEFAULT_MIN_SHARDS);
    let max = q.max_shards.unwrap_or(DEFAULT_MAX_SHARDS);
    if min > max {
        p.error(
            &format!("{field}.min_shards"),
            format!("min_shards {min} is more than max_shards {max}"),
            None,
        );
    }
    let capacity = q.capacity.unwrap_or(DEFAULT_CAPACITY);
    let per_send = q
        .max_samples_per_send
        .unwrap_or(DEFAULT_MAX_SAMPLES_PER_SEND);
    if per_send > capacity {
        p.warning(
            &format!("{field}.max_samples_per_send"),
            format!("batches of {per_send} samples never fill a shard of capacity {capacity}"),
            Some("give each shard room for a few batches: capacity about 3 to 10 times max_samples_per_send".into()),
        );
    }
    if let Some(d) = &q.batch_send_deadline {
        positive_duration(p, &format!("{field}.batch_send_deadline"), d);
    }
    if let Some(d) = &q.sample_age_limit {
        duration(p, &format!("{field}.sample_age_limit"), Some(d), d);
    }
    q.clone()
}

fn positive_duration(p: &mut Problems, field: &str, text: &str) {
    match parse_duration(text) {
        Ok(d) if d.is_zero() => p.error(field, "the duration must be longer than 0s", None),
        Ok(_) => {}
        Err(e) => p.error(field, e, None),
    }
}
