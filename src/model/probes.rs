//! Probes: endpoints the blackbox exporter checks from the outside, as the
//! spec lists them under `probes:`, validated (module, target form, the
//! options each module accepts) and turned into blackbox modules and scrape
//! jobs.
//!
//! A probe without options uses one of the five built-in modules; a probe
//! with options gets a module of its own, `<module>-<probe name>`, so the
//! rendered blackbox configuration says exactly what each probe checks.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::defaults as d;
use super::fields::{duration, label_name};
use super::scrape::{Relabel, ScrapeJob};
use super::service::{ExporterKind, Service};
use super::Prometheus;
use crate::diagnostic::Problems;
use crate::duration::parse_duration;
use crate::spec::{nearest_word, ProbeSpec, Spec};

/// The built-in blackbox modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProbeModule {
    Http2xx,
    HttpPost2xx,
    TcpConnect,
    Icmp,
    Dns,
}

impl ProbeModule {
    pub const ALL: [ProbeModule; 5] = [
        ProbeModule::Http2xx,
        ProbeModule::HttpPost2xx,
        ProbeModule::TcpConnect,
        ProbeModule::Icmp,
        ProbeModule::Dns,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ProbeModule::Http2xx => "http_2xx",
            ProbeModule::HttpPost2xx => "http_post_2xx",
            ProbeModule::TcpConnect => "tcp_connect",
            ProbeModule::Icmp => "icmp",
            ProbeModule::Dns => "dns",
        }
    }

    /// The blackbox prober behind the module.
    pub fn prober(self) -> &'static str {
        match self {
            ProbeModule::Http2xx | ProbeModule::HttpPost2xx => "http",
            ProbeModule::TcpConnect => "tcp",
            ProbeModule::Icmp => "icmp",
            ProbeModule::Dns => "dns",
        }
    }

    pub fn is_http(self) -> bool {
        self.prober() == "http"
    }

    fn from_name(name: &str) -> Option<ProbeModule> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// What a probe checks beyond reaching its target; the defaults are those of
/// the built-in modules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeOptions {
    /// Accepted HTTP status codes; empty means any 2xx.
    pub status_codes: Vec<u16>,
    pub tls_verify: bool,
    pub body_regexp: Option<String>,
    /// `ip4` or `ip6`: the address family tried first (the other is the fallback).
    pub ip_protocol: String,
    /// HTTP method; `None` is the module's (GET, or POST for `http_post_2xx`).
    pub method: Option<String>,
    pub headers: BTreeMap<String, String>,
    pub body: Option<String>,
    /// `tcp_connect` over TLS.
    pub tls: bool,
    pub query_name: Option<String>,
    pub query_type: Option<String>,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        Self {
            status_codes: Vec::new(),
            tls_verify: true,
            body_regexp: None,
            // Blackbox prefers IPv6 unless told otherwise; where a name has an
            // AAAA record but no IPv6 route (most Docker networks), that is a
            // classic cause of `probe_success 0`.
            ip_protocol: "ip4".into(),
            method: None,
            headers: BTreeMap::new(),
            body: None,
            tls: false,
            query_name: None,
            query_type: None,
        }
    }
}

/// One validated probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub name: String,
    /// The blackbox `target` parameter: a URL, `host:port` or a host.
    pub target: String,
    pub module: ProbeModule,
    /// Its module in the rendered blackbox configuration.
    pub blackbox_module: String,
    pub interval: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub options: ProbeOptions,
}

impl Probe {
    /// True when the probe speaks TLS, so it reports the certificate's expiry.
    pub fn uses_tls(&self) -> bool {
        match self.module {
            ProbeModule::Http2xx | ProbeModule::HttpPost2xx => {
                self.target.to_ascii_lowercase().starts_with("https://")
            }
            ProbeModule::TcpConnect => self.options.tls,
            ProbeModule::Icmp | ProbeModule::Dns => false,
        }
    }
}

/// Labels obsctl sets on every probe's series; the spec cannot set them.
const RESERVED_LABELS: &[&str] = &["job", "instance", "probe", "module"];

