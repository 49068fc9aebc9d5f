//! `probes:` in the spec: endpoints the blackbox exporter checks from the
//! outside (HTTP, TCP, ICMP, DNS), with the options worth exposing.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeSpec {
    /// Unique name; the `probe` label of every series the probe produces.
    pub name: String,
    /// What is probed: an http(s) URL for the http modules, `host:port` for
    /// `tcp_connect`, a host for `icmp`, the DNS server for `dns`.
    pub url: String,
    /// `http_2xx` (default), `http_post_2xx`, `tcp_connect`, `icmp` or `dns`.
    pub module: Option<String>,
    pub interval: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// HTTP status codes that count as success (default: any 2xx).
    pub status_codes: Option<Vec<u16>>,
    /// Verify the server's TLS certificate (default true).
    pub tls_verify: Option<bool>,
    /// The probe fails unless the response body matches this regular expression.
    pub body_regexp: Option<String>,
    /// `ip4` (default) or `ip6`: the address family tried first.
    pub ip_protocol: Option<String>,
    /// HTTP method (default GET, POST for `http_post_2xx`).
    pub method: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// HTTP request body.
    pub body: Option<String>,
    /// `tcp_connect` over TLS (reports the certificate's expiry).
    pub tls: Option<bool>,
    /// The name the `dns` module asks for.
    pub query_name: Option<String>,
    /// The record type the `dns` module asks for (default A).
    pub query_type: Option<String>,
}
