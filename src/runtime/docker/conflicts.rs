//! Objects that stand in the stack's way: names it needs that objects
//! without its label hold, and containers publishing a host port it needs.

use std::collections::HashMap;

use bollard::query_parameters::ListContainersOptionsBuilder;

use super::{container_name, fail, Engine};
use crate::error::Error;
use crate::runtime::LABEL_STACK;

impl Engine {
    /// Names among `containers`, `networks` and `volumes` already taken by
    /// objects that do not carry `stack`'s label, as (kind, name).
    pub async fn foreign_names(
        &self,
        stack: &str,
        containers: &[String],
        networks: &[String],
        volumes: &[String],
    ) -> Result<Vec<(&'static str, String)>, Error> {
        let mine = |labels: Option<&HashMap<String, String>>| {
            labels.and_then(|l| l.get(LABEL_STACK)).map(String::as_str) == Some(stack)
        };
        let mut found = Vec::new();
        let all = ListContainersOptionsBuilder::default().all(true).build();
        for c in self
            .docker
            .list_containers(Some(all))
            .await
            .map_err(fail("list containers", "on this engine"))?
        {
            let names = c.names.clone().unwrap_or_default();
            for name in names.iter().map(|n| n.trim_start_matches('/')) {
                if containers.iter().any(|w| w == name) && !mine(c.labels.as_ref()) {
                    found.push(("container", name.to_string()));
                }
            }
        }
        for n in self
            .docker
            .list_networks(None)
            .await
            .map_err(fail("list networks", "on this engine"))?
        {
            let name = n.name.clone().unwrap_or_default();
            if networks.contains(&name) && !mine(n.labels.as_ref()) {
                found.push(("network", name));
            }
        }
        let list = self
            .docker
            .list_volumes(None::<bollard::query_parameters::ListVolumesOptions>)
            .await
            .map_err(fail("list volumes", "on this engine"))?;
        for v in list.volumes.unwrap_or_default() {
            if volumes.contains(&v.name) && !mine(Some(&v.labels)) {
                found.push(("volume", v.name));
            }
        }
        Ok(found)
    }

    /// Running containers that publish host port `port`, as (name, stack label).
    pub async fn publishers_of(&self, port: u16) -> Result<Vec<(String, Option<String>)>, Error> {
        let list = self.running_containers().await?;
        Ok(list
            .into_iter()
            .filter(|c| {
                c.ports
                    .iter()
                    .flatten()
                    .any(|p| p.public_port == Some(port))
            })
            .map(|c| {
                let name = container_name(&c);
                (name, c.labels.and_then(|mut l| l.remove(LABEL_STACK)))
            })
            .collect())
    }

    /// Host ports a container is configured to publish, running or not (a
    /// restarting container lists none, yet its proxies may hold them).
    pub async fn configured_host_ports(&self, id: &str) -> Result<Vec<u16>, Error> {
        let info = self
            .docker
            .inspect_container(id, None)
            .await
            .map_err(fail("inspect container", id))?;
        Ok(info
            .host_config
            .and_then(|h| h.port_bindings)
            .into_iter()
            .flat_map(|m| m.into_values())
            .flatten()
            .flatten()
            .filter_map(|b| b.host_port?.parse().ok())
            .collect())
    }
}