const DNS_TYPES: &[&str] = &[
    "A", "AAAA", "ANY", "CAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT",
];

/// Validates `probes:`.
pub fn probes(spec: &Spec, p: &mut Problems) -> Vec<Probe> {
    let mut out: Vec<Probe> = Vec::new();
    for (i, s) in spec.probes.iter().enumerate() {
        let field = format!("probes[{i}]");
        check_name(p, &field, s, &spec.probes[..i]);
        let module_name = s.module.as_deref().unwrap_or(d::PROBE_MODULE);
        let Some(module) = ProbeModule::from_name(module_name) else {
            let names: Vec<&str> = ProbeModule::ALL.iter().map(|m| m.name()).collect();
            let hint = nearest_word(module_name, &names)
                .map(|n| format!("did you mean `{n}`?"))
                .unwrap_or_else(|| format!("modules: {}", names.join(", ")));
            p.error(
                &format!("{field}.module"),
                format!("no probe module named `{module_name}`"),
                Some(hint),
            );
            continue;
        };
        check_target(p, &format!("{field}.url"), module, &s.url);
        let interval = s
            .interval
            .as_ref()
            .map(|v| duration(p, &format!("{field}.interval"), Some(v), v));
        for key in s.labels.keys() {
            let at = format!("{field}.labels.{key}");
            if RESERVED_LABELS.contains(&key.as_str()) {
                p.error(
                    &at,
                    format!("`{key}` is set by obsctl on every probe"),
                    Some("choose another label name".into()),
                );
            } else {
                label_name(p, &at, key);
            }
        }
        let options = options(p, &field, module, s);
        let blackbox_module = if options == ProbeOptions::default() && module != ProbeModule::Dns {
            module.name().to_string()
        } else {
            format!("{}-{}", module.name(), s.name)
        };
        out.push(Probe {
            name: s.name.clone(),
            target: s.url.trim().to_string(),
            module,
            blackbox_module,
            interval,
            labels: s.labels.clone(),
            options,
        });
    }
    out
}

fn check_name(p: &mut Problems, field: &str, s: &ProbeSpec, before: &[ProbeSpec]) {
    let ok = s.name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.name.len() <= 63
        && s.name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        p.error(
            &format!("{field}.name"),
            format!("`{}` is not a valid probe name", s.name),
            Some("use up to 63 letters, digits, `-`, `_` and `.`, starting with a letter or digit (it becomes the `probe` label)".into()),
        );
    } else if let Some(first) = before.iter().position(|o| o.name == s.name) {
        p.error(
            &format!("{field}.name"),
            format!(
                "probe `{}` is defined twice (first at probes[{first}])",
                s.name
            ),
            Some("probe names must be unique".into()),
        );
    }
}

/// Checks that `target` has the form `module` probes.
fn check_target(p: &mut Problems, field: &str, module: ProbeModule, target: &str) {
    let target = target.trim();
    let problem = match module {
        ProbeModule::Http2xx | ProbeModule::HttpPost2xx => match url::Url::parse(target) {
            Ok(u) if !matches!(u.scheme(), "http" | "https") => Some((
                format!("`{target}` is not an http(s) URL"),
                format!("module `{}` probes web endpoints, e.g. https://api.example.com/health; use `tcp_connect` for other services", module.name()),
            )),
            Ok(u) if u.host_str().is_none_or(str::is_empty) => Some((
                format!("`{target}` names no host"),
                "write the whole URL, e.g. http://api:8000/health".to_string(),
            )),
            Ok(_) => None,
            Err(e) => Some((
                format!("`{target}` is not a URL: {e}"),
                "write the whole URL with its scheme, e.g. http://api:8000/health".to_string(),
            )),
        },
        ProbeModule::TcpConnect => (!is_host_port(target)).then(|| {
            (
                format!("`{target}` is not host:port"),
                "module `tcp_connect` needs a host and a port, e.g. postgres:5432 (no scheme)"
                    .to_string(),
            )
        }),
        ProbeModule::Icmp => (!is_host(target)).then(|| {
            (
                format!("`{target}` is not a host name or IP address"),
                "module `icmp` pings a host: write only its name or address, e.g. db.internal (no scheme, no port)".to_string(),
            )
        }),
        ProbeModule::Dns => (!is_host(target) && !is_host_port(target)).then(|| {
            (
                format!("`{target}` is not a DNS server address"),
                "module `dns` asks the server at `url` (host or host:port, e.g. 1.1.1.1 or dns:53) for `query_name`".to_string(),
            )
        }),
    };
    if let Some((message, hint)) = problem {
        p.error(field, message, Some(hint));
    }
}

