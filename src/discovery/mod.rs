//! Scrape targets found by container labels: containers on a network
//! Prometheus is on (the stack's own and those of `networks:`) that carry
//! `prometheus.io/scrape: "true"` are scraped without being listed.
//!
//! Prometheus never holds the Docker socket (whatever holds it holds root on
//! the host): obsctl reads the labels itself ([`crate::runtime::discovery`],
//! at every `up` and continuously under `obsctl watch`) and hands the targets
//! over in a file Prometheus watches ([`file_sd`]); a target that appears or
//! disappears needs no reload and no restart. Everything here is pure.

pub mod file_sd;
pub mod labels;

use std::collections::BTreeMap;

use serde::Serialize;

use self::labels::Labels;
use crate::model::{own_network, Model};

/// Compose's labels on a container (`com.docker.compose.*`).
pub const COMPOSE_PROJECT: &str = "com.docker.compose.project";
pub const COMPOSE_SERVICE: &str = "com.docker.compose.service";
/// The scrape job in prometheus.yml whose targets come from discovery; each
/// target group sets its own `job` label.
pub const JOB: &str = crate::model::DISCOVERED_JOB;

/// A running container, as discovery sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    /// Names of the networks it is on.
    pub networks: Vec<String>,
    /// The TCP ports it exposes.
    pub exposed: Vec<u16>,
}

/// Where discovery looks, and what the spec already scrapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub stack: String,
    /// The networks Prometheus is on: the stack's own, then `networks:`.
    pub networks: Vec<String>,
    /// The spec's jobs (the stack's own included): name -> targets.
    pub declared: BTreeMap<String, Vec<String>>,
}

impl Scope {
    /// The scope of the stack `model` describes.
    pub fn of(model: &Model) -> Scope {
        Scope {
            stack: model.name.clone(),
            networks: std::iter::once(own_network(&model.name))
                .chain(model.networks.iter().cloned())
                .collect(),
            declared: model
                .scrape_jobs
                .iter()
                .map(|j| (j.job.clone(), j.targets.clone()))
                .collect(),
        }
    }
}

/// One discovered target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Target {
    pub job: String,
    /// `container-name:port`, as Prometheus reaches it on a shared network.
    pub address: String,
    pub metrics_path: String,
    pub scheme: String,
    pub container: String,
    /// `container`, `compose_project`, `compose_service`.
    pub labels: BTreeMap<String, String>,
}

/// A labelled container that is not scraped, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Skipped {
    pub container: String,
    pub reason: String,
    pub kind: SkipKind,
}

/// Why a labelled container is left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipKind {
    /// Its labels cannot be followed: worth a warning.
    Labels,
    /// It shares no network with Prometheus (the usual case for other
    /// applications on the machine, which may have their own Prometheus).
    Elsewhere,
    /// The spec scrapes it already.
    Declared,
}

/// What discovery found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Discovery {
    pub targets: Vec<Target>,
    pub skipped: Vec<Skipped>,
}

impl Discovery {
    /// The problems worth telling at every run: labels that cannot be
    /// followed on containers Prometheus could reach.
    pub fn warnings(&self) -> impl Iterator<Item = String> + '_ {
        self.skipped
            .iter()
            .filter(|s| s.kind == SkipKind::Labels)
            .map(|s| format!("container {} {}", s.container, s.reason))
    }
}

/// The targets among `candidates` in `scope`, sorted, and the labelled
/// containers left out.
pub fn discover(candidates: &[Candidate], scope: &Scope) -> Discovery {
    let mut out = Discovery::default();
    let mut skip = |container: &str, reason: String, kind: SkipKind| {
        out.skipped.push(Skipped {
            container: container.into(),
            reason,
            kind,
        })
    };
    let mut targets = Vec::new();
    for c in candidates {
        // Containers of obsctl's stacks (labelled `dev.obsctl.*`) are
        // scraped as their stack's own jobs.
        if c.labels.keys().any(|k| k.starts_with("dev.obsctl.")) {
            continue;
        }
        let scrape = match labels::read(&c.labels, &c.exposed) {
            Labels::Off => continue,
            Labels::Invalid(why) => {
                skip(&c.name, why, SkipKind::Labels);
                continue;
            }
            Labels::Scrape(s) => s,
        };
        if !c.networks.iter().any(|n| scope.networks.contains(n)) {
            let on = if c.networks.is_empty() {
                "no network".to_string()
            } else {
                c.networks.join(", ")
            };
            skip(
                &c.name,
                format!("shares no network with Prometheus (it is on {on}): add its network to `networks:`"),
                SkipKind::Elsewhere,
            );
            continue;
        }
        let project = c.labels.get(COMPOSE_PROJECT);
        let service = c.labels.get(COMPOSE_SERVICE);
        let address = format!("{}:{}", c.name, scrape.port);
        // A service the spec lists already (by its container or Compose
        // name) is scraped once, as the spec says.
        let names: Vec<String> = std::iter::once(c.name.clone())
            .chain(service.cloned())
            .map(|n| format!("{n}:{}", scrape.port))
            .collect();
        if let Some((job, _)) = scope
            .declared
            .iter()
            .find(|(_, targets)| targets.iter().any(|t| names.contains(t)))
        {
            skip(
                &c.name,
                format!("is scraped already as job `{job}` of the spec"),
                SkipKind::Declared,
            );
            continue;
        }
        let mut job = service.cloned().unwrap_or_else(|| c.name.clone());
        if scope.declared.contains_key(&job) {
            // Never mix its series with those of a job the spec declares.
            job = match (project, service) {
                (Some(p), Some(s)) if !scope.declared.contains_key(&format!("{p}-{s}")) => {
                    format!("{p}-{s}")
                }
                _ => c.name.clone(),
            };
        }
        let mut labels = BTreeMap::from([("container".to_string(), c.name.clone())]);
        if let Some(p) = project {
            labels.insert("compose_project".into(), p.clone());
        }
        if let Some(s) = service {
            labels.insert("compose_service".into(), s.clone());
        }
        targets.push(Target {
            job,
            address,
            metrics_path: scrape.path,
            scheme: scrape.scheme,
            container: c.name.clone(),
            labels,
        });
    }
    targets.sort();
    out.targets = targets;
    out.skipped.sort();
    out
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
