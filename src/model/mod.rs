//! The validated model: the spec with every default applied and every
//! reference resolved (secrets read, rule packs applied, files found).
//!
//! Building it is pure apart from reading the files and environment variables
//! the spec points at; every problem is collected and reported at once.

mod agent;
mod alerting;
mod dashboard_edges;
pub mod dashboards;
pub mod defaults;
mod exporters;
mod fields;
mod grafana;
pub mod kubernetes;
mod matchers;
mod networks;
mod probes;
mod prometheus;
mod pushgateway;
mod remote_write;
mod rules;
mod scrape;
mod secrets;
mod service;
mod slo_rules;
mod slos;
mod stack;
#[cfg(test)]
mod test_support;
pub mod wiring;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;

use crate::diagnostic::{Problem, Problems};
use crate::rulefile::RuleFile;
use crate::spec::{SecretValue, Source, Spec};

pub use alerting::{Alertmanager, Email, PagerDuty, Receiver, Route, Slack, Webhook};
pub use exporters::Exporter;
pub use grafana::Grafana;
pub use networks::own_network;
pub use probes::{probe_job, Probe, ProbeModule, ProbeOptions};
pub use prometheus::Prometheus;
pub use remote_write::{queue_settings, QueueSetting, RemoteWrite};
pub use scrape::{Relabel, ScrapeJob, DISCOVERED_JOB};
pub use service::{ExporterKind, Service, METRICS_PATH};
pub use slos::{le_label, Sli, Slo};
pub use wiring::{ExpectedTarget, Missing, Wiring};

/// A secret as rendered: the file it is written to (relative to the component's
/// config folder) and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretFile {
    pub file: String,
    pub value: SecretValue,
}

/// A rendered rule file: its name under `prometheus/rules/` and its content.
#[derive(Debug, Clone)]
pub struct RulesOut {
    pub file: String,
    pub content: RulesContent,
}

#[derive(Debug, Clone)]
pub enum RulesContent {
    /// Built-in packs and inline alerts, serialised by obsctl.
    Generated(RuleFile),
    /// A user's file, copied verbatim once validated.
    Verbatim(String),
}

/// A dashboard to provision: folder (`None` for the root), file name and JSON.
#[derive(Debug, Clone)]
pub struct DashboardOut {
    pub folder: Option<String>,
    pub file: String,
    pub json: serde_json::Value,
}

/// The whole validated stack.
#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    pub bind: IpAddr,
    /// Folder relative paths in the spec were resolved against.
    pub base_dir: PathBuf,
    pub prometheus: Option<Prometheus>,
    pub alertmanager: Option<Alertmanager>,
    pub grafana: Option<Grafana>,
    pub exporters: Vec<Exporter>,
    pub scrape_jobs: Vec<ScrapeJob>,
    /// Endpoints the blackbox exporter checks.
    pub probes: Vec<Probe>,
    /// Service level objectives, whose rules are among `rules`.
    pub slos: Vec<Slo>,
    pub rules: Vec<RulesOut>,
    /// Enabled built-in packs (name -> metrics they read), for later checks.
    pub packs: BTreeMap<String, Vec<String>>,
    pub dashboards: Vec<DashboardOut>,
    /// The application's networks the stack joins (`networks:`).
    pub networks: Vec<String>,
}

/// One container the stack runs, as the spec describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSummary {
    pub service: Service,
    pub image: String,
    /// The host port it publishes, if any.
    pub host_port: Option<u16>,
}

impl Model {
    /// Every container of the stack: exporters, Alertmanager, Prometheus,
    /// Grafana, in that order.
    pub fn services(&self) -> Vec<ServiceSummary> {
        let mut out: Vec<ServiceSummary> = self
            .exporters
            .iter()
            .map(|e| ServiceSummary {
                service: e.service(),
                image: e.image.clone(),
                host_port: e.host_port,
            })
            .collect();
        let mut push = |service, image: &String, port| {
            out.push(ServiceSummary {
                service,
                image: image.clone(),
                host_port: Some(port),
            })
        };
        if let Some(a) = &self.alertmanager {
            push(Service::Alertmanager, &a.image, a.port);
        }
        if let Some(p) = &self.prometheus {
            push(Service::Prometheus, &p.image, p.port);
        }
        if let Some(g) = &self.grafana {
            push(Service::Grafana, &g.image, g.port);
        }
        out
    }

