//! The stack's services: Prometheus, Grafana and the exporters, with defaults
//! applied and their settings checked.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::defaults as d;
use super::secrets::Resolver;
use super::SecretFile;
use crate::diagnostic::Problems;
use crate::duration::{parse_duration, parse_size};
use crate::spec::{DashboardSelection, Spec};

#[derive(Debug, Clone)]
pub struct Prometheus {
    pub image: String,
    pub port: u16,
    pub scrape_interval: String,
    pub scrape_timeout: String,
    pub evaluation_interval: String,
    pub retention: String,
    pub retention_size: Option<String>,
    pub external_labels: BTreeMap<String, String>,
    pub remote_write: Vec<RemoteWrite>,
}

#[derive(Debug, Clone)]
pub struct RemoteWrite {
    pub url: String,
    pub name: Option<String>,
    pub basic_auth: Option<(String, SecretFile)>,
    pub bearer_token: Option<SecretFile>,
    pub headers: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct Grafana {
    pub image: String,
    pub port: u16,
    pub root_url: String,
    pub admin_user: String,
    /// Built-in dashboards to provision, by name.
    pub builtin_dashboards: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExporterKind {
    Node,
    Cadvisor,
    Postgres,
    Redis,
}

impl ExporterKind {
    /// The service name: container-name suffix and network alias.
    pub fn service(self) -> &'static str {
        match self {
            ExporterKind::Node => "node-exporter",
            ExporterKind::Cadvisor => "cadvisor",
            ExporterKind::Postgres => "postgres-exporter",
            ExporterKind::Redis => "redis-exporter",
        }
    }

    /// The scrape job name.
    pub fn job(self) -> &'static str {
        match self {
            ExporterKind::Node => "node",
            ExporterKind::Cadvisor => "cadvisor",
            ExporterKind::Postgres => "postgres",
            ExporterKind::Redis => "redis",
        }
    }

