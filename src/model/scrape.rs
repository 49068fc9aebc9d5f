//! Scrape jobs: the stack's own (Prometheus, Alertmanager, Grafana, exporters)
//! followed by the user's.

use std::collections::BTreeMap;

use super::exporters::Exporter;
use super::fields::{duration, host_port, label_name, slug};
use super::kubernetes::{self, KubernetesTarget};
use super::probes::{self, Probe};
use super::secrets::Resolver;
use super::service::{ExporterKind, Service, METRICS_PATH};
use super::{Alertmanager, Grafana, Prometheus, SecretFile};
use crate::diagnostic::Problems;
use crate::duration::parse_duration;
use crate::scrape_protocol;
use crate::spec::{nearest_word, Spec};

/// The scrape job whose targets obsctl finds by container labels
/// ([`crate::discovery`]); each target sets its own `job` label.
pub const DISCOVERED_JOB: &str = "discovered";

#[derive(Debug, Clone)]
pub struct ScrapeJob {
    pub job: String,
    /// Static `host:port` targets; empty for a job that only has `kubernetes`
    /// (the Docker stack does not scrape it).
    pub targets: Vec<String>,
    pub metrics_path: String,
    pub scheme: String,
    pub interval: Option<String>,
    pub timeout: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub basic_auth: Option<(String, SecretFile)>,
    pub bearer_token: Option<SecretFile>,
    pub tls_skip_verify: bool,
    pub honor_labels: bool,
    pub params: BTreeMap<String, Vec<String>>,
    /// Where the targets run in Kubernetes, when the spec says.
    pub kubernetes: Option<KubernetesTarget>,
    pub fallback_scrape_protocol: Option<String>,
    /// `relabel_configs`, in order (probes route through the blackbox exporter).
    pub relabel: Vec<Relabel>,
}

/// One relabelling step: copy `source` into `target`, or set `target` to a
/// fixed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relabel {
    pub source: Option<String>,
    pub target: String,
    pub replacement: Option<String>,
}

impl Relabel {
    pub fn copy(source: &str, target: &str) -> Self {
        Self {
            source: Some(source.into()),
            target: target.into(),
            replacement: None,
        }
    }

    pub fn set(target: &str, value: &str) -> Self {
        Self {
            source: None,
            target: target.into(),
            replacement: Some(value.into()),
        }
    }
}

