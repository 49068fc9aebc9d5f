//! Every default obsctl applies, in one place.

/// Pinned upstream images (never `latest`).
pub const PROMETHEUS_IMAGE: &str = "prom/prometheus:v3.5.0";
pub const ALERTMANAGER_IMAGE: &str = "prom/alertmanager:v0.28.1";
pub const GRAFANA_IMAGE: &str = "grafana/grafana:12.0.2";
pub const NODE_EXPORTER_IMAGE: &str = "prom/node-exporter:v1.9.1";
pub const CADVISOR_IMAGE: &str = "gcr.io/cadvisor/cadvisor:v0.52.1";
pub const POSTGRES_EXPORTER_IMAGE: &str = "quay.io/prometheuscommunity/postgres-exporter:v0.17.1";
pub const REDIS_EXPORTER_IMAGE: &str = "oliver006/redis_exporter:v1.74.0";
pub const BLACKBOX_EXPORTER_IMAGE: &str = "prom/blackbox-exporter:v0.26.0";
pub const PUSHGATEWAY_IMAGE: &str = "prom/pushgateway:v1.11.0";

pub const STACK_NAME: &str = "obsctl";
pub const BIND: &str = "127.0.0.1";

pub const PROMETHEUS_PORT: u16 = 9090;
pub const ALERTMANAGER_PORT: u16 = 9093;
pub const GRAFANA_PORT: u16 = 3000;

pub const SCRAPE_INTERVAL: &str = "15s";
pub const SCRAPE_TIMEOUT: &str = "10s";
pub const EVALUATION_INTERVAL: &str = "15s";
pub const RETENTION: &str = "15d";
pub const RESOLVE_TIMEOUT: &str = "5m";

pub const GROUP_BY: &[&str] = &["alertname", "job"];
pub const GROUP_WAIT: &str = "30s";
pub const GROUP_INTERVAL: &str = "5m";
pub const REPEAT_INTERVAL: &str = "4h";
/// The receiver added when the spec defines none: alerts stay visible in
/// Alertmanager's UI and API but are sent nowhere.
pub const NULL_RECEIVER: &str = "default";

pub const GRAFANA_ADMIN_USER: &str = "admin";
/// The fixed uid of the provisioned Prometheus datasource.
pub const PROMETHEUS_DATASOURCE_UID: &str = "obsctl-prometheus";
pub const ALERTMANAGER_DATASOURCE_UID: &str = "obsctl-alertmanager";

/// The module a probe uses when it names none.
pub const PROBE_MODULE: &str = "http_2xx";
/// The `job` label of every probe's series.
pub const PROBE_JOB: &str = "probes";

/// The severity of custom alerts that name none.
pub const ALERT_SEVERITY: &str = "warning";
