//! `down` as a library call: stop and remove what `up` created, found by the
//! stack's label; data volumes stay unless asked for. Running it twice is
//! fine, and nothing without the stack's label is ever touched.

use futures_util::future::try_join_all;
use serde::Serialize;

use super::docker::Engine;
use crate::error::Error;

/// What `down` removed, and the data volumes it kept.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DownReport {
    pub containers: Vec<String>,
    pub networks: Vec<String>,
    pub volumes: Vec<String>,
    pub kept_volumes: Vec<String>,
}

impl DownReport {
    /// One line for people: what was removed from `stack`.
    pub fn describe(&self, stack: &str) -> String {
        if self.containers.is_empty() && self.networks.is_empty() && self.volumes.is_empty() {
            return format!("stack `{stack}`: nothing to remove");
        }
        let mut parts = vec![format!("{} container(s)", self.containers.len())];
        parts.extend(self.networks.iter().map(|n| format!("network {n}")));
        parts.extend(self.volumes.iter().map(|v| format!("volume {v}")));
        format!("stack `{stack}`: removed {}", parts.join(", "))
    }
}

/// Removes the containers and network of `stack`, and its data volumes when
/// `volumes` is set.
pub async fn down(engine: &Engine, stack: &str, volumes: bool) -> Result<DownReport, Error> {
    let observed = engine.observe(stack).await?;
    // Containers first: a network or volume in use cannot be removed.
    try_join_all(
        observed
            .containers
            .iter()
            .map(|c| engine.stop_and_remove(&c.id, &c.name)),
    )
    .await?;
    try_join_all(
        observed
            .networks
            .iter()
            .map(|n| engine.remove_network(&n.id, &n.name)),
    )
    .await?;
    if volumes {
        try_join_all(observed.volumes.iter().map(|v| engine.remove_volume(v))).await?;
    }
    let mut containers: Vec<String> = observed.containers.iter().map(|c| c.name.clone()).collect();
    containers.sort();
    let (volumes, kept_volumes) = if volumes {
        (observed.volumes, Vec::new())
    } else {
        (Vec::new(), observed.volumes)
    };
    Ok(DownReport {
        containers,
        networks: observed.networks.into_iter().map(|n| n.name).collect(),
        volumes,
        kept_volumes,
    })
}
