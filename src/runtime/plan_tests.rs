//! Unit tests of the plan: what `up` decides to keep, start, create,
//! recreate, reload or remove, for every case, without Docker.

use std::path::Path;

use super::*;
use crate::runtime::services::{desired, Host};
use crate::spec::Source;

pub(super) fn stack(spec: &str) -> Desired {
    let source = Source::new(None, spec.to_string());
    let parsed = crate::spec::load(&source).expect("spec parses");
    let model = crate::model::build(&parsed, &source, &|_: &str| None)
        .expect("spec is valid")
        .model;
    let files = crate::render::render(&model).expect("renders");
    desired(&model, Path::new("/srv/.obsctl"), &files, &Host::default())
}

pub(super) const SPEC: &str = "name: shop\ngrafana: {enabled: false}\n";

/// The id the engine gives application network `name` in these tests.
fn app_id(name: &str) -> String {
    format!("id-{name}")
}

/// What Docker would report after a successful `up` of `d`.
pub(super) fn converged(d: &Desired) -> Observed {
    let mut engine_networks: BTreeMap<String, String> = d
        .app_networks
        .iter()
        .map(|n| (n.clone(), app_id(n)))
        .collect();
    engine_networks.insert(d.network.clone(), "net-1".into());
    Observed {
        containers: d
            .services
            .iter()
            .map(|s| ObservedContainer {
                attached: std::iter::once((d.network.clone(), "net-1".to_string()))
                    .chain(
                        d.app_networks
                            .iter()
                            .filter(|_| s.service.joins_app_networks())
                            .map(|n| (n.clone(), app_id(n))),
                    )
                    .collect(),
                id: format!("id-{}", s.name()),
                name: s.def.name.clone(),
                service: s.name().into(),
                hash: Some(s.def.hash()),
                state: "running".into(),
                image: s.def.image.clone(),
                image_id: Some(format!("sha256:{}", s.def.image)),
                network_ids: vec!["net-1".into()],
                ports: s
                    .def
                    .ports
                    .iter()
                    .map(|p| Published {
                        host_ip: p.host_ip.clone(),
                        host_port: p.host_port,
                        container_port: p.container,
                    })
                    .collect(),
                status: "Up 1 minute".into(),
            })
            .collect(),
        networks: vec![ObservedNetwork {
            id: "net-1".into(),
            name: d.network.clone(),
            created: None,
        }],
        volumes: d.volumes.iter().map(|v| v.name.clone()).collect(),
        engine_networks,
        foreign_networks: BTreeSet::new(),
    }
}

pub(super) fn images(d: &Desired) -> HashMap<String, String> {
    d.services
        .iter()
        .map(|s| (s.def.image.clone(), format!("sha256:{}", s.def.image)))
        .collect()
}

pub(super) fn step(p: &Plan, service: &str) -> Step {
    p.services
        .iter()
        .find(|s| s.service == service)
        .unwrap()
        .step
        .clone()
}

#[test]
fn from_nothing_everything_is_created() {
    let d = stack(SPEC);
    let p = plan(&d, &Observed::default(), &HashMap::new(), &BTreeSet::new());
    assert_eq!(p.network, None);
    assert_eq!(p.create_volumes.len(), 2);
    assert!(p.services.iter().all(|s| s.step == Step::Create));
    assert!(p.creates() && !p.is_noop());
}

#[test]
fn a_converged_stack_is_a_noop() {
    let d = stack(SPEC);
    let p = plan(&d, &converged(&d), &images(&d), &BTreeSet::new());
    assert!(p.is_noop(), "{p:#?}");
    assert!(!p.creates());
}

#[test]
fn a_config_change_reloads_the_kept_container() {
    let d = stack(SPEC);
    let changed = BTreeSet::from(["prometheus".to_string()]);
    let p = plan(&d, &converged(&d), &images(&d), &changed);
    let prom = p
        .services
        .iter()
        .find(|s| s.service == "prometheus")
        .unwrap();
    assert_eq!(
        prom.step,
        Step::Keep {
            id: "id-prometheus".into()
        }
    );
    assert_eq!(prom.apply, Some(Apply::Reload));
    let am = p
        .services
        .iter()
        .find(|s| s.service == "alertmanager")
        .unwrap();
    assert_eq!(am.apply, None);
    assert!(!p.creates());
}

