//! Unit tests of the container definitions the model turns into: names,
//! start order, commands, mounts, environment, secrets and hashes.

use std::path::Path;

use super::*;
use crate::spec::Source;

fn desired_for(spec: &str) -> Desired {
    let source = Source::new(None, spec.to_string());
    let parsed = crate::spec::load(&source).expect("spec parses");
    let env = |name: &str| name.ends_with("_PASSWORD").then(|| "pw".to_string());
    let model = crate::model::build(&parsed, &source, &env)
        .expect("spec is valid")
        .model;
    let files = crate::render::render(&model).expect("renders");
    desired(
        &model,
        Path::new("/srv/shop/.obsctl"),
        &files,
        &Host::default(),
    )
}

/// Prometheus' command line for `spec`.
fn prometheus_cmd(spec: &str) -> Vec<String> {
    let d = desired_for(spec);
    d.service("prometheus").unwrap().def.cmd.clone().unwrap()
}

const FULL: &str = "
name: shop
exporters:
  node: {}
  postgres:
    address: db:5432
    user: monitor
    password: {env: PG_PASSWORD}
";

#[test]
fn services_come_in_start_order_named_after_the_stack() {
    let d = desired_for(FULL);
    let names: Vec<&str> = d.services.iter().map(|s| s.def.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "shop-node-exporter",
            "shop-postgres-exporter",
            "shop-alertmanager",
            "shop-prometheus",
            "shop-grafana"
        ]
    );
    let stages: Vec<u8> = d.services.iter().map(|s| s.service.stage()).collect();
    assert!(stages.windows(2).all(|w| w[0] <= w[1]), "{stages:?}");
    assert_eq!(d.network, "shop-net");
    assert!(d.services.iter().all(|s| s.def.network == "shop-net"));
}

#[test]
fn prometheus_command_keeps_config_and_storage_and_enables_reload() {
    let d = desired_for(FULL);
    let prom = d.service("prometheus").unwrap();
    let cmd = prom.def.cmd.as_ref().unwrap();
    for flag in [
        "--config.file=/etc/prometheus/prometheus.yml",
        "--storage.tsdb.path=/prometheus",
        "--web.enable-lifecycle",
        "--storage.tsdb.retention.time=15d",
    ] {
        assert!(cmd.iter().any(|c| c == flag), "{flag} missing from {cmd:?}");
    }
    assert_eq!(prom.def.extra_hosts, ["host.docker.internal:host-gateway"]);
    assert_eq!(prom.def.restart, "unless-stopped");
}

#[test]
fn retention_size_is_passed_when_set() {
    let cmd = prometheus_cmd("prometheus: {retention_size: 10GB}\n");
    assert!(cmd.contains(&"--storage.tsdb.retention.size=10GB".to_string()));
}

/// The value of `--flag=value` in a command line.
fn flag<'a>(cmd: &'a [String], name: &str) -> Option<&'a str> {
    cmd.iter()
        .find_map(|c| c.strip_prefix(name)?.strip_prefix('='))
}

/// Where a path inside the container lives on the host (or on which volume).
fn host_path(def: &ContainerDef, inside: &str) -> Option<(String, bool)> {
    def.mounts.iter().find_map(|m| {
        let rest = inside.strip_prefix(&m.target)?;
        (rest.is_empty() || rest.starts_with('/'))
            .then(|| (format!("{}{rest}", m.source), m.volume))
    })
}

// Whether Alertmanager really runs single-node is checked end to end
// (tests/e2e_docker.rs asks its /api/v2/status); here, that the files it is
// told to read and the place it stores to are where the stack put them.
#[test]
fn enabled_features_become_enable_feature_flags() {
    let cmd = prometheus_cmd("prometheus: {enable_features: [promql-experimental-functions]}\n");
    assert!(
        cmd.contains(&"--enable-feature=promql-experimental-functions".to_string()),
        "{cmd:?}"
    );
    let cmd = prometheus_cmd("prometheus: {}\n");
    assert!(
        !cmd.iter().any(|c| c.starts_with("--enable-feature")),
        "no feature unless asked: {cmd:?}"
    );
}

#[test]
fn alertmanager_reads_the_rendered_config_and_stores_on_its_volume() {
    let d = desired_for(FULL);
    let am = d.service("alertmanager").unwrap();
    let cmd = am.def.cmd.clone().unwrap();
    let config = flag(&cmd, "--config.file").expect("a config file");
    assert_eq!(
        host_path(&am.def, config),
        Some((
            "/srv/shop/.obsctl/alertmanager/alertmanager.yml".into(),
            false
        ))
    );
    let storage = flag(&cmd, "--storage.path").expect("a storage path");
    assert_eq!(
        host_path(&am.def, storage),
        Some(("shop-alertmanager-data".into(), true))
    );
}

