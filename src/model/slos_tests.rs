//! SLOs as the model validates them, and the rules generated for them.

use super::*;
use crate::model::slo_rules::WINDOWS;
use crate::model::test_support::{built, errors, has};
use crate::model::{Model, RulesContent};
use crate::promql;
use crate::rulefile::RuleFile;

const RETENTION: &str = "prometheus:\n  retention: 30d\n";

#[test]
fn le_is_written_as_prometheus_3_stores_it() {
    for (le, label) in [
        (0.5, "0.5"),
        (1.0, "1.0"),
        (10.0, "10.0"),
        (2.5, "2.5"),
        (0.005, "0.005"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (100000.0, "100000.0"),
        (1000000.0, "1e+06"),
        (1234567.0, "1.234567e+06"),
        (f64::INFINITY, "+Inf"),
    ] {
        assert_eq!(le_label(le), label, "{le}");
    }
}

#[test]
fn a_window_longer_than_the_retention_is_an_error_naming_both() {
    let e = errors(
        "slos:\n  - {name: api, objective: 99.9, window: 30d, errors: 'http_requests_total{status=~\"5..\"}', total: http_requests_total}\n",
    );
    assert!(
        has(
            &e,
            "slos[0].window",
            "the SLO window 30d is longer than prometheus.retention 15d"
        ),
        "{e:?}"
    );
    assert!(
        has(
            &e,
            "slos[0].window",
            "set prometheus.retention to at least 30d"
        ),
        "{e:?}"
    );
}

#[test]
fn objectives_names_and_selectors_are_checked() {
    let e = errors(&format!(
        "{RETENTION}slos:\n  - {{name: a, objective: 100, window: 30d, errors: 'x_total', total: 'y_total'}}\n  - {{name: a, objective: 0, window: 30d, errors: 'rate(x_total[5m])', total: 'y_total{{'}}\n  - {{name: Bad Name, objective: 99, window: 30d, histogram: h_seconds_bucket, le: 0.5}}\n  - {{name: both, objective: 99, window: 30d, errors: x_total, le: 0.5}}\n  - {{name: none, objective: 99, window: 30d}}\n  - {{name: half, objective: 99, window: 30d, histogram: h_seconds}}\n"
    ));
    assert!(
        has(
            &e,
            "slos[0].objective",
            "not a percentage between 0 and 100"
        ),
        "{e:?}"
    );
    assert!(
        has(&e, "slos[1].name", "defined twice (first at slos[0])"),
        "{e:?}"
    );
    assert!(has(&e, "slos[1].objective", "not a percentage"), "{e:?}");
    assert!(
        has(&e, "slos[1].errors", "is not a plain selector"),
        "{e:?}"
    );
    assert!(has(&e, "slos[1].total", "does not parse"), "{e:?}");
    assert!(has(&e, "slos[2].name", "not a valid SLO name"), "{e:?}");
    assert!(has(&e, "slos[2].histogram", "ends in `_bucket`"), "{e:?}");
    assert!(has(&e, "slos[3]", "not both"), "{e:?}");
    assert!(has(&e, "slos[4]", "needs `errors` and `total`"), "{e:?}");
    assert!(has(&e, "slos[5]", "`le` is missing"), "{e:?}");
}

fn rules_of(model: &Model) -> RuleFile {
    let file = model
        .rules
        .iter()
        .find(|r| r.file == "slos.rules.yml")
        .unwrap();
    match &file.content {
        RulesContent::Generated(f) => f.clone(),
        RulesContent::Verbatim(_) => panic!("generated"),
    }
}

#[test]
fn availability_rules_record_every_window_and_burn_at_the_workbook_rates() {
    let m = built(&format!(
        "{RETENTION}slos:\n  - {{name: api, objective: 99.9, window: 30d, errors: 'http_requests_total{{job=\"api\", status=~\"5..\"}}', total: 'http_requests_total{{job=\"api\"}}'}}\n"
    ))
    .unwrap();
    let file = rules_of(&m);
    let group = &file.groups[0];
    assert_eq!(group.name, "obsctl-slo-api");
    for rule in &group.rules {
        assert_eq!(rule.labels["slo"], "api", "{rule:?}");
        promql::parse(&rule.expr).unwrap_or_else(|e| panic!("{}: {e}", rule.expr));
    }
    let recorded: Vec<&str> = group
        .rules
        .iter()
        .filter_map(|r| r.record.as_deref())
        .collect();
    for w in WINDOWS {
        assert!(
            recorded.contains(&format!("slo:sli_error:ratio_rate{w}").as_str()),
            "{w}"
        );
    }
    let one_hour = group
        .rules
        .iter()
        .find(|r| r.record.as_deref() == Some("slo:sli_error:ratio_rate1h"))
        .unwrap();
    assert_eq!(
        one_hour.expr,
        "(sum(rate(http_requests_total{job=\"api\", status=~\"5..\"}[1h])) or vector(0)) / sum(rate(http_requests_total{job=\"api\"}[1h]))"
    );
    let alert = |name: &str| {
        group
            .rules
            .iter()
            .find(|r| r.alert.as_deref() == Some(name))
            .unwrap()
    };
    let page = alert("SLOErrorBudgetFastBurn");
    assert_eq!(page.labels["severity"], "critical");
    for part in [
        "slo:sli_error:ratio_rate1h{slo=\"api\"} > (14.4 * 0.001)",
        "slo:sli_error:ratio_rate5m{slo=\"api\"} > (14.4 * 0.001)",
        "slo:sli_error:ratio_rate6h{slo=\"api\"} > (6 * 0.001)",
        "slo:sli_error:ratio_rate30m{slo=\"api\"} > (6 * 0.001)",
    ] {
        assert!(page.expr.contains(part), "{part} not in {}", page.expr);
    }
    let ticket = alert("SLOErrorBudgetSlowBurn");
    assert_eq!(ticket.labels["severity"], "warning");
    for part in [
        "ratio_rate1d{slo=\"api\"} > (3 * 0.001)",
        "ratio_rate2h{slo=\"api\"} > (3 * 0.001)",
        "ratio_rate3d{slo=\"api\"} > (1 * 0.001)",
        "ratio_rate6h{slo=\"api\"} > (1 * 0.001)",
    ] {
        assert!(ticket.expr.contains(part), "{part} not in {}", ticket.expr);
    }
    assert!(recorded.contains(&"slo:error_budget:remaining"));
}

#[test]
fn latency_rules_count_requests_slower_than_the_bucket() {
    let m = built(&format!(
        "{RETENTION}slos:\n  - {{name: api-latency, objective: 95, window: 30d, histogram: 'http_request_duration_seconds{{job=\"api\"}}', le: 0.5}}\n"
    ))
    .unwrap();
    let Sli::Latency { bucket, count, .. } = &m.slos[0].sli else {
        panic!("latency")
    };
    assert_eq!(
        bucket,
        "http_request_duration_seconds_bucket{job=\"api\", le=\"0.5\"}"
    );
    assert_eq!(count, "http_request_duration_seconds_count{job=\"api\"}");
    let file = rules_of(&m);
    let five = &file.groups[0].rules[0];
    assert_eq!(
        five.expr,
        "(sum(rate(http_request_duration_seconds_count{job=\"api\"}[5m])) - sum(rate(http_request_duration_seconds_bucket{job=\"api\", le=\"0.5\"}[5m]))) / sum(rate(http_request_duration_seconds_count{job=\"api\"}[5m]))"
    );
    assert_eq!(m.slos[0].budget(), "0.05");
}

#[test]
fn budgets_are_written_without_floating_point_noise() {
    let slo = |objective| Slo {
        name: "x".into(),
        objective,
        window: "30d".into(),
        sli: Sli::Availability {
            errors: "e".into(),
            total: "t".into(),
        },
    };
    assert_eq!(slo(99.9).budget(), "0.001");
    assert_eq!(slo(99.9).objective_ratio(), "0.999");
    assert_eq!(slo(99.95).budget(), "0.0005");
    assert_eq!(slo(99.999).budget(), "0.00001");
    assert_eq!(slo(90.0).budget(), "0.1");
}

#[test]
fn the_slo_dashboard_comes_with_slos() {
    let m = built(&format!(
        "{RETENTION}slos:\n  - {{name: api, objective: 99.9, window: 30d, errors: e_total, total: t_total}}\n"
    ))
    .unwrap();
    assert!(m
        .grafana
        .as_ref()
        .unwrap()
        .builtin_dashboards
        .contains(&"slos".to_string()));
    let m = built("name: shop\n").unwrap();
    assert!(!m
        .grafana
        .as_ref()
        .unwrap()
        .builtin_dashboards
        .contains(&"slos".to_string()));
}
