//! The one wrapper around bollard. Every Docker call obsctl makes goes through
//! [`Engine`], so every error names the operation and the object it concerned
//! ("cannot start container shop-prometheus: ..."), and every object obsctl
//! creates carries the stack's labels.

use std::collections::HashMap;

use bollard::errors::Error as BollardError;
use bollard::models::{CreateImageInfo, VolumeCreateRequest};
use bollard::query_parameters::{
    CreateImageOptionsBuilder, ListContainersOptionsBuilder, ListVolumesOptionsBuilder,
    RemoveVolumeOptions,
};
use bollard::Docker;
use futures_util::{Stream, StreamExt};

mod conflicts;
mod containers;
mod events;
mod networks;
mod survey;

pub use networks::{NetworkInfo, NetworkRemoval, COMPOSE_PROJECT};

use super::plan::{Observed, ObservedContainer, ObservedNetwork};
use super::{LABEL_HASH, LABEL_SERVICE, LABEL_STACK};
use crate::error::Error;
use crate::timeouts;
use containers::observed_container;

fn describe(e: &BollardError) -> String {
    match e {
        BollardError::DockerResponseServerError { message, .. } => message.trim().to_string(),
        BollardError::DockerStreamError { error } => error.trim().to_string(),
        other => other.to_string(),
    }
}

/// Turns a failed bollard call into the error naming what obsctl was doing
/// ("cannot start container shop-prometheus: ...").
fn fail(op: &'static str, target: impl Into<String>) -> impl FnOnce(BollardError) -> Error {
    let target = target.into();
    move |cause| Error::Docker {
        op,
        target,
        reason: describe(&cause),
    }
}

/// A connected, version-negotiated Docker engine.
pub struct Engine {
    docker: Docker,
    endpoint: String,
}

/// What `up` needs to know about a local image.
#[derive(Debug, Clone)]
pub struct ImageFacts {
    pub id: String,
    /// The image's `User` (empty means root).
    pub user: String,
}

/// One progress message of a pull.
#[derive(Debug, Clone, Default)]
pub struct PullEvent {
    /// The layer it is about, if any.
    pub layer: Option<String>,
    pub status: String,
    pub current: Option<u64>,
    pub total: Option<u64>,
}

fn pull_event(info: CreateImageInfo) -> Result<PullEvent, String> {
    if let Some(message) = info.error_detail.and_then(|e| e.message) {
        return Err(message);
    }
    let detail = info.progress_detail.unwrap_or_default();
    let bytes = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok()).filter(|v| *v > 0);
    Ok(PullEvent {
        layer: info.id,
        status: info.status.unwrap_or_default(),
        current: bytes(detail.current),
        total: bytes(detail.total),
    })
}

/// A container's state as `inspect` reports it.
#[derive(Debug, Clone, Default)]
pub struct StateFacts {
    pub status: String,
    pub restarting: bool,
    pub exit_code: Option<i64>,
    pub started_at: Option<String>,
    /// When its last run ended (before `started_at` while it runs).
    pub finished_at: Option<String>,
}

impl Engine {
    /// Connects to `DOCKER_HOST` (unix, tcp or http) or the default unix socket,
    /// and negotiates the API version: the engine may be older than bollard's
    /// default (Debian 12's speaks 1.41), and refuses newer requests.
    pub async fn connect() -> Result<Engine, Error> {
        let host = std::env::var("DOCKER_HOST")
            .ok()
            .filter(|h| !h.trim().is_empty());
        let endpoint = host
            .clone()
            .unwrap_or_else(|| "unix:///var/run/docker.sock".into());
        let unreachable = |reason: String| Error::DockerUnreachable {
            endpoint: endpoint.clone(),
            reason,
        };
        let docker = match &host {
            Some(h) => Docker::connect_with_host(h),
            None => Docker::connect_with_unix_defaults(),
        }
        .map_err(|e| unreachable(e.to_string()))?;
        let negotiated =
            tokio::time::timeout(timeouts::DOCKER_CONNECT, docker.negotiate_version()).await;
        let docker = match negotiated {
            Ok(Ok(docker)) => docker,
            Ok(Err(e)) => return Err(unreachable(root_cause(&e))),
            Err(_) => {
                return Err(unreachable(format!(
                    "no answer within {}s",
                    timeouts::DOCKER_CONNECT.as_secs()
                )))
            }
        };
        Ok(Engine { docker, endpoint })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Everything carrying the stack label (containers, networks, volumes),
    /// and every network of the engine by name.
    pub async fn observe(&self, stack: &str) -> Result<Observed, Error> {
        let (containers, networks, volumes) = tokio::join!(
            self.stack_containers(stack),
            self.networks(),
            self.stack_volumes(stack)
        );
        let networks = networks?;
        Ok(Observed {
            containers: containers?,
            networks: networks
                .iter()
                .filter(|n| n.stack.as_deref() == Some(stack))
                .map(|n| ObservedNetwork {
                    id: n.id.clone(),
                    name: n.name.clone(),
                    created: n.created,
                })
                .collect(),
            volumes: volumes?,
            foreign_networks: networks
                .iter()
                .filter(|n| n.stack.as_deref() != Some(stack))
                .map(|n| n.name.clone())
                .collect(),
            engine_networks: networks.into_iter().map(|n| (n.name, n.id)).collect(),
        })
    }

    /// Every running container on the engine.
    async fn running_containers(&self) -> Result<Vec<bollard::models::ContainerSummary>, Error> {
        self.docker
            .list_containers(None)
            .await
            .map_err(fail("list containers", "on this engine"))
    }

    /// The stack's containers, running or not.
    pub async fn stack_containers(&self, stack: &str) -> Result<Vec<ObservedContainer>, Error> {
        let filters = HashMap::from([("label", vec![format!("{LABEL_STACK}={stack}")])]);
        let options = ListContainersOptionsBuilder::default()
            .all(true)
            .filters(&filters)
            .build();
        let list = self
            .docker
            .list_containers(Some(options))
            .await
            .map_err(fail("list containers of stack", stack))?;
        Ok(list.into_iter().map(observed_container).collect())
    }

    pub async fn stack_volumes(&self, stack: &str) -> Result<Vec<String>, Error> {
        let filters = HashMap::from([("label", vec![format!("{LABEL_STACK}={stack}")])]);
        let options = ListVolumesOptionsBuilder::default()
            .filters(&filters)
            .build();
        let list = self
            .docker
            .list_volumes(Some(options))
            .await
            .map_err(fail("list volumes of stack", stack))?;
        Ok(list
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|v| v.name)
            .collect())
    }