#[test]
fn config_folders_are_mounted_read_only_and_data_lives_on_volumes() {
    let d = desired_for(FULL);
    let mounts = |s: &str| d.service(s).unwrap().def.mounts.clone();
    let prom = mounts("prometheus");
    assert!(prom.contains(&Mount {
        source: "/srv/shop/.obsctl/prometheus".into(),
        target: "/etc/prometheus".into(),
        volume: false,
        read_only: true,
        rslave: false,
    }));
    assert!(prom.contains(&Mount {
        source: "shop-prometheus-data".into(),
        target: "/prometheus".into(),
        volume: true,
        read_only: false,
        rslave: false,
    }));
    let grafana: Vec<(String, String)> = mounts("grafana")
        .into_iter()
        .map(|m| (m.source, m.target))
        .collect();
    for (source, target) in [
        (
            "/srv/shop/.obsctl/grafana/provisioning",
            "/etc/grafana/provisioning",
        ),
        (
            "/srv/shop/.obsctl/grafana/dashboards",
            "/etc/grafana/dashboards",
        ),
        ("/srv/shop/.obsctl/grafana/secrets", GRAFANA_SECRETS_DIR),
        ("shop-grafana-data", "/var/lib/grafana"),
    ] {
        assert!(
            grafana.contains(&(source.into(), target.into())),
            "{source} -> {target} missing from {grafana:?}"
        );
    }
    let volumes: Vec<&str> = d.volumes.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        volumes,
        [
            "shop-alertmanager-data",
            "shop-prometheus-data",
            "shop-grafana-data"
        ]
    );
}

#[test]
fn no_mount_is_a_single_file() {
    let d = desired_for(FULL);
    for s in &d.services {
        for m in s.def.mounts.iter().filter(|m| !m.volume) {
            let last = Path::new(&m.source).file_name().unwrap_or_default();
            assert!(
                !last.to_string_lossy().contains('.') || m.source.ends_with(".obsctl"),
                "{} mounts {}",
                s.name(),
                m.source
            );
        }
    }
}

#[test]
fn ports_bind_to_the_model_address_and_unpublished_exporters_wait_for_running() {
    let d = desired_for(FULL);
    let prom = d.service("prometheus").unwrap();
    assert_eq!(
        prom.def.ports,
        [Port {
            container: 9090,
            host_ip: "127.0.0.1".into(),
            host_port: 9090
        }]
    );
    assert_eq!(
        prom.ready,
        Readiness::Http {
            url: "http://127.0.0.1:9090/-/ready".into()
        }
    );
    let node = d.service("node-exporter").unwrap();
    assert!(node.def.ports.is_empty());
    assert_eq!(node.ready, Readiness::Running);
    let grafana = d.service("grafana").unwrap();
    assert_eq!(
        grafana.ready,
        Readiness::Http {
            url: "http://127.0.0.1:3000/api/health".into()
        }
    );
}

#[test]
fn binding_every_interface_is_probed_on_loopback() {
    let d = desired_for("bind: 0.0.0.0\n");
    let prom = d.service("prometheus").unwrap();
    assert_eq!(prom.def.ports[0].host_ip, "0.0.0.0");
    assert_eq!(prom.base_url.as_deref(), Some("http://127.0.0.1:9090"));
}

// Whether anonymous access is refused is checked end to end against the
// Grafana stand-in (tests/e2e_grafana.rs); here, what the settings mean.
#[test]
fn grafana_reads_its_password_from_a_mounted_secret_and_stays_closed() {
    let d = desired_for(FULL);
    let g = d.service("grafana").unwrap();
    let env: std::collections::BTreeMap<&str, &str> =
        g.def.env.iter().filter_map(|e| e.split_once('=')).collect();
    // The password is a file the container mounts, the one handed over as a
    // secret; never a value in the environment, which `docker inspect` shows.
    let file = env["GF_SECURITY_ADMIN_PASSWORD__FILE"];
    let (host, volume) = host_path(&g.def, file).expect("the password file is mounted");
    assert!(!volume);
    assert_eq!(g.secrets, [PathBuf::from(host)]);
    assert!(!env.contains_key("GF_SECURITY_ADMIN_PASSWORD"));
    // Sign-up and anonymous access are off: Grafana's defaults (unset) or
    // set to false, never enabled.
    for var in ["GF_USERS_ALLOW_SIGN_UP", "GF_AUTH_ANONYMOUS_ENABLED"] {
        assert!(
            env.get(var).is_none_or(|v| v.eq_ignore_ascii_case("false")),
            "{var}={:?}",
            env.get(var)
        );
    }
    // Links Grafana builds point at the port the stack publishes.
    let published = g.def.ports[0].host_port;
    if let Some(root) = env.get("GF_SERVER_ROOT_URL") {
        assert!(root.ends_with(&format!(":{published}/")), "{root}");
    }
}

