//! Unit tests of the plan: what `up` decides to keep, start, create,
//! recreate, reload or remove, for every case, without Docker.

use std::path::Path;

use super::*;
use crate::runtime::services::{desired, Host};
use crate::spec::Source;

fn stack(spec: &str) -> Desired {
    let source = Source::new(None, spec.to_string());
    let parsed = crate::spec::load(&source).expect("spec parses");
    let model = crate::model::build(&parsed, &source, &|_: &str| None)
        .expect("spec is valid")
        .model;
    let files = crate::render::render(&model).expect("renders");
    desired(&model, Path::new("/srv/.obsctl"), &files, &Host::default())
}

const SPEC: &str = "name: shop\ngrafana: {enabled: false}\n";

/// What Docker would report after a successful `up` of `d`.
fn converged(d: &Desired) -> Observed {
    Observed {
        containers: d
            .services
            .iter()
            .map(|s| ObservedContainer {
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
        }],
        volumes: d.volumes.iter().map(|v| v.name.clone()).collect(),
    }
}

fn images(d: &Desired) -> HashMap<String, String> {
    d.services
        .iter()
        .map(|s| (s.def.image.clone(), format!("sha256:{}", s.def.image)))
        .collect()
}

fn step(p: &Plan, service: &str) -> Step {
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
