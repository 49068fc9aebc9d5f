//! `obsctl down`: stop and remove what `up` created, found by the stack's
//! label; data volumes stay unless `--volumes`. Running it twice is fine, and
//! nothing without the stack's label is ever touched.

use std::path::Path;

use anyhow::{Context, Result};
use futures_util::future::try_join_all;

use crate::cli::{DownArgs, OutputFormat};
use crate::error::EXIT_OK;
use crate::stack;

/// Removes the stack's containers and network (and volumes with `--volumes`).
pub fn run(file: Option<&Path>, args: DownArgs, output: OutputFormat) -> Result<u8> {
    let name = stack::name(file)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let removed = runtime.block_on(down(&name, args.volumes))?;
    match output {
        OutputFormat::Json => println!(
            "{}",
            serde_json::json!({
                "stack": name,
                "removed": {
                    "containers": removed.containers,
                    "networks": removed.networks,
                    "volumes": removed.volumes,
                },
                "kept_volumes": removed.kept_volumes,
            })
        ),
        OutputFormat::Human => {
            if removed.containers.is_empty()
                && removed.networks.is_empty()
                && removed.volumes.is_empty()
            {
                eprintln!("stack `{name}`: nothing to remove");
            } else {
                let mut parts = vec![format!("{} container(s)", removed.containers.len())];
                parts.extend(removed.networks.iter().map(|n| format!("network {n}")));
                parts.extend(removed.volumes.iter().map(|v| format!("volume {v}")));
                eprintln!("stack `{name}`: removed {}", parts.join(", "));
            }
            if !removed.kept_volumes.is_empty() {
                eprintln!(
                    "kept data volumes {} (remove them with `obsctl down --volumes`)",
                    removed.kept_volumes.join(", ")
                );
            }
        }
    }
    Ok(EXIT_OK)
}

struct Removed {
    containers: Vec<String>,
    networks: Vec<String>,
    volumes: Vec<String>,
    kept_volumes: Vec<String>,
}

async fn down(stack: &str, volumes: bool) -> Result<Removed> {
    let engine = super::up::connect().await?;
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
    Ok(Removed {
        containers,
        networks: observed.networks.into_iter().map(|n| n.name).collect(),
        volumes,
        kept_volumes,
    })
}
