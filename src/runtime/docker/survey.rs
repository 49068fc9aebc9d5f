//! The running containers as `init --discover` sees them: names, images,
//! Compose project and service, networks with their addresses, exposed and
//! published ports.

use super::{container_name, Engine};
use crate::discovery::labels::SCRAPE;
use crate::discovery::{COMPOSE_PROJECT, COMPOSE_SERVICE};
use crate::error::Error;
use crate::survey::Running;

impl Engine {
    /// Every running container but those of obsctl's stacks.
    pub async fn survey(&self) -> Result<Vec<Running>, Error> {
        let list = self.running_containers().await?;
        Ok(list
            .into_iter()
            .filter(|c| {
                !c.labels
                    .as_ref()
                    .is_some_and(|l| l.keys().any(|k| k.starts_with("dev.obsctl.")))
            })
            .map(|c| {
                let name = container_name(&c);
                let labels = c.labels.unwrap_or_default();
                let ports = c.ports.unwrap_or_default();
                let tcp = |p: &&bollard::models::PortSummary| {
                    p.typ.map(|t| t.to_string()).as_deref() != Some("udp")
                };
                let mut exposed: Vec<u16> =
                    ports.iter().filter(tcp).map(|p| p.private_port).collect();
                exposed.sort_unstable();
                exposed.dedup();
                let mut published: Vec<(u16, u16)> = ports
                    .iter()
                    .filter(tcp)
                    .filter_map(|p| Some((p.private_port, p.public_port?)))
                    .collect();
                published.sort_unstable();
                published.dedup();
                Running {
                    name,
                    image: c.image.unwrap_or_default(),
                    compose_project: labels.get(COMPOSE_PROJECT).cloned(),
                    compose_service: labels.get(COMPOSE_SERVICE).cloned(),
                    labelled: labels.get(SCRAPE).map(|v| v.trim()) == Some("true"),
                    networks: c
                        .network_settings
                        .and_then(|n| n.networks)
                        .map(|n| {
                            let mut all: Vec<(String, String)> = n
                                .into_iter()
                                .map(|(name, e)| (name, e.ip_address.unwrap_or_default()))
                                .collect();
                            all.sort();
                            all
                        })
                        .unwrap_or_default(),
                    exposed,
                    published,
                }
            })
            .collect())
    }
}
