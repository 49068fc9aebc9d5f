//! The probes (`probes:`) as the Prometheus Operator's `Probe` resources,
//! one per probe, each sent through the blackbox exporter obsctl renders
//! (blackbox.rs).
//!
//! Under Docker a probe is a scrape job whose static target is the probed
//! URL, relabelled so that the URL becomes the `target` parameter and the
//! `instance` label while the blackbox exporter is what is scraped. A Probe
//! says the same without relabelling: the Operator writes those three steps
//! itself from `spec.prober.url` (its `generateProbeConfig`). So each Probe
//! is read off the probe's Docker job, which keeps the two renders equal:
//! the same targets, module, interval and timeout, and the same labels:
//! `probe`, `module` and the spec's own as static labels, and `job="probes"`
//! through `spec.jobName` (without it the Operator would name the job
//! `probe/<namespace>/<name>`, and the `probes` pack, which describes its
//! alerts by these labels, and the probes dashboard would lose the grouping).
//! The Operator adds one label Docker does not: `namespace`, the Probe's.

use serde_json::{json, Map, Value};

use super::names::resource_name;
use super::scrape::docker_only;
use super::workload::Workload;
use super::{Meta, Out};
use crate::error::Error;
use crate::model::{probe_job, ExporterKind, Probe, Relabel, ScrapeJob, Service};

pub(super) fn add(out: &mut Out) -> Result<(), Error> {
    let prober = Workload::address(
        Service::Exporter(ExporterKind::Blackbox),
        &out.model.name,
        &out.settings.namespace,
    );
    let model = out.model;
    for (i, probe) in model.probes.iter().enumerate() {
        warn_docker_only(out, i, probe);
        let job_name = probe_job(&probe.name);
        let Some(job) = model.scrape_jobs.iter().find(|j| j.job == job_name) else {
            // Prometheus is off: the probe is never scraped (the model warned).
            continue;
        };
        let spec = probe_spec(job, &prober).ok_or_else(|| Error::Render {
            template: format!("probe {}", probe.name),
            reason: format!("scrape job {job_name} does not go through the blackbox exporter"),
        })?;
        let mut body = Map::new();
        body.insert("spec".into(), spec);
        out.add(
            "Probe",
            "monitoring.coreos.com/v1",
            resource_name(&[&model.name, &probe.name]),
            Meta::default(),
            body,
        );
    }
    Ok(())
}

/// A probed address that only means something under Docker.
fn warn_docker_only(out: &mut Out, i: usize, probe: &Probe) {
    let host = if probe.module.is_http() {
        url::Url::parse(&probe.target)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
    } else {
        let t = probe.target.as_str();
        Some(t.rsplit_once(':').map_or(t, |(h, _)| h).to_string())
    };
    let Some(why) = host.and_then(|h| docker_only(&h, "the blackbox exporter's Pod")) else {
        return;
    };
    out.warnings.warning(
        &format!("probes[{i}].url"),
        format!(
            "probe `{}`: `{}` {why}, not a place in the cluster",
            probe.name, probe.target
        ),
        Some("probe an address the exporter's Pod reaches: a Service (`NAME.NAMESPACE.svc:PORT`) or a public name".into()),
    );
}

/// The `spec` of the Probe equal to `job`, a probe's scrape job under
/// Docker (its targets relabelled into the blackbox exporter's `target`
/// parameter), with the blackbox exporter reached at `prober`
/// (`host:port`). `None` when `job` is not such a job.
pub fn probe_spec(job: &ScrapeJob, prober: &str) -> Option<Value> {
    let routed = matches!(
        job.relabel.as_slice(),
        [a, b, Relabel { source: None, target: address, replacement: Some(_) }]
            if *a == Relabel::copy("__address__", "__param_target")
                && *b == Relabel::copy("__param_target", "instance")
                && address == "__address__"
    );
    let module = match job.params.get("module").map(Vec::as_slice) {
        Some([module]) if job.params.len() == 1 => module,
        _ => return None,
    };
    if !routed {
        return None;
    }
    let mut labels = job.labels.clone();
    let job_label = labels.remove("job")?;
    let mut spec = Map::new();
    spec.insert("jobName".into(), json!(job_label));
    spec.insert(
        "prober".into(),
        json!({"url": prober, "scheme": job.scheme, "path": job.metrics_path}),
    );
    spec.insert("module".into(), json!(module));
    if let Some(i) = &job.interval {
        spec.insert("interval".into(), json!(i));
    }
    if let Some(t) = &job.timeout {
        spec.insert("scrapeTimeout".into(), json!(t));
    }
    let mut static_config = json!({"static": job.targets});
    if !labels.is_empty() {
        static_config["labels"] = json!(labels);
    }
    spec.insert("targets".into(), json!({ "staticConfig": static_config }));
    Some(Value::Object(spec))
}

#[cfg(test)]
#[path = "probes_tests.rs"]
mod tests;
