//! Unit tests of the plan for what a crash or a race leaves: a second network
//! of the stack under its network's name, and containers created but never
//! started.

use super::tests::{converged, images, stack, step, SPEC};
use super::*;

fn at(rfc3339: &str) -> Option<DateTime<Utc>> {
    Some(
        DateTime::parse_from_rfc3339(rfc3339)
            .unwrap()
            .with_timezone(&Utc),
    )
}

fn network(id: &str, name: &str, created: Option<DateTime<Utc>>) -> ObservedNetwork {
    ObservedNetwork {
        id: id.into(),
        name: name.into(),
        created,
    }
}

#[test]
fn of_two_networks_the_one_the_containers_are_on_is_kept_though_younger() {
    let d = stack(SPEC);
    let mut o = converged(&d);
    // net-1 (the containers') is younger than the surplus net-0.
    o.networks[0].created = at("2026-01-02T00:00:00Z");
    o.networks
        .push(network("net-0", &d.network, at("2026-01-01T00:00:00Z")));
    let p = plan(&d, &o, &images(&d), &BTreeSet::new());
    assert_eq!(p.network.as_deref(), Some("net-1"));
    assert_eq!(p.remove_networks, [o.networks[1].clone()]);
    // Its containers stay as they are; only the surplus network goes.
    for s in &p.services {
        assert!(matches!(s.step, Step::Keep { .. }), "{s:?}");
    }
    assert!(!p.is_noop(), "removing a network is work to do");
    assert!(!p.creates());
}

#[test]
fn with_no_container_on_either_network_the_oldest_is_kept_whatever_the_order() {
    let d = stack(SPEC);
    let old = network("net-b", &d.network, at("2026-01-01T10:00:00+02:00"));
    let young = network("net-a", &d.network, at("2026-01-01T09:00:00Z"));
    for networks in [
        vec![old.clone(), young.clone()],
        vec![young.clone(), old.clone()],
    ] {
        let o = Observed {
            networks,
            ..Observed::default()
        };
        let p = plan(&d, &o, &images(&d), &BTreeSet::new());
        assert_eq!(p.network.as_deref(), Some("net-b"), "08:00Z is older");
        assert_eq!(p.remove_networks, std::slice::from_ref(&young));
        assert!(p.services.iter().all(|s| s.step == Step::Create));
    }
}

#[test]
fn containers_on_the_surplus_network_are_recreated_on_the_kept_one() {
    let d = stack(SPEC);
    let mut o = converged(&d);
    // Two containers on net-1, one (alertmanager) on net-2.
    o.networks.push(network("net-2", &d.network, None));
    let am = o
        .containers
        .iter_mut()
        .find(|c| c.service == "alertmanager")
        .unwrap();
    am.network_ids = vec!["net-2".into()];
    am.attached.insert(d.network.clone(), "net-2".into());
    let p = plan(&d, &o, &images(&d), &BTreeSet::new());
    assert_eq!(p.network.as_deref(), Some("net-1"));
    assert_eq!(
        p.remove_networks
            .iter()
            .map(|n| n.id.as_str())
            .collect::<Vec<_>>(),
        ["net-2"]
    );
    assert_eq!(
        step(&p, "alertmanager"),
        Step::Recreate {
            old: "id-alertmanager".into(),
            why: Why::Network
        }
    );
    assert!(matches!(step(&p, "prometheus"), Step::Keep { .. }));
}

#[test]
fn a_network_of_another_name_or_stack_is_neither_kept_nor_removed() {
    let d = stack(SPEC);
    let mut o = converged(&d);
    o.networks.push(network("net-x", "shop-net-old", None));
    let p = plan(&d, &o, &images(&d), &BTreeSet::new());
    assert_eq!(p.network.as_deref(), Some("net-1"));
    assert!(p.remove_networks.is_empty());
}

#[test]
fn a_container_created_but_never_started_is_started_not_recreated() {
    let d = stack(SPEC);
    let mut o = converged(&d);
    let prom = o
        .containers
        .iter_mut()
        .find(|c| c.service == "prometheus")
        .unwrap();
    // As Docker lists it before its first start: state `created`, its
    // endpoint without a NetworkID (the network mode still names the network).
    prom.state = "created".into();
    prom.attached.insert(d.network.clone(), String::new());
    prom.status = "Created".into();
    let p = plan(&d, &o, &images(&d), &BTreeSet::new());
    assert_eq!(
        step(&p, "prometheus"),
        Step::Start {
            id: "id-prometheus".into()
        }
    );
    assert!(!p.is_noop() && !p.creates());
}
