//! Networks: the stack's own (created with its label, removed only when no
//! one else is attached), and the application's networks the stack joins,
//! which obsctl never creates, removes or changes: it only connects its own
//! containers to them and disconnects them again.

use bollard::errors::Error as BollardError;
use bollard::models::{
    EndpointSettings, NetworkConnectRequest, NetworkCreateRequest, NetworkDisconnectRequest,
};
use bollard::query_parameters::InspectNetworkOptions;

use chrono::{DateTime, Utc};

use super::{fail, labels, Engine};
use crate::error::Error;
use crate::runtime::LABEL_STACK;

/// The Compose label naming the project a network or container belongs to.
pub const COMPOSE_PROJECT: &str = "com.docker.compose.project";

/// A network on this engine, as preflight and doctor see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkInfo {
    pub id: String,
    pub name: String,
    pub driver: String,
    /// The Compose project that made it, if any.
    pub compose_project: Option<String>,
    /// The stack whose label it carries, if any.
    pub stack: Option<String>,
    /// When Docker created it, if it says.
    pub created: Option<DateTime<Utc>>,
}

/// What became of a network `down` tried to remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkRemoval {
    Removed,
    /// Containers obsctl does not own are still attached: it stays.
    InUse {
        containers: Vec<String>,
    },
}

impl Engine {
    /// Every network on this engine.
    pub async fn networks(&self) -> Result<Vec<NetworkInfo>, Error> {
        let list = self
            .docker
            .list_networks(None)
            .await
            .map_err(fail("list networks", "on this engine"))?;
        Ok(list
            .into_iter()
            .filter_map(|n| {
                let label = |key: &str| n.labels.as_ref().and_then(|l| l.get(key)).cloned();
                Some(NetworkInfo {
                    compose_project: label(COMPOSE_PROJECT),
                    stack: label(LABEL_STACK),
                    created: n
                        .created
                        .as_deref()
                        .and_then(|c| DateTime::parse_from_rfc3339(c).ok())
                        .map(|c| c.with_timezone(&Utc)),
                    id: n.id?,
                    name: n.name.unwrap_or_default(),
                    driver: n.driver.unwrap_or_default(),
                })
            })
            .collect())
    }

    pub async fn create_network(&self, stack: &str, name: &str) -> Result<String, Error> {
        let request = NetworkCreateRequest {
            name: name.into(),
            driver: Some("bridge".into()),
            labels: Some(labels(stack, "network", None)),
            ..Default::default()
        };
        let created = self
            .docker
            .create_network(request)
            .await
            .map_err(fail("create network", name))?;
        Ok(created.id)
    }

    /// Removes the stack's network `id`, unless containers obsctl does not
    /// own are attached to it: then it stays, and they are named.
    pub async fn remove_network(&self, id: &str, name: &str) -> Result<NetworkRemoval, Error> {
        match self.docker.remove_network(id).await {
            Ok(()) => Ok(NetworkRemoval::Removed),
            Err(BollardError::DockerResponseServerError {
                status_code: 404, ..
            }) => Ok(NetworkRemoval::Removed),
            Err(BollardError::DockerResponseServerError { message, .. })
                if message.contains("active endpoints") =>
            {
                Ok(NetworkRemoval::InUse {
                    containers: self.attached(id, name).await?,
                })
            }
            Err(e) => Err(fail("remove network", name)(e)),
        }
    }

    /// Names of the containers attached to network `id`, sorted.
    pub async fn attached(&self, id: &str, name: &str) -> Result<Vec<String>, Error> {
        let info = self
            .docker
            .inspect_network(id, None::<InspectNetworkOptions>)
            .await
            .map_err(fail("inspect network", name))?;
        let mut names: Vec<String> = info
            .containers
            .unwrap_or_default()
            .into_values()
            .filter_map(|e| e.name)
            .collect();
        names.sort();
        Ok(names)
    }

    /// Attaches container `container` to network `network_id` (named
    /// `network` in messages). Its container name resolves there, as on
    /// every user-defined network; no shorter alias is added, so a service of
    /// the application with the same name (its own `prometheus`) is never
    /// shadowed on the application's network.
    pub async fn connect_network(
        &self,
        network_id: &str,
        network: &str,
        container: &str,
    ) -> Result<(), Error> {
        let request = NetworkConnectRequest {
            container: container.into(),
            endpoint_config: Some(EndpointSettings::default()),
        };
        self.docker
            .connect_network(network_id, request)
            .await
            .map_err(fail(
                "connect to network",
                format!("{network}: {container}"),
            ))
    }

    /// Detaches `container` from network `network`; a network or endpoint
    /// that is already gone is not an error.
    pub async fn disconnect_network(&self, network: &str, container: &str) -> Result<(), Error> {
        let request = NetworkDisconnectRequest {
            container: container.into(),
            force: Some(true),
        };
        match self.docker.disconnect_network(network, request).await {
            Err(BollardError::DockerResponseServerError {
                status_code: 404, ..
            }) => Ok(()),
            other => other.map_err(fail(
                "disconnect from network",
                format!("{network}: {container}"),
            )),
        }
    }
}
