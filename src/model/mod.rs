//! The validated model: the spec with every default applied and every
//! reference resolved (secrets read, rule packs applied, files found).
//!
//! Building it is pure apart from reading the files and environment variables
//! the spec points at; every problem is collected and reported at once.

mod alerting;
pub mod dashboards;
pub mod defaults;
mod exporters;
mod fields;
mod grafana;
mod networks;
mod prometheus;
mod rules;
mod scrape;
mod secrets;
mod service;
mod stack;

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
pub use prometheus::{Prometheus, RemoteWrite};
pub use scrape::{ScrapeJob, DISCOVERED_JOB};
pub use service::{ExporterKind, Service, METRICS_PATH};

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

/// A dashboard to provision: folder, file name and JSON.
#[derive(Debug, Clone)]
pub struct DashboardOut {
    pub folder: String,
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
    let mut problems = Problems::new(source);
    let base_dir = source.base_dir();
    let mut secrets = secrets::Resolver::new(&base_dir, env);

    let name = stack::stack_name(spec, &mut problems);
    let bind = stack::bind_address(spec, &mut problems);
    let prometheus = prometheus::prometheus(spec, &mut problems, &mut secrets);
    let alertmanager = alerting::alertmanager(spec, &mut problems, &mut secrets);
    let grafana = grafana::grafana(spec, &mut problems);
    let exporters = exporters::exporters(spec, &mut problems, &mut secrets);
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
        &mut problems,
        &mut secrets,
    );
    let networks = networks::networks(spec, &name, prometheus.as_ref(), &exporters, &mut problems);
    let (rules, packs) = rules::rules(spec, &exporters, &base_dir, &mut problems);
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
            rules,
            packs,
            dashboards,
            networks,
        },
        warnings: problems.list,
    })
}
