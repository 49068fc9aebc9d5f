//! One service of the stack, and everything that follows from which service
//! it is: its name (the `dev.obsctl.service` label, container-name suffix
//! and network alias), the spec field that configures it, its default scrape
//! job, the port it listens on inside its container, the path that answers
//! once it is ready, when it starts, and the uid its upstream image runs as.
//! Every other module asks this type instead of repeating these facts.

use std::fmt;

/// The exporters obsctl can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExporterKind {
    Node,
    Cadvisor,
    Postgres,
    Redis,
    Blackbox,
    Pushgateway,
}

impl ExporterKind {
    /// The variable naming the file the exporter reads its password from,
    /// for the exporters that take one.
    pub fn password_file_env(self) -> Option<&'static str> {
        match self {
            ExporterKind::Postgres => Some("DATA_SOURCE_PASS_FILE"),
            ExporterKind::Redis => Some("REDIS_PASSWORD_FILE"),
            ExporterKind::Node
            | ExporterKind::Cadvisor
            | ExporterKind::Blackbox
            | ExporterKind::Pushgateway => None,
        }
    }
}

/// A service of the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Service {
    Prometheus,
    Alertmanager,
    Grafana,
    Exporter(ExporterKind),
}

/// Where every service serves its own metrics.
pub const METRICS_PATH: &str = "/metrics";

impl Service {
    /// Every service obsctl knows.
    pub const ALL: [Service; 9] = [
        Service::Prometheus,
        Service::Alertmanager,
        Service::Grafana,
        Service::Exporter(ExporterKind::Node),
        Service::Exporter(ExporterKind::Cadvisor),
        Service::Exporter(ExporterKind::Postgres),
        Service::Exporter(ExporterKind::Redis),
        Service::Exporter(ExporterKind::Blackbox),
        Service::Exporter(ExporterKind::Pushgateway),
    ];

    /// The last start stage (see [`Service::stage`]).
    pub const LAST_STAGE: u8 = 2;

