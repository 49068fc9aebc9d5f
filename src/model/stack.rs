//! What concerns the stack as a whole: its name, the address its ports are
//! published on, and host ports that must be unique across its services.

use std::net::IpAddr;

use super::defaults as d;
use super::exporters::Exporter;
use super::service::Service;
use super::{Alertmanager, Grafana, Prometheus};
use crate::diagnostic::Problems;
use crate::spec::Spec;

pub fn stack_name(spec: &Spec, p: &mut Problems) -> String {
    let name = spec.name.clone().unwrap_or_else(|| d::STACK_NAME.into());
    let valid = !name.is_empty()
        && name.len() <= 40
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        p.error(
            "name",
            format!("`{name}` is not a valid stack name"),
            Some("use 1-40 lower-case letters, digits and dashes, starting with a letter or digit (it prefixes container names)".into()),
        );
    }
    name
}

pub fn bind_address(spec: &Spec, p: &mut Problems) -> IpAddr {
    let text = spec.bind.as_deref().unwrap_or(d::BIND);
    text.parse().unwrap_or_else(|_| {
        p.error(
            "bind",
            format!("`{text}` is not an IP address"),
            Some(
                "use 127.0.0.1 (the default, this machine only) or 0.0.0.0 (every interface)"
                    .into(),
            ),
        );
        IpAddr::from([127, 0, 0, 1])
    })
}

/// Host ports must be unique across the stack.
pub fn check_ports(
    prometheus: Option<&Prometheus>,
    alertmanager: Option<&Alertmanager>,
    grafana: Option<&Grafana>,
    exporters: &[Exporter],
    p: &mut Problems,
) {
    let mut used: Vec<(u16, Service)> = Vec::new();
    used.extend(prometheus.map(|s| (s.port, Service::Prometheus)));
    used.extend(alertmanager.map(|s| (s.port, Service::Alertmanager)));
    used.extend(grafana.map(|s| (s.port, Service::Grafana)));
    used.extend(
        exporters
            .iter()
            .filter_map(|e| e.host_port.map(|port| (port, e.service()))),
    );
    for (i, (port, service)) in used.iter().enumerate() {
        if let Some((_, other)) = used[..i].iter().find(|(other_port, _)| other_port == port) {
            let (field, first) = (service.port_field(), other.port_field());
            // Point at the field the user wrote, not at a default.
            let at = if p.is_written(&field) || !p.is_written(&first) {
                &field
            } else {
                &first
            };
            p.error(
                at,
                format!("host port {port} is used by both {first} and {field}"),
                Some("give each service its own port".into()),
            );
        }
    }
}
