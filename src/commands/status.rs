//! `obsctl status`: what runs under the stack's label: each service's
//! container state, health (its readiness endpoint through the published
//! port), image, ports and uptime.

use std::net::IpAddr;
use std::path::Path;

use anyhow::{Context, Result};
use futures_util::future::join_all;
use serde::Serialize;

use super::summary::print_table;
use crate::cli::OutputFormat;
use crate::error::{EXIT_FAILED, EXIT_OK};
use crate::model::Service;
use crate::probes::Http;
use crate::runtime::docker::Engine;
use crate::runtime::plan::ObservedContainer;
use crate::runtime::services::probe_host;
use crate::stack;
use crate::timeouts;

#[derive(Debug, Serialize)]
struct Row {
    service: String,
    container: String,
    state: String,
    /// ready, running (not published, so not checked), unhealthy, or "-" when stopped.
    health: String,
    /// What the readiness endpoint answered when it was not ready.
    detail: Option<String>,
    image: String,
    ports: Vec<String>,
    started_at: Option<String>,
    uptime_seconds: Option<i64>,
}

/// Prints the stack's status; exit 0 when every service runs and is healthy,
/// 1 otherwise (including services of the spec that have no container).
pub fn run(file: Option<&Path>, output: OutputFormat) -> Result<u8> {
    let name = stack::name(file)?;
    // The full model says which services should exist; when it does not
    // validate (e.g. a secret's variable is unset here), show what runs.
    let expected = stack::load(file).ok().map(|s| {
        s.model
            .services()
            .into_iter()
            .map(|s| s.service.to_string())
            .collect::<Vec<_>>()
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let rows = runtime.block_on(rows(&name))?;
    let missing: Vec<String> = expected
        .unwrap_or_default()
        .into_iter()
        .filter(|s| !rows.iter().any(|r| &r.service == s))
        .collect();
    let healthy = !rows.is_empty()
        && missing.is_empty()
        && rows
            .iter()
            .all(|r| r.state == "running" && (r.health == "ready" || r.health == "running"));
    match output {
        OutputFormat::Json => println!(
            "{}",
            serde_json::json!({"stack": name, "healthy": healthy, "services": rows, "missing": missing})
        ),
        OutputFormat::Human => {
            if rows.is_empty() {
                eprintln!("stack `{name}` is not running: no container carries its label");
            } else {
                let table: Vec<[String; 6]> = rows
                    .iter()
                    .map(|r| {
                        [
                            r.service.clone(),
                            r.state.clone(),
                            r.health.clone(),
                            r.image.clone(),
                            if r.ports.is_empty() {
                                "-".into()
                            } else {
                                r.ports.join(", ")
                            },
                            r.uptime_seconds.map(uptime).unwrap_or_else(|| "-".into()),
                        ]
                    })
                    .collect();
                print_table(
                    &["SERVICE", "STATE", "HEALTH", "IMAGE", "PORTS", "UPTIME"],
                    &table,
                );
                for r in rows.iter().filter(|r| r.detail.is_some()) {
                    eprintln!(
                        "note: {}: readiness check: {}",
                        r.service,
                        r.detail.as_deref().unwrap_or_default()
                    );
                }
            }
            for m in &missing {
                eprintln!("missing: {m} has no container (run `obsctl up`)");
            }
        }
    }
    Ok(if healthy { EXIT_OK } else { EXIT_FAILED })
}

async fn rows(stack: &str) -> Result<Vec<Row>> {
    let engine = super::up::connect().await?;
    let http = Http::new();
    let mut containers = engine.stack_containers(stack).await?;
    containers.sort_by_key(|c| {
        (
            Service::from_name(&c.service).map(Service::stage),
            c.service.clone(),
        )
    });
    let rows = join_all(containers.iter().map(|c| row(&engine, &http, c))).await;
    rows.into_iter().collect()
}

async fn row(engine: &Engine, http: &Http, c: &ObservedContainer) -> Result<Row> {
    let state = engine.state(&c.name).await?;
    let role = Service::from_name(&c.service);
    let published = role.and_then(|r| {
        c.ports
            .iter()
            .find(|p| p.container_port == r.container_port())
    });
    let (health, detail) = match (c.running(), role, published) {
        (false, _, _) => ("-".to_string(), None),
        (true, Some(role), Some(p)) => {
            let ip: IpAddr = p.host_ip.parse().unwrap_or(IpAddr::from([127, 0, 0, 1]));
            let url = format!(
                "http://{}:{}{}",
                probe_host(ip),
                p.host_port,
                role.ready_path()
            );
            let check = http.check(&url, timeouts::STATUS_HEALTH).await;
            if check.is_up() {
                ("ready".into(), None)
            } else {
                ("unhealthy".into(), Some(check.describe()))
            }
        }
        (true, _, _) => ("running".into(), None),
    };
    let uptime_seconds = c
        .running()
        .then(|| {
            state
                .started_at
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        })
        .flatten()
        .map(|t| (chrono::Utc::now() - t.to_utc()).num_seconds().max(0));
    Ok(Row {
        service: c.service.clone(),
        container: c.name.clone(),
        state: if state.restarting {
            "restarting".into()
        } else {
            c.state.clone()
        },
        health,
        detail,
        image: c.image.clone(),
        ports: c
            .ports
            .iter()
            .map(|p| format!("{}:{}->{}", p.host_ip, p.host_port, p.container_port))
            .collect(),
        started_at: state.started_at.filter(|_| c.running()),
        uptime_seconds,
    })
}

fn uptime(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86400 => format!("{}h{}m", s / 3600, s % 3600 / 60),
        s => format!("{}d{}h", s / 86400, s % 86400 / 3600),
    }
}
