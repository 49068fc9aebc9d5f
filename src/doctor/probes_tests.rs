//! Probe failures read from debug pages of blackbox_exporter 0.26 (the log
//! lines are captured from real runs; the metrics part is cut short).

use std::collections::BTreeMap;

use super::*;
use crate::model::ProbeOptions;

fn probe(module: ProbeModule, target: &str) -> Probe {
    Probe {
        name: "p".into(),
        target: target.into(),
        module,
        blackbox_module: module.name().into(),
        interval: None,
        labels: BTreeMap::new(),
        options: ProbeOptions::default(),
    }
}

/// A debug page around `log` lines, as the exporter prints it.
fn page(log: &str) -> String {
    format!("Logs for the probe:\n{log}\n\n\n\nMetrics that would have been returned:\n# HELP probe_success Displays whether or not the probe was a success\nprobe_success 0\n\n\n\nModule configuration:\nprober: http\n")
}

const REFUSED: &str = r#"time=2026-12-06T17:18:53.853Z level=INFO source=handler.go:122 msg="Beginning probe" module=http_2xx target=http://127.0.0.1:1/ probe=http timeout_seconds=119.5
time=2026-12-06T17:18:53.853Z level=INFO source=http.go:153 msg="Making HTTP request" module=http_2xx target=http://127.0.0.1:1/ url=http://127.0.0.1:1/ host=127.0.0.1:1
time=2026-12-06T17:18:53.853Z level=ERROR source=http.go:474 msg="Error for HTTP request" module=http_2xx target=http://127.0.0.1:1/ err="Get \"http://127.0.0.1:1/\": dial tcp 127.0.0.1:1: connect: connection refused"
time=2026-12-06T17:18:53.853Z level=ERROR source=handler.go:135 msg="Probe failed" module=http_2xx target=http://127.0.0.1:1/ duration_seconds=0.000578501"#;

const NO_HOST: &str = r#"time=2026-12-06T17:18:53.887Z level=INFO source=utils.go:61 msg="Resolving target address" module=http_2xx target=http://nosuchhost.invalid/ target=nosuchhost.invalid ip_protocol=ip4
time=2026-12-06T17:18:53.889Z level=ERROR source=utils.go:86 msg="Resolution with IP protocol failed" module=http_2xx target=http://nosuchhost.invalid/ target=nosuchhost.invalid err="lookup nosuchhost.invalid on 10.255.255.53:53: no such host"
time=2026-12-06T17:18:53.889Z level=ERROR source=http.go:335 msg="Error resolving address" module=http_2xx target=http://nosuchhost.invalid/ err="lookup nosuchhost.invalid on 10.255.255.53:53: no such host"
time=2026-12-06T17:18:53.889Z level=ERROR source=handler.go:135 msg="Probe failed" module=http_2xx target=http://nosuchhost.invalid/ duration_seconds=0.002476195"#;

const HANGS: &str = r#"time=2026-12-06T17:19:01.053Z level=INFO source=http.go:153 msg="Making HTTP request" module=http_2xx target=http://127.0.0.1:18082/ url=http://127.0.0.1:18082/ host=127.0.0.1:18082
time=2026-12-06T17:19:03.555Z level=ERROR source=http.go:474 msg="Error for HTTP request" module=http_2xx target=http://127.0.0.1:18082/ err="Get \"http://127.0.0.1:18082/\": context deadline exceeded"
time=2026-12-06T17:19:03.555Z level=ERROR source=handler.go:135 msg="Probe failed" module=http_2xx target=http://127.0.0.1:18082/ duration_seconds=2.502336439"#;

const SELF_SIGNED: &str = r#"time=2026-12-06T17:19:00.851Z level=INFO source=http.go:153 msg="Making HTTP request" module=http_2xx target=https://127.0.0.1:18443/ url=https://127.0.0.1:18443/ host=127.0.0.1:18443
time=2026-12-06T17:19:01.035Z level=ERROR source=http.go:474 msg="Error for HTTP request" module=http_2xx target=https://127.0.0.1:18443/ err="Get \"https://127.0.0.1:18443/\": tls: failed to verify certificate: x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs"
time=2026-12-06T17:19:01.035Z level=ERROR source=handler.go:135 msg="Probe failed" module=http_2xx target=https://127.0.0.1:18443/ duration_seconds=0.183918983"#;

