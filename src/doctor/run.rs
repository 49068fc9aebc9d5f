//! Running every doctor check: Docker and containers, the spec against the
//! rendered files, then Prometheus, Alertmanager, Grafana and the probes
//! concurrently, each under a deadline.

use std::collections::HashMap;
use std::path::Path;

use super::check::Check;
use super::containers::{self, Expected};
use super::dns::Networks;
use super::grafana::{self, Credentials};
use super::services;
use crate::credentials::GRAFANA_PASSWORD_FILE;
use crate::discovery::Scope;
use crate::model::{ExporterKind, Model, Service};
use crate::probes::probe_host;
use crate::probes::Http;
use crate::render::RenderedFile;
use crate::runtime;
use crate::timeouts;

/// Every check of the stack described by `model`, whose files render to
/// `files` and live in `dir`.
pub async fn run(model: &Model, files: &[RenderedFile], dir: &Path) -> Vec<Check> {
    let mut out = Vec::new();
    out.push(Check::ok("spec", "spec", "valid"));
    out.push(super::files::drift(files, dir));
    let (docker_checks, networks) = docker(model).await;
    out.extend(docker_checks);

    let http = Http::new();
    let host = probe_host(model.bind);
    let off = if model.prometheus.as_ref().is_some_and(|p| p.is_agent()) {
        "off: Prometheus runs as an agent"
    } else {
        "disabled in the spec"
    };
    let timeout = timeouts::DOCTOR_READY;
    let prometheus = async {
        match &model.prometheus {
            Some(p) => {
                deadline(
                    "prometheus",
                    services::prometheus_checks(
                        &http,
                        &format!("http://{host}:{}", p.port),
                        model,
                        &networks,
                        timeout,
                    ),
                )
                .await
            }
            None => vec![Check::skip(
                "prometheus",
                "prometheus",
                "disabled in the spec",
            )],
        }
    };
    let alertmanager = async {
        match &model.alertmanager {
            Some(a) => {
                deadline(
                    "alertmanager",
                    services::alertmanager_checks(
                        &http,
                        &format!("http://{host}:{}", a.port),
                        model,
                        dir,
                        timeout,
                    ),
                )
                .await
            }
            None => vec![Check::skip("alertmanager", "alertmanager", off)],
        }
    };
    let grafana = async {
        match &model.grafana {
            Some(g) => {
                let creds = Credentials {
                    user: g.admin_user.clone(),
                    password: std::fs::read_to_string(dir.join(GRAFANA_PASSWORD_FILE))
                        .ok()
                        .map(|p| p.trim_end().to_string()),
                };
                let uids: Vec<String> = model
                    .dashboards
                    .iter()
                    .filter_map(|d| {
                        d.json
                            .get("uid")
                            .and_then(|u| u.as_str())
                            .map(str::to_string)
                    })
                    .collect();
                deadline(
                    "grafana",
                    grafana::checks(&http, &format!("http://{host}:{}", g.port), &creds, &uids),
                )
                .await
            }
            None => vec![Check::skip("grafana", "grafana", off)],
        }
    };
    let probes = async {
        let blackbox = model
            .exporters
            .iter()
            .find(|e| e.kind == ExporterKind::Blackbox)
            .and_then(|e| e.host_port);
        match blackbox {
            Some(port) if !model.probes.is_empty() => {
                deadline(
                    "probes",
                    services::probe_checks(&http, &format!("http://{host}:{port}"), model),
                )
                .await
            }
            _ => Vec::new(),
        }
    };
    let (p, a, g, b) = tokio::join!(prometheus, alertmanager, grafana, probes);
    out.extend(p);
    out.extend(a);
    out.extend(g);
    out.extend(b);
    out
}

async fn deadline(
    group: &'static str,
    checks: impl std::future::Future<Output = Vec<Check>>,
) -> Vec<Check> {
    match tokio::time::timeout(timeouts::DOCTOR_SERVICE, checks).await {
        Ok(c) => c,
        Err(_) => vec![Check::fail(
            group,
            "checks",
            format!("no answer within {}s", timeouts::DOCTOR_SERVICE.as_secs()),
        )
        .hint("the service is overloaded or hanging: look at its container log")],
    }
}

