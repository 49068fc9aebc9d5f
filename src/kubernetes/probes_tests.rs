//! Unit tests of the Probes: each says what its probe's Docker job says
//! (targets, module, interval, timeout, labels), and the series both give
//! carry the same labels, the Docker job's through its relabelling and the
//! Probe's through the scrape job the Operator writes for it.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::probe_spec;
use crate::model::{self, probe_job, Model, Relabel, ScrapeJob};
use crate::spec::{self, Source};

const PROBER: &str = "shop-blackbox-exporter.monitoring.svc:9115";
const NAMESPACE: &str = "monitoring";

/// A spec with a probe of every module, options that make modules of their
/// own, a short interval, and labels.
const SPEC: &str = "name: shop
prometheus: {scrape_timeout: 10s}
probes:
  - {name: home, url: 'https://shop.example.com/', labels: {team: web}}
  - {name: api, url: 'http://api.shop.svc:8000/health', status_codes: [200, 204], interval: 5s}
  - {name: form, url: 'http://api.shop.svc:8000/form', module: http_post_2xx}
  - {name: db, url: 'db.shop.svc:5432', module: tcp_connect, interval: 30s}
  - {name: smtp, url: 'smtp.example.com:465', module: tcp_connect, tls: true}
  - {name: gateway, url: 10.0.0.1, module: icmp}
  - {name: resolver, url: '1.1.1.1:53', module: dns, query_name: example.com}
";

fn model(spec: &str) -> Model {
    let source = Source::new(None, spec.to_string());
    let parsed = spec::load(&source).expect("the spec parses");
    model::build_references_only(&parsed, &source)
        .unwrap_or_else(|p| panic!("{p:?}"))
        .model
}

/// Each probe's Docker job, and the Probe spec read off it.
fn pairs(m: &Model) -> Vec<(ScrapeJob, Value)> {
    m.probes
        .iter()
        .map(|p| {
            let job = m
                .scrape_jobs
                .iter()
                .find(|j| j.job == probe_job(&p.name))
                .unwrap()
                .clone();
            let spec = probe_spec(&job, PROBER).expect("a probe job");
            (job, spec)
        })
        .collect()
}

#[test]
fn a_probe_names_the_docker_jobs_targets_module_interval_and_labels() {
    let m = model(SPEC);
    assert_eq!(m.probes.len(), 7);
    for (probe, (job, spec)) in m.probes.iter().zip(pairs(&m)) {
        let what = &probe.name;
        assert_eq!(spec["jobName"], "probes", "{what}");
        assert_eq!(
            spec["prober"],
            json!({"url": PROBER, "scheme": "http", "path": "/probe"}),
            "{what}"
        );
        assert_eq!(spec["module"], json!(probe.blackbox_module), "{what}");
        assert_eq!(spec["module"], json!(job.params["module"][0]), "{what}");
        let targets = &spec["targets"]["staticConfig"];
        assert_eq!(targets["static"], json!([probe.target]), "{what}");
        let mut labels = probe.labels.clone();
        labels.insert("probe".into(), probe.name.clone());
        labels.insert("module".into(), probe.module.name().into());
        assert_eq!(targets["labels"], json!(labels), "{what}");
        assert_eq!(
            spec.get("interval"),
            job.interval.as_ref().map(|i| json!(i)).as_ref(),
            "{what}"
        );
        assert_eq!(
            spec.get("scrapeTimeout"),
            job.timeout.as_ref().map(|t| json!(t)).as_ref(),
            "{what}"
        );
    }
    let by_name = |n: &str| {
        pairs(&m)
            .into_iter()
            .find(|(j, _)| j.job == probe_job(n))
            .unwrap()
            .1
    };
    // Options make a module of the probe's own; a 5s probe must finish in 5s.
    assert_eq!(by_name("api")["module"], "http_2xx-api");
    assert_eq!(by_name("api")["scrapeTimeout"], "5s");
    assert_eq!(by_name("db")["interval"], "30s");
    assert!(by_name("db").get("scrapeTimeout").is_none());
    assert_eq!(by_name("home")["module"], "http_2xx");
    assert_eq!(by_name("resolver")["module"], "dns-resolver");
}

