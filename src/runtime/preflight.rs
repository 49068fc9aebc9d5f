//! What `up` checks before it creates anything, so a stack that cannot come
//! up leaves nothing behind: every application network it joins exists,
//! every host port it publishes is free (or its own), no object without
//! the stack's label holds a name it needs, and a surplus network of the
//! stack it is to remove has no one else's containers on it.

use super::docker::Engine;
use super::plan::{self, Observed};
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
    let volumes: Vec<String> = desired
        .volumes
        .iter()
        .filter(|v| !observed.volumes.contains(&v.name))
        .map(|v| v.name.clone())
        .collect();
    let mut foreign = if containers.is_empty() && volumes.is_empty() {
        Vec::new()
    } else {
        engine
            .foreign_names(&desired.stack, &containers, &[], &volumes)
            .await?
    };
    // A network of that name without the label stands in the way even
    // beside the stack's own: Docker would find the name ambiguous.
    if observed.foreign_networks.contains(&desired.network) {
        foreign.push(("network", desired.network.clone()));
    }
    if !foreign.is_empty() {
        return Err(Error::ForeignObjects {
            stack: desired.stack.clone(),
            objects: foreign,
        });
    }
    surplus_networks_free(engine, desired, observed).await
}

/// Fails with [`Error::DuplicateNetworkInUse`] when a surplus network of the
/// stack (see [`plan::stack_network`]) has containers of others attached:
/// obsctl would have to detach them to remove it.
async fn surplus_networks_free(
    engine: &Engine,
    desired: &Desired,
    observed: &Observed,
) -> Result<(), Error> {
    let (_, surplus) = plan::stack_network(desired, observed);
    for n in surplus {
        let others: Vec<String> = engine
            .attached(&n.id, &n.name)
            .await?
            .into_iter()
            .filter(|a| !observed.containers.iter().any(|c| c.name == *a))
            .collect();
        if !others.is_empty() {
            return Err(Error::DuplicateNetworkInUse {
                network: n.name,
                id: n.id,
                attached: others,
            });
        }
    }
    Ok(())
}
