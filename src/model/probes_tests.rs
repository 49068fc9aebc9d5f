//! Probes as the model validates them: modules, target forms, options per
//! module, names and labels; and their scrape jobs.

use super::*;
use crate::model::test_support::{built, errors, has};

#[test]
fn a_probe_defaults_to_http_2xx_and_brings_the_blackbox_exporter() {
    let m = built("probes:\n  - name: api\n    url: https://api.example.com/health\n").unwrap();
    assert_eq!(m.probes[0].module, ProbeModule::Http2xx);
    assert_eq!(m.probes[0].blackbox_module, "http_2xx");
    let blackbox = m
        .exporters
        .iter()
        .find(|e| e.kind == ExporterKind::Blackbox)
        .expect("the blackbox exporter runs");
    assert_eq!(blackbox.host_port, Some(9115));
    let job = m.scrape_jobs.iter().find(|j| j.job == "probe-api").unwrap();
    assert_eq!(job.metrics_path, "/probe");
    assert_eq!(job.params["module"], ["http_2xx"]);
    assert_eq!(job.labels["job"], "probes");
    assert_eq!(job.labels["probe"], "api");
    assert_eq!(
        job.relabel.last().unwrap().replacement.as_deref(),
        Some("obsctl-blackbox-exporter:9115")
    );
}

#[test]
fn no_probes_no_blackbox_exporter() {
    let m = built("name: shop\n").unwrap();
    assert!(m.exporters.iter().all(|e| e.kind != ExporterKind::Blackbox));
}

#[test]
fn an_unknown_module_suggests_the_nearest() {
    let e = errors("probes:\n  - name: api\n    url: http://api/\n    module: http_2x\n");
    assert!(
        has(&e, "probes[0].module", "did you mean `http_2xx`?"),
        "{e:?}"
    );
}

#[test]
fn each_module_wants_its_own_target_form() {
    let e = errors(
        "probes:\n  - {name: a, url: api:8000}\n  - {name: b, url: 'http://db:5432', module: tcp_connect}\n  - {name: c, url: 'db:5432', module: icmp}\n  - {name: d, url: 'ftp://files/', module: http_post_2xx}\n",
    );
    assert!(
        has(&e, "probes[0].url", "not an http(s) URL") || has(&e, "probes[0].url", "not a URL"),
        "{e:?}"
    );
    assert!(has(&e, "probes[1].url", "is not host:port"), "{e:?}");
    assert!(
        has(&e, "probes[2].url", "not a host name or IP address"),
        "{e:?}"
    );
    assert!(has(&e, "probes[3].url", "not an http(s) URL"), "{e:?}");
    let ok = built(
        "probes:\n  - {name: a, url: 'db:5432', module: tcp_connect}\n  - {name: b, url: '10.0.0.7', module: icmp}\n  - {name: c, url: '1.1.1.1', module: dns, query_name: example.com}\n",
    );
    assert!(ok.is_ok(), "{ok:?}");
}

#[test]
fn options_of_another_module_are_refused() {
    let e = errors(
        "probes:\n  - {name: a, url: 'db:5432', module: tcp_connect, status_codes: [200]}\n  - {name: b, url: 'http://api/', query_name: x.example}\n",
    );
    assert!(
        has(
            &e,
            "probes[0].status_codes",
            "does not apply to module `tcp_connect`"
        ),
        "{e:?}"
    );
    assert!(
        has(
            &e,
            "probes[1].query_name",
            "does not apply to module `http_2xx`"
        ),
        "{e:?}"
    );
}

#[test]
fn options_are_checked() {
    let e = errors(
        "probes:\n  - name: a\n    url: http://api/\n    status_codes: [200, 700]\n    body_regexp: '(unclosed'\n    ip_protocol: ipv4\n    method: post\n  - {name: b, url: '1.1.1.1', module: dns}\n  - {name: c, url: '1.1.1.1', module: dns, query_name: x.example, query_type: AAA}\n",
    );
    assert!(
        has(
            &e,
            "probes[0].status_codes[1]",
            "700 is not an HTTP status code"
        ),
        "{e:?}"
    );
    assert!(
        has(&e, "probes[0].body_regexp", "not a regular expression"),
        "{e:?}"
    );
    assert!(
        has(&e, "probes[0].ip_protocol", "neither ip4 nor ip6"),
        "{e:?}"
    );
    assert!(has(&e, "probes[0].method", "not an HTTP method"), "{e:?}");
    assert!(
        has(&e, "probes[1].query_name", "needs `query_name`"),
        "{e:?}"
    );
    assert!(
        has(&e, "probes[2].query_type", "did you mean `AAAA`?"),
        "{e:?}"
    );
}

