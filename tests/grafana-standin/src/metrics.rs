//! The series `/metrics` serves, named and typed as Grafana 12 exposes them, so
//! that rules and dashboards written for Grafana read the stand-in the same way:
//! `grafana_http_request_duration_seconds` (a histogram with Grafana's buckets and
//! its `handler`, `method` and `status_code` labels, `handler` being the route
//! pattern such as `/api/dashboards/uid/:uid`, or `unknown` when no route matched;
//! requests to `/metrics` are not counted, as in Grafana),
//! `grafana_http_request_in_flight` and `grafana_build_info`. Beside them,
//! `grafana_standin_*` series say what is answering.

use std::collections::BTreeMap;
use std::fmt::Write;

/// The Grafana release whose behaviour the stand-in follows and whose version it
/// reports in `/api/health` and `grafana_build_info`.
pub const GRAFANA_VERSION: &str = "12.0.2";

/// Grafana's request duration buckets (its `defBuckets`), in seconds.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

#[derive(Debug, Default, Clone)]
struct Histogram {
    /// Non-cumulative counts per bucket; the +Inf bucket is `count`.
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Request durations by `(handler, method, status_code)`, and requests in flight.
#[derive(Debug, Default)]
pub struct Metrics {
    series: BTreeMap<(String, String, String), Histogram>,
    pub in_flight: i64,
}

/// Grafana's form of a route pattern: axum's `{uid}` becomes `:uid`.
pub fn handler_label(pattern: &str) -> String {
    pattern.replace('{', ":").replace('}', "")
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    pub fn observe(&mut self, handler: &str, method: &str, status: u16, seconds: f64) {
        let h = self
            .series
            .entry((handler.to_string(), method.to_string(), status.to_string()))
            .or_default();
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            h.buckets[i] += 1;
        }
        h.count += 1;
        h.sum += seconds;
    }

    /// The Prometheus text exposition (format 0.0.4).
    pub fn render(&self, total_requests: usize) -> String {
        let mut out = String::new();
        let w = &mut out;
        let _ = writeln!(w, "# HELP grafana_build_info A metric with a constant '1' value labeled by version, revision, branch, and goversion from which Grafana was built");
        let _ = writeln!(w, "# TYPE grafana_build_info gauge");
        let _ = writeln!(
            w,
            "grafana_build_info{{branch=\"HEAD\",edition=\"oss\",goversion=\"none\",revision=\"standin\",version=\"{GRAFANA_VERSION}\"}} 1"
        );
        let _ = writeln!(w, "# HELP grafana_http_request_duration_seconds Histogram of latencies for HTTP requests.");
        let _ = writeln!(w, "# TYPE grafana_http_request_duration_seconds histogram");
        for ((handler, method, status), h) in &self.series {
            let labels = format!(
                "handler=\"{}\",method=\"{}\",status_code=\"{}\"",
                escape(handler),
                escape(method),
                status
            );
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(h.buckets) {
                cumulative += n;
                let _ = writeln!(
                    w,
                    "grafana_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                w,
                "grafana_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                w,
                "grafana_http_request_duration_seconds_sum{{{labels}}} {}",
                h.sum
            );
            let _ = writeln!(
                w,
                "grafana_http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
        let _ = writeln!(w, "# HELP grafana_http_request_in_flight A gauge of requests currently being served by Grafana.");
        let _ = writeln!(w, "# TYPE grafana_http_request_in_flight gauge");
        let _ = writeln!(w, "grafana_http_request_in_flight {}", self.in_flight);
        let _ = writeln!(w, "# HELP grafana_standin_info The Grafana API stand-in (not Grafana); imitates names the Grafana release it follows.");
        let _ = writeln!(w, "# TYPE grafana_standin_info gauge");
        let _ = writeln!(
            w,
            "grafana_standin_info{{imitates=\"{GRAFANA_VERSION}\",version=\"standin\"}} 1"
        );
        let _ = writeln!(
            w,
            "# HELP grafana_standin_http_requests_total Requests served by the stand-in."
        );
        let _ = writeln!(w, "# TYPE grafana_standin_http_requests_total counter");
        let _ = writeln!(w, "grafana_standin_http_requests_total {total_requests}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_count_every_observation() {
        let mut m = Metrics::default();
        m.observe("/api/health", "GET", 200, 0.003);
        m.observe("/api/health", "GET", 200, 0.2);
        m.observe("/api/health", "GET", 200, 7.0);
        let text = m.render(3);
        let line = |le: &str| {
            format!("grafana_http_request_duration_seconds_bucket{{handler=\"/api/health\",method=\"GET\",status_code=\"200\",le=\"{le}\"}}")
        };
        assert!(text.contains(&format!("{} 1\n", line("0.005"))), "{text}");
        assert!(text.contains(&format!("{} 2\n", line("0.25"))), "{text}");
        assert!(text.contains(&format!("{} 2\n", line("5"))), "{text}");
        assert!(text.contains(&format!("{} 3\n", line("+Inf"))), "{text}");
        assert!(text.contains("grafana_http_request_duration_seconds_count{handler=\"/api/health\",method=\"GET\",status_code=\"200\"} 3\n"), "{text}");
    }

    #[test]
    fn route_patterns_take_grafanas_form() {
        assert_eq!(
            handler_label("/api/dashboards/uid/{uid}"),
            "/api/dashboards/uid/:uid"
        );
    }
}
