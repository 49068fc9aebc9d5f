//! What runs on this machine, as `init --discover` sees it, and what it
//! proposes from that: the application's networks to join, a scrape job per
//! metrics endpoint found (by service name on the application's network),
//! the exporters for the databases found, and the rule packs matching the
//! metrics exposed. [`propose`] is a pure function of the containers Docker
//! lists and of what probing their ports found ([`look`] does both).
//!
//! The application's secrets are never read: an exporter that needs a
//! password gets an `{env: ...}` placeholder and a note.

pub mod look;

use std::collections::BTreeSet;

use serde::Serialize;

use crate::packs;
use crate::presets::{Answers, PostgresAnswer, RedisAnswer, ScrapeAnswer};

/// The paths probed for metrics on every exposed port, in this order.
pub const METRICS_PATHS: [&str; 3] = ["/metrics", "/api/metrics", "/api/v1/metrics"];

/// A running container, as the survey sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Running {
    pub name: String,
    pub image: String,
    pub compose_project: Option<String>,
    pub compose_service: Option<String>,
    /// True when it carries `prometheus.io/scrape: "true"`.
    pub labelled: bool,
    /// The networks it is on, with its address on each.
    pub networks: Vec<(String, String)>,
    /// The TCP ports it exposes.
    pub exposed: Vec<u16>,
    /// (container port, host port) it publishes.
    pub published: Vec<(u16, u16)>,
}

/// A metrics endpoint found by probing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub container: String,
    pub port: u16,
    pub path: String,
    pub content_type: Option<String>,
    pub metrics: BTreeSet<String>,
}

/// A well-known service found by its image or port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    Postgres,
    Redis,
}

impl Known {
    /// What a container is, by its image's name or the port it exposes.
    pub fn of(c: &Running) -> Option<Known> {
        let image = c.image.rsplit('/').next().unwrap_or_default();
        let image = image.split([':', '@']).next().unwrap_or_default();
        let exporter = image.contains("exporter");
        if (image.contains("postgres") && !exporter) || c.exposed.contains(&5432) {
            Some(Known::Postgres)
        } else if (image.contains("redis") && !exporter) || c.exposed.contains(&6379) {
            Some(Known::Redis)
        } else {
            None
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Known::Postgres => "PostgreSQL",
            Known::Redis => "Redis",
        }
    }

    pub fn port(self) -> u16 {
        match self {
            Known::Postgres => 5432,
            Known::Redis => 6379,
        }
    }

    /// The metric that shows the application runs this exporter itself.
    fn exporter_metric(self) -> &'static str {
        match self {
            Known::Postgres => "pg_up",
            Known::Redis => "redis_up",
        }
    }

    fn pack(self) -> &'static str {
        match self {
            Known::Postgres => "postgres",
            Known::Redis => "redis",
        }
    }
}

/// One container and what was made of it, for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seen {
    /// The Compose project, or "" for a container of none.
    pub project: String,
    pub container: String,
    pub what: String,
}

/// What `init` proposes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proposal {
    pub networks: Vec<String>,
    pub scrape: Vec<ScrapeAnswer>,
    pub postgres: Option<PostgresAnswer>,
    pub redis: Option<RedisAnswer>,
    pub packs: Vec<String>,
    pub seen: Vec<Seen>,
    pub notes: Vec<String>,
}

impl Proposal {
    /// Adds the proposal to `a` (the preset's answers): its networks, jobs,
    /// exporters (replacing the preset's guesses) and packs.
    pub fn apply(self, a: &mut Answers) {
        for n in self.networks {
            if !a.networks.contains(&n) {
                a.networks.push(n);
            }
        }
        a.scrape.extend(self.scrape);
        if self.postgres.is_some() {
            a.exporters.postgres = self.postgres;
        }
        if self.redis.is_some() {
            a.exporters.redis = self.redis;
        }
        for p in self.packs {
            if !a.packs.contains(&p) {
                a.packs.push(p);
            }
        }
    }
}

/// Docker's networks on which names do not resolve, or that are no network.
const NAMELESS: [&str; 3] = ["bridge", "host", "none"];

/// Where the stack reaches a container by name: (host, network to join).
/// Compose's service name on the project's own network when there is one.
fn by_name(c: &Running) -> Option<(String, String)> {
    let mut named: Vec<&String> = c
        .networks
        .iter()
        .map(|(n, _)| n)
        .filter(|n| !NAMELESS.contains(&n.as_str()))
        .collect();
    named.sort();
    let project_default = c.compose_project.as_ref().map(|p| format!("{p}_default"));
    let network = named
        .iter()
        .find(|n| Some(n.as_str()) == project_default.as_deref())
        .or(named.first())?;
    let host = match (&c.compose_service, &c.compose_project) {
        (Some(service), Some(_)) => service.clone(),
        _ => c.name.clone(),
    };
    Some((host, network.to_string()))
}

