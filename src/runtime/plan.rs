//! Desired state against what Docker has under the stack's label, turned into
//! actions. Pure: every decision `up` takes about containers is made (and
//! unit-tested) here, without Docker.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::services::{Container, Desired, VolumeDef};
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
    /// The networks it has an endpoint on: name -> the id it was attached
    /// by (empty for a container that never started).
    pub attached: BTreeMap<String, String>,
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

/// A network found by the stack label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedNetwork {
    pub id: String,
    pub name: String,
    /// When Docker created it, if it says.
    pub created: Option<DateTime<Utc>>,
}

/// Everything found by the stack label, and the engine's networks.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub containers: Vec<ObservedContainer>,
    pub networks: Vec<ObservedNetwork>,
    pub volumes: Vec<String>,
    /// Every network on the engine: name -> id.
    pub engine_networks: BTreeMap<String, String>,
    /// Names of the networks on the engine without the stack's label.
    pub foreign_networks: BTreeSet<String>,
}

/// Why a container is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Image reference, ports, environment, mounts or command changed.
    Definition,
    /// Same reference, but it now names another image (pulled or re-tagged).
    Image,
    /// Its network is gone or is being created anew, or a network it is
    /// attached to was removed or replaced (a stopped container could not
    /// start again).
    Network,
    /// Docker reports it dead or being removed.
    Broken,
}

impl Why {
    pub fn describe(self) -> &'static str {
        match self {
            Why::Definition => "its definition changed",
            Why::Image => "its image changed",
            Why::Network => "a network it was attached to was replaced",
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

/// One of the stack's containers joining or leaving an application network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub service: String,
    pub container: String,
    /// The network's name.
    pub network: String,
    /// Its current id (to connect), or the id the container is attached by
    /// (to disconnect).
    pub network_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The id of the stack network when it exists already.
    pub network: Option<String>,
    /// More networks of the stack under its network's name, which an
    /// interrupted or concurrent run left: removed, since Docker refuses to
    /// start a container on a network whose name is ambiguous.
    pub remove_networks: Vec<ObservedNetwork>,
    pub create_volumes: Vec<VolumeDef>,
    pub remove: Vec<Removal>,
    pub services: Vec<ServicePlan>,
    /// Application networks to join (before the container starts, when it is new).
    pub connect: Vec<Attachment>,
    /// Networks no longer listed to leave.
    pub disconnect: Vec<Attachment>,
}

impl Plan {
    /// True when nothing is created, recreated, started, removed or applied.
    pub fn is_noop(&self) -> bool {
        self.network.is_some()
            && self.remove_networks.is_empty()
            && self.create_volumes.is_empty()
            && self.remove.is_empty()
            && self.connect.is_empty()
            && self.disconnect.is_empty()
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
    let (kept, remove_networks) = stack_network(desired, observed);
    let network = kept.map(|n| n.id.clone());
    let create_volumes = desired
        .volumes
        .iter()
        .filter(|v| !observed.volumes.contains(&v.name))
        .cloned()
        .collect();

    let mut remove = Vec::new();
    let mut services = Vec::new();
    let mut connect = Vec::new();
    let mut disconnect = Vec::new();
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
                } else if !network.as_ref().is_some_and(|n| c.network_ids.contains(n))
                    || stale_endpoint(c, desired, observed)
                {
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
        let (join, leave) = attachments(service, &step, mine.first().copied(), desired, observed);
        connect.extend(join);
        disconnect.extend(leave);
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
        remove_networks,
        create_volumes,
        remove,
        services,
        connect,
        disconnect,
    }
}

/// The stack's network to keep, and the others of the stack under the same
/// name. Kept is the one most of the stack's containers are attached to (so
/// they need not be recreated), else the oldest; the id settles a tie, so
/// every run keeps the same one.
pub fn stack_network<'a>(
    desired: &Desired,
    observed: &'a Observed,
) -> (Option<&'a ObservedNetwork>, Vec<ObservedNetwork>) {
    let mut named: Vec<&ObservedNetwork> = observed
        .networks
        .iter()
        .filter(|n| n.name == desired.network)
        .collect();
    let attached = |n: &ObservedNetwork| {
        observed
            .containers
            .iter()
            .filter(|c| c.network_ids.contains(&n.id))
            .count()
    };
    named.sort_by_key(|n| {
        (
            std::cmp::Reverse(attached(n)),
            n.created.is_none(),
            n.created,
            n.id.clone(),
        )
    });
    let extras = named.iter().skip(1).map(|n| (*n).clone()).collect();
    (named.first().copied(), extras)
}

/// True when `c` has an endpoint on a network (other than the stack's own)
/// that no longer exists, or that was removed and made anew under the same
/// name, as Compose does when the application is recreated. Docker cannot
/// start a container with such an endpoint, so it is recreated.
fn stale_endpoint(c: &ObservedContainer, desired: &Desired, observed: &Observed) -> bool {
    c.attached.iter().any(|(name, id)| {
        *name != desired.network && !id.is_empty() && observed.engine_networks.get(name) != Some(id)
    })
}

/// The application networks `service` joins and leaves: all it should be on
/// when its container is (re)created; otherwise those it lacks, and those no
/// longer listed that it is still on.
fn attachments(
    service: &Container,
    step: &Step,
    current: Option<&ObservedContainer>,
    desired: &Desired,
    observed: &Observed,
) -> (Vec<Attachment>, Vec<Attachment>) {
    let wanted: &[String] = if service.service.joins_app_networks() {
        &desired.app_networks
    } else {
        &[]
    };
    let attachment = |network: &str, id: &str| Attachment {
        service: service.name().into(),
        container: service.def.name.clone(),
        network: network.into(),
        network_id: id.into(),
    };
    let attached = match (step, current) {
        (Step::Keep { .. } | Step::Start { .. }, Some(c)) => &c.attached,
        _ => &BTreeMap::new(),
    };
    let join = wanted
        .iter()
        .filter_map(|name| {
            let id = observed.engine_networks.get(name)?;
            (attached.get(name) != Some(id)).then(|| attachment(name, id))
        })
        .collect();
    let leave = attached
        .iter()
        .filter(|(name, _)| **name != desired.network && !wanted.contains(name))
        .map(|(name, id)| attachment(name, id))
        .collect();
    (join, leave)
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

#[cfg(test)]
#[path = "plan_network_tests.rs"]
mod network_tests;