    /// The container name of a service of this stack (`shop-prometheus`).
    pub fn container_name(&self, service: Service) -> String {
        service.container_name(&self.name)
    }

    /// Where the stack's containers reach a service (`shop-prometheus:9090`).
    pub fn address(&self, service: Service) -> String {
        service.address(&self.name)
    }
}

/// The model and the warnings found while building it.
#[derive(Debug)]
pub struct Built {
    pub model: Model,
    pub warnings: Vec<Problem>,
}

/// Reads environment variables; injected so tests need not touch the process env.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Validates `spec` and applies defaults. On failure returns every problem
/// (errors and warnings) found.
pub fn build(spec: &Spec, source: &Source, env: Env) -> Result<Built, Vec<Problem>> {
    let base_dir = source.base_dir();
    build_with(spec, source, secrets::Resolver::new(&base_dir, env))
}

/// Like [`build`], but reads no secret: every secret keeps its name and
/// gets an empty value. For output that only refers to secrets (Kubernetes
/// manifests name a `Secret` and a key), so they need not be at hand.
pub fn build_references_only(spec: &Spec, source: &Source) -> Result<Built, Vec<Problem>> {
    let base_dir = source.base_dir();
    let no_env = |_: &str| None;
    build_with(
        spec,
        source,
        secrets::Resolver::references_only(&base_dir, &no_env),
    )
}

fn build_with(
    spec: &Spec,
    source: &Source,
    mut secrets: secrets::Resolver,
) -> Result<Built, Vec<Problem>> {
    let mut problems = Problems::new(source);
    let base_dir = source.base_dir();

    let name = stack::stack_name(spec, &mut problems);
    let bind = stack::bind_address(spec, &mut problems);
    let prometheus = prometheus::prometheus(spec, &mut problems, &mut secrets);
    // An agent evaluates no rules and answers no queries: Alertmanager,
    // Grafana and the rule packs belong on the stack it writes to.
    let agent = prometheus.as_ref().is_some_and(Prometheus::is_agent);
    let (alertmanager, grafana) = if agent {
        agent::refuse_alerting_and_grafana(spec, &mut problems);
        (None, None)
    } else {
        (
            alerting::alertmanager(spec, &mut problems, &mut secrets),
            grafana::grafana(spec, &mut problems),
        )
    };
    let exporters = exporters::exporters(spec, &mut problems, &mut secrets);
    let probes = probes::probes(spec, &mut problems);
    probes::check_blackbox(spec, &mut problems);
    stack::check_ports(
        prometheus.as_ref(),
        alertmanager.as_ref(),
        grafana.as_ref(),
        &exporters,
        &mut problems,
    );
    let scrape_jobs = scrape::jobs(
        spec,
        &name,
        prometheus.as_ref(),
        alertmanager.as_ref(),
        grafana.as_ref(),
        &exporters,
        &probes,
        &mut problems,
        &mut secrets,
    );
    let networks = networks::networks(spec, &name, prometheus.as_ref(), &exporters, &mut problems);
    let (mut rules, packs) = if agent {
        agent::refuse_rules(spec, &mut problems);
        Default::default()
    } else {
        let edge_labels = prometheus.as_ref().map_or(&[][..], |p| &p.edge_labels);
        rules::rules(
            spec,
            &exporters,
            &probes,
            &base_dir,
            edge_labels,
            &mut problems,
        )
    };
    let slos = slos::slos(spec, prometheus.as_ref(), &mut problems);
    let push_jobs = pushgateway::jobs(spec, &mut problems);
    if !agent {
        rules.extend(slo_rules::rules(&slos));
        if exporters
            .iter()
            .any(|e| e.kind == ExporterKind::Pushgateway)
        {
            rules.push(pushgateway::rules(&push_jobs));
        } else if !push_jobs.is_empty() {
            problems.warning(
                "exporters.pushgateway.jobs",
                "the Pushgateway is turned off, so these jobs are not watched",
                None,
            );
        }
    }
    let dashboards = match &grafana {
        Some(g) => dashboards::provisioned(&g.builtin_dashboards, spec, &base_dir, &mut problems),
        None => Vec::new(),
    };

    if problems.has_errors() {
        return Err(problems.list);
    }
    Ok(Built {
        model: Model {
            name,
            bind,
            base_dir,
            prometheus,
            alertmanager,
            grafana,
            exporters,
            scrape_jobs,
            probes,
            slos,
            rules,
            packs,
            dashboards,
            networks,
        },
        warnings: problems.list,
    })
}