    pub fn container_port(self) -> u16 {
        match self {
            ExporterKind::Node => 9100,
            ExporterKind::Cadvisor => 8080,
            ExporterKind::Postgres => 9187,
            ExporterKind::Redis => 9121,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Exporter {
    pub kind: ExporterKind,
    pub image: String,
    pub host_port: Option<u16>,
    pub interval: Option<String>,
    /// Plain environment for the container (never secrets).
    pub env: Vec<(String, String)>,
    /// Secrets mounted as files; the container reads them through `*_FILE` variables.
    pub secrets: Vec<SecretFile>,
}

pub fn stack_name(spec: &Spec, p: &mut Problems) -> String {
    let name = spec.name.clone().unwrap_or_else(|| d::STACK_NAME.into());
    let valid = !name.is_empty()
        && name.len() <= 40
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        p.error(
            "name",
            format!("`{name}` is not a valid stack name"),
            Some("use 1-40 lower-case letters, digits and dashes, starting with a letter or digit (it prefixes container names)".into()),
        );
    }
    name
}

pub fn bind_address(spec: &Spec, p: &mut Problems) -> IpAddr {
    let text = spec.bind.as_deref().unwrap_or(d::BIND);
    text.parse().unwrap_or_else(|_| {
        p.error(
            "bind",
            format!("`{text}` is not an IP address"),
            Some(
                "use 127.0.0.1 (the default, this machine only) or 0.0.0.0 (every interface)"
                    .into(),
            ),
        );
        IpAddr::from([127, 0, 0, 1])
    })
}

/// Checks a duration field; returns it (or the default) as text.
pub fn duration(p: &mut Problems, field: &str, value: Option<&String>, default: &str) -> String {
    let text = value.map(String::as_str).unwrap_or(default);
    if let Err(e) = parse_duration(text) {
        p.error(field, e, None);
    }
    text.to_string()
}

pub fn image(p: &mut Problems, field: &str, value: Option<&String>, default: &str) -> String {
    let image = value.map(String::as_str).unwrap_or(default).to_string();
    if image.trim().is_empty() || image.contains(char::is_whitespace) {
        p.error(field, format!("`{image}` is not an image reference"), None);
    } else if image.ends_with(":latest") {
        p.warning(
            field,
            "`latest` is not a pinned version: `up` cannot tell when it changes",
            Some("pin a version tag, e.g. prom/prometheus:v3.5.0".into()),
        );
    }
    image
}

fn enabled(flag: Option<bool>) -> bool {
    flag.unwrap_or(true)
}

pub fn prometheus(spec: &Spec, p: &mut Problems, secrets: &mut Resolver) -> Option<Prometheus> {
    let s = &spec.prometheus;
    if !enabled(s.enabled) {
        return None;
    }
    let scrape_interval = duration(
        p,
        "prometheus.scrape_interval",
        s.scrape_interval.as_ref(),
        d::SCRAPE_INTERVAL,
    );
    let mut default_timeout = d::SCRAPE_TIMEOUT.to_string();
    if let (Ok(i), Ok(t)) = (
        parse_duration(&scrape_interval),
        parse_duration(d::SCRAPE_TIMEOUT),
    ) {
        if s.scrape_timeout.is_none() && t > i {
            default_timeout = scrape_interval.clone();
        }
    }
    let scrape_timeout = duration(
        p,
        "prometheus.scrape_timeout",
        s.scrape_timeout.as_ref(),
        &default_timeout,
    );
    if let (Ok(i), Ok(t)) = (
        parse_duration(&scrape_interval),
        parse_duration(&scrape_timeout),
    ) {
        if t > i {
            p.error(
                "prometheus.scrape_timeout",
                format!("scrape_timeout {scrape_timeout} is longer than scrape_interval {scrape_interval}"),
                Some("Prometheus requires the timeout to be at most the interval".into()),
            );
        }
    }
    let evaluation_interval = duration(
        p,
        "prometheus.evaluation_interval",
        s.evaluation_interval.as_ref(),
        d::EVALUATION_INTERVAL,
    );
    let retention = duration(
        p,
        "prometheus.retention",
        s.retention.as_ref(),
        d::RETENTION,
    );
    if let Some(size) = &s.retention_size {
        if let Err(e) = parse_size(size) {
            p.error("prometheus.retention_size", e, None);
        }
    }
    for key in s.external_labels.keys() {
        label_name(p, &format!("prometheus.external_labels.{key}"), key);
    }
    let mut remote_write = Vec::new();
    for (i, rw) in s.remote_write.iter().enumerate() {
        let field = format!("prometheus.remote_write[{i}]");
        if !(rw.url.starts_with("http://") || rw.url.starts_with("https://")) {
            p.error(
                &format!("{field}.url"),
                format!("`{}` is not an http(s) URL", rw.url),
                Some("e.g. https://mimir.example.com/api/v1/push".into()),
            );
        }
        if rw.basic_auth.is_some() && rw.bearer_token.is_some() {
            p.error(
                &field,
                "set either basic_auth or bearer_token, not both",
                None,
            );
        }
        let basic_auth = rw.basic_auth.as_ref().and_then(|b| {
            secrets
                .resolve(
                    p,
                    &format!("{field}.basic_auth.password"),
                    &b.password,
                    format!("remote-write-{i}-password"),
                )
                .map(|f| (b.username.clone(), f))
        });
        let bearer_token = rw.bearer_token.as_ref().and_then(|t| {
            secrets.resolve(
                p,
                &format!("{field}.bearer_token"),
                t,
                format!("remote-write-{i}-token"),
            )
        });
        remote_write.push(RemoteWrite {
            url: rw.url.clone(),
            name: rw.name.clone(),
            basic_auth,
            bearer_token,
            headers: rw.headers.clone(),
        });
    }
    Some(Prometheus {
        image: image(p, "prometheus.image", s.image.as_ref(), d::PROMETHEUS_IMAGE),
        port: port(p, "prometheus.port", s.port, d::PROMETHEUS_PORT),
        scrape_interval,
        scrape_timeout,
        evaluation_interval,
        retention,
        retention_size: s.retention_size.clone(),
        external_labels: s.external_labels.clone(),
        remote_write,
    })
}

pub fn grafana(spec: &Spec, name: &str, p: &mut Problems) -> Option<Grafana> {
    let s = &spec.grafana;
    if !enabled(s.enabled) {
        return None;
    }
    let port = port(p, "grafana.port", s.port, d::GRAFANA_PORT);
    let known = super::dashboards::builtin_names();
    let builtin_dashboards = match &s.builtin_dashboards {
        None => known.clone(),
        Some(DashboardSelection::Keyword(k)) if k == "all" => known.clone(),
        Some(DashboardSelection::Keyword(k)) if k == "none" => Vec::new(),
        Some(DashboardSelection::Keyword(k)) => {
            p.error(
                "grafana.builtin_dashboards",
                format!("`{k}` is neither `all`, `none` nor a list"),
                Some(format!("built-in dashboards: {}", known.join(", "))),
            );
            Vec::new()
        }
        Some(DashboardSelection::List(list)) => {
            for (i, item) in list.iter().enumerate() {
                if !known.contains(item) {
                    let names: Vec<&str> = known.iter().map(String::as_str).collect();
                    let hint = crate::spec::nearest_word(item, &names)
                        .map(|n| format!("did you mean `{n}`?"))
                        .unwrap_or_else(|| format!("built-in dashboards: {}", known.join(", ")));
                    p.error(
                        &format!("grafana.builtin_dashboards[{i}]"),
                        format!("no built-in dashboard named `{item}`"),
                        Some(hint),
                    );
                }
            }
            list.clone()
        }
    };
    let _ = name;
    Some(Grafana {
        image: image(p, "grafana.image", s.image.as_ref(), d::GRAFANA_IMAGE),
        port,
        root_url: s
            .root_url
            .clone()
            .unwrap_or_else(|| format!("http://localhost:{port}/")),
        admin_user: s
            .admin_user
            .clone()
            .unwrap_or_else(|| d::GRAFANA_ADMIN_USER.into()),
        builtin_dashboards,
    })
}

pub fn exporters(spec: &Spec, p: &mut Problems, secrets: &mut Resolver) -> Vec<Exporter> {
    let e = &spec.exporters;
    let mut out = Vec::new();
    let mut simple = |kind: ExporterKind,
                      s: &Option<crate::spec::ExporterSpec>,
                      default: &str,
                      p: &mut Problems| {
        if let Some(s) = s.as_ref().filter(|s| enabled(s.enabled)) {
            let field = format!("exporters.{}", kind.job());
            out.push(Exporter {
                kind,
                image: image(p, &format!("{field}.image"), s.image.as_ref(), default),
                host_port: s
                    .port
                    .map(|v| port(p, &format!("{field}.port"), Some(v), v)),
                interval: s
                    .interval
                    .as_ref()
                    .map(|i| duration(p, &format!("{field}.interval"), Some(i), i)),
                env: Vec::new(),
                secrets: Vec::new(),
            });
        }
    };
    simple(ExporterKind::Node, &e.node, d::NODE_EXPORTER_IMAGE, p);
    simple(ExporterKind::Cadvisor, &e.cadvisor, d::CADVISOR_IMAGE, p);
    if let Some(s) = e.postgres.as_ref().filter(|s| enabled(s.enabled)) {
        let field = "exporters.postgres";
        host_port(p, &format!("{field}.address"), &s.address);
        let password = secrets.resolve(
            p,
            &format!("{field}.password"),
            &s.password,
            "postgres-password".into(),
        );
        let database = s.database.clone().unwrap_or_else(|| "postgres".into());
        let sslmode = s.sslmode.clone().unwrap_or_else(|| "disable".into());
        out.push(Exporter {
            kind: ExporterKind::Postgres,
            image: image(
                p,
                &format!("{field}.image"),
                s.image.as_ref(),
                d::POSTGRES_EXPORTER_IMAGE,
            ),
            host_port: s
                .port
                .map(|v| port(p, &format!("{field}.port"), Some(v), v)),
            interval: s
                .interval
                .as_ref()
                .map(|i| duration(p, &format!("{field}.interval"), Some(i), i)),
            env: vec![
                (
                    "DATA_SOURCE_URI".into(),
                    format!("{}/{database}?sslmode={sslmode}", s.address),
                ),
                ("DATA_SOURCE_USER".into(), s.user.clone()),
            ],
            secrets: password.into_iter().collect(),
        });
    }
    if let Some(s) = e.redis.as_ref().filter(|s| enabled(s.enabled)) {
        let field = "exporters.redis";
        host_port(p, &format!("{field}.address"), &s.address);
        let addr = format!("redis://{}", s.address);
        // redis_exporter reads REDIS_PASSWORD_FILE as JSON mapping each Redis
        // URI to its password, and exits on a plain-text file.
        let password = s.password.as_ref().and_then(|pw| {
            secrets
                .resolve(
                    p,
                    &format!("{field}.password"),
                    pw,
                    "redis-passwords.json".into(),
                )
                .map(|f| SecretFile {
                    value: crate::spec::SecretValue::new(
                        serde_json::json!({ addr.clone(): f.value.expose() }).to_string(),
                    ),
                    ..f
                })
        });
        out.push(Exporter {
            kind: ExporterKind::Redis,
            image: image(
                p,
                &format!("{field}.image"),
                s.image.as_ref(),
                d::REDIS_EXPORTER_IMAGE,
            ),
            host_port: s
                .port
                .map(|v| port(p, &format!("{field}.port"), Some(v), v)),
            interval: s
                .interval
                .as_ref()
                .map(|i| duration(p, &format!("{field}.interval"), Some(i), i)),
            env: vec![("REDIS_ADDR".into(), addr)],
            secrets: password.into_iter().collect(),
        });
    }
    out
}

pub fn port(p: &mut Problems, field: &str, value: Option<u16>, default: u16) -> u16 {
    let port = value.unwrap_or(default);
    if port == 0 {
        p.error(
            field,
            "port 0 is not a usable host port",
            Some("use a port between 1 and 65535".into()),
        );
    }
    port
}

/// Host ports must be unique across the stack.
pub fn check_ports(
    prometheus: Option<&Prometheus>,
    alertmanager: Option<&super::Alertmanager>,
    grafana: Option<&Grafana>,
    exporters: &[Exporter],
    p: &mut Problems,
) {
    let mut used: Vec<(u16, String)> = Vec::new();
    used.extend(prometheus.map(|s| (s.port, "prometheus.port".to_string())));
    used.extend(alertmanager.map(|s| (s.port, "alertmanager.port".to_string())));
    used.extend(grafana.map(|s| (s.port, "grafana.port".to_string())));
    used.extend(exporters.iter().filter_map(|e| {
        e.host_port
            .map(|port| (port, format!("exporters.{}.port", e.kind.job())))
    }));
    for (i, (port, field)) in used.iter().enumerate() {
        if let Some((_, first)) = used[..i].iter().find(|(other, _)| other == port) {
            // Point at the field the user wrote, not at a default.
            let at = if p.is_written(field) || !p.is_written(first) {
                field
            } else {
                first
            };
            p.error(
                at,
                format!("host port {port} is used by both {first} and {field}"),
                Some("give each service its own port".into()),
            );
        }
    }
}

/// Checks a `host:port` address.
pub fn host_port(p: &mut Problems, field: &str, address: &str) -> bool {
    let hint = || {
        Some("write `host:port`, e.g. `api:8000` or `host.docker.internal:8000`; the scheme and path are separate fields".into())
    };
    if address.contains("://") || address.contains('/') {
        p.error(field, format!("`{address}` is not host:port"), hint());
        return false;
    }
    let Some((host, port)) = address.rsplit_once(':') else {
        p.error(field, format!("`{address}` has no port"), hint());
        return false;
    };
    let port_ok = port.parse::<u16>().map(|v| v > 0).unwrap_or(false);
    if host.is_empty() || !port_ok {
        p.error(field, format!("`{address}` is not host:port"), hint());
        return false;
    }
    true
}

/// Checks a Prometheus label name.
pub fn label_name(p: &mut Problems, field: &str, name: &str) {
    let ok = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with("__");
    if !ok {
        p.error(
            field,
            format!("`{name}` is not a valid label name"),
            Some("use letters, digits and underscores, not starting with a digit or `__`".into()),
        );
    }
}