    /// The service name: the `dev.obsctl.service` label, the container-name
    /// suffix and the network alias.
    pub fn name(self) -> &'static str {
        match self {
            Service::Prometheus => "prometheus",
            Service::Alertmanager => "alertmanager",
            Service::Grafana => "grafana",
            Service::Exporter(ExporterKind::Node) => "node-exporter",
            Service::Exporter(ExporterKind::Cadvisor) => "cadvisor",
            Service::Exporter(ExporterKind::Postgres) => "postgres-exporter",
            Service::Exporter(ExporterKind::Redis) => "redis-exporter",
            Service::Exporter(ExporterKind::Blackbox) => "blackbox-exporter",
            Service::Exporter(ExporterKind::Pushgateway) => "pushgateway",
        }
    }

    /// The service a `dev.obsctl.service` label names.
    pub fn from_name(name: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The spec field that configures it (`prometheus`, `exporters.postgres`).
    pub fn spec_field(self) -> &'static str {
        match self {
            Service::Prometheus => "prometheus",
            Service::Alertmanager => "alertmanager",
            Service::Grafana => "grafana",
            Service::Exporter(ExporterKind::Node) => "exporters.node",
            Service::Exporter(ExporterKind::Cadvisor) => "exporters.cadvisor",
            Service::Exporter(ExporterKind::Postgres) => "exporters.postgres",
            Service::Exporter(ExporterKind::Redis) => "exporters.redis",
            Service::Exporter(ExporterKind::Blackbox) => "exporters.blackbox",
            Service::Exporter(ExporterKind::Pushgateway) => "exporters.pushgateway",
        }
    }

    /// The spec field of its host port (`exporters.postgres.port`).
    pub fn port_field(self) -> String {
        format!("{}.port", self.spec_field())
    }

    /// The scrape job obsctl gives it.
    pub fn job(self) -> &'static str {
        match self {
            Service::Prometheus => "prometheus",
            Service::Alertmanager => "alertmanager",
            Service::Grafana => "grafana",
            Service::Exporter(ExporterKind::Node) => "node",
            Service::Exporter(ExporterKind::Cadvisor) => "cadvisor",
            Service::Exporter(ExporterKind::Postgres) => "postgres",
            Service::Exporter(ExporterKind::Redis) => "redis",
            Service::Exporter(ExporterKind::Blackbox) => "blackbox",
            Service::Exporter(ExporterKind::Pushgateway) => "pushgateway",
        }
    }

    /// The port it listens on inside its container.
    pub fn container_port(self) -> u16 {
        match self {
            Service::Prometheus => 9090,
            Service::Alertmanager => 9093,
            Service::Grafana => 3000,
            Service::Exporter(ExporterKind::Node) => 9100,
            Service::Exporter(ExporterKind::Cadvisor) => 8080,
            Service::Exporter(ExporterKind::Postgres) => 9187,
            Service::Exporter(ExporterKind::Redis) => 9121,
            Service::Exporter(ExporterKind::Blackbox) => 9115,
            Service::Exporter(ExporterKind::Pushgateway) => 9091,
        }
    }

    /// The host port the service is published on when the spec names none.
    /// Exporters are reached over the stack's network and published only
    /// when asked, except the blackbox exporter (doctor asks it why a probe
    /// fails, and `up` reloads it) and the Pushgateway (jobs on this machine
    /// push to it).
    pub fn default_host_port(self) -> Option<u16> {
        match self {
            Service::Exporter(ExporterKind::Blackbox | ExporterKind::Pushgateway) => {
                Some(self.container_port())
            }
            Service::Exporter(_) => None,
            Service::Prometheus | Service::Alertmanager | Service::Grafana => {
                Some(self.container_port())
            }
        }
    }

    /// The path that answers 200 once the service is ready.
    pub fn ready_path(self) -> &'static str {
        match self {
            Service::Prometheus | Service::Alertmanager => "/-/ready",
            Service::Grafana => "/api/health",
            Service::Exporter(_) => METRICS_PATH,
        }
    }

    /// Start order, by dependency: exporters and Alertmanager first (they
    /// need nothing, so they start together), then Prometheus (which scrapes
    /// and alerts to them), then Grafana (which queries Prometheus).
    pub fn stage(self) -> u8 {
        match self {
            Service::Exporter(_) | Service::Alertmanager => 0,
            Service::Prometheus => 1,
            Service::Grafana => 2,
        }
    }

    /// True when it talks to the application, so it joins the application's
    /// networks (`networks:`) besides the stack's own: Prometheus scrapes the
    /// application's services, the database exporters read its databases,
    /// the blackbox exporter probes its services by name and its batch jobs
    /// push to the Pushgateway by name. Host-level exporters, Alertmanager
    /// and Grafana stay on the stack's network only.
    pub fn joins_app_networks(self) -> bool {
        match self {
            Service::Prometheus
            | Service::Exporter(
                ExporterKind::Postgres
                | ExporterKind::Redis
                | ExporterKind::Blackbox
                | ExporterKind::Pushgateway,
            ) => true,
            Service::Alertmanager
            | Service::Grafana
            | Service::Exporter(ExporterKind::Node | ExporterKind::Cadvisor) => false,
        }
    }

    /// The uid its upstream image runs as, for when the image's `User` is a
    /// name obsctl cannot resolve.
    pub fn default_uid(self) -> u32 {
        match self {
            Service::Grafana => 472,
            Service::Exporter(ExporterKind::Redis) => 59000,
            // Upstream's blackbox exporter image has no USER: root, which
            // ICMP probes need for raw sockets.
            Service::Exporter(ExporterKind::Cadvisor | ExporterKind::Blackbox) => 0,
            _ => 65534,
        }
    }

    /// Its container's name in stack `stack` (`shop-prometheus`).
    pub fn container_name(self, stack: &str) -> String {
        format!("{stack}-{}", self.name())
    }

    /// Where other containers of stack `stack` reach it (`shop-prometheus:9090`).
    pub fn address(self, stack: &str) -> String {
        format!("{}:{}", self.container_name(stack), self.container_port())
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_round_trip_through_their_name() {
        for s in Service::ALL {
            assert_eq!(Service::from_name(s.name()), Some(s));
        }
        assert_eq!(Service::from_name("postgres"), None);
    }

    #[test]
    fn dependencies_start_first_and_independent_services_together() {
        assert_eq!(
            Service::Exporter(ExporterKind::Node).stage(),
            Service::Alertmanager.stage()
        );
        assert!(Service::Alertmanager.stage() < Service::Prometheus.stage());
        assert!(Service::Prometheus.stage() < Service::Grafana.stage());
        assert_eq!(Service::Grafana.stage(), Service::LAST_STAGE);
    }

    #[test]
    fn spec_fields_name_where_the_service_is_configured() {
        assert_eq!(
            Service::Exporter(ExporterKind::Postgres).port_field(),
            "exporters.postgres.port"
        );
        assert_eq!(Service::Grafana.port_field(), "grafana.port");
        assert_eq!(
            Service::Alertmanager.address("shop"),
            "shop-alertmanager:9093"
        );
    }
}
