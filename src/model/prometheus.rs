//! Prometheus as the spec configures it: scrape and evaluation intervals,
//! retention, external labels, remote write and the mode (server or agent),
//! with defaults applied.

use std::collections::BTreeMap;

use super::defaults as d;
use super::fields::{duration, enabled, image, label_name, port};
use super::remote_write::{remote_writes, RemoteWrite};
use super::secrets::Resolver;
use crate::diagnostic::Problems;
use crate::duration::{parse_duration, parse_size};
use crate::spec::{nearest_word, PrometheusMode, Spec};

#[derive(Debug, Clone)]
pub struct Prometheus {
    pub image: String,
    pub port: u16,
    pub scrape_interval: String,
    pub scrape_timeout: String,
    pub evaluation_interval: String,
    pub retention: String,
    pub retention_size: Option<String>,
    pub external_labels: BTreeMap<String, String>,
    pub remote_write: Vec<RemoteWrite>,
    pub mode: PrometheusMode,
    /// Accepts remote write (`--web.enable-remote-write-receiver`).
    pub remote_write_receiver: bool,
    /// Labels that tell apart the edges writing here.
    pub edge_labels: Vec<String>,
    /// `--enable-feature` values, each known to Prometheus 3.5.
    pub enable_features: Vec<String>,
}

impl Prometheus {
    pub fn is_agent(&self) -> bool {
        self.mode == PrometheusMode::Agent
    }
}

pub fn prometheus(spec: &Spec, p: &mut Problems, secrets: &mut Resolver) -> Option<Prometheus> {
    let s = &spec.prometheus;
    if !enabled(s.enabled) {
        return None;
    }
    let scrape_interval = duration(
        p,
        "prometheus.scrape_interval",
        s.scrape_interval.as_ref(),
        d::SCRAPE_INTERVAL,
    );
    let mut default_timeout = d::SCRAPE_TIMEOUT.to_string();
    if let (Ok(i), Ok(t)) = (
        parse_duration(&scrape_interval),
        parse_duration(d::SCRAPE_TIMEOUT),
    ) {
        if s.scrape_timeout.is_none() && t > i {
            default_timeout = scrape_interval.clone();
        }
    }
    let scrape_timeout = duration(
        p,
        "prometheus.scrape_timeout",
        s.scrape_timeout.as_ref(),
        &default_timeout,
    );
    if let (Ok(i), Ok(t)) = (
        parse_duration(&scrape_interval),
        parse_duration(&scrape_timeout),
    ) {
        if t > i {
            p.error(
                "prometheus.scrape_timeout",
                format!("scrape_timeout {scrape_timeout} is longer than scrape_interval {scrape_interval}"),
                Some("Prometheus requires the timeout to be at most the interval".into()),
            );
        }
    }
    let evaluation_interval = duration(
        p,
        "prometheus.evaluation_interval",
        s.evaluation_interval.as_ref(),
        d::EVALUATION_INTERVAL,
    );
    let retention = duration(
        p,
        "prometheus.retention",
        s.retention.as_ref(),
        d::RETENTION,
    );
    if let Some(size) = &s.retention_size {
        if let Err(e) = parse_size(size) {
            p.error("prometheus.retention_size", e, None);
        }
    }
    for key in s.external_labels.keys() {
        label_name(p, &format!("prometheus.external_labels.{key}"), key);
    }
    let remote_write = remote_writes(&s.remote_write, p, secrets);
    let mode = s.mode.unwrap_or_default();
    let remote_write_receiver = s.remote_write_receiver.unwrap_or(false);
    for (i, key) in s.edge_labels.iter().enumerate() {
        label_name(p, &format!("prometheus.edge_labels[{i}]"), key);
    }
    if mode == PrometheusMode::Agent {
        super::agent::check_prometheus(s, p);
    } else if remote_write_receiver && s.edge_labels.is_empty() {
        p.warning(
            "prometheus.remote_write_receiver",
            "the rule packs aggregate by job, so the series of several edges are summed together",
            Some(
                "name the external labels that tell edges apart, e.g. `edge_labels: [site]`".into(),
            ),
        );
    }
    Some(Prometheus {
        image: image(p, "prometheus.image", s.image.as_ref(), d::PROMETHEUS_IMAGE),
        port: port(p, "prometheus.port", s.port, d::PROMETHEUS_PORT),
        scrape_interval,
        scrape_timeout,
        evaluation_interval,
        retention,
        retention_size: s.retention_size.clone(),
        external_labels: s.external_labels.clone(),
        remote_write,
        mode,
        remote_write_receiver,
        edge_labels: s.edge_labels.clone(),
        enable_features: features(p, &s.enable_features),
    })
}

/// Checks `prometheus.enable_features` against the flags Prometheus 3.5
/// knows; returns them without repeats.
fn features(p: &mut Problems, features: &[String]) -> Vec<String> {
    use crate::promql_features::{FEATURES, REMOVED_FEATURES};
    let mut out: Vec<String> = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let field = format!("prometheus.enable_features[{i}]");
        if REMOVED_FEATURES.contains(&f.as_str()) {
            p.error(
                &field,
                format!("`{f}` is a feature flag of Prometheus 2 that Prometheus 3 no longer has"),
                Some(
                    "remove it: its behaviour is the default in Prometheus 3, or a flag of its own"
                        .into(),
                ),
            );
        } else if !FEATURES.contains(&f.as_str()) {
            let hint = match nearest_word(f, FEATURES) {
                Some(n) => format!(
                    "did you mean `{n}`? Prometheus 3.5 knows: {}",
                    FEATURES.join(", ")
                ),
                None => format!("Prometheus 3.5 knows: {}", FEATURES.join(", ")),
            };
            p.error(
                &field,
                format!("`{f}` is not a feature flag Prometheus 3.5 knows"),
                Some(hint),
            );
        } else if !out.contains(f) {
            out.push(f.clone());
        }
    }
    let both = ["otlp-deltatocumulative", "otlp-native-delta-ingestion"];
    if both.iter().all(|b| out.iter().any(|f| f == b)) {
        p.error(
            "prometheus.enable_features",
            "Prometheus refuses to start with both otlp-deltatocumulative and otlp-native-delta-ingestion",
            Some("keep one of them".into()),
        );
    }
    out
}
