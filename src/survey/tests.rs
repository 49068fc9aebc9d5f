//! Unit tests of `init`'s proposal, from fixtures of what Docker lists and
//! what probing found.

use super::*;
use crate::presets::preset;

fn compose(project: &str, service: &str, image: &str, exposed: &[u16]) -> Running {
    Running {
        name: format!("{project}_{service}_1"),
        image: image.into(),
        compose_project: Some(project.into()),
        compose_service: Some(service.into()),
        labelled: false,
        networks: vec![(format!("{project}_default"), "172.20.0.2".into())],
        exposed: exposed.to_vec(),
        published: Vec::new(),
    }
}

fn endpoint(
    container: &str,
    port: u16,
    path: &str,
    content_type: Option<&str>,
    metrics: &[&str],
) -> Endpoint {
    Endpoint {
        container: container.into(),
        port,
        path: path.into(),
        content_type: content_type.map(str::to_string),
        metrics: metrics.iter().map(|m| m.to_string()).collect(),
    }
}

/// The shop: a FastAPI backend, a labelled worker, PostgreSQL, Redis and a
/// frontend without metrics; plus a plain container on the default bridge.
fn shop() -> (Vec<Running>, Vec<Endpoint>) {
    let mut worker = compose("shop", "worker", "shop/worker:1", &[9000]);
    worker.labelled = true;
    let legacy = Running {
        name: "legacy".into(),
        image: "legacy:2".into(),
        networks: vec![("bridge".into(), "172.17.0.5".into())],
        exposed: vec![9100],
        published: vec![(9100, 19100)],
        ..Default::default()
    };
    let running = vec![
        compose("shop", "backend", "shop/backend:1", &[8000, 8080]),
        worker,
        compose("shop", "db", "postgres:16", &[5432]),
        compose("shop", "cache", "docker.io/library/redis:7-alpine", &[6379]),
        compose("shop", "frontend", "shop/frontend:1", &[3000]),
        legacy,
    ];
    let endpoints = vec![
        endpoint(
            "shop_backend_1",
            8000,
            "/api/v1/metrics",
            None,
            &[
                "http_requests_total",
                "http_request_duration_seconds_bucket",
            ],
        ),
        endpoint(
            "legacy",
            9100,
            "/metrics",
            Some("text/plain; version=0.0.4"),
            &["legacy_up"],
        ),
    ];
    (running, endpoints)
}

#[test]
fn the_shop_gets_its_network_jobs_exporters_and_packs() {
    let (running, endpoints) = shop();
    let start = preset("minimal", "mon").unwrap();
    let p = propose(&running, &endpoints, &start);
    assert_eq!(p.networks, ["shop_default"]);
    let mut backend = ScrapeAnswer::new("backend", &["backend:8000"], "/api/v1/metrics");
    backend.fallback_scrape_protocol = Some("PrometheusText0.0.4".into());
    let legacy = ScrapeAnswer::new("legacy", &["host.docker.internal:19100"], "/metrics");
    // Containers of no Compose project come first.
    assert_eq!(p.scrape, [legacy, backend]);
    assert_eq!(
        p.postgres,
        Some(PostgresAnswer {
            address: "db:5432".into(),
            user: "postgres".into(),
            password_env: "POSTGRES_PASSWORD".into(),
            database: "postgres".into(),
        })
    );
    assert_eq!(
        p.redis,
        Some(RedisAnswer {
            address: "cache:6379".into()
        })
    );
    assert_eq!(p.packs, ["http", "postgres", "redis"]);
    assert!(p.notes.iter().any(|n| n.contains("$POSTGRES_PASSWORD")));
    let what = |container: &str| {
        p.seen
            .iter()
            .find(|s| s.container == container)
            .unwrap()
            .what
            .clone()
    };
    assert!(what("shop_worker_1").contains("found by its labels"));
    assert_eq!(
        what("shop_frontend_1"),
        "no metrics at /metrics, /api/metrics, /api/v1/metrics on port 3000"
    );
    assert!(
        what("shop_backend_1").contains("its Content-Type (none) is read as PrometheusText0.0.4")
    );
}

#[test]
fn job_names_never_clash_with_the_presets_or_each_other() {
    // Regression: the fastapi preset's `api` plus a service named `api`.
    let running = vec![
        compose("shop", "api", "shop/api:1", &[8000]),
        compose("pay", "api", "pay/api:1", &[8000]),
    ];
    let endpoints = vec![
        endpoint("shop_api_1", 8000, "/metrics", Some("text/plain"), &["a"]),
        endpoint("pay_api_1", 8000, "/metrics", Some("text/plain"), &["a"]),
    ];
    let mut start = preset("fastapi", "mon").unwrap();
    let p = propose(&running, &endpoints, &start);
    let jobs: Vec<&str> = p.scrape.iter().map(|s| s.job.as_str()).collect();
    assert_eq!(jobs, ["pay-api", "shop-api"]);
    assert_eq!(p.networks, ["pay_default", "shop_default"]);
    p.apply(&mut start);
    let mut all: Vec<&str> = start.scrape.iter().map(|s| s.job.as_str()).collect();
    let count = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), count, "a job name is written twice: {all:?}");
    // The preset's guesses at the databases are replaced only by what is found.
    assert_eq!(
        start.exporters.postgres.unwrap().address,
        "host.docker.internal:5432"
    );
}

#[test]
fn an_exporter_the_application_runs_is_scraped_rather_than_doubled() {
    let running = vec![
        compose("iob", "postgres", "postgres:16", &[5432]),
        compose(
            "iob",
            "postgres_exporter",
            "quay.io/prometheuscommunity/postgres-exporter:v0.17.1",
            &[9187],
        ),
    ];
    let endpoints = vec![endpoint(
        "iob_postgres_exporter_1",
        9187,
        "/metrics",
        Some("text/plain; version=0.0.4"),
        &["pg_up", "pg_stat_database_numbackends"],
    )];
    let p = propose(&running, &endpoints, &preset("minimal", "mon").unwrap());
    assert_eq!(p.postgres, None, "{p:#?}");
    assert_eq!(
        p.scrape,
        [ScrapeAnswer::new(
            "postgres_exporter",
            &["postgres_exporter:9187"],
            "/metrics"
        )]
    );
    assert_eq!(p.packs, ["postgres"]);
}

#[test]
fn a_container_on_the_default_bridge_without_a_published_port_is_only_noted() {
    let running = vec![Running {
        name: "lonely".into(),
        image: "lonely:1".into(),
        networks: vec![("bridge".into(), "172.17.0.9".into())],
        exposed: vec![8000],
        ..Default::default()
    }];
    let endpoints = vec![endpoint(
        "lonely",
        8000,
        "/metrics",
        Some("text/plain"),
        &["x"],
    )];
    let p = propose(&running, &endpoints, &preset("minimal", "mon").unwrap());
    assert!(p.scrape.is_empty() && p.networks.is_empty());
    assert!(p.seen[0].what.contains("default bridge"), "{:?}", p.seen);
}

#[test]
fn postgres_and_redis_are_known_by_image_or_port() {
    let known = |image: &str, port: u16| {
        Known::of(&Running {
            image: image.into(),
            exposed: vec![port],
            ..Default::default()
        })
    };
    assert_eq!(known("bitnami/postgresql:15", 80), Some(Known::Postgres));
    assert_eq!(known("my/db:1", 5432), Some(Known::Postgres));
    assert_eq!(known("redis:7", 80), Some(Known::Redis));
    assert_eq!(known("oliver006/redis_exporter:v1.74.0", 9121), None);
    assert_eq!(known("shop/api:1", 8000), None);
}
