//! Why a probe fails, read from the blackbox exporter's own debug output
//! (`/probe?target=...&module=...&debug=true`), and what to do about it.
//!
//! The exporter logs each step of a probe as a logfmt line; the failure is
//! in its `level=ERROR` lines (`msg="Error for HTTP request" err="..."`,
//! `msg="Invalid HTTP response status code, wanted 2xx" status_code=404`).
//! The unit tests hold lines captured from blackbox_exporter 0.26 probing a
//! missing host, a closed port, a hanging server, a self-signed certificate,
//! a missing page and a body that did not match.

use serde::Serialize;

use super::check::{Check, Status};
use crate::model::{Probe, ProbeModule};

/// The kind of probe failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeFailure {
    Dns,
    Refused,
    Timeout,
    Tls,
    HttpStatus,
    BodyMismatch,
    DnsAnswer,
    Permission,
    Other,
}

impl ProbeFailure {
    fn as_str(self) -> &'static str {
        match self {
            ProbeFailure::Dns => "dns",
            ProbeFailure::Refused => "refused",
            ProbeFailure::Timeout => "timeout",
            ProbeFailure::Tls => "tls",
            ProbeFailure::HttpStatus => "http status",
            ProbeFailure::BodyMismatch => "body",
            ProbeFailure::DnsAnswer => "dns answer",
            ProbeFailure::Permission => "permission",
            ProbeFailure::Other => "other",
        }
    }
}

/// What one debug run of a probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    Failed {
        failure: ProbeFailure,
        /// The exporter's own words: the error line's `msg` and `err`.
        reason: String,
        hint: String,
    },
}

/// One parsed logfmt line: its key/value pairs in order.
fn fields(line: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().to_string();
        rest = &rest[eq + 1..];
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            // A quoted value ends at the first unescaped quote.
            let mut end = None;
            let mut escaped = false;
            for (i, c) in quoted.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = Some(i);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            let end = end.unwrap_or(quoted.len());
            value = quoted[..end].replace("\\\"", "\"").replace("\\\\", "\\");
            rest = quoted.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(' ').unwrap_or(rest.len());
            value = rest[..end].to_string();
            rest = &rest[end..];
        }
        out.push((key, value));
        rest = rest.trim_start();
    }
    out
}

fn get<'a>(fields: &'a [(String, String)], key: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Reads the debug page of one probe run.
pub fn explain(debug: &str, probe: &Probe) -> Outcome {
    let logs: Vec<Vec<(String, String)>> = debug
        .lines()
        .skip_while(|l| !l.starts_with("Logs for the probe"))
        .take_while(|l| !l.starts_with("Metrics that would have been returned"))
        .filter(|l| l.contains("level="))
        .map(fields)
        .collect();
    let succeeded = logs
        .iter()
        .any(|f| get(f, "msg") == Some("Probe succeeded"));
    if succeeded {
        return Outcome::Succeeded;
    }
    // The first error is the cause; later ones repeat it or follow from it.
    let first_error = logs
        .iter()
        .find(|f| get(f, "level") == Some("ERROR") && get(f, "msg") != Some("Probe failed"));
    let status_line = logs.iter().find(|f| {
        get(f, "msg").is_some_and(|m| m.starts_with("Invalid HTTP response status code"))
    });
    if let Some(f) = status_line {
        let code = get(f, "status_code").unwrap_or("?");
        let wanted = if probe.options.status_codes.is_empty() {
            "a 2xx status".to_string()
        } else {
            let codes: Vec<String> = probe
                .options
                .status_codes
                .iter()
                .map(u16::to_string)
                .collect();
            format!("one of {}", codes.join(", "))
        };
        return Outcome::Failed {
            failure: ProbeFailure::HttpStatus,
            reason: format!("answered HTTP {code}"),
            hint: format!(
                "{} answered {code} where {wanted} was expected: check the URL's path, or list the codes that mean healthy in the probe's `status_codes`",
                probe.target
            ),
        };
    }
    let Some(f) = first_error else {
        return Outcome::Failed {
            failure: ProbeFailure::Other,
            reason: "the exporter's log names no error".into(),
            hint:
                "run the probe by hand on the exporter's page (/probe?debug=true) and read its log"
                    .into(),
        };
    };
    let msg = get(f, "msg").unwrap_or_default();
    let err = get(f, "err").unwrap_or_default();
    let reason = if err.is_empty() {
        msg.to_string()
    } else {
        format!("{msg}: {err}")
    };
    let (failure, hint) = classify(msg, err, probe);
    Outcome::Failed {
        failure,
        reason,
        hint,
    }
}