#[test]
fn options_give_the_probe_its_own_module() {
    let m = built(
        "probes:\n  - {name: api, url: 'https://api/', status_codes: [200], tls_verify: false}\n",
    )
    .unwrap();
    assert_eq!(m.probes[0].blackbox_module, "http_2xx-api");
    assert!(!m.probes[0].options.tls_verify);
}

#[test]
fn names_must_be_unique_and_label_safe() {
    let e = errors(
        "probes:\n  - {name: api, url: 'http://a/'}\n  - {name: api, url: 'http://b/'}\n  - {name: 'my api', url: 'http://c/'}\n  - {name: ok, url: 'http://d/', labels: {probe: x, team-a: y}}\n",
    );
    assert!(
        has(&e, "probes[1].name", "defined twice (first at probes[0])"),
        "{e:?}"
    );
    assert!(has(&e, "probes[2].name", "not a valid probe name"), "{e:?}");
    assert!(has(&e, "probes[3].labels.probe", "set by obsctl"), "{e:?}");
    assert!(
        has(&e, "probes[3].labels.team-a", "not a valid label name"),
        "{e:?}"
    );
}

#[test]
fn probes_with_the_blackbox_exporter_turned_off_are_an_error() {
    let e = errors(
        "exporters:\n  blackbox: {enabled: false}\nprobes:\n  - {name: api, url: 'http://a/'}\n",
    );
    assert!(
        has(&e, "exporters.blackbox.enabled", "1 probe needs it"),
        "{e:?}"
    );
    let m = built("exporters:\n  blackbox: {enabled: false}\n").unwrap();
    assert!(m.exporters.iter().all(|e| e.kind != ExporterKind::Blackbox));
}

#[test]
fn a_frequent_probe_times_out_within_its_interval() {
    let m = built("probes:\n  - {name: api, url: 'http://a/', interval: 5s}\n").unwrap();
    let job = m.scrape_jobs.iter().find(|j| j.job == "probe-api").unwrap();
    assert_eq!(job.interval.as_deref(), Some("5s"));
    assert_eq!(job.timeout.as_deref(), Some("5s"));
}

#[test]
fn a_user_job_cannot_take_a_probe_job_name() {
    let e = errors(
        "probes:\n  - {name: api, url: 'http://a/'}\nscrape:\n  - {job: probe-api, targets: ['a:1']}\n",
    );
    assert!(has(&e, "scrape[0].job", "already scrapes"), "{e:?}");
}

#[test]
fn the_probes_pack_and_dashboard_come_with_probes() {
    let m = built("probes:\n  - {name: api, url: 'http://api:8000/health'}\n").unwrap();
    // A plain-HTTP probe reports no certificate: doctor must not miss one.
    assert_eq!(
        m.packs["probes"],
        ["probe_duration_seconds", "probe_success"]
    );
    assert!(m.rules.iter().any(|r| r.file == "probes.rules.yml"));
    let grafana = m.grafana.as_ref().unwrap();
    assert!(grafana.builtin_dashboards.contains(&"probes".to_string()));

    let m = built("probes:\n  - {name: api, url: 'https://api.example.com/'}\n").unwrap();
    assert!(m.packs["probes"].contains(&"probe_ssl_earliest_cert_expiry".to_string()));

    let m = built("name: shop\n").unwrap();
    assert!(!m.packs.contains_key("probes"));
    let grafana = m.grafana.as_ref().unwrap();
    assert!(!grafana.builtin_dashboards.contains(&"probes".to_string()));
}

#[test]
fn certificate_thresholds_are_days_set_like_any_pack_threshold() {
    let m = built(
        "probes:\n  - {name: api, url: 'https://api.example.com/'}\nrules:\n  packs:\n    probes:\n      ProbeTLSCertificateExpiringSoon: {threshold: 30, for: 10m}\n      ProbeTLSCertificateExpiringCritical: {threshold: 10}\n",
    )
    .unwrap();
    let file = m
        .rules
        .iter()
        .find(|r| r.file == "probes.rules.yml")
        .unwrap();
    let crate::model::RulesContent::Generated(rules) = &file.content else {
        panic!("the pack is generated")
    };
    let rule = |name: &str| {
        rules
            .rules_with_paths()
            .map(|(_, r)| r)
            .find(|r| r.alert.as_deref() == Some(name))
            .unwrap()
            .clone()
    };
    let soon = rule("ProbeTLSCertificateExpiringSoon");
    assert_eq!(
        soon.expr,
        "(probe_ssl_earliest_cert_expiry - time()) / 86400 < 30"
    );
    assert_eq!(soon.for_.as_deref(), Some("10m"));
    assert!(rule("ProbeTLSCertificateExpiringCritical")
        .expr
        .ends_with("< 10"));
}