/// The containers the model expects, by service.
pub fn expected(model: &Model) -> Vec<Expected> {
    let bind = model.bind.to_string();
    model
        .services()
        .into_iter()
        .map(|s| Expected {
            service: s.service.name().into(),
            image: s.image,
            port: s.host_port.map(|p| (bind.clone(), p)),
        })
        .collect()
}

/// The Docker checks, and where names live on Docker's networks (for the
/// targets that do not resolve).
async fn docker(model: &Model) -> (Vec<Check>, Networks) {
    let engine = match runtime::connect().await {
        Ok(e) => e,
        Err(e) => {
            let check = Check::fail("docker", "engine", e.to_string());
            return (
                vec![match e.hint() {
                    Some(hint) => check.hint(hint),
                    None => check,
                }],
                Networks::default(),
            );
        }
    };
    let mut out = Vec::new();
    match engine.version().await {
        Ok(v) => out.push(Check::ok(
            "docker",
            "engine",
            format!(
                "Docker {} at {}, API {} negotiated",
                v.engine,
                engine.endpoint(),
                v.api
            ),
        )),
        Err(e) => out.push(Check::warn(
            "docker",
            "engine",
            format!(
                "reachable at {}, but its version is unknown: {e}",
                engine.endpoint()
            ),
        )),
    }
    let observed = match engine.stack_containers(&model.name).await {
        Ok(c) => c,
        Err(e) => {
            out.push(Check::fail("containers", "containers", e.to_string()));
            return (out, Networks::default());
        }
    };
    let mut restarts = HashMap::new();
    for c in &observed {
        if let Ok(n) = engine.restart_count(&c.name).await {
            restarts.insert(c.name.clone(), n);
        }
    }
    // Who else holds a port the stack should publish but does not.
    let expected = expected(model);
    let mut holders = HashMap::new();
    for (_, port) in expected.iter().filter_map(|e| e.port.clone()) {
        let ours = observed
            .iter()
            .any(|c| c.ports.iter().any(|p| p.host_port == port));
        if ours {
            continue;
        }
        let foreign = engine.publishers_of(port).await.unwrap_or_default();
        let holder = match foreign.first() {
            Some((name, _)) => Some(format!("container {name}")),
            None => crate::runtime::ports::process_holding(port),
        };
        if let Some(h) = holder {
            holders.insert(port, h);
        }
    }
    out.extend(containers::checks(
        &expected, &observed, &restarts, &holders,
    ));
    if !model.networks.is_empty() {
        match engine.networks().await {
            Ok(all) => {
                let by_name = all.into_iter().map(|n| (n.name, n.id)).collect();
                out.extend(super::networks::checks(
                    &model.networks,
                    &by_name,
                    &observed,
                ));
            }
            Err(e) => out.push(Check::fail("networks", "networks", e.to_string())),
        }
    }
    let mut networks = Networks {
        prometheus: observed
            .iter()
            .filter(|c| c.service == Service::Prometheus.name())
            .flat_map(|c| c.attached.keys().cloned())
            .collect(),
        listed: model.networks.clone(),
        ..Default::default()
    };
    match engine.running_names().await {
        Ok(running) => {
            for (name, service, on) in &running {
                networks.add(name, service.as_deref(), on);
            }
        }
        Err(e) => out.push(Check::warn("docker", "containers", e.to_string())),
    }
    if model.prometheus.is_some() {
        match engine.scrape_candidates().await {
            Ok(candidates) => {
                let found = crate::discovery::discover(&candidates, &Scope::of(model));
                out.extend(super::discovered::skipped(&found));
            }
            Err(e) => out.push(Check::warn(
                "discovered",
                "labelled containers",
                e.to_string(),
            )),
        }
    }
    (out, networks)
}
