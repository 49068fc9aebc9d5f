//! What each container of a stack is for, and what follows from that: its
//! service name (the `dev.obsctl.service` label), start stage, readiness
//! path, container port and the uid its upstream image runs as.

use crate::model::ExporterKind;

/// What a container of the stack is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Prometheus,
    Alertmanager,
    Grafana,
    Exporter(ExporterKind),
}

const EXPORTERS: [ExporterKind; 4] = [
    ExporterKind::Node,
    ExporterKind::Cadvisor,
    ExporterKind::Postgres,
    ExporterKind::Redis,
];

impl Role {
    /// The service name: the `dev.obsctl.service` label and container-name suffix.
    pub fn service(self) -> &'static str {
        match self {
            Role::Prometheus => "prometheus",
            Role::Alertmanager => "alertmanager",
            Role::Grafana => "grafana",
            Role::Exporter(kind) => kind.service(),
        }
    }

    /// The role a `dev.obsctl.service` label names.
    pub fn from_service(name: &str) -> Option<Role> {
        [Role::Prometheus, Role::Alertmanager, Role::Grafana]
            .into_iter()
            .chain(EXPORTERS.map(Role::Exporter))
            .find(|r| r.service() == name)
    }

    /// Start order, by dependency: exporters and Alertmanager first (they
    /// need nothing, so they start together), then Prometheus (which scrapes
    /// and alerts to them), then Grafana (which queries Prometheus).
    pub fn stage(self) -> u8 {
        match self {
            Role::Exporter(_) | Role::Alertmanager => 0,
            Role::Prometheus => 1,
            Role::Grafana => 2,
        }
    }

    /// The last stage number.
    pub const LAST_STAGE: u8 = 2;

    /// The path that answers 200 once the service is ready.
    pub fn ready_path(self) -> &'static str {
        match self {
            Role::Prometheus | Role::Alertmanager => "/-/ready",
            Role::Grafana => "/api/health",
            Role::Exporter(_) => "/metrics",
        }
    }

    pub fn container_port(self) -> u16 {
        match self {
            Role::Prometheus => 9090,
            Role::Alertmanager => 9093,
            Role::Grafana => 3000,
            Role::Exporter(kind) => kind.container_port(),
        }
    }

    /// The uid the upstream image runs as, used when the image's `User` is a
    /// name obsctl cannot resolve.
    pub fn default_uid(self) -> u32 {
        match self {
            Role::Grafana => 472,
            Role::Exporter(ExporterKind::Redis) => 59000,
            Role::Exporter(ExporterKind::Cadvisor) => 0,
            _ => 65534,
        }
    }
}
