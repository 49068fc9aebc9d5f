//! Where a name Prometheus cannot resolve does resolve: Docker's embedded DNS
//! answers a container's name (and, for Compose, its service name) only on
//! the networks that container is on, so a target whose host does not
//! resolve is usually a service on a network Prometheus is not on.

use std::collections::BTreeMap;

/// Docker's networks as they bear on names: where each container name and
/// Compose service name is, and where Prometheus is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Networks {
    /// The networks the Prometheus container is attached to.
    pub prometheus: Vec<String>,
    /// The networks `networks:` lists.
    pub listed: Vec<String>,
    /// Name (container or Compose service) -> the networks it is on.
    pub names: BTreeMap<String, Vec<String>>,
}

impl Networks {
    /// Records a running container named `name` (and `service`, its Compose
    /// service) on `networks`.
    pub fn add(&mut self, name: &str, service: Option<&str>, networks: &[String]) {
        for n in std::iter::once(name).chain(service) {
            let entry = self.names.entry(n.to_string()).or_default();
            entry.extend(networks.iter().cloned());
            entry.sort();
            entry.dedup();
        }
    }

    /// What to do about `host` not resolving from Prometheus, when Docker
    /// knows the name; None when it does not.
    pub fn hint(&self, host: &str) -> Option<String> {
        let on = self.names.get(host)?;
        // Docker's default bridge has no DNS for names: joining it would not help.
        let user_defined: Vec<&String> = on.iter().filter(|n| *n != "bridge").collect();
        if user_defined.is_empty() {
            return Some(format!(
                "`{host}` is a container on Docker's default bridge network, where names do not resolve: put it on a network of its own (Compose does) and add that to `networks:`, or publish its port and scrape `host.docker.internal:PORT`"
            ));
        }
        if user_defined.iter().any(|n| self.prometheus.contains(n)) {
            // It resolves where Prometheus is: something else is wrong.
            return None;
        }
        if let Some(listed) = user_defined.iter().find(|n| self.listed.contains(n)) {
            return Some(format!(
                "`{host}` resolves on network `{listed}`, which is in `networks:` but Prometheus is not attached to it (the application was recreated?): run `obsctl up` to attach it again"
            ));
        }
        let names: Vec<String> = user_defined.iter().map(|n| format!("`{n}`")).collect();
        Some(format!(
            "`{host}` resolves on network {}, which Prometheus is not on: add {} to `networks:`",
            names.join(", "),
            if names.len() == 1 {
                "it"
            } else {
                "one of them"
            }
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn networks() -> Networks {
        let mut n = Networks {
            prometheus: vec!["mon-net".into()],
            listed: vec!["pay_default".into()],
            ..Default::default()
        };
        n.add("shop_backend_1", Some("backend"), &["shop_default".into()]);
        n.add("pay_api_1", Some("api"), &["pay_default".into()]);
        n.add("legacy", None, &["bridge".into()]);
        n.add("mon-grafana", None, &["mon-net".into()]);
        n
    }

    #[test]
    fn a_service_on_a_network_prometheus_is_not_on_is_named_with_its_network() {
        assert_eq!(
            networks().hint("backend").unwrap(),
            "`backend` resolves on network `shop_default`, which Prometheus is not on: add it to `networks:`"
        );
        assert!(networks()
            .hint("shop_backend_1")
            .unwrap()
            .starts_with("`shop_backend_1` resolves on network `shop_default`"));
    }

    #[test]
    fn a_listed_network_prometheus_lost_says_to_run_up() {
        assert!(networks().hint("api").unwrap().contains(
            "`pay_default`, which is in `networks:` but Prometheus is not attached to it"
        ));
    }

    #[test]
    fn the_default_bridge_and_unknown_names_are_told_apart() {
        assert!(networks()
            .hint("legacy")
            .unwrap()
            .contains("Docker's default bridge network"));
        assert_eq!(networks().hint("nohost"), None);
        // On Prometheus' own network the name resolves: something else is wrong.
        assert_eq!(networks().hint("mon-grafana"), None);
    }
}
