//! What `up` checks before it creates anything, so a stack that cannot come
//! up leaves nothing behind: every application network it joins exists,
//! every host port it publishes is free (or its own), and no object without
//! the stack's label holds a name it needs.

use super::docker::Engine;
use super::plan::Observed;
use super::ports;
use super::services::Desired;
use crate::error::{Error, ExistingNetwork};

/// Fails with [`Error::NetworksMissing`], [`Error::PortsTaken`] or
/// [`Error::ForeignObjects`] when the stack cannot be created as `desired`
/// says.
pub async fn check(engine: &Engine, desired: &Desired, observed: &Observed) -> Result<(), Error> {
    let missing: Vec<String> = desired
        .app_networks
        .iter()
        .filter(|n| !observed.engine_networks.contains_key(*n))
        .cloned()
        .collect();
    if !missing.is_empty() {
        let networks = engine.networks().await?;
        return Err(Error::NetworksMissing {
            missing,
            existing: networks
                .into_iter()
                .filter(|n| {
                    n.stack.is_none() && !["bridge", "host", "none"].contains(&n.name.as_str())
                })
                .map(|n| ExistingNetwork {
                    name: n.name,
                    compose_project: n.compose_project,
                })
                .collect(),
        });
    }
    let taken = ports::taken(engine, desired, observed).await?;
    if !taken.is_empty() {
        return Err(Error::PortsTaken(taken));
    }
    let containers: Vec<String> = desired
        .services
        .iter()
        .filter(|s| !observed.containers.iter().any(|c| c.name == s.def.name))
        .map(|s| s.def.name.clone())
        .collect();
    let networks: Vec<String> = (!observed.networks.iter().any(|n| n.name == desired.network))
        .then(|| desired.network.clone())
        .into_iter()
        .collect();
    let volumes: Vec<String> = desired
        .volumes
        .iter()
        .filter(|v| !observed.volumes.contains(&v.name))
        .map(|v| v.name.clone())
        .collect();
    if containers.is_empty() && networks.is_empty() && volumes.is_empty() {
        return Ok(());
    }
    let foreign = engine
        .foreign_names(&desired.stack, &containers, &networks, &volumes)
        .await?;
    if foreign.is_empty() {
        Ok(())
    } else {
        Err(Error::ForeignObjects {
            stack: desired.stack.clone(),
            objects: foreign,
        })
    }
}