impl ScrapeJob {
    /// The job obsctl gives one of the stack's own services.
    fn builtin(service: Service, stack: &str) -> Self {
        Self {
            job: service.job().into(),
            targets: vec![service.address(stack)],
            metrics_path: METRICS_PATH.into(),
            scheme: "http".into(),
            interval: None,
            timeout: None,
            labels: BTreeMap::new(),
            basic_auth: None,
            bearer_token: None,
            tls_skip_verify: false,
            honor_labels: false,
            params: BTreeMap::new(),
            kubernetes: None,
            relabel: Vec::new(),
            fallback_scrape_protocol: None,
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub fn jobs(
    spec: &Spec,
    name: &str,
    prometheus: Option<&Prometheus>,
    alertmanager: Option<&Alertmanager>,
    grafana: Option<&Grafana>,
    exporters: &[Exporter],
    probes: &[Probe],
    p: &mut Problems,
    secrets: &mut Resolver,
) -> Vec<ScrapeJob> {
    let mut jobs = Vec::new();
    let Some(prom) = prometheus else {
        if !spec.scrape.is_empty() {
            p.warning(
                "scrape",
                "prometheus is disabled, so these jobs are never scraped",
                None,
            );
        }
        if !spec.probes.is_empty() {
            p.warning(
                "probes",
                "prometheus is disabled, so these probes are never scraped",
                None,
            );
        }
        return jobs;
    };
    let own = [
        Some(Service::Prometheus),
        alertmanager.map(|_| Service::Alertmanager),
        grafana.map(|_| Service::Grafana),
    ];
    jobs.extend(
        own.into_iter()
            .flatten()
            .map(|s| ScrapeJob::builtin(s, name)),
    );
    for e in exporters {
        let mut job = ScrapeJob::builtin(e.service(), name);
        job.interval = e.interval.clone();
        // Pushed series carry the pushing job's own `job` and `instance`.
        job.honor_labels = e.kind == ExporterKind::Pushgateway;
        jobs.push(job);
    }
    jobs.extend(probes::scrape_jobs(probes, name, prom));
    let reserved: Vec<String> = jobs
        .iter()
        .map(|j| j.job.clone())
        .chain(std::iter::once(DISCOVERED_JOB.to_string()))
        .collect();

    for (i, s) in spec.scrape.iter().enumerate() {
        let field = format!("scrape[{i}]");
        if s.job.trim().is_empty() {
            p.error(&format!("{field}.job"), "the job name is empty", None);
        } else if reserved.contains(&s.job) {
            p.error(
                &format!("{field}.job"),
                format!("job `{}` is one obsctl already scrapes for the stack itself", s.job),
                Some("choose another name (the stack's own jobs: prometheus, alertmanager, grafana, discovered, one per exporter and `probe-<name>` per probe)".into()),
            );
        } else if let Some(first) = spec.scrape[..i].iter().position(|o| o.job == s.job) {
            p.error(
                &format!("{field}.job"),
                format!(
                    "job `{}` is defined twice (first at scrape[{first}])",
                    s.job
                ),
                Some("job names must be unique; put several targets in one job".into()),
            );
        }
        let kubernetes = s
            .kubernetes
            .as_ref()
            .and_then(|k| kubernetes::target(k, &format!("{field}.kubernetes"), p));
        if s.targets.is_empty() && s.kubernetes.is_some() {
            p.warning(
                &format!("{field}.kubernetes"),
                format!("job `{}` has no `targets`, only `kubernetes`, so the Docker stack does not scrape it (`render --target kubernetes` does)", s.job),
                Some("add `targets: [host:port]` to scrape it under Docker too".into()),
            );
        } else if s.targets.is_empty() {
            p.error(
                &format!("{field}.targets"),
                "no targets",
                Some("list at least one `host:port`, or say where the job runs in Kubernetes with `kubernetes:`".into()),
            );
        }
        for (t, target) in s.targets.iter().enumerate() {
            host_port(p, &format!("{field}.targets[{t}]"), target);
        }
        let metrics_path = s
            .metrics_path
            .clone()
            .unwrap_or_else(|| METRICS_PATH.into());
        if !metrics_path.starts_with('/') || metrics_path.contains('?') {
            p.error(
                &format!("{field}.metrics_path"),
                format!("`{metrics_path}` is not a path"),
                Some("start it with `/`, e.g. /metrics or /api/v1/metrics; put query parameters under `params`".into()),
            );
        }
        let scheme = s.scheme.clone().unwrap_or_else(|| "http".into());
        if scheme != "http" && scheme != "https" {
            p.error(
                &format!("{field}.scheme"),
                format!("`{scheme}` is neither http nor https"),
                None,
            );
        }
        let interval = s
            .interval
            .as_ref()
            .map(|v| duration(p, &format!("{field}.interval"), Some(v), v));
        let timeout = s
            .timeout
            .as_ref()
            .map(|v| duration(p, &format!("{field}.timeout"), Some(v), v));
        let effective_interval = interval.as_deref().unwrap_or(&prom.scrape_interval);
        let effective_timeout = match &timeout {
            Some(t) => t.clone(),
            // Prometheus takes the global timeout, which must not exceed this job's interval.
            None => prom.scrape_timeout.clone(),
        };
        if let (Ok(iv), Ok(to)) = (
            parse_duration(effective_interval),
            parse_duration(&effective_timeout),
        ) {
            if to > iv {
                let hint = if timeout.is_none() {
                    format!("set `timeout` for this job (at most {effective_interval})")
                } else {
                    "the timeout must be at most the interval".to_string()
                };
                p.error(
                    &format!("{field}.{}", if timeout.is_some() { "timeout" } else { "interval" }),
                    format!("scrape timeout {effective_timeout} is longer than the interval {effective_interval}"),
                    Some(hint),
                );
            }
        }
        for key in s.labels.keys() {
            label_name(p, &format!("{field}.labels.{key}"), key);
        }
        if let Some(protocol) = &s.fallback_scrape_protocol {
            fallback_protocol(p, &format!("{field}.fallback_scrape_protocol"), protocol);
        }
        let auth = secrets.http_auth(
            p,
            &field,
            s.basic_auth.as_ref(),
            s.bearer_token.as_ref(),
            &format!("scrape-{}", slug(&s.job)),
        );
        jobs.push(ScrapeJob {
            job: s.job.clone(),
            targets: s.targets.clone(),
            metrics_path,
            scheme,
            interval,
            timeout,
            labels: s.labels.clone(),
            basic_auth: auth.basic_auth,
            bearer_token: auth.bearer_token,
            tls_skip_verify: s.tls_skip_verify.unwrap_or(false),
            honor_labels: s.honor_labels.unwrap_or(false),
            params: s.params.clone(),
            kubernetes,
            relabel: Vec::new(),
            fallback_scrape_protocol: s.fallback_scrape_protocol.clone(),
        });
    }
    jobs
}

/// Checks a `fallback_scrape_protocol` against the values Prometheus accepts.
fn fallback_protocol(p: &mut Problems, field: &str, value: &str) {
    if scrape_protocol::is_protocol(value) {
        return;
    }
    let valid = scrape_protocol::PROTOCOLS.join(", ");
    let nearest = scrape_protocol::PROTOCOLS
        .iter()
        .find(|v| v.eq_ignore_ascii_case(value))
        .or_else(|| {
            // `PrometheusText` means the classic text format, not whichever
            // name is fewest edits away.
            scrape_protocol::PROTOCOLS.iter().find(|v| {
                v.to_ascii_lowercase()
                    .starts_with(&value.to_ascii_lowercase())
            })
        })
        .copied()
        .or_else(|| nearest_word(value, scrape_protocol::PROTOCOLS));
    let hint = match nearest {
        Some(n) => format!("did you mean `{n}`? valid values: {valid}"),
        None => format!("valid values: {valid}"),
    };
    p.error(
        field,
        format!("`{value}` is not a scrape protocol Prometheus knows"),
        Some(hint),
    );
}
