//! Why a scrape target is down, read from Prometheus' `lastError`, and what to
//! do about it.
//!
//! The patterns come from the errors Prometheus really reports (the unit tests
//! hold strings captured from a Prometheus 2.42 scraping a missing host, a
//! closed port, a wrong path, an HTML page, a hanging server and a TLS
//! mismatch); 3.x wording is covered where it differs, and Prometheus 3's
//! three Content-Type refusals (`model/textparse.extractMediaType` in 3.5)
//! are one kind, since one setting cures them all.

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
    /// Prometheus 3 refused the answer's Content-Type (blank, unparsable or
    /// unsupported) because the job has no `fallback_scrape_protocol`.
    ContentType,
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

/// Classifies `last_error` for a target of `job` at `address` scraped at
/// `metrics_path`.
pub fn classify(last_error: &str, job: &str, address: &str, metrics_path: &str) -> Diagnosis {
    let e = last_error.to_ascii_lowercase();
    let host = address.rsplit_once(':').map(|(h, _)| h).unwrap_or(address);
    let (failure, hint) = if is_content_type_refusal(&e) {
        (
            Failure::ContentType,
            format!(
                "Prometheus 3 refuses `{metrics_path}` on {address} for its Content-Type: if it serves the Prometheus text format, set `fallback_scrape_protocol: {fallback}` on job `{job}` (under `scrape:` in the spec), or make the service send `Content-Type: text/plain; version=0.0.4`; if it is an HTML or JSON page, point `metrics_path` at the metrics endpoint",
                fallback = crate::scrape_protocol::TEXT_FALLBACK
            ),
        )
    } else if e.contains("no such host")
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

/// Prometheus 3.5's three refusals of a Content-Type (lower-cased): blank,
/// unparsable, unsupported, each "... and no fallback_scrape_protocol ...".
fn is_content_type_refusal(e: &str) -> bool {
    e.contains("no fallback_scrape_protocol")
        && (e.contains("blank content-type")
            || e.contains("cannot parse content-type")
            || e.contains("unsupported content-type"))
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
        // Prometheus 3.5's wordings (model/textparse/interface.go), as
        // `lastError` carries them: blank, unparsable (joined with the mime
        // package's reason), unsupported.
        (
            "non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target",
            Failure::ContentType,
        ),
        (
            "cannot parse Content-Type \"plain text\" and no fallback_scrape_protocol for target\nmime: expected slash after first token",
            Failure::ContentType,
        ),
        (
            r#"received unsupported Content-Type "text/html" and no fallback_scrape_protocol specified for target"#,
            Failure::ContentType,
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
                classify(error, "api", "api:8000", "/metrics").failure,
                *expected,
                "{error}"
            );
        }
    }

    #[test]
    fn hints_name_the_address_and_path() {
        let d = classify(
            "server returned HTTP status 404 Not Found",
            "backend",
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
            "backend",
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

    #[test]
    fn every_content_type_refusal_names_the_fallback_and_the_job() {
        for error in [
            "non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target",
            "cannot parse Content-Type \"x\" and no fallback_scrape_protocol for target",
            "received unsupported Content-Type \"application/json\" and no fallback_scrape_protocol specified for target",
        ] {
            let d = classify(error, "legacy", "legacy:8080", "/metrics");
            assert_eq!(d.failure, Failure::ContentType, "{error}");
            assert!(
                d.hint
                    .contains("set `fallback_scrape_protocol: PrometheusText0.0.4` on job `legacy`"),
                "{}",
                d.hint
            );
        }
        // The kind as doctor's detail and JSON name it: `down (content_type)`.
        assert_eq!(
            serde_json::to_value(Failure::ContentType).unwrap(),
            "content_type"
        );
    }
}