#[test]
fn a_new_image_tag_recreates_only_that_service() {
    let old = stack(SPEC);
    let observed = converged(&old);
    let d = stack(&format!(
        "{SPEC}prometheus: {{image: 'prom/prometheus:v9'}}\n"
    ));
    let p = plan(&d, &observed, &images(&d), &BTreeSet::new());
    assert_eq!(
        step(&p, "prometheus"),
        Step::Recreate {
            old: "id-prometheus".into(),
            why: Why::Definition
        }
    );
    assert_eq!(
        step(&p, "alertmanager"),
        Step::Keep {
            id: "id-alertmanager".into()
        }
    );
    assert!(p.create_volumes.is_empty(), "data volumes are kept");
}

#[test]
fn the_same_tag_naming_another_image_recreates() {
    let d = stack(SPEC);
    let mut ids = images(&d);
    let prom_image = d.service("prometheus").unwrap().def.image.clone();
    ids.insert(prom_image, "sha256:pulled-again".into());
    let p = plan(&d, &converged(&d), &ids, &BTreeSet::new());
    assert!(matches!(
        step(&p, "prometheus"),
        Step::Recreate {
            why: Why::Image,
            ..
        }
    ));
}

#[test]
fn a_stopped_or_half_created_container_is_started_not_recreated() {
    let d = stack(SPEC);
    let mut observed = converged(&d);
    observed.containers[0].state = "created".into();
    observed.containers[1].state = "exited".into();
    let p = plan(
        &d,
        &observed,
        &images(&d),
        &BTreeSet::from(["prometheus".into()]),
    );
    for s in &p.services {
        assert!(matches!(s.step, Step::Start { .. }), "{s:?}");
        assert_eq!(s.apply, None, "a start reads the new files anyway");
    }
}

#[test]
fn a_missing_network_recreates_the_containers_attached_to_the_old_one() {
    let d = stack(SPEC);
    let mut observed = converged(&d);
    observed.networks.clear();
    let p = plan(&d, &observed, &images(&d), &BTreeSet::new());
    assert_eq!(p.network, None);
    assert!(p.services.iter().all(|s| matches!(
        s.step,
        Step::Recreate {
            why: Why::Network,
            ..
        }
    )));
}

#[test]
fn services_dropped_from_the_spec_and_duplicates_are_removed() {
    let d = stack(SPEC);
    let mut observed = converged(&d);
    let mut stale = observed.containers[0].clone();
    stale.id = "id-old-copy".into();
    stale.hash = Some("old".into());
    observed.containers.push(stale);
    let mut orphan = observed.containers[0].clone();
    orphan.id = "id-node".into();
    orphan.service = "node-exporter".into();
    observed.containers.push(orphan);
    let p = plan(&d, &observed, &images(&d), &BTreeSet::new());
    let removed: Vec<&str> = p.remove.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(removed, ["id-old-copy", "id-node"]);
    assert!(p
        .services
        .iter()
        .all(|s| matches!(s.step, Step::Keep { .. })));
}

#[test]
fn missing_volumes_are_created_without_touching_containers() {
    let d = stack(SPEC);
    let mut observed = converged(&d);
    observed.volumes.retain(|v| !v.contains("alertmanager"));
    let p = plan(&d, &observed, &images(&d), &BTreeSet::new());
    let names: Vec<&str> = p.create_volumes.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["shop-alertmanager-data"]);
}

// --- Joining the application's networks ------------------------------------

const JOINING: &str = "name: shop\ngrafana: {enabled: false}\nexporters: {node: {}, redis: {address: 'cache:6379'}}\n";

fn joining(networks: &[&str]) -> Desired {
    stack(&format!("{JOINING}networks: [{}]\n", networks.join(", ")))
}