const PLAIN_HTTP: &str = r#"time=2026-12-06T17:18:53.923Z level=ERROR source=http.go:474 msg="Error for HTTP request" module=http_2xx target=https://127.0.0.1:19115/ err="Get \"https://127.0.0.1:19115/\": http: server gave HTTP response to HTTPS client"
time=2026-12-06T17:18:53.924Z level=ERROR source=handler.go:135 msg="Probe failed" module=http_2xx target=https://127.0.0.1:19115/ duration_seconds=0.000821374"#;

const NOT_FOUND: &str = r#"time=2026-12-06T17:19:00.811Z level=INFO source=http.go:479 msg="Received HTTP response" module=http_2xx target=http://127.0.0.1:18081/missing status_code=404
time=2026-12-06T17:19:00.812Z level=INFO source=http.go:494 msg="Invalid HTTP response status code, wanted 2xx" module=http_2xx target=http://127.0.0.1:18081/missing status_code=404
time=2026-12-06T17:19:00.812Z level=ERROR source=handler.go:135 msg="Probe failed" module=http_2xx target=http://127.0.0.1:18081/missing duration_seconds=0.008966287"#;

const BODY: &str = r#"time=2026-12-06T17:18:53.947Z level=INFO source=http.go:479 msg="Received HTTP response" module=http_200 target=http://127.0.0.1:19115/ status_code=200
time=2026-12-06T17:18:53.947Z level=ERROR source=http.go:60 msg="Body did not match regular expression" module=http_200 target=http://127.0.0.1:19115/ regexp=zzz
time=2026-12-06T17:18:53.947Z level=ERROR source=handler.go:135 msg="Probe failed" module=http_200 target=http://127.0.0.1:19115/ duration_seconds=0.000767233"#;

const TCP_REFUSED: &str = r#"time=2026-12-06T17:19:03.594Z level=INFO source=tcp.go:64 msg="Dialing TCP without TLS" module=tcp_connect target=127.0.0.1:1
time=2026-12-06T17:19:03.594Z level=ERROR source=tcp.go:131 msg="Error dialing TCP" module=tcp_connect target=127.0.0.1:1 err="dial tcp4 127.0.0.1:1: connect: connection refused"
time=2026-12-06T17:19:03.594Z level=ERROR source=handler.go:135 msg="Probe failed" module=tcp_connect target=127.0.0.1:1 duration_seconds=0.000290863"#;

const NXDOMAIN: &str = r#"time=2026-12-06T17:19:07.534Z level=INFO source=dns.go:276 msg="Got response" module=dns_bad target=10.255.255.53 response=";; opcode: QUERY, status: NXDOMAIN, id: 10855\n;; flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0\n\n;; QUESTION SECTION:\n;nosuch.invalid.\tIN\t A\n"
time=2026-12-06T17:19:07.535Z level=ERROR source=dns.go:122 msg="Rcode is not one of the valid rcodes" module=dns_bad target=10.255.255.53 rcode=3 string_rcode=NXDOMAIN valid_rcodes=[0]
time=2026-12-06T17:19:07.535Z level=ERROR source=handler.go:135 msg="Probe failed" module=dns_bad target=10.255.255.53 duration_seconds=0.00959751"#;

const SUCCEEDED: &str = r#"time=2026-12-06T17:19:07.451Z level=INFO source=http.go:479 msg="Received HTTP response" module=http_insecure target=https://127.0.0.1:18443/ status_code=200
time=2026-12-06T17:19:07.452Z level=INFO source=handler.go:133 msg="Probe succeeded" module=http_insecure target=https://127.0.0.1:18443/ duration_seconds=0.003076285"#;

fn failure(log: &str, p: &Probe) -> (ProbeFailure, String, String) {
    match explain(&page(log), p) {
        Outcome::Failed {
            failure,
            reason,
            hint,
        } => (failure, reason, hint),
        Outcome::Succeeded => panic!("the probe should have failed:\n{log}"),
    }
}