fn classify(msg: &str, err: &str, probe: &Probe) -> (ProbeFailure, String) {
    let e = err.to_ascii_lowercase();
    let host = host_of(probe);
    let name = host
        .rsplit_once(':')
        .filter(|(_, port)| port.parse::<u16>().is_ok())
        .map_or(host.as_str(), |(name, _)| name);
    if msg.starts_with("Body did not match") {
        return (
            ProbeFailure::BodyMismatch,
            format!(
                "the response of {} does not match `body_regexp`: check what the endpoint returns now, or the expression",
                probe.target
            ),
        );
    }
    if msg.starts_with("Rcode is not one of the valid rcodes") {
        return (
            ProbeFailure::DnsAnswer,
            format!(
                "the DNS server {} answered, but not with a record for `{}`: check the name and the record type (`query_type`)",
                probe.target,
                probe.options.query_name.as_deref().unwrap_or_default()
            ),
        );
    }
    if e.contains("no such host")
        || e.contains("server misbehaving")
        || msg.starts_with("Error resolving address")
        || msg.starts_with("Resolution with IP protocol failed")
    {
        return (
            ProbeFailure::Dns,
            format!("the name `{name}` does not resolve from the blackbox exporter's container: use the container name of a service on the stack's network, `host.docker.internal` for a service on this machine, or a public name"),
        );
    }
    if e.contains("connection refused") {
        return (
            ProbeFailure::Refused,
            format!("nothing accepts connections at {host}: the service is down, or listens on another port, or only on its own 127.0.0.1 (bind it to 0.0.0.0)"),
        );
    }
    if e.contains("operation not permitted") || e.contains("permission denied") {
        let hint = if probe.module == ProbeModule::Icmp {
            "the exporter may not open ICMP sockets: obsctl asks for the NET_RAW capability; an engine that refuses it (rootless Docker, Podman) needs `net.ipv4.ping_group_range` to include the exporter's group, or use `tcp_connect`"
        } else {
            "the exporter's container was refused a socket: check the engine's security settings"
        };
        return (ProbeFailure::Permission, hint.to_string());
    }
    if e.contains("x509")
        || e.contains("tls:")
        || e.contains("certificate")
        || e.contains("http response to https client")
        || e.contains("handshake")
    {
        let hint = if e.contains("http response to https client") {
            format!("{} speaks plain HTTP: write the URL with http://", host)
        } else if e.contains("x509") || e.contains("certificate") {
            "the exporter does not trust the certificate (self-signed, a private CA, expired, or issued for another name): fix the certificate, or set `tls_verify: false` on the probe to check only that TLS works".to_string()
        } else {
            "the TLS handshake failed: check that the port serves TLS and the server's TLS versions and ciphers".to_string()
        };
        return (ProbeFailure::Tls, hint);
    }
    if e.contains("context deadline exceeded") || e.contains("timeout") || e.contains("i/o timeout")
    {
        return (
            ProbeFailure::Timeout,
            format!("{host} did not answer in time: a firewall drops the packets, the route is missing, or the service hangs; a slow service needs a longer probe `interval` (the probe gets the scrape timeout)"),
        );
    }
    (
        ProbeFailure::Other,
        "read the exporter's log of the probe above, and the service's own logs".to_string(),
    )
}

/// The host (and port, when given) a probe reaches.
fn host_of(probe: &Probe) -> String {
    if probe.module.is_http() {
        if let Ok(u) = url::Url::parse(&probe.target) {
            let host = u.host_str().unwrap_or_default();
            return match u.port_or_known_default() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_string(),
            };
        }
    }
    probe.target.clone()
}

/// The checks of every probe, from the outcome of its debug run (or the
/// error that kept it from running).
pub fn checks(results: &[(Probe, Result<Outcome, String>)]) -> Vec<Check> {
    let mut out = Vec::new();
    let mut ok = 0;
    for (probe, result) in results {
        match result {
            Ok(Outcome::Succeeded) => ok += 1,
            Ok(Outcome::Failed {
                failure,
                reason,
                hint,
            }) => out.push(
                Check::fail(
                    "probes",
                    probe.name.clone(),
                    format!(
                        "{} {} fails ({}): {reason}",
                        probe.module.name(),
                        probe.target,
                        failure.as_str()
                    ),
                )
                .hint(hint.clone()),
            ),
            Err(e) => out.push(
                Check::warn(
                    "probes",
                    probe.name.clone(),
                    format!("could not run the probe on the blackbox exporter: {e}"),
                )
                .hint("is the blackbox exporter running? `obsctl status` shows it"),
            ),
        }
    }
    let status = out.iter().map(|c| c.status).max().unwrap_or(Status::Ok);
    out.insert(
        0,
        Check::new(
            "probes",
            "probes",
            status,
            format!("{ok} of {} probes succeed", results.len()),
        ),
    );
    out
}

#[cfg(test)]
#[path = "probes_tests.rs"]
mod tests;
