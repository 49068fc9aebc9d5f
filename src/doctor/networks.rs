//! The application's networks the stack joins (`networks:`): each exists,
//! and every container of the stack that talks to the application is
//! attached to it as it is now (Compose makes a new network of the same name
//! when the application is recreated, and the old attachment is lost).

use std::collections::BTreeMap;

use super::check::Check;
use crate::model::Service;
use crate::runtime::plan::ObservedContainer;

/// One check per listed network. `engine` maps every network's name to its
/// id; `observed` are the stack's containers.
pub fn checks(
    listed: &[String],
    engine: &BTreeMap<String, String>,
    observed: &[ObservedContainer],
) -> Vec<Check> {
    let joiners: Vec<&ObservedContainer> = observed
        .iter()
        .filter(|c| Service::from_name(&c.service).is_some_and(Service::joins_app_networks))
        .collect();
    listed
        .iter()
        .map(|name| {
            let Some(id) = engine.get(name) else {
                return Check::fail("networks", name.clone(), "does not exist").hint(
                    "start the application that owns it (Compose names a project's network `<project>_default`), or correct `networks:`; `docker network ls` lists the networks there are",
                );
            };
            let (on, off): (Vec<&ObservedContainer>, Vec<&ObservedContainer>) = joiners
                .iter()
                .partition(|c| c.attached.get(name) == Some(id));
            if !off.is_empty() {
                let names: Vec<&str> = off.iter().map(|c| c.name.as_str()).collect();
                return Check::fail(
                    "networks",
                    name.clone(),
                    format!(
                        "{} not attached to it, so the application's services there cannot be scraped",
                        list(&names, "is", "are")
                    ),
                )
                .hint("run `obsctl up`: it attaches the stack again (after the application was recreated, its network is a new one with the same name)");
            }
            if on.is_empty() {
                return Check::warn("networks", name.clone(), "no container of the stack runs to join it")
                    .hint("run `obsctl up`");
            }
            let names: Vec<&str> = on.iter().map(|c| c.name.as_str()).collect();
            Check::ok("networks", name.clone(), format!("{} attached", names.join(", ")))
        })
        .collect()
}

fn list(names: &[&str], one: &str, many: &str) -> String {
    format!(
        "{} {}",
        names.join(", "),
        if names.len() == 1 { one } else { many }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::check::Status;

    fn container(service: &str, attached: &[(&str, &str)]) -> ObservedContainer {
        ObservedContainer {
            id: format!("id-{service}"),
            name: format!("shop-{service}"),
            service: service.into(),
            hash: None,
            state: "running".into(),
            image: "i".into(),
            image_id: None,
            network_ids: vec![],
            attached: attached
                .iter()
                .map(|(n, id)| (n.to_string(), id.to_string()))
                .collect(),
            ports: vec![],
            status: "Up".into(),
        }
    }

    fn engine(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(n, id)| (n.to_string(), id.to_string()))
            .collect()
    }

    #[test]
    fn attached_missing_and_made_anew_networks_are_told_apart() {
        let observed = [
            container("prometheus", &[("shop-net", "n"), ("app_default", "old")]),
            container(
                "redis-exporter",
                &[("shop-net", "n"), ("app_default", "old")],
            ),
            // Grafana never joins: its absence is no problem.
            container("grafana", &[("shop-net", "n")]),
        ];
        let listed = ["app_default".to_string(), "gone_default".to_string()];
        let current = engine(&[("app_default", "old")]);
        let c = checks(&listed, &current, &observed);
        assert_eq!(c[0].status, Status::Ok, "{c:?}");
        assert_eq!(c[0].detail, "shop-prometheus, shop-redis-exporter attached");
        assert_eq!(c[1].status, Status::Fail);
        assert_eq!(c[1].detail, "does not exist");

        // The application was recreated: same name, another id.
        let recreated = engine(&[("app_default", "new"), ("gone_default", "g")]);
        let c = checks(&listed[..1], &recreated, &observed);
        assert_eq!(c[0].status, Status::Fail);
        assert_eq!(
            c[0].detail,
            "shop-prometheus, shop-redis-exporter are not attached to it, so the application's services there cannot be scraped"
        );
        assert!(c[0].hint.as_deref().unwrap().contains("`obsctl up`"));
    }
}
