//! The blackbox exporter's configuration: the five built-in modules (IPv4
//! first) and one module per probe that sets options of its own, serialised
//! from types so that any text a user writes (regexps, headers, bodies) is
//! quoted by the YAML serialiser rather than by a template.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Probe, ProbeModule, ProbeOptions};

/// Where the configuration is written, relative to the stack directory; the
/// folder is mounted into the exporter's container.
pub const CONFIG_FILE: &str = "blackbox.yml";

/// The exporter's argument naming its configuration where it is mounted.
pub fn config_arg() -> String {
    format!(
        "--config.file={}/{CONFIG_FILE}",
        super::paths::EXPORTER_CONFIG_DIR
    )
}

#[derive(Serialize)]
struct Config {
    modules: BTreeMap<String, Module>,
}

#[derive(Serialize)]
struct Module {
    prober: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    http: Option<Http>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tcp: Option<Tcp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icmp: Option<Ip>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dns: Option<Dns>,
}

#[derive(Serialize)]
struct Ip {
    preferred_ip_protocol: String,
    ip_protocol_fallback: bool,
}

#[derive(Serialize)]
struct Http {
    #[serde(flatten)]
    ip: Ip,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    valid_status_codes: Vec<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    headers: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fail_if_body_not_matches_regexp: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_config: Option<TlsConfig>,
}

#[derive(Serialize)]
struct Tcp {
    #[serde(flatten)]
    ip: Ip,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    tls: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_config: Option<TlsConfig>,
}

#[derive(Serialize)]
struct Dns {
    #[serde(flatten)]
    ip: Ip,
    query_name: String,
    query_type: String,
}

#[derive(Serialize)]
struct TlsConfig {
    insecure_skip_verify: bool,
}

fn module(kind: ProbeModule, o: &ProbeOptions) -> Module {
    let ip = || Ip {
        preferred_ip_protocol: o.ip_protocol.clone(),
        ip_protocol_fallback: true,
    };
    let tls_config = (!o.tls_verify).then_some(TlsConfig {
        insecure_skip_verify: true,
    });
    let mut m = Module {
        prober: kind.prober(),
        http: None,
        tcp: None,
        icmp: None,
        dns: None,
    };
    match kind {
        ProbeModule::Http2xx | ProbeModule::HttpPost2xx => {
            let method = o
                .method
                .clone()
                .or_else(|| (kind == ProbeModule::HttpPost2xx).then(|| "POST".into()));
            m.http = Some(Http {
                ip: ip(),
                valid_status_codes: o.status_codes.clone(),
                method,
                headers: o.headers.clone(),
                body: o.body.clone(),
                fail_if_body_not_matches_regexp: o.body_regexp.iter().cloned().collect(),
                tls_config,
            })
        }
        ProbeModule::TcpConnect => {
            m.tcp = Some(Tcp {
                ip: ip(),
                tls: o.tls,
                tls_config: tls_config.filter(|_| o.tls),
            })
        }
        ProbeModule::Icmp => m.icmp = Some(ip()),
        ProbeModule::Dns => {
            m.dns = Some(Dns {
                ip: ip(),
                query_name: o.query_name.clone().unwrap_or_default(),
                query_type: o.query_type.clone().unwrap_or_else(|| "A".into()),
            })
        }
    }
    m
}

/// The blackbox configuration for `probes`.
pub fn config(probes: &[Probe]) -> String {
    let mut modules = BTreeMap::new();
    for kind in ProbeModule::ALL {
        if kind == ProbeModule::Dns {
            // A dns module needs the name to ask for: only per probe.
            continue;
        }
        modules.insert(
            kind.name().to_string(),
            module(kind, &ProbeOptions::default()),
        );
    }
    for p in probes {
        if p.blackbox_module != p.module.name() {
            modules.insert(p.blackbox_module.clone(), module(p.module, &p.options));
        }
    }
    let yaml = serde_yaml::to_string(&Config { modules }).expect("the blackbox config serialises");
    format!("# Rendered by obsctl from the spec's `probes:`; changes made here are overwritten.\n{yaml}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(module: ProbeModule, name: &str, options: ProbeOptions) -> Probe {
        Probe {
            name: name.into(),
            target: "https://api.example.com/health".into(),
            module,
            blackbox_module: format!("{}-{name}", module.name()),
            interval: None,
            labels: BTreeMap::new(),
            options,
        }
    }

    #[test]
    fn built_in_modules_prefer_ipv4() {
        let text = config(&[]);
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        for m in ["http_2xx", "http_post_2xx", "tcp_connect", "icmp"] {
            let prober = doc["modules"][m]["prober"].as_str().unwrap();
            assert_eq!(
                doc["modules"][m][prober]["preferred_ip_protocol"], "ip4",
                "{m}"
            );
        }
        assert_eq!(doc["modules"]["http_post_2xx"]["http"]["method"], "POST");
    }

    #[test]
    fn options_make_a_module_of_the_probe_own() {
        let o = ProbeOptions {
            status_codes: vec![200, 204],
            tls_verify: false,
            body_regexp: Some(r#"status": ?"ok""#.into()),
            ..Default::default()
        };
        let text = config(&[probe(ProbeModule::Http2xx, "api", o)]);
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        let http = &doc["modules"]["http_2xx-api"]["http"];
        assert_eq!(http["valid_status_codes"][1], 204);
        assert_eq!(http["tls_config"]["insecure_skip_verify"], true);
        assert_eq!(
            http["fail_if_body_not_matches_regexp"][0],
            r#"status": ?"ok""#
        );
    }

    #[test]
    fn a_dns_probe_asks_its_name() {
        let o = ProbeOptions {
            query_name: Some("api.example.com".into()),
            query_type: Some("AAAA".into()),
            ..Default::default()
        };
        let text = config(&[probe(ProbeModule::Dns, "resolver", o)]);
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        let dns = &doc["modules"]["dns-resolver"]["dns"];
        assert_eq!(dns["query_name"], "api.example.com");
        assert_eq!(dns["query_type"], "AAAA");
    }
}
