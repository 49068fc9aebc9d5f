//! `status` as a library call: what runs under the stack's label, each
//! service's container state, health (its readiness endpoint through the
//! published port), image, ports and uptime.

use std::net::IpAddr;

use futures_util::future::join_all;
use serde::Serialize;

use super::docker::Engine;
use super::plan::ObservedContainer;
use crate::error::Error;
use crate::model::Service;
use crate::probes::{probe_host, Http};
use crate::timeouts;

/// One container of the stack as it is now.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceStatus {
    pub service: String,
    pub container: String,
    pub state: String,
    /// ready, running (not published, so not checked), unhealthy, or "-" when stopped.
    pub health: String,
    /// What the readiness endpoint answered when it was not ready.
    pub detail: Option<String>,
    pub image: String,
    pub ports: Vec<String>,
    pub started_at: Option<String>,
    pub uptime_seconds: Option<i64>,
}

impl ServiceStatus {
    /// Running, and ready where that can be checked.
    pub fn is_healthy(&self) -> bool {
        self.state == "running" && (self.health == "ready" || self.health == "running")
    }
}

/// The stack's containers in start order, each with its health.
pub async fn status(engine: &Engine, stack: &str) -> Result<Vec<ServiceStatus>, Error> {
    let http = Http::new();
    let mut containers = engine.stack_containers(stack).await?;
    containers.sort_by_key(|c| {
        (
            Service::from_name(&c.service).map(Service::stage),
            c.service.clone(),
        )
    });
    let rows = join_all(containers.iter().map(|c| row(engine, &http, c))).await;
    rows.into_iter().collect()
}

async fn row(engine: &Engine, http: &Http, c: &ObservedContainer) -> Result<ServiceStatus, Error> {
    let state = engine.state(&c.name).await?;
    let service = Service::from_name(&c.service);
    let published = service.and_then(|s| {
        c.ports
            .iter()
            .find(|p| p.container_port == s.container_port())
    });
    let (health, detail) = match (c.running(), service, published) {
        (false, _, _) => ("-".to_string(), None),
        (true, Some(service), Some(p)) => {
            let ip: IpAddr = p.host_ip.parse().unwrap_or(IpAddr::from([127, 0, 0, 1]));
            let url = format!(
                "http://{}:{}{}",
                probe_host(ip),
                p.host_port,
                service.ready_path()
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
    Ok(ServiceStatus {
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