#[test]
fn real_failures_are_classified() {
    let http = |t: &str| probe(ProbeModule::Http2xx, t);
    let cases = [
        (REFUSED, http("http://127.0.0.1:1/"), ProbeFailure::Refused),
        (
            NO_HOST,
            http("http://nosuchhost.invalid/"),
            ProbeFailure::Dns,
        ),
        (
            HANGS,
            http("http://127.0.0.1:18082/"),
            ProbeFailure::Timeout,
        ),
        (
            SELF_SIGNED,
            http("https://127.0.0.1:18443/"),
            ProbeFailure::Tls,
        ),
        (
            PLAIN_HTTP,
            http("https://127.0.0.1:19115/"),
            ProbeFailure::Tls,
        ),
        (
            NOT_FOUND,
            http("http://127.0.0.1:18081/missing"),
            ProbeFailure::HttpStatus,
        ),
        (
            BODY,
            http("http://127.0.0.1:19115/"),
            ProbeFailure::BodyMismatch,
        ),
        (
            TCP_REFUSED,
            probe(ProbeModule::TcpConnect, "127.0.0.1:1"),
            ProbeFailure::Refused,
        ),
        (
            NXDOMAIN,
            probe(ProbeModule::Dns, "10.255.255.53"),
            ProbeFailure::DnsAnswer,
        ),
    ];
    for (log, p, expected) in cases {
        assert_eq!(failure(log, &p).0, expected, "{log}");
    }
}

#[test]
fn a_success_is_a_success() {
    let p = probe(ProbeModule::Http2xx, "https://127.0.0.1:18443/");
    assert_eq!(explain(&page(SUCCEEDED), &p), Outcome::Succeeded);
}

#[test]
fn the_reason_is_the_exporters_own_words_and_the_hint_names_the_target() {
    let (_, reason, hint) = failure(REFUSED, &probe(ProbeModule::Http2xx, "http://127.0.0.1:1/"));
    assert_eq!(
        reason,
        r#"Error for HTTP request: Get "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused"#
    );
    assert!(
        hint.contains("nothing accepts connections at 127.0.0.1:1"),
        "{hint}"
    );

    let (_, _, hint) = failure(
        NO_HOST,
        &probe(ProbeModule::Http2xx, "http://nosuchhost.invalid/"),
    );
    assert!(
        hint.contains("the name `nosuchhost.invalid` does not resolve"),
        "{hint}"
    );

    let (_, reason, hint) = failure(
        NOT_FOUND,
        &probe(ProbeModule::Http2xx, "http://127.0.0.1:18081/missing"),
    );
    assert_eq!(reason, "answered HTTP 404");
    assert!(hint.contains("where a 2xx status was expected"), "{hint}");

    let (_, _, hint) = failure(
        SELF_SIGNED,
        &probe(ProbeModule::Http2xx, "https://127.0.0.1:18443/"),
    );
    assert!(hint.contains("tls_verify: false"), "{hint}");
    let (_, _, hint) = failure(
        PLAIN_HTTP,
        &probe(ProbeModule::Http2xx, "https://127.0.0.1:19115/"),
    );
    assert!(hint.contains("write the URL with http://"), "{hint}");
}

#[test]
fn logfmt_values_keep_escaped_quotes() {
    let f =
        fields(r#"level=ERROR msg="Error for HTTP request" err="Get \"http://a/\": refused" n=3"#);
    assert_eq!(get(&f, "err"), Some(r#"Get "http://a/": refused"#));
    assert_eq!(get(&f, "n"), Some("3"));
}

#[test]
fn checks_sum_up_and_explain_each_failing_probe() {
    let ok = probe(ProbeModule::Http2xx, "http://prometheus:9090/-/ready");
    let mut bad = probe(ProbeModule::TcpConnect, "127.0.0.1:1");
    bad.name = "closed".into();
    let bad_outcome = explain(&page(TCP_REFUSED), &bad);
    let checks = checks(&[(ok, Ok(Outcome::Succeeded)), (bad, Ok(bad_outcome))]);
    assert_eq!(checks[0].status, Status::Fail);
    assert_eq!(checks[0].detail, "1 of 2 probes succeed");
    assert_eq!(checks[1].name, "closed");
    assert!(
        checks[1]
            .detail
            .starts_with("tcp_connect 127.0.0.1:1 fails (refused): Error dialing TCP"),
        "{}",
        checks[1].detail
    );
}