/// (container, network, network id) of each attachment.
fn attachments(list: &[Attachment]) -> Vec<(&str, &str, &str)> {
    let mut out: Vec<(&str, &str, &str)> = list
        .iter()
        .map(|a| {
            (
                a.container.as_str(),
                a.network.as_str(),
                a.network_id.as_str(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_converged_stack_on_application_networks_is_a_noop() {
    let d = joining(&["shop_default", "shop_backend"]);
    let p = plan(&d, &converged(&d), &images(&d), &BTreeSet::new());
    assert!(p.is_noop(), "{p:#?}");
}

#[test]
fn a_newly_listed_network_is_joined_by_the_services_that_talk_to_the_application_only() {
    let before = joining(&[]);
    let mut observed = converged(&before);
    observed
        .engine_networks
        .insert("shop_default".into(), app_id("shop_default"));
    let d = joining(&["shop_default"]);
    let p = plan(&d, &observed, &images(&d), &BTreeSet::new());
    assert!(
        p.services
            .iter()
            .all(|s| matches!(s.step, Step::Keep { .. })),
        "joining a network recreates nothing: {p:#?}"
    );
    assert_eq!(
        attachments(&p.connect),
        [
            ("shop-prometheus", "shop_default", "id-shop_default"),
            ("shop-redis-exporter", "shop_default", "id-shop_default"),
        ]
    );
    assert!(p.disconnect.is_empty());
    assert!(!p.is_noop() && !p.creates());
}

#[test]
fn new_containers_join_every_listed_network_before_they_start() {
    let d = joining(&["shop_default", "shop_backend"]);
    let mut observed = Observed::default();
    for n in &d.app_networks {
        observed.engine_networks.insert(n.clone(), app_id(n));
    }
    let p = plan(&d, &observed, &HashMap::new(), &BTreeSet::new());
    assert_eq!(
        attachments(&p.connect),
        [
            ("shop-prometheus", "shop_backend", "id-shop_backend"),
            ("shop-prometheus", "shop_default", "id-shop_default"),
            ("shop-redis-exporter", "shop_backend", "id-shop_backend"),
            ("shop-redis-exporter", "shop_default", "id-shop_default"),
        ]
    );
}

#[test]
fn a_network_no_longer_listed_is_left_and_nothing_is_recreated() {
    let before = joining(&["shop_default", "old_default"]);
    let observed = converged(&before);
    let d = joining(&["shop_default"]);
    let p = plan(&d, &observed, &images(&d), &BTreeSet::new());
    assert!(p.connect.is_empty(), "{p:#?}");
    assert_eq!(
        attachments(&p.disconnect),
        [
            ("shop-prometheus", "old_default", "id-old_default"),
            ("shop-redis-exporter", "old_default", "id-old_default"),
        ]
    );
    assert!(p
        .services
        .iter()
        .all(|s| matches!(s.step, Step::Keep { .. })));
}

#[test]
fn an_application_network_made_anew_reconnects_a_running_container_and_recreates_a_stopped_one() {
    // Compose's `down` and `up` removed the network and made a new one of the
    // same name: Docker cannot start a container whose endpoint names the
    // old id, so the stopped container is recreated (its data volume stays).
    let d = joining(&["shop_default"]);
    let mut observed = converged(&d);
    observed
        .engine_networks
        .insert("shop_default".into(), "id-new".into());
    let exporter = observed
        .containers
        .iter_mut()
        .find(|c| c.service == "redis-exporter")
        .unwrap();
    exporter.state = "exited".into();
    let p = plan(&d, &observed, &images(&d), &BTreeSet::new());
    for service in ["prometheus", "redis-exporter"] {
        assert!(
            matches!(
                step(&p, service),
                Step::Recreate {
                    why: Why::Network,
                    ..
                }
            ),
            "{service}: {p:#?}"
        );
    }
    assert_eq!(
        step(&p, "node-exporter"),
        Step::Keep {
            id: "id-node-exporter".into()
        }
    );
    assert_eq!(
        attachments(&p.connect),
        [
            ("shop-prometheus", "shop_default", "id-new"),
            ("shop-redis-exporter", "shop_default", "id-new"),
        ]
    );
    assert!(
        p.disconnect.is_empty(),
        "the old endpoint goes with the old container"
    );
}

#[test]
fn a_container_detached_from_a_listed_network_is_connected_again() {
    let d = joining(&["shop_default"]);
    let mut observed = converged(&d);
    let prometheus = observed
        .containers
        .iter_mut()
        .find(|c| c.service == "prometheus")
        .unwrap();
    prometheus.attached.remove("shop_default");
    let p = plan(&d, &observed, &images(&d), &BTreeSet::new());
    assert_eq!(
        attachments(&p.connect),
        [("shop-prometheus", "shop_default", "id-shop_default")]
    );
    assert_eq!(
        step(&p, "prometheus"),
        Step::Keep {
            id: "id-prometheus".into()
        }
    );
}
