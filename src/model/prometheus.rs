//! Prometheus as the spec configures it: scrape and evaluation intervals,
//! retention, external labels and remote write, with defaults applied.

use std::collections::BTreeMap;

use super::defaults as d;
use super::fields::{duration, enabled, image, label_name, port};
use super::secrets::Resolver;
use super::SecretFile;
use crate::diagnostic::Problems;
use crate::duration::{parse_duration, parse_size};
use crate::spec::{nearest_word, Spec};

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
    /// `--enable-feature` values, each known to Prometheus 3.5.
    pub enable_features: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RemoteWrite {
    pub url: String,
    pub name: Option<String>,
    pub basic_auth: Option<(String, SecretFile)>,
    pub bearer_token: Option<SecretFile>,
    pub headers: BTreeMap<String, String>,
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
    let mut remote_write = Vec::new();
    for (i, rw) in s.remote_write.iter().enumerate() {
        let field = format!("prometheus.remote_write[{i}]");
        if !(rw.url.starts_with("http://") || rw.url.starts_with("https://")) {
            p.error(
                &format!("{field}.url"),
                format!("`{}` is not an http(s) URL", rw.url),
                Some("e.g. https://mimir.example.com/api/v1/push".into()),
            );
        }
        let auth = secrets.http_auth(
            p,
            &field,
            rw.basic_auth.as_ref(),
            rw.bearer_token.as_ref(),
            &format!("remote-write-{i}"),
        );
        remote_write.push(RemoteWrite {
            url: rw.url.clone(),
            name: rw.name.clone(),
            basic_auth: auth.basic_auth,
            bearer_token: auth.bearer_token,
            headers: rw.headers.clone(),
        });
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