#[test]
fn postgres_exporter_reads_its_password_from_the_mounted_secrets_folder() {
    let d = desired_for(FULL);
    let pg = d.service("postgres-exporter").unwrap();
    assert!(pg
        .def
        .env
        .contains(&"DATA_SOURCE_PASS_FILE=/etc/obsctl/secrets/postgres-password".to_string()));
    assert!(pg
        .def
        .env
        .contains(&"DATA_SOURCE_URI=db:5432/postgres?sslmode=disable".to_string()));
    assert!(pg.def.mounts.iter().any(|m| m.source
        == "/srv/shop/.obsctl/exporters/postgres-exporter"
        && m.target == "/etc/obsctl"
        && m.read_only));
    assert_eq!(
        pg.secrets,
        [PathBuf::from(
            "/srv/shop/.obsctl/exporters/postgres-exporter/secrets/postgres-password"
        )]
    );
}

#[test]
fn node_exporter_sees_the_host_root_read_only() {
    let d = desired_for(FULL);
    let node = d.service("node-exporter").unwrap();
    assert_eq!(
        node.def.cmd.as_deref(),
        Some(&["--path.rootfs=/host".to_string()][..])
    );
    assert!(node.def.pid_host);
    let root = node
        .def
        .mounts
        .iter()
        .find(|m| m.target == "/host")
        .unwrap();
    assert!(root.read_only && root.source == "/");
    // A private root cannot propagate mounts; Docker would refuse rslave.
    assert!(!root.rslave);
}

#[test]
fn the_hash_follows_the_definition_only() {
    let a = desired_for(FULL);
    let b = desired_for(FULL);
    let hash = |d: &Desired| d.service("prometheus").unwrap().def.hash();
    assert_eq!(hash(&a), hash(&b));
    let retagged = desired_for(&format!(
        "{FULL}prometheus: {{image: 'prom/prometheus:v9'}}\n"
    ));
    assert_ne!(hash(&a), hash(&retagged));
    // A rule change is a config change (reload), not a new container.
    let rules = desired_for(&format!(
        "{FULL}rules: {{packs: {{stack: {{TargetDown: {{for: 10m}}}}}}}}\n"
    ));
    assert_eq!(hash(&a), hash(&rules));
}

#[test]
fn roles_round_trip_through_the_service_label() {
    for s in desired_for(FULL).services {
        assert_eq!(Service::from_name(s.name()), Some(s.service));
    }
    assert_eq!(Service::from_name("postgres"), None);
}

#[test]
fn redis_exporter_reads_a_json_password_map_for_its_address() {
    let spec =
        "exporters:\n  redis:\n    address: cache:6379\n    password: {env: REDIS_PASSWORD}\n";
    let source = Source::new(None, spec.to_string());
    let parsed = crate::spec::load(&source).unwrap();
    let env = |_: &str| Some("s3cret".to_string());
    let model = crate::model::build(&parsed, &source, &env).unwrap().model;
    let files = crate::render::render(&model).unwrap();
    let d = desired(&model, Path::new("/srv/.obsctl"), &files, &Host::default());
    let redis = d.service("redis-exporter").unwrap();
    assert!(redis
        .def
        .env
        .contains(&"REDIS_ADDR=redis://cache:6379".to_string()));
    assert!(redis
        .def
        .env
        .contains(&"REDIS_PASSWORD_FILE=/etc/obsctl/secrets/redis-passwords.json".to_string()));
    let file = files
        .iter()
        .find(|f| f.path.ends_with("redis-passwords.json"))
        .unwrap();
    assert!(file.private);
    let map: serde_json::Value = serde_json::from_slice(&file.contents).unwrap();
    assert_eq!(map, serde_json::json!({"redis://cache:6379": "s3cret"}));
}

#[test]
fn each_service_is_configured_by_its_own_folder() {
    let d = desired_for(FULL);
    let prefix = |s: &str| d.service(s).unwrap().config_prefix.clone();
    assert_eq!(prefix("prometheus").as_deref(), Some("prometheus/"));
    assert_eq!(prefix("alertmanager").as_deref(), Some("alertmanager/"));
    assert_eq!(prefix("grafana").as_deref(), Some("grafana/"));
    assert_eq!(
        prefix("postgres-exporter").as_deref(),
        Some("exporters/postgres-exporter/")
    );
}

