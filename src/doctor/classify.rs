//! Why a scrape target is down, read from Prometheus' `lastError`, and what to
//! do about it.
//!
//! The patterns come from the errors Prometheus really reports (the unit tests
//! hold strings captured from a Prometheus 2.42 scraping a missing host, a
//! closed port, a wrong path, an HTML page, a hanging server and a TLS
//! mismatch); 3.x wording is covered where it differs.

use serde::Serialize;

/// The kind of scrape failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    Dns,
    Refused,
    Timeout,
    NotFound,
    Unauthorized,
    Tls,
    NotPrometheusFormat,
    HttpStatus,
    Other,
}

/// A classified failure with a hint for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    pub failure: Failure,
    pub hint: String,
}

/// Classifies `last_error` for a target at `address` scraped at `metrics_path`.
pub fn classify(last_error: &str, address: &str, metrics_path: &str) -> Diagnosis {
    let e = last_error.to_ascii_lowercase();
    let host = address.rsplit_once(':').map(|(h, _)| h).unwrap_or(address);
    let (failure, hint) = if e.contains("no such host")
        || e.contains("server misbehaving")
        || (e.contains("lookup ") && e.contains("i/o timeout"))
    {
        (
            Failure::Dns,
            format!(
                "the name `{host}` does not resolve from the Prometheus container: use the container name of a service on the stack's network, or `host.docker.internal` for a service on this machine"
            ),
        )
    } else if e.contains("connection refused") {
        (
            Failure::Refused,
            format!("nothing listens on {address}: the service is down, or listens on another port or only on its own 127.0.0.1 (bind it to 0.0.0.0)"),
        )
    } else if e.contains("context deadline exceeded")
        || e.contains("i/o timeout")
        || e.contains("timeout")
    {
        (
            Failure::Timeout,
            format!("{address} did not answer within the scrape timeout: check a firewall or that the endpoint is not slow (raise the job's `timeout`, at most its interval)"),
        )
    } else if e.contains("404") {
        (
            Failure::NotFound,
            format!("{address} has no `{metrics_path}`: set the job's `metrics_path` to where the service exposes metrics (often /metrics, /api/metrics or /api/v1/metrics)"),
        )
    } else if e.contains("401") || e.contains("403") {
        (
            Failure::Unauthorized,
            "the endpoint wants credentials: set the job's `basic_auth` or `bearer_token` (read from the environment), or allow Prometheus to read it".to_string(),
        )
    } else if e.contains("tls")
        || e.contains("x509")
        || e.contains("https client")
        || e.contains("certificate")
    {
        (
            Failure::Tls,
            "TLS mismatch: use `scheme: http` for a plain-HTTP endpoint; for HTTPS with a private certificate set `tls_skip_verify: true`".to_string(),
        )
    } else if e.contains("not a valid start token")
        || e.contains("unsupported content-type")
        || e.contains("while parsing")
        || e.contains("expected a valid start token")
    {
        (
            Failure::NotPrometheusFormat,
            format!("`{metrics_path}` on {address} does not serve the Prometheus text format (an HTML page or JSON?): point `metrics_path` at the metrics endpoint"),
        )
    } else if e.contains("server returned http status") {
        (
            Failure::HttpStatus,
            "the endpoint answered with an error status: check the service's own logs".to_string(),
        )
    } else {
        (
            Failure::Other,
            "see Prometheus' /targets page and the service's logs".to_string(),
        )
    };
    Diagnosis { failure, hint }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (lastError as reported by Prometheus, expected failure)
    const REAL: &[(&str, Failure)] = &[
        (
            r#"Get "http://nohost.invalid:9100/metrics": dial tcp: lookup nohost.invalid on 10.255.255.53:53: no such host"#,
            Failure::Dns,
        ),
        (
            r#"Get "http://api:8000/metrics": dial tcp: lookup api on 127.0.0.11:53: server misbehaving"#,
            Failure::Dns,
        ),
        (
            r#"Get "http://127.0.0.1:1/metrics": dial tcp 127.0.0.1:1: connect: connection refused"#,
            Failure::Refused,
        ),
        (
            r#"Get "http://127.0.0.1:18082/metrics": context deadline exceeded"#,
            Failure::Timeout,
        ),
        (
            "server returned HTTP status 404 Not Found",
            Failure::NotFound,
        ),
        (
            "server returned HTTP status 401 Unauthorized",
            Failure::Unauthorized,
        ),
        (
            "server returned HTTP status 403 Forbidden",
            Failure::Unauthorized,
        ),
        (
            r#"Get "https://127.0.0.1:18081/metrics": tls: first record does not look like a TLS handshake"#,
            Failure::Tls,
        ),
        (
            r#"Get "https://api:8443/metrics": x509: certificate signed by unknown authority"#,
            Failure::Tls,
        ),
        (
            r#""INVALID" is not a valid start token"#,
            Failure::NotPrometheusFormat,
        ),
        (
            r#"received unsupported Content-Type "text/html" and no fallback_scrape_protocol specified for target"#,
            Failure::NotPrometheusFormat,
        ),
        (
            "server returned HTTP status 500 Internal Server Error",
            Failure::HttpStatus,
        ),
        ("something nobody expected", Failure::Other),
    ];

    #[test]
    fn real_prometheus_errors_are_classified() {
        for (error, expected) in REAL {
            assert_eq!(
                classify(error, "api:8000", "/metrics").failure,
                *expected,
                "{error}"
            );
        }
    }

    #[test]
    fn hints_name_the_address_and_path() {
        let d = classify(
            "server returned HTTP status 404 Not Found",
            "backend:9090",
            "/api/v1/metrics",
        );
        assert!(
            d.hint.contains("backend:9090 has no `/api/v1/metrics`"),
            "{}",
            d.hint
        );
        let d = classify(
            "dial tcp: lookup backend on 127.0.0.11:53: no such host",
            "backend:9090",
            "/metrics",
        );
        assert!(
            d.hint.contains("`backend` does not resolve")
                && d.hint.contains("host.docker.internal"),
            "{}",
            d.hint
        );
    }
}