/// The proposal for `running` containers whose probed endpoints are
/// `endpoints`; job names never clash with those of `start` (the preset's).
pub fn propose(running: &[Running], endpoints: &[Endpoint], start: &Answers) -> Proposal {
    let mut out = Proposal::default();
    let mut taken = start.clone();
    let mut networks = BTreeSet::new();
    let mut exposed: BTreeSet<String> = BTreeSet::new();
    for e in endpoints {
        exposed.extend(e.metrics.iter().cloned());
    }
    let mut sorted: Vec<&Running> = running.iter().collect();
    sorted.sort_by_key(|c| (c.compose_project.clone(), c.name.clone()));
    for c in sorted {
        let project = c.compose_project.clone().unwrap_or_default();
        let mut seen = |what: String| {
            out.seen.push(Seen {
                project: project.clone(),
                container: c.name.clone(),
                what,
            })
        };
        if c.labelled {
            seen("labelled prometheus.io/scrape: found by its labels at every `obsctl up` (and by `obsctl watch`)".into());
            if let Some((_, network)) = by_name(c) {
                networks.insert(network);
            }
            continue;
        }
        if let Some(known) = Known::of(c) {
            let already = exposed.contains(known.exporter_metric());
            let Some((host, network)) = by_name(c) else {
                seen(format!(
                    "{}, on no network the stack can join: not monitored",
                    known.title()
                ));
                continue;
            };
            let address = format!("{host}:{}", known.port());
            let slot_taken = match known {
                Known::Postgres => out.postgres.is_some(),
                Known::Redis => out.redis.is_some(),
            };
            if already {
                seen(format!(
                    "{} at {address}; the application runs its exporter, which is scraped",
                    known.title()
                ));
            } else if slot_taken {
                seen(format!("{} at {address}: obsctl runs one exporter of each kind; add a scrape job for another exporter", known.title()));
                continue;
            } else {
                seen(format!(
                    "{} at {address}: obsctl's exporter reads it",
                    known.title()
                ));
                match known {
                    Known::Postgres => {
                        out.postgres = Some(PostgresAnswer {
                            address,
                            user: "postgres".into(),
                            password_env: "POSTGRES_PASSWORD".into(),
                            database: "postgres".into(),
                        });
                        out.notes.push("postgres_exporter logs in as `postgres` with the password in $POSTGRES_PASSWORD (obsctl never reads the application's secrets); a role with the pg_monitor privilege is better: set `exporters.postgres.user`".into());
                    }
                    Known::Redis => {
                        out.redis = Some(RedisAnswer { address });
                        out.notes.push("if Redis asks for a password, add `password: {env: REDIS_PASSWORD}` under `exporters.redis`".into());
                    }
                }
            }
            networks.insert(network);
            out.packs.push(known.pack().into());
            continue;
        }
        let found: Vec<&Endpoint> = endpoints.iter().filter(|e| e.container == c.name).collect();
        if found.is_empty() {
            let ports: Vec<String> = c.exposed.iter().map(u16::to_string).collect();
            seen(if ports.is_empty() {
                "exposes no port: nothing to scrape".into()
            } else {
                format!(
                    "no metrics at {} on port {}",
                    METRICS_PATHS.join(", "),
                    ports.join(", ")
                )
            });
            continue;
        }
        for e in found {
            let target = match by_name(c) {
                Some((host, network)) => {
                    networks.insert(network);
                    format!("{host}:{}", e.port)
                }
                None => match c.published.iter().find(|(inside, _)| *inside == e.port) {
                    Some((_, host_port)) => format!("host.docker.internal:{host_port}"),
                    None => {
                        seen(format!("metrics at :{}{}, but it is on Docker's default bridge and does not publish the port: put it on a network of its own, or publish the port", e.port, e.path));
                        continue;
                    }
                },
            };
            let wanted = c.compose_service.clone().unwrap_or_else(|| c.name.clone());
            let job = if taken.job_taken(&wanted) && !project.is_empty() {
                taken.free_job(&format!("{project}-{wanted}"))
            } else {
                taken.free_job(&wanted)
            };
            let mut answer = ScrapeAnswer::new(&job, &[&target], &e.path);
            let fallback =
                crate::scrape_protocol::judge(e.content_type.as_deref()).needs_fallback();
            if fallback {
                answer.fallback_scrape_protocol =
                    Some(crate::scrape_protocol::TEXT_FALLBACK.into());
            }
            seen(format!(
                "metrics at {target}{} (job `{job}`){}",
                e.path,
                if fallback {
                    format!(
                        "; its Content-Type ({}) is read as {}",
                        e.content_type
                            .as_deref()
                            .filter(|t| !t.is_empty())
                            .unwrap_or("none"),
                        crate::scrape_protocol::TEXT_FALLBACK
                    )
                } else {
                    String::new()
                }
            ));
            taken.scrape.push(answer.clone());
            out.scrape.push(answer);
        }
    }
    for pack in packs::all() {
        if ["stack", "node"].contains(&pack.name.as_str()) || out.packs.contains(&pack.name) {
            continue;
        }
        if pack.metrics().iter().any(|m| exposed.contains(m)) {
            out.packs.push(pack.name);
        }
    }
    out.packs.sort();
    out.packs.dedup();
    out.networks = networks.into_iter().collect();
    out
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