fn is_host(text: &str) -> bool {
    if text.parse::<IpAddr>().is_ok() {
        return true;
    }
    !text.is_empty()
        && text.len() <= 253
        && text.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        })
}

fn is_host_port(text: &str) -> bool {
    let Some((host, port)) = text.rsplit_once(':') else {
        return false;
    };
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    port.parse::<u16>().is_ok_and(|p| p > 0) && is_host(host)
}

/// The probe's options, each checked against what its module accepts.
fn options(p: &mut Problems, field: &str, module: ProbeModule, s: &ProbeSpec) -> ProbeOptions {
    let mut o = ProbeOptions::default();
    let mut only = |given: bool, name: &str, fits: bool, which: &str| {
        if given && !fits {
            p.error(
                &format!("{field}.{name}"),
                format!("`{name}` does not apply to module `{}`", module.name()),
                Some(format!("`{name}` is an option of {which}")),
            );
        }
    };
    let http = module.is_http();
    let tcp = module == ProbeModule::TcpConnect;
    let dns = module == ProbeModule::Dns;
    const HTTP: &str = "the http modules (http_2xx, http_post_2xx)";
    only(s.status_codes.is_some(), "status_codes", http, HTTP);
    only(s.body_regexp.is_some(), "body_regexp", http, HTTP);
    only(s.method.is_some(), "method", http, HTTP);
    only(!s.headers.is_empty(), "headers", http, HTTP);
    only(s.body.is_some(), "body", http, HTTP);
    only(s.tls.is_some(), "tls", tcp, "`tcp_connect`");
    only(
        s.tls_verify.is_some(),
        "tls_verify",
        http || tcp,
        "the http modules and `tcp_connect` with `tls: true`",
    );
    only(s.query_name.is_some(), "query_name", dns, "`dns`");
    only(s.query_type.is_some(), "query_type", dns, "`dns`");

    if let Some(codes) = &s.status_codes {
        for (j, code) in codes.iter().enumerate() {
            if !(100..=599).contains(code) {
                p.error(
                    &format!("{field}.status_codes[{j}]"),
                    format!("{code} is not an HTTP status code"),
                    Some("use codes between 100 and 599, e.g. [200, 204]".into()),
                );
            }
        }
        o.status_codes = codes.clone();
    }
    if let Some(re) = &s.body_regexp {
        if let Err(e) = regex::Regex::new(re) {
            p.error(
                &format!("{field}.body_regexp"),
                format!("`{re}` is not a regular expression: {e}"),
                None,
            );
        }
        o.body_regexp = Some(re.clone());
    }
    if let Some(ip) = &s.ip_protocol {
        if ip != "ip4" && ip != "ip6" {
            p.error(
                &format!("{field}.ip_protocol"),
                format!("`{ip}` is neither ip4 nor ip6"),
                Some(
                    "ip4 (the default) tries IPv4 first, ip6 IPv6 first; the other is the fallback"
                        .into(),
                ),
            );
        }
        o.ip_protocol = ip.clone();
    }
    if let Some(m) = &s.method {
        if m.is_empty() || !m.chars().all(|c| c.is_ascii_uppercase()) {
            p.error(
                &format!("{field}.method"),
                format!("`{m}` is not an HTTP method"),
                Some("write it in capitals, e.g. GET, POST, HEAD".into()),
            );
        }
        o.method = Some(m.clone());
    }
    o.headers = s.headers.clone();
    o.body = s.body.clone();
    o.tls = s.tls.unwrap_or(false);
    o.tls_verify = s.tls_verify.unwrap_or(true);
    if tcp && !o.tls && s.tls_verify.is_some() {
        p.error(
            &format!("{field}.tls_verify"),
            "`tls_verify` needs `tls: true` on a `tcp_connect` probe",
            None,
        );
    }
    if dns {
        match &s.query_name {
            Some(name) if is_host(name.trim_end_matches('.')) => o.query_name = Some(name.clone()),
            Some(name) => p.error(
                &format!("{field}.query_name"),
                format!("`{name}` is not a domain name"),
                None,
            ),
            None => p.error(
                &format!("{field}.query_name"),
                "a `dns` probe needs `query_name`, the name it asks the server for",
                Some("e.g. query_name: api.example.com".into()),
            ),
        }
        let qtype = s.query_type.clone().unwrap_or_else(|| "A".into());
        if !DNS_TYPES.contains(&qtype.as_str()) {
            let hint = nearest_word(&qtype.to_ascii_uppercase(), DNS_TYPES)
                .map(|n| format!("did you mean `{n}`?"))
                .unwrap_or_else(|| format!("record types: {}", DNS_TYPES.join(", ")));
            p.error(
                &format!("{field}.query_type"),
                format!("`{qtype}` is not a DNS record type obsctl knows"),
                Some(hint),
            );
        }
        o.query_type = Some(qtype);
    }
    o
}

