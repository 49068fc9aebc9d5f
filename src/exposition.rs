//! A reader for the Prometheus text exposition format (version 0.0.4), as a
//! component's own `/metrics` answers it: one sample per line,
//! `name{label="value",...} value [timestamp]`. Comments (`# HELP`, `# TYPE`)
//! are skipped; label values are unescaped (`\\`, `\"`, `\n`). A line that
//! does not follow the format is skipped by [`parse`] rather than failing the
//! whole page, so one odd line cannot hide every other metric; [`metric_names`]
//! is strict instead, to tell whether an answer is this format at all (and
//! not an HTML page or JSON).

use std::collections::{BTreeMap, BTreeSet};

/// One sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// Every sample of `text`.
pub fn parse(text: &str) -> Vec<Sample> {
    text.lines().filter_map(line).collect()
}

/// The names of the samples in `body` when every line of it is the
/// Prometheus (or OpenMetrics) text format; None when one is not, or when it
/// holds no sample.
pub fn metric_names(body: &str) -> Option<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    for l in body.lines().map(str::trim) {
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        names.insert(line(l)?.name);
    }
    (!names.is_empty()).then_some(names)
}

fn line(l: &str) -> Option<Sample> {
    let l = l.trim();
    if l.is_empty() || l.starts_with('#') {
        return None;
    }
    let name_end = l.find(|c: char| c == '{' || c.is_whitespace())?;
    let name = &l[..name_end];
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
    if !valid {
        return None;
    }
    let mut rest = &l[name_end..];
    let mut labels = BTreeMap::new();
    if let Some(after) = rest.strip_prefix('{') {
        let (parsed, tail) = label_set(after)?;
        labels = parsed;
        rest = tail;
    }
    let value = rest.split_whitespace().next()?;
    let value = match value {
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        v => v.parse().ok()?,
    };
    Some(Sample {
        name: name.to_string(),
        labels,
        value,
    })
}

/// Parses `k="v",...}` and returns the labels and what follows the `}`.
fn label_set(mut s: &str) -> Option<(BTreeMap<String, String>, &str)> {
    let mut labels = BTreeMap::new();
    loop {
        s = s.trim_start();
        if let Some(tail) = s.strip_prefix('}') {
            return Some((labels, tail));
        }
        let eq = s.find('=')?;
        let key = s[..eq].trim().to_string();
        s = s[eq + 1..].trim_start().strip_prefix('"')?;
        let mut value = String::new();
        let mut chars = s.char_indices();
        let end = loop {
            let (i, c) = chars.next()?;
            match c {
                '"' => break i,
                '\\' => match chars.next()?.1 {
                    'n' => value.push('\n'),
                    other => value.push(other),
                },
                c => value.push(c),
            }
        };
        labels.insert(key, value);
        s = s[end + 1..].trim_start();
        s = s.strip_prefix(',').unwrap_or(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_read_with_their_labels_and_comments_are_skipped() {
        let text = "# HELP x_total Things.\n# TYPE x_total counter\n\
            x_total{a=\"1\",b=\"say \\\"hi\\\"\\n\"} 3.5e+09\n\
            up 1 1700000000000\n\
            weird line without value\n\
            y{le=\"+Inf\",} +Inf\n";
        let samples = parse(text);
        assert_eq!(samples.len(), 3, "{samples:?}");
        assert_eq!(samples[0].name, "x_total");
        assert_eq!(samples[0].labels["b"], "say \"hi\"\n");
        assert_eq!(samples[0].value, 3.5e9);
        assert_eq!(samples[1].name, "up");
        assert!(samples[1].labels.is_empty());
        assert_eq!(samples[2].labels["le"], "+Inf");
        assert!(samples[2].value.is_infinite());
    }

    #[test]
    fn a_label_value_may_hold_braces_commas_and_equals_signs() {
        let s = parse("m{url=\"http://h:1/w?a=b,c}\",x=\"y\"} 2\n");
        assert_eq!(s[0].labels["url"], "http://h:1/w?a=b,c}");
        assert_eq!(s[0].labels["x"], "y");
        assert_eq!(s[0].value, 2.0);
    }

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
