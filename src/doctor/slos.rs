//! Whether each SLO reads anything: its `total` selector matches series, and
//! a latency SLO's `le` is one of its histogram's buckets, written as
//! Prometheus 3 stores it (`1.0`, not `1`). A mistake in either leaves the
//! burn-rate alerts silent, or paging on an SLI that is not there.

use serde_json::Value;

use super::check::Check;
use crate::model::{Sli, Slo};

const GROUP: &str = "slos";

/// The query that shows what an SLO reads: the series of its total (or of
/// its histogram's buckets, by `le`).
pub fn query(slo: &Slo) -> String {
    match &slo.sli {
        Sli::Availability { total, .. } => format!("count({total})"),
        Sli::Latency {
            histogram, count, ..
        } => {
            // `count` is `<histogram>_count{matchers}`: the same matchers.
            let matchers = &count[histogram.len() + "_count".len()..];
            format!("count by (le) ({histogram}_bucket{matchers})")
        }
    }
}

/// Judges the answer to [`query`].
pub fn check(slo: &Slo, answer: &Value) -> Check {
    let result = answer
        .pointer("/data/result")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let name = format!("slo {}", slo.name);
    match &slo.sli {
        Sli::Availability { total, .. } => {
            let n = result
                .first()
                .and_then(|r| r.pointer("/value/1"))
                .and_then(Value::as_str)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0);
            if n > 0.0 {
                Check::ok(GROUP, name, format!("{total} matches {n} series"))
            } else {
                Check::warn(GROUP, name, format!("no series match `total` ({total}), so the SLO has no SLI and its alerts stay silent"))
                    .hint("check the selector against what the service exposes (Prometheus' graph page), and that its job is scraped")
            }
        }
        Sli::Latency { histogram, le, .. } => {
            let mut bounds: Vec<String> = result
                .iter()
                .filter_map(|r| r.pointer("/metric/le").and_then(Value::as_str))
                .map(str::to_string)
                .collect();
            bounds.sort_by(|a, b| {
                let f = |s: &str| s.parse::<f64>().unwrap_or(f64::INFINITY);
                f(a).total_cmp(&f(b))
            });
            if bounds.is_empty() {
                Check::warn(GROUP, name, format!("no series of {histogram}_bucket match `histogram`, so the SLO has no SLI and its alerts stay silent"))
                    .hint("check the histogram's name and matchers against what the service exposes, and that its job is scraped")
            } else if bounds.contains(le) {
                Check::ok(
                    GROUP,
                    name,
                    format!("{histogram} has the le=\"{le}\" bucket"),
                )
            } else {
                Check::fail(GROUP, name, format!("{histogram} has no le=\"{le}\" bucket (its buckets: {}), so every request counts as slow", bounds.join(", ")))
                    .hint("set the SLO's `le` to one of the histogram's bucket bounds, or add that bucket to the service's instrumentation")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn latency() -> Slo {
        Slo {
            name: "api-latency".into(),
            objective: 99.0,
            window: "30d".into(),
            sli: Sli::Latency {
                histogram: "http_request_duration_seconds".into(),
                le: "0.5".into(),
                bucket: "http_request_duration_seconds_bucket{job=\"api\", le=\"0.5\"}".into(),
                count: "http_request_duration_seconds_count{job=\"api\"}".into(),
            },
        }
    }

    fn buckets(les: &[&str]) -> Value {
        let result: Vec<Value> = les
            .iter()
            .map(|le| json!({"metric": {"le": le}, "value": [1.0, "1"]}))
            .collect();
        json!({"status": "success", "data": {"resultType": "vector", "result": result}})
    }

    #[test]
    fn the_latency_query_counts_the_histograms_buckets() {
        assert_eq!(
            query(&latency()),
            "count by (le) (http_request_duration_seconds_bucket{job=\"api\"})"
        );
    }

    #[test]
    fn a_missing_bucket_fails_and_lists_those_there_are() {
        let c = check(&latency(), &buckets(&["+Inf", "1.0", "0.25", "0.1"]));
        assert_eq!(c.status, crate::doctor::check::Status::Fail);
        assert!(
            c.detail
                .contains("no le=\"0.5\" bucket (its buckets: 0.1, 0.25, 1.0, +Inf)"),
            "{}",
            c.detail
        );
        let c = check(&latency(), &buckets(&["0.25", "0.5", "+Inf"]));
        assert_eq!(c.status, crate::doctor::check::Status::Ok);
        let c = check(&latency(), &buckets(&[]));
        assert_eq!(c.status, crate::doctor::check::Status::Warn);
    }

    #[test]
    fn an_availability_slo_without_series_is_a_warning() {
        let slo = Slo {
            sli: Sli::Availability {
                errors: "e_total".into(),
                total: "t_total".into(),
            },
            ..latency()
        };
        let none = json!({"data": {"result": []}});
        assert_eq!(
            check(&slo, &none).status,
            crate::doctor::check::Status::Warn
        );
        let some = json!({"data": {"result": [{"metric": {}, "value": [1.0, "3"]}]}});
        let c = check(&slo, &some);
        assert_eq!(c.detail, "t_total matches 3 series");
    }
}