/// Probes without the blackbox exporter, or the exporter turned off although
/// probes need it.
pub fn check_blackbox(spec: &Spec, p: &mut Problems) {
    let off = spec
        .exporters
        .blackbox
        .as_ref()
        .is_some_and(|b| b.enabled == Some(false));
    if off && !spec.probes.is_empty() {
        p.error(
            "exporters.blackbox.enabled",
            format!(
                "the blackbox exporter is turned off, but {} probe{} need{} it",
                spec.probes.len(),
                if spec.probes.len() == 1 { "" } else { "s" },
                if spec.probes.len() == 1 { "s" } else { "" },
            ),
            Some("remove `enabled: false`, or remove the probes".into()),
        );
    }
}

/// One scrape job per probe, through the blackbox exporter of stack `stack`.
pub fn scrape_jobs(probes: &[Probe], stack: &str, prom: &Prometheus) -> Vec<ScrapeJob> {
    let exporter = Service::Exporter(ExporterKind::Blackbox).address(stack);
    probes
        .iter()
        .map(|probe| {
            let mut labels = probe.labels.clone();
            labels.insert("job".into(), d::PROBE_JOB.into());
            labels.insert("probe".into(), probe.name.clone());
            labels.insert("module".into(), probe.module.name().into());
            // A probe more frequent than the global scrape timeout must finish
            // within its own interval.
            let timeout = probe.interval.as_ref().and_then(|iv| {
                let (iv_d, to_d) = (
                    parse_duration(iv).ok()?,
                    parse_duration(&prom.scrape_timeout).ok()?,
                );
                (iv_d < to_d).then(|| iv.clone())
            });
            ScrapeJob {
                job: probe_job(&probe.name),
                targets: vec![probe.target.clone()],
                metrics_path: "/probe".into(),
                scheme: "http".into(),
                interval: probe.interval.clone(),
                timeout,
                labels,
                basic_auth: None,
                bearer_token: None,
                tls_skip_verify: false,
                honor_labels: false,
                params: BTreeMap::from([("module".into(), vec![probe.blackbox_module.clone()])]),
                relabel: vec![
                    Relabel::copy("__address__", "__param_target"),
                    Relabel::copy("__param_target", "instance"),
                    Relabel::set("__address__", &exporter),
                ],
                kubernetes: None,
                fallback_scrape_protocol: None,
            }
        })
        .collect()
}

/// The scrape pool of probe `name`.
pub fn probe_job(name: &str) -> String {
    format!("probe-{name}")
}

#[cfg(test)]
#[path = "probes_tests.rs"]
mod tests;
