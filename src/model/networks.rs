//! `networks:`: the application's existing Docker networks the stack joins.
//! Only the names are checked here (the model does not talk to Docker);
//! whether each network exists is a preflight check of `up`.

use super::exporters::Exporter;
use super::Prometheus;
use crate::diagnostic::Problems;
use crate::spec::Spec;

/// Docker's networks that cannot be joined by name in a useful way: the
/// default bridge has no DNS for container names, the others no network.
const UNJOINABLE: [&str; 3] = ["bridge", "host", "none"];

/// The stack's own network (`<name>-net`), which it is always on.
pub fn own_network(stack: &str) -> String {
    format!("{stack}-net")
}

/// The checked list of networks to join.
pub fn networks(
    spec: &Spec,
    stack: &str,
    prometheus: Option<&Prometheus>,
    exporters: &[Exporter],
    p: &mut Problems,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, name) in spec.networks.iter().enumerate() {
        let field = format!("networks[{i}]");
        let valid = name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !valid {
            p.error(
                &field,
                format!("`{name}` is not a Docker network name"),
                Some("give the name `docker network ls` shows, e.g. `shop_default` for the Compose project `shop`".into()),
            );
        } else if UNJOINABLE.contains(&name.as_str()) {
            p.error(
                &field,
                format!("the stack cannot join Docker's `{name}` network"),
                Some("containers on the default bridge cannot be reached by name: put the application on a network of its own (Compose does: `<project>_default`) and list that one, or scrape `host.docker.internal:PORT` for a published port".into()),
            );
        } else if *name == own_network(stack) {
            p.error(
                &field,
                format!("`{name}` is the stack's own network, which it is always on"),
                Some("list only the application's networks here".into()),
            );
        } else if out.contains(name) {
            p.error(&field, format!("`{name}` is listed twice"), None);
        } else {
            out.push(name.clone());
        }
    }
    let joiners =
        prometheus.is_some() || exporters.iter().any(|e| e.service().joins_app_networks());
    if !out.is_empty() && !joiners {
        p.warning(
            "networks",
            "no service of the stack joins these networks: Prometheus is disabled and no exporter talks to the application",
            None,
        );
    }
    out
}