/// What Prometheus does to a target of a static scrape job before scraping
/// it (its `PopulateLabels`): the static labels, then the job's defaults
/// where they are missing (`job`, `__metrics_path__`, `__scheme__`, the
/// first value of each parameter as `__param_<name>`), then the relabelling
/// (each step a `replace` with the default regex, so a copy or a fixed
/// value), then `instance` from `__address__` if unset. Returns every label
/// but the `__` ones that are not sent with the scrape.
fn target_labels(
    address: &str,
    static_labels: &BTreeMap<String, String>,
    job_name: &str,
    metrics_path: &str,
    params: &BTreeMap<String, Vec<String>>,
    relabel: &[Relabel],
) -> BTreeMap<String, String> {
    let mut l = static_labels.clone();
    l.insert("__address__".into(), address.into());
    l.entry("job".into()).or_insert_with(|| job_name.into());
    l.entry("__metrics_path__".into())
        .or_insert_with(|| metrics_path.into());
    l.entry("__scheme__".into())
        .or_insert_with(|| "http".into());
    for (k, v) in params {
        l.entry(format!("__param_{k}"))
            .or_insert_with(|| v[0].clone());
    }
    for r in relabel {
        let value = match (&r.source, &r.replacement) {
            (Some(source), None) => l.get(source).cloned().unwrap_or_default(),
            (None, Some(fixed)) => fixed.clone(),
            other => panic!("not a copy or a fixed value: {other:?}"),
        };
        if value.is_empty() {
            l.remove(&r.target);
        } else {
            l.insert(r.target.clone(), value);
        }
    }
    if !l.contains_key("instance") {
        let address = l["__address__"].clone();
        l.insert("instance".into(), address);
    }
    l.retain(|k, _| {
        !k.starts_with("__")
            || k.starts_with("__param_")
            || k == "__address__"
            || k == "__metrics_path__"
    });
    l
}

/// The scrape job the Operator writes for a Probe with static targets, as
/// its `generateProbeConfig` does (prometheus-operator,
/// pkg/prometheus/promcfg.go): job name `probe/<namespace>/<name>`, the
/// static labels plus `namespace`, `module` as a parameter, and the
/// relabelling: the job name kept aside, `job` set to `jobName`, then the
/// probed address into the `target` parameter and `instance`, and the
/// prober's URL as the address scraped. A stand-in for the Operator, limited
/// to what a Probe obsctl writes uses.
fn operator_target_labels(name: &str, spec: &Value, target: &str) -> BTreeMap<String, String> {
    let mut static_labels: BTreeMap<String, String> =
        serde_json::from_value(spec["targets"]["staticConfig"]["labels"].clone()).unwrap();
    static_labels
        .entry("namespace".into())
        .or_insert_with(|| NAMESPACE.into());
    let params = BTreeMap::from([(
        "module".to_string(),
        vec![spec["module"].as_str().unwrap().to_string()],
    )]);
    let relabel = vec![
        Relabel::copy("job", "__tmp_prometheus_job_name"),
        Relabel::set("job", spec["jobName"].as_str().unwrap()),
        Relabel::copy("__address__", "__param_target"),
        Relabel::copy("__param_target", "instance"),
        Relabel::set("__address__", spec["prober"]["url"].as_str().unwrap()),
    ];
    target_labels(
        target,
        &static_labels,
        &format!("probe/{NAMESPACE}/{name}"),
        spec["prober"]["path"].as_str().unwrap(),
        &params,
        &relabel,
    )
}

#[test]
fn a_probes_series_carry_the_labels_of_its_docker_jobs_series_and_the_namespace() {
    let m = model(SPEC);
    for (job, spec) in pairs(&m) {
        for target in &job.targets {
            let docker = target_labels(
                target,
                &job.labels,
                &job.job,
                &job.metrics_path,
                &job.params,
                &job.relabel,
            );
            let mut operator = operator_target_labels(&job.job, &spec, target);
            // The one label the Operator adds.
            assert_eq!(operator.remove("namespace").as_deref(), Some(NAMESPACE));
            // Both scrape the blackbox exporter, each where its stack reaches it.
            assert_eq!(operator.remove("__address__").as_deref(), Some(PROBER));
            let mut docker = docker;
            assert_eq!(
                docker.remove("__address__").as_deref(),
                Some("shop-blackbox-exporter:9115")
            );
            assert_eq!(docker, operator, "{}", job.job);
            // What the `probes` pack and dashboard read.
            assert_eq!(docker["job"], "probes");
            assert_eq!(&docker["instance"], target);
            assert_eq!(&docker["__param_target"], target);
            assert_eq!(docker["__metrics_path__"], "/probe");
            assert!(docker.contains_key("probe") && docker.contains_key("module"));
        }
    }
}

#[test]
fn only_a_job_routed_through_the_blackbox_exporter_becomes_a_probe() {
    let m = model(SPEC);
    let (job, _) = pairs(&m).remove(0);
    let mut plain = job.clone();
    plain.relabel.clear();
    assert!(probe_spec(&plain, PROBER).is_none());
    let mut two_modules = job.clone();
    two_modules
        .params
        .insert("module".into(), vec!["a".into(), "b".into()]);
    assert!(probe_spec(&two_modules, PROBER).is_none());
    let mut no_job_label = job;
    no_job_label.labels.remove("job");
    assert!(probe_spec(&no_job_label, PROBER).is_none());
}