    /// The local image `image`, or `None` when it is not present.
    pub async fn inspect_image(&self, image: &str) -> Result<Option<ImageFacts>, Error> {
        match self.docker.inspect_image(image).await {
            Ok(i) => Ok(Some(ImageFacts {
                id: i.id.unwrap_or_default(),
                user: i.config.and_then(|c| c.user).unwrap_or_default(),
            })),
            Err(BollardError::DockerResponseServerError {
                status_code: 404, ..
            }) => Ok(None),
            Err(e) => Err(fail("inspect image", image)(e)),
        }
    }

    /// The progress of pulling `repository` at `tag` (a tag or a digest).
    pub fn pull<'a>(
        &'a self,
        image: &'a str,
        repository: &str,
        tag: &str,
    ) -> impl Stream<Item = Result<PullEvent, Error>> + 'a {
        let options = CreateImageOptionsBuilder::default()
            .from_image(repository)
            .tag(tag)
            .build();
        self.docker
            .create_image(Some(options), None, None)
            .map(move |item| match item {
                Ok(info) => pull_event(info).map_err(|reason| Error::Docker {
                    op: "pull image",
                    target: image.into(),
                    reason,
                }),
                Err(e) => Err(fail("pull image", image)(e)),
            })
    }

    pub async fn create_volume(&self, stack: &str, name: &str, service: &str) -> Result<(), Error> {
        let request = VolumeCreateRequest {
            name: Some(name.into()),
            labels: Some(labels(stack, service, None)),
            ..Default::default()
        };
        self.docker
            .create_volume(request)
            .await
            .map(drop)
            .map_err(fail("create volume", name))
    }

    pub async fn remove_volume(&self, name: &str) -> Result<(), Error> {
        match self
            .docker
            .remove_volume(name, None::<RemoveVolumeOptions>)
            .await
        {
            Err(BollardError::DockerResponseServerError {
                status_code: 404, ..
            }) => Ok(()),
            other => other.map_err(fail("remove volume", name)),
        }
    }
}

/// A listed container's name, without Docker's leading `/`.
fn container_name(c: &bollard::models::ContainerSummary) -> String {
    c.names
        .as_ref()
        .and_then(|n| n.first())
        .map(|n| n.trim_start_matches('/').to_string())
        .unwrap_or_default()
}

/// The innermost message of an error chain ("No such file or directory").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

fn labels(stack: &str, service: &str, hash: Option<&str>) -> HashMap<String, String> {
    let mut labels = HashMap::from([
        (LABEL_STACK.to_string(), stack.to_string()),
        (LABEL_SERVICE.to_string(), service.to_string()),
    ]);
    if let Some(hash) = hash {
        labels.insert(LABEL_HASH.into(), hash.into());
    }
    labels
}

/// The engine's version and the API version the client negotiated.
#[derive(Debug, Clone)]
pub struct VersionFacts {
    pub engine: String,
    pub api: String,
}

/// Facts `doctor` reads.
impl Engine {
    /// The engine's version, and the API version in use after negotiation.
    pub async fn version(&self) -> Result<VersionFacts, Error> {
        let v = self
            .docker
            .version()
            .await
            .map_err(fail("read version of", "the engine"))?;
        Ok(VersionFacts {
            engine: v.version.unwrap_or_else(|| "?".into()),
            api: self.docker.client_version().to_string(),
        })
    }

    /// How often Docker restarted the container (a crash loop shows here).
    pub async fn restart_count(&self, name: &str) -> Result<i64, Error> {
        let info = self
            .docker
            .inspect_container(name, None)
            .await
            .map_err(fail("inspect container", name))?;
        Ok(info.restart_count.unwrap_or(0))
    }
}
