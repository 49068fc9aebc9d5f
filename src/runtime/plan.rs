//! Desired state against what Docker has under the stack's label, turned into
//! actions. Pure: every decision `up` takes about containers is made (and
//! unit-tested) here, without Docker.

use std::collections::{BTreeSet, HashMap};

use super::services::{Desired, VolumeDef};
use crate::model::{ExporterKind, Service};

/// A container found by the stack label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedContainer {
    pub id: String,
    pub name: String,
    /// The `dev.obsctl.service` label.
    pub service: String,
    /// The `dev.obsctl.hash` label.
    pub hash: Option<String>,
    /// Docker's state: created, running, exited, restarting, ...
    pub state: String,
    /// The image reference it was created from.
    pub image: String,
    pub image_id: Option<String>,
    /// Ids of the networks it is attached to.
    pub network_ids: Vec<String>,
    pub ports: Vec<Published>,
    /// Docker's human status ("Up 5 minutes").
    pub status: String,
}

/// A port a container publishes on the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub host_ip: String,
    pub host_port: u16,
    pub container_port: u16,
}

impl ObservedContainer {
    pub fn running(&self) -> bool {
        self.state == "running"
    }
}

/// The network found by the stack label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedNetwork {
    pub id: String,
    pub name: String,
}

/// Everything found by the stack label.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub containers: Vec<ObservedContainer>,
    pub networks: Vec<ObservedNetwork>,
    pub volumes: Vec<String>,
}

/// Why a container is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Image reference, ports, environment, mounts or command changed.
    Definition,
    /// Same reference, but it now names another image (pulled or re-tagged).
    Image,
    /// Its network is gone or is being created anew.
    Network,
    /// Docker reports it dead or being removed.
    Broken,
}

impl Why {
    pub fn describe(self) -> &'static str {
        match self {
            Why::Definition => "its definition changed",
            Why::Image => "its image changed",
            Why::Network => "its network was replaced",
            Why::Broken => "Docker reports it dead",
        }
    }
}

/// What happens to one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Running and current: left alone.
    Keep {
        id: String,
    },
    /// Current but not running (stopped, or created by an interrupted `up`).
    Start {
        id: String,
    },
    Create,
    /// Removed (keeping its data volume) and created again.
    Recreate {
        old: String,
        why: Why,
    },
}

/// How a running container picks up changed configuration files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apply {
    /// `POST /-/reload` (Prometheus, Alertmanager, the blackbox exporter).
    Reload,
    /// Grafana's provisioning reload API.
    Provisioning,
    /// The process reads its files only at start (exporters).
    Restart,
}

impl Apply {
    pub fn for_service(service: Service) -> Apply {
        match service {
            Service::Prometheus
            | Service::Alertmanager
            | Service::Exporter(ExporterKind::Blackbox) => Apply::Reload,
            Service::Grafana => Apply::Provisioning,
            Service::Exporter(_) => Apply::Restart,
        }
    }
}

/// The plan for one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePlan {
    pub service: String,
    pub step: Step,
    /// Set when the container is kept and its configuration changed.
    pub apply: Option<Apply>,
}

/// A container to remove: a duplicate, or a service no longer in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub id: String,
    pub name: String,
    pub service: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The id of the stack network when it exists already.
    pub network: Option<String>,
    pub create_volumes: Vec<VolumeDef>,
    pub remove: Vec<Removal>,
    pub services: Vec<ServicePlan>,
}

impl Plan {
    /// True when nothing is created, recreated, started, removed or applied.
    pub fn is_noop(&self) -> bool {
        self.network.is_some()
            && self.create_volumes.is_empty()
            && self.remove.is_empty()
            && self
                .services
                .iter()
                .all(|s| matches!(s.step, Step::Keep { .. }) && s.apply.is_none())
    }

    /// True when a new container, network or volume will be created.
    pub fn creates(&self) -> bool {
        self.network.is_none()
            || !self.create_volumes.is_empty()
            || self
                .services
                .iter()
                .any(|s| matches!(s.step, Step::Create | Step::Recreate { .. }))
    }
}

/// Decides what to do.
///
/// `image_ids` maps image references to the local image id (when known);
/// `config_changed` names services whose rendered configuration changed since
/// it was last applied.
pub fn plan(
    desired: &Desired,
    observed: &Observed,
    image_ids: &HashMap<String, String>,
    config_changed: &BTreeSet<String>,
) -> Plan {
    let network = observed
        .networks
        .iter()
        .find(|n| n.name == desired.network)
        .map(|n| n.id.clone());
    let create_volumes = desired
        .volumes
        .iter()
        .filter(|v| !observed.volumes.contains(&v.name))
        .cloned()
        .collect();

    let mut remove = Vec::new();
    let mut services = Vec::new();
    for service in &desired.services {
        let hash = service.def.hash();
        let mut mine: Vec<&ObservedContainer> = observed
            .containers
            .iter()
            .filter(|c| c.service == service.name())
            .collect();
        // Prefer the current, running one when an interrupted run left two.
        mine.sort_by_key(|c| (c.hash.as_deref() != Some(&hash), !c.running()));
        for extra in mine.iter().skip(1) {
            remove.push(removal(extra));
        }
        let step = match mine.first() {
            None => Step::Create,
            Some(c) => {
                let why = if c.hash.as_deref() != Some(hash.as_str()) {
                    Some(Why::Definition)
                } else if matches!(c.state.as_str(), "dead" | "removing") {
                    Some(Why::Broken)
                } else if image_ids
                    .get(&service.def.image)
                    .is_some_and(|id| c.image_id.as_deref() != Some(id))
                {
                    Some(Why::Image)
                } else if !network.as_ref().is_some_and(|n| c.network_ids.contains(n)) {
                    Some(Why::Network)
                } else {
                    None
                };
                match why {
                    Some(why) => Step::Recreate {
                        old: c.id.clone(),
                        why,
                    },
                    None if c.running() => Step::Keep { id: c.id.clone() },
                    None => Step::Start { id: c.id.clone() },
                }
            }
        };
        // A container that starts (or starts anew) reads the current files;
        // only a kept one needs them applied.
        let apply = match step {
            Step::Keep { .. } if config_changed.contains(service.name()) => {
                Some(Apply::for_service(service.service))
            }
            _ => None,
        };
        services.push(ServicePlan {
            service: service.name().into(),
            step,
            apply,
        });
    }
    for c in &observed.containers {
        if desired.service(&c.service).is_none() {
            remove.push(removal(c));
        }
    }
    Plan {
        network,
        create_volumes,
        remove,
        services,
    }
}

fn removal(c: &ObservedContainer) -> Removal {
    Removal {
        id: c.id.clone(),
        name: c.name.clone(),
        service: c.service.clone(),
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
