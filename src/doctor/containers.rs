//! Container and port checks, from what Docker reports under the stack's label
//! compared with what the spec expects.

use std::collections::HashMap;

use super::check::Check;
use crate::runtime::plan::ObservedContainer;

/// A container the spec expects.
#[derive(Debug, Clone)]
pub struct Expected {
    pub service: String,
    pub image: String,
    /// `(host address, host port)` it should publish, if any.
    pub port: Option<(String, u16)>,
}

/// More restarts than this means a crash loop rather than a hiccup.
const RESTART_LOOP: i64 = 3;

/// One check per expected service, plus one per unexpected container.
/// `holders` names, by host port, whoever else holds a port the stack expects.
pub fn checks(
    expected: &[Expected],
    observed: &[ObservedContainer],
    restarts: &HashMap<String, i64>,
    holders: &HashMap<u16, String>,
) -> Vec<Check> {
    let mut out = Vec::new();
    let mut ports = Vec::new();
    for e in expected {
        let Some(c) = observed.iter().find(|c| c.service == e.service) else {
            out.push(
                Check::fail("containers", e.service.clone(), "no container")
                    .hint("run `obsctl up`"),
            );
            if let Some((port, holder)) = e
                .port
                .as_ref()
                .and_then(|(_, port)| holders.get(port).map(|h| (port, h)))
            {
                ports.push(
                    Check::fail(
                        "ports",
                        e.service.clone(),
                        format!("port {port} is held by {holder}"),
                    )
                    .hint(format!(
                        "stop it, or give {} another `port:` in the spec",
                        e.service
                    )),
                );
            }
            continue;
        };
        let count = restarts.get(&c.name).copied().unwrap_or(0);
        if c.state == "restarting" || (c.running() && count > RESTART_LOOP) {
            out.push(
                Check::fail(
                    "containers",
                    e.service.clone(),
                    format!("{} is restarting in a loop ({count} restarts)", c.name),
                )
                .hint(format!(
                    "read why it exits: `docker logs --tail 50 {}`",
                    c.name
                )),
            );
        } else if !c.running() {
            out.push(
                Check::fail(
                    "containers",
                    e.service.clone(),
                    format!("{} is {} ({})", c.name, c.state, c.status),
                )
                .hint(format!(
                    "`docker logs --tail 50 {}` shows why; `obsctl up` starts it again",
                    c.name
                )),
            );
        } else if c.image != e.image {
            out.push(
                Check::warn("containers", e.service.clone(), format!("{} runs {}, the spec says {}", c.name, c.image, e.image)).hint("run `obsctl up` to recreate it with the spec's image (its data volume is kept)"),
            );
        } else {
            out.push(Check::ok(
                "containers",
                e.service.clone(),
                format!(
                    "{} running ({}), {}",
                    c.name,
                    c.image,
                    c.status.to_lowercase()
                ),
            ));
        }
        if let Some((host, port)) = &e.port {
            let bound = c
                .ports
                .iter()
                .any(|p| p.host_port == *port && (p.host_ip == *host || host == "0.0.0.0"));
            if bound {
                ports.push(Check::ok(
                    "ports",
                    e.service.clone(),
                    format!("published on {host}:{port}"),
                ));
            } else if c.running() {
                let actual: Vec<String> = c
                    .ports
                    .iter()
                    .map(|p| format!("{}:{}", p.host_ip, p.host_port))
                    .collect();
                let held = holders
                    .get(port)
                    .map(|h| format!("; the port is held by {h}"))
                    .unwrap_or_default();
                ports.push(
                    Check::fail(
                        "ports",
                        e.service.clone(),
                        format!(
                            "expected on {host}:{port}, published on {}{held}",
                            if actual.is_empty() {
                                "nothing".into()
                            } else {
                                actual.join(", ")
                            }
                        ),
                    )
                    .hint("the container predates a port change in the spec: run `obsctl up`"),
                );
            }
        }
    }
    for c in observed {
        if !expected.iter().any(|e| e.service == c.service) {
            out.push(
                Check::warn(
                    "containers",
                    c.service.clone(),
                    format!(
                        "{} carries the stack's label but the spec has no such service",
                        c.name
                    ),
                )
                .hint("run `obsctl up` to remove it, or `obsctl down` to remove the whole stack"),
            );
        }
    }
    out.extend(ports);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::check::Status;
    use crate::runtime::plan::Published;

    fn container(service: &str, state: &str, image: &str, port: Option<u16>) -> ObservedContainer {
        ObservedContainer {
            id: format!("id-{service}"),
            name: format!("shop-{service}"),
            service: service.into(),
            hash: None,
            state: state.into(),
            image: image.into(),
            image_id: None,
            network_ids: vec![],
            attached: Default::default(),
            ports: port
                .map(|p| {
                    vec![Published {
                        host_ip: "127.0.0.1".into(),
                        host_port: p,
                        container_port: p,
                    }]
                })
                .unwrap_or_default(),
            status: if state == "running" {
                "Up 5 minutes".into()
            } else {
                "Exited (1) 2 minutes ago".into()
            },
        }
    }

    fn expected(service: &str, image: &str, port: Option<u16>) -> Expected {
        Expected {
            service: service.into(),
            image: image.into(),
            port: port.map(|p| ("127.0.0.1".to_string(), p)),
        }
    }

    #[test]
    fn a_healthy_stack_is_all_ok() {
        let checks = checks(
            &[expected("prometheus", "p:1", Some(9090))],
            &[container("prometheus", "running", "p:1", Some(9090))],
            &HashMap::new(),
            &HashMap::new(),
        );
        assert!(checks.iter().all(|c| c.status == Status::Ok), "{checks:?}");
        assert_eq!(checks[1].detail, "published on 127.0.0.1:9090");
        assert_eq!(checks[1].group, "ports");
    }

    #[test]
    fn stopped_missing_looping_and_drifted_containers_are_named() {
        let observed = [
            container("alertmanager", "exited", "a:1", Some(9093)),
            container("grafana", "running", "g:2", Some(3000)),
            container("prometheus", "running", "p:1", Some(9090)),
        ];
        let mut restarts = HashMap::new();
        restarts.insert("shop-prometheus".to_string(), 7);
        let exp = [
            expected("alertmanager", "a:1", Some(9093)),
            expected("grafana", "g:1", Some(3000)),
            expected("prometheus", "p:1", Some(9090)),
            expected("node-exporter", "n:1", Some(9100)),
        ];
        // Someone else listens where the missing node-exporter should publish.
        let mut holders = HashMap::new();
        holders.insert(9100u16, "process 4242 (node_exporter)".to_string());
        let c = checks(&exp, &observed, &restarts, &holders);
        assert!(
            c.iter().any(|x| x.group == "ports"
                && x.detail == "port 9100 is held by process 4242 (node_exporter)"),
            "{c:?}"
        );
        let find = |svc: &str| {
            c.iter()
                .find(|x| x.group == "containers" && x.name == svc)
                .unwrap()
        };
        assert_eq!(find("alertmanager").status, Status::Fail);
        assert!(find("alertmanager")
            .detail
            .starts_with("shop-alertmanager is exited"));
        assert_eq!(find("grafana").status, Status::Warn);
        assert_eq!(
            find("prometheus").detail,
            "shop-prometheus is restarting in a loop (7 restarts)"
        );
        assert_eq!(find("node-exporter").detail, "no container");
    }

    #[test]
    fn a_port_published_elsewhere_fails() {
        let c = checks(
            &[expected("grafana", "g:1", Some(3000))],
            &[container("grafana", "running", "g:1", Some(3001))],
            &HashMap::new(),
            &HashMap::new(),
        );
        assert!(c.iter().any(|x| x.group == "ports"
            && x.status == Status::Fail
            && x.detail == "expected on 127.0.0.1:3000, published on 127.0.0.1:3001"));
    }
}
