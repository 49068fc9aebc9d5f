//! Unit tests of discovery: which labelled containers become which targets,
//! and the file handed to Prometheus.

use super::labels::{PATH, PORT, SCRAPE};
use super::*;

fn candidate(name: &str, networks: &[&str], exposed: &[u16], labels: &[(&str, &str)]) -> Candidate {
    Candidate {
        name: name.into(),
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        networks: networks.iter().map(|n| n.to_string()).collect(),
        exposed: exposed.to_vec(),
    }
}

fn compose(project: &str, service: &str) -> [(&'static str, String); 2] {
    [
        (COMPOSE_PROJECT, project.to_string()),
        (COMPOSE_SERVICE, service.to_string()),
    ]
}

fn scope(declared: &[(&str, &[&str])]) -> Scope {
    Scope {
        stack: "mon".into(),
        networks: vec!["mon-net".into(), "shop_default".into()],
        declared: declared
            .iter()
            .map(|(job, targets)| {
                (
                    job.to_string(),
                    targets.iter().map(|t| t.to_string()).collect(),
                )
            })
            .collect(),
    }
}

fn labelled(name: &str, project: &str, service: &str, extra: &[(&str, &str)]) -> Candidate {
    let [p, s] = compose(project, service);
    let mut labels: Vec<(&str, &str)> = vec![(SCRAPE, "true"), (p.0, &p.1), (s.0, &s.1)];
    labels.extend_from_slice(extra);
    candidate(name, &["shop_default"], &[8000], &labels)
}

#[test]
fn a_compose_service_is_a_job_of_its_name_reached_by_its_container_name() {
    let c = [labelled(
        "shop_worker_1",
        "shop",
        "worker",
        &[(PATH, "/api/metrics")],
    )];
    let d = discover(&c, &scope(&[]));
    assert_eq!(
        d.targets,
        [Target {
            job: "worker".into(),
            address: "shop_worker_1:8000".into(),
            metrics_path: "/api/metrics".into(),
            scheme: "http".into(),
            container: "shop_worker_1".into(),
            labels: BTreeMap::from([
                ("compose_project".into(), "shop".into()),
                ("compose_service".into(), "worker".into()),
                ("container".into(), "shop_worker_1".into()),
            ]),
        }]
    );
    assert!(d.skipped.is_empty());
}

#[test]
fn a_plain_container_on_the_stack_network_is_a_job_of_its_container_name() {
    let c = [candidate("api", &["mon-net"], &[9000], &[(SCRAPE, "true")])];
    let d = discover(&c, &scope(&[]));
    assert_eq!(d.targets[0].job, "api");
    assert_eq!(d.targets[0].address, "api:9000");
    assert_eq!(
        d.targets[0].labels,
        BTreeMap::from([("container".into(), "api".into())])
    );
}

#[test]
fn unlabelled_containers_and_the_stacks_own_are_not_targets() {
    let c = [
        candidate("db", &["shop_default"], &[5432], &[]),
        candidate(
            "mon-prometheus",
            &["mon-net"],
            &[9090],
            &[(SCRAPE, "true"), ("dev.obsctl.stack", "mon")],
        ),
    ];
    assert_eq!(discover(&c, &scope(&[])), Discovery::default());
}

#[test]
fn labels_that_cannot_be_followed_are_warned_about_and_other_networks_only_noted() {
    let c = [
        candidate(
            "two-ports",
            &["shop_default"],
            &[80, 9000],
            &[(SCRAPE, "true")],
        ),
        candidate("far", &["other_default"], &[80], &[(SCRAPE, "true")]),
    ];
    let d = discover(&c, &scope(&[]));
    assert!(d.targets.is_empty());
    let warnings: Vec<String> = d.warnings().collect();
    assert_eq!(
        warnings,
        ["container two-ports exposes several ports (80, 9000): set prometheus.io/port to the one serving metrics"]
    );
    let far = d.skipped.iter().find(|s| s.container == "far").unwrap();
    assert_eq!(far.kind, SkipKind::Elsewhere);
    assert_eq!(
        far.reason,
        "shares no network with Prometheus (it is on other_default): add its network to `networks:`"
    );
}

#[test]
fn a_service_the_spec_scrapes_already_is_not_scraped_twice() {
    let c = [labelled("shop_web_1", "shop", "web", &[])];
    let d = discover(&c, &scope(&[("web", &["web:8000"])]));
    assert!(d.targets.is_empty());
    assert_eq!(d.warnings().count(), 0, "nothing is wrong with it");
    assert_eq!(
        d.skipped[0].reason,
        "is scraped already as job `web` of the spec"
    );
    assert_eq!(d.skipped[0].kind, SkipKind::Declared);
}

#[test]
fn a_job_name_the_spec_uses_for_something_else_is_not_reused() {
    let c = [
        labelled("shop_prometheus_1", "shop", "prometheus", &[(PORT, "9090")]),
        labelled("shop_api_1", "shop", "api", &[]),
    ];
    let d = discover(
        &c,
        &scope(&[
            ("prometheus", &["mon-prometheus:9090"]),
            ("api", &["host.docker.internal:8000"]),
            ("shop-api", &["elsewhere:1"]),
        ]),
    );
    let jobs: Vec<(&str, &str)> = d
        .targets
        .iter()
        .map(|t| (t.job.as_str(), t.address.as_str()))
        .collect();
    assert_eq!(
        jobs,
        [
            ("shop-prometheus", "shop_prometheus_1:9090"),
            ("shop_api_1", "shop_api_1:8000"),
        ]
    );
}

#[test]
fn targets_are_sorted_whatever_order_docker_lists_containers_in() {
    let a = labelled("shop_a_1", "shop", "a", &[]);
    let b = labelled("shop_b_1", "shop", "b", &[]);
    let one = discover(&[a.clone(), b.clone()], &scope(&[]));
    let other = discover(&[b, a], &scope(&[]));
    assert_eq!(one, other);
    assert_eq!(
        file_sd::render(&one.targets),
        file_sd::render(&other.targets)
    );
}

#[test]
fn the_file_sets_job_path_and_scheme_per_target_and_reads_back() {
    let c = [labelled(
        "shop_worker_1",
        "shop",
        "worker",
        &[(PATH, "/cgi-bin/metrics")],
    )];
    let targets = discover(&c, &scope(&[])).targets;
    let text = String::from_utf8(file_sd::render(&targets)).unwrap();
    assert_eq!(
        text,
        r#"[
  {
    "targets": [
      "shop_worker_1:8000"
    ],
    "labels": {
      "__metrics_path__": "/cgi-bin/metrics",
      "__scheme__": "http",
      "compose_project": "shop",
      "compose_service": "worker",
      "container": "shop_worker_1",
      "job": "worker"
    }
  }
]
"#
    );
    assert_eq!(file_sd::render(&[]), b"[]\n");

    let dir = tempfile::tempdir().unwrap();
    assert!(file_sd::write(dir.path(), &targets).unwrap(), "first write");
    let written = std::fs::metadata(file_sd::path(dir.path())).unwrap();
    assert!(
        !file_sd::write(dir.path(), &targets).unwrap(),
        "same content"
    );
    let again = std::fs::metadata(file_sd::path(dir.path())).unwrap();
    assert_eq!(written.modified().unwrap(), again.modified().unwrap());
    assert_eq!(file_sd::read(dir.path()), targets);
    assert!(file_sd::write(dir.path(), &[]).unwrap());
    assert!(file_sd::read(dir.path()).is_empty());
}
