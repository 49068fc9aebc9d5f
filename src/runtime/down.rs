//! `down` as a library call: stop and remove what `up` created, found by the
//! stack's label; data volumes stay unless asked for. Running it twice is
//! fine, and nothing without the stack's label is ever touched: removing the
//! stack's containers detaches them from the application's networks, which
//! stay as they are; and the stack's own network stays while containers of
//! others are attached to it (it goes with a later `down`).

use futures_util::future::try_join_all;
use serde::Serialize;

use super::docker::{Engine, NetworkRemoval};
use crate::error::Error;

/// What `down` removed, and what it kept.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DownReport {
    pub containers: Vec<String>,
    pub networks: Vec<String>,
    pub volumes: Vec<String>,
    pub kept_volumes: Vec<String>,
    /// The stack's networks left in place because others use them.
    pub kept_networks: Vec<KeptNetwork>,
}

/// A network of the stack that containers obsctl does not own still use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeptNetwork {
    pub name: String,
    /// The containers attached to it.
    pub attached: Vec<String>,
}

impl KeptNetwork {
    /// Why it stays, and how to have it removed.
    pub fn describe(&self) -> String {
        format!(
            "kept network {}: other containers are attached to it ({}); detach them (`docker network disconnect {} NAME`) and run `obsctl down` again to remove it",
            self.name,
            self.attached.join(", "),
            self.name
        )
    }
}

impl DownReport {
    /// One line for people: what was removed from `stack`.
    pub fn describe(&self, stack: &str) -> String {
        if self.containers.is_empty() && self.networks.is_empty() && self.volumes.is_empty() {
            return format!("stack `{stack}`: nothing to remove");
        }
        let mut parts = Vec::new();
        match self.containers.len() {
            0 => {}
            1 => parts.push("1 container".to_string()),
            n => parts.push(format!("{n} containers")),
        }
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
    let removals = try_join_all(
        observed
            .networks
            .iter()
            .map(|n| engine.remove_network(&n.id, &n.name)),
    )
    .await?;
    let mut networks = Vec::new();
    let mut kept_networks = Vec::new();
    for (n, removal) in observed.networks.into_iter().zip(removals) {
        match removal {
            NetworkRemoval::Removed => networks.push(n.name),
            NetworkRemoval::InUse { containers } => kept_networks.push(KeptNetwork {
                name: n.name,
                attached: containers,
            }),
        }
    }
    if volumes {
        try_join_all(observed.volumes.iter().map(|v| engine.remove_volume(v))).await?;
    }
    let mut containers: Vec<String> = observed.containers.iter().map(|c| c.name.clone()).collect();
    containers.sort();
    let mut listed = observed.volumes;
    listed.sort();
    let (volumes, kept_volumes) = if volumes {
        (listed, Vec::new())
    } else {
        (Vec::new(), listed)
    };
    Ok(DownReport {
        containers,
        networks,
        volumes,
        kept_volumes,
        kept_networks,
    })
}
