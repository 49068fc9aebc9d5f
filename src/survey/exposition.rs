//! Reading a metrics endpoint's answer: whether it is the Prometheus text
//! format at all (and not an HTML page or JSON), the metric names it
//! exposes, and whether Prometheus 3 would refuse it for its Content-Type.

use std::collections::BTreeSet;

/// The names of the samples in `body` when it is the Prometheus (or
/// OpenMetrics) text format; None when it is not.
pub fn metric_names(body: &str) -> Option<BTreeSet<String>> {
    let head = body.trim_start();
    if head.starts_with('<') || head.starts_with('{') || head.starts_with('[') {
        return None;
    }
    let mut names = BTreeSet::new();
    for line in body.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let end = line.find(['{', ' ', '\t']).unwrap_or(line.len());
        let (name, rest) = line.split_at(end);
        let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == ':')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        // A sample is a name, optional labels, then a value.
        let value = match rest.strip_prefix('{') {
            Some(labels) => labels.rsplit_once('}').map(|(_, v)| v),
            None => Some(rest),
        };
        let has_value = value
            .and_then(|v| v.split_whitespace().next())
            .is_some_and(|v| v.parse::<f64>().is_ok());
        if !valid || !has_value {
            return None;
        }
        names.insert(name.to_string());
    }
    (!names.is_empty()).then_some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_format_gives_its_sample_names() {
        let body = "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total{method=\"GET\",status=\"200\"} 3\nhttp_request_duration_seconds_bucket{le=\"0.1\"} 1 1700000000000\nup 1\n";
        let names = metric_names(body).unwrap();
        assert_eq!(
            names.into_iter().collect::<Vec<_>>(),
            [
                "http_request_duration_seconds_bucket",
                "http_requests_total",
                "up"
            ]
        );
    }

    #[test]
    fn pages_json_and_empty_answers_are_not_metrics() {
        assert_eq!(metric_names("<!doctype html><html></html>"), None);
        assert_eq!(metric_names("{\"status\": \"ok\"}"), None);
        assert_eq!(metric_names("# only comments\n"), None);
        assert_eq!(metric_names("Not Found\n"), None);
        assert_eq!(metric_names(""), None);
    }
}
