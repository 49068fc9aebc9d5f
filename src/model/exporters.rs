//! The exporters a stack runs (node, cAdvisor, blackbox, Pushgateway,
//! Postgres, Redis) as the spec configures them: image, host port (optional
//! but for the blackbox exporter and the Pushgateway) and scrape interval, the
//! environment the exporter reads, and its secrets as files.

use super::defaults as d;
use super::fields::{duration, enabled, host_port, image, port};
use super::secrets::Resolver;
use super::service::{ExporterKind, Service};
use super::SecretFile;
use crate::diagnostic::Problems;
use crate::spec::{SecretValue, Spec};

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

impl Exporter {
    pub fn service(&self) -> Service {
        Service::Exporter(self.kind)
    }
}

/// The settings every exporter has, checked under its spec field.
struct Common<'a> {
    image: Option<&'a String>,
    port: Option<u16>,
    interval: Option<&'a String>,
}

fn exporter(kind: ExporterKind, c: Common, default_image: &str, p: &mut Problems) -> Exporter {
    let service = Service::Exporter(kind);
    let field = service.spec_field();
    Exporter {
        kind,
        image: image(p, &format!("{field}.image"), c.image, default_image),
        host_port: c
            .port
            .map(|v| port(p, &format!("{field}.port"), Some(v), v))
            .or(service.default_host_port()),
        interval: c
            .interval
            .map(|i| duration(p, &format!("{field}.interval"), Some(i), i)),
        env: Vec::new(),
        secrets: Vec::new(),
    }
}

pub fn exporters(spec: &Spec, p: &mut Problems, secrets: &mut Resolver) -> Vec<Exporter> {
    let e = &spec.exporters;
    let mut out = Vec::new();
    for (kind, s, default) in [
        (ExporterKind::Node, &e.node, d::NODE_EXPORTER_IMAGE),
        (ExporterKind::Cadvisor, &e.cadvisor, d::CADVISOR_IMAGE),
    ] {
        if let Some(s) = s.as_ref().filter(|s| enabled(s.enabled)) {
            let common = Common {
                image: s.image.as_ref(),
                port: s.port,
                interval: s.interval.as_ref(),
            };
            out.push(exporter(kind, common, default, p));
        }
    }
    // The blackbox exporter runs whenever probes need it (turning it off
    // then is refused by the probes' checks), or when asked for.
    let blackbox = e.blackbox.clone().unwrap_or_default();
    let asked = e.blackbox.is_some() && enabled(blackbox.enabled);
    if asked || (!spec.probes.is_empty() && enabled(blackbox.enabled)) {
        let common = Common {
            image: blackbox.image.as_ref(),
            port: blackbox.port,
            interval: blackbox.interval.as_ref(),
        };
        out.push(exporter(
            ExporterKind::Blackbox,
            common,
            d::BLACKBOX_EXPORTER_IMAGE,
            p,
        ));
    }
    if let Some(s) = e.pushgateway.as_ref().filter(|s| enabled(s.enabled)) {
        let common = Common {
            image: s.image.as_ref(),
            port: s.port,
            interval: s.interval.as_ref(),
        };
        out.push(exporter(
            ExporterKind::Pushgateway,
            common,
            d::PUSHGATEWAY_IMAGE,
            p,
        ));
    }
    if let Some(s) = e.postgres.as_ref().filter(|s| enabled(s.enabled)) {
        let kind = ExporterKind::Postgres;
        let field = Service::Exporter(kind).spec_field();
        host_port(p, &format!("{field}.address"), &s.address);
        let password = secrets.resolve(
            p,
            &format!("{field}.password"),
            &s.password,
            "postgres-password".into(),
        );
        let database = s.database.clone().unwrap_or_else(|| "postgres".into());
        let sslmode = s.sslmode.clone().unwrap_or_else(|| "disable".into());
        let common = Common {
            image: s.image.as_ref(),
            port: s.port,
            interval: s.interval.as_ref(),
        };
        let mut x = exporter(kind, common, d::POSTGRES_EXPORTER_IMAGE, p);
        x.env = vec![
            (
                "DATA_SOURCE_URI".into(),
                format!("{}/{database}?sslmode={sslmode}", s.address),
            ),
            ("DATA_SOURCE_USER".into(), s.user.clone()),
        ];
        x.secrets = password.into_iter().collect();
        out.push(x);
    }
    if let Some(s) = e.redis.as_ref().filter(|s| enabled(s.enabled)) {
        let kind = ExporterKind::Redis;
        let field = Service::Exporter(kind).spec_field();
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
                    value: SecretValue::new(
                        serde_json::json!({ addr.clone(): f.value.expose() }).to_string(),
                    ),
                    ..f
                })
        });
        let common = Common {
            image: s.image.as_ref(),
            port: s.port,
            interval: s.interval.as_ref(),
        };
        let mut x = exporter(kind, common, d::REDIS_EXPORTER_IMAGE, p);
        x.env = vec![("REDIS_ADDR".into(), addr)];
        x.secrets = password.into_iter().collect();
        out.push(x);
    }
    out
}