#[test]
fn an_agent_runs_alone_with_its_write_ahead_log_on_the_data_volume() {
    let d = desired_for(
        "name: edge\nprometheus:\n  mode: agent\n  remote_write: [{url: http://central:9090/api/v1/write}]\nexporters:\n  node: {}\n",
    );
    let names: Vec<&str> = d.services.iter().map(|s| s.name()).collect();
    assert_eq!(names, ["node-exporter", "prometheus"]);
    let prom = d.service("prometheus").unwrap();
    assert_eq!(
        prom.def.cmd.as_deref().unwrap(),
        [
            "--config.file=/etc/prometheus/prometheus.yml",
            "--agent",
            "--storage.agent.path=/prometheus",
            "--web.enable-lifecycle",
            "--storage.remote.flush-deadline=5s",
        ]
    );
    assert!(prom
        .def
        .mounts
        .iter()
        .any(|m| m.volume && m.source == "edge-prometheus-data" && m.target == "/prometheus"));
}

#[test]
fn a_receiver_enables_the_remote_write_endpoint() {
    let cmd = prometheus_cmd("prometheus:\n  remote_write_receiver: true\n  edge_labels: [site]\n");
    assert_eq!(cmd.last().unwrap(), "--web.enable-remote-write-receiver");
    let cmd = prometheus_cmd("{}\n");
    assert!(!cmd.iter().any(|c| c.contains("remote")), "{cmd:?}");
}

#[test]
fn a_sender_gives_up_flushing_its_queue_before_reloads_and_stops_time_out() {
    let cmd =
        prometheus_cmd("prometheus: {remote_write: [{url: \"http://lts:8428/api/v1/write\"}]}\n");
    assert_eq!(cmd.last().unwrap(), "--storage.remote.flush-deadline=5s");
}

#[test]
fn the_blackbox_exporter_reads_its_rendered_config_and_is_reloaded() {
    let d = desired_for(
        "name: shop\nprobes:\n  - {name: api, url: 'http://api:8000/health'}\n  - {name: gw, url: '10.0.0.1', module: icmp}\n",
    );
    let bb = d.service("blackbox-exporter").unwrap();
    assert_eq!(
        bb.def.cmd.as_deref(),
        Some(&["--config.file=/etc/obsctl/blackbox.yml".to_string()][..])
    );
    let mount = bb
        .def
        .mounts
        .iter()
        .find(|m| m.target == "/etc/obsctl")
        .unwrap();
    assert_eq!(
        mount.source,
        "/srv/shop/.obsctl/exporters/blackbox-exporter"
    );
    assert!(mount.read_only && !mount.volume);
    assert_eq!(
        bb.config_prefix.as_deref(),
        Some("exporters/blackbox-exporter/")
    );
    assert_eq!(
        crate::runtime::plan::Apply::for_service(bb.service),
        crate::runtime::plan::Apply::Reload
    );
    // Published by default: doctor asks it why a probe fails.
    assert_eq!(bb.def.ports[0].host_port, 9115);
    assert_eq!(bb.def.cap_add, ["NET_RAW"]);
    assert!(bb
        .def
        .extra_hosts
        .contains(&"host.docker.internal:host-gateway".to_string()));
}

#[test]
fn net_raw_is_asked_for_only_when_a_probe_pings() {
    let d = desired_for("name: shop\nprobes:\n  - {name: api, url: 'http://api:8000/'}\n");
    assert!(d
        .service("blackbox-exporter")
        .unwrap()
        .def
        .cap_add
        .is_empty());
}

#[test]
fn the_pushgateway_persists_to_a_named_volume() {
    let d = desired_for("name: shop\nexporters:\n  pushgateway: {}\n");
    let pg = d.service("pushgateway").unwrap();
    assert_eq!(
        pg.def.cmd.as_deref(),
        Some(&["--persistence.file=/pushgateway/metrics.store".to_string()][..])
    );
    let data = pg.def.mounts.iter().find(|m| m.volume).unwrap();
    assert_eq!(
        (data.source.as_str(), data.target.as_str()),
        ("shop-pushgateway-data", "/pushgateway")
    );
    assert!(d.volumes.iter().any(|v| v.name == "shop-pushgateway-data"));
    assert_eq!(pg.def.ports[0].host_port, 9091);
}
