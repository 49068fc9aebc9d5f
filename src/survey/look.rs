//! Looking at what runs: the containers Docker lists (but obsctl's own, and,
//! when asked, only those of some Compose projects), and every exposed port
//! of each probed from this machine for a metrics endpoint. On Linux the
//! address a container has on a bridge network answers from the host.

use futures_util::future::join_all;

use super::{Endpoint, Known, Running, METRICS_PATHS};
use crate::error::Error;
use crate::exposition;
use crate::probes::{metrics, Http};
use crate::runtime::Engine;
use crate::timeouts::SURVEY_PROBE;

/// The containers looked at, and the metrics endpoints found on them.
#[derive(Debug, Clone, Default)]
pub struct Look {
    pub running: Vec<Running>,
    pub endpoints: Vec<Endpoint>,
}

/// Looks at the running containers (of `projects` only, when given).
pub async fn look(engine: &Engine, http: &Http, projects: &[String]) -> Result<Look, Error> {
    let running: Vec<Running> = engine
        .survey()
        .await?
        .into_iter()
        .filter(|c| {
            projects.is_empty()
                || c.compose_project
                    .as_ref()
                    .is_some_and(|p| projects.contains(p))
        })
        .collect();
    let probes = running
        .iter()
        .filter(|c| !c.labelled && Known::of(c).is_none())
        .filter_map(|c| {
            let ip = c
                .networks
                .iter()
                .map(|(_, ip)| ip)
                .find(|ip| !ip.is_empty())?;
            Some(c.exposed.iter().map(move |port| probe(http, c, ip, *port)))
        })
        .flatten();
    let endpoints = join_all(probes).await.into_iter().flatten().collect();
    Ok(Look { running, endpoints })
}

/// The first of [`METRICS_PATHS`] on `ip:port` that serves metrics.
async fn probe(http: &Http, c: &Running, ip: &str, port: u16) -> Option<Endpoint> {
    for path in METRICS_PATHS {
        let url = format!("http://{ip}:{port}{path}");
        let Some(answer) = metrics::get(http, &url, SURVEY_PROBE).await else {
            // Nothing answers HTTP on this port: the other paths will not either.
            return None;
        };
        if answer.status != 200 {
            continue;
        }
        if let Some(names) = exposition::metric_names(&answer.body) {
            return Some(Endpoint {
                container: c.name.clone(),
                port,
                path: path.into(),
                content_type: answer.content_type,
                metrics: names,
            });
        }
    }
    None
}
