//! The scrape labels a container carries, read the way the common convention
//! (carried over from Kubernetes annotations) means them:
//! `prometheus.io/scrape: "true"` asks for scraping, `prometheus.io/port`
//! picks the port (default: the container's single exposed port),
//! `prometheus.io/path` the metrics path (default `/metrics`) and
//! `prometheus.io/scheme` the scheme (default `http`).

use std::collections::BTreeMap;

use crate::model::METRICS_PATH;

pub const SCRAPE: &str = "prometheus.io/scrape";
pub const PORT: &str = "prometheus.io/port";
pub const PATH: &str = "prometheus.io/path";
pub const SCHEME: &str = "prometheus.io/scheme";

/// How to scrape a container that asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scrape {
    pub port: u16,
    pub path: String,
    pub scheme: String,
}

/// What the labels say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Labels {
    /// No `prometheus.io/scrape: "true"`: not a target.
    Off,
    Scrape(Scrape),
    /// Asked for scraping, but the labels cannot be followed; the text says
    /// why (it follows the container's name in messages).
    Invalid(String),
}

/// Reads `labels` of a container exposing the TCP ports `exposed`.
pub fn read(labels: &BTreeMap<String, String>, exposed: &[u16]) -> Labels {
    match labels.get(SCRAPE).map(|v| v.trim()) {
        None | Some("false") => return Labels::Off,
        Some("true") => {}
        Some(other) => {
            return Labels::Invalid(format!(
                "has {SCRAPE}: `{other}`; only \"true\" turns scraping on"
            ))
        }
    }
    let port = match labels.get(PORT).map(|v| v.trim()) {
        Some(text) => match text.parse::<u16>() {
            Ok(p) if p > 0 => p,
            _ => return Labels::Invalid(format!("has {PORT}: `{text}`, which is not a port")),
        },
        None => {
            let mut ports = exposed.to_vec();
            ports.sort_unstable();
            ports.dedup();
            match ports.as_slice() {
                [only] => *only,
                [] => {
                    return Labels::Invalid(format!(
                        "exposes no port: set {PORT} to the port serving metrics"
                    ))
                }
                several => {
                    let list: Vec<String> = several.iter().map(u16::to_string).collect();
                    return Labels::Invalid(format!(
                        "exposes several ports ({}): set {PORT} to the one serving metrics",
                        list.join(", ")
                    ));
                }
            }
        }
    };
    let path = labels
        .get(PATH)
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| METRICS_PATH.into());
    if !path.starts_with('/') || path.contains('?') {
        return Labels::Invalid(format!(
            "has {PATH}: `{path}`, which is not a path (it starts with `/`, e.g. /metrics)"
        ));
    }
    let scheme = labels
        .get(SCHEME)
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| "http".into());
    if scheme != "http" && scheme != "https" {
        return Labels::Invalid(format!("has {SCHEME}: `{scheme}`; it is http or https"));
    }
    Labels::Scrape(Scrape { port, path, scheme })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn scrape(port: u16, path: &str, scheme: &str) -> Labels {
        Labels::Scrape(Scrape {
            port,
            path: path.into(),
            scheme: scheme.into(),
        })
    }

    #[test]
    fn defaults_are_the_single_exposed_port_metrics_and_http() {
        assert_eq!(
            read(&labels(&[(SCRAPE, "true")]), &[8000]),
            scrape(8000, "/metrics", "http")
        );
        // The same port exposed twice (tcp over IPv4 and IPv6) is one port.
        assert_eq!(
            read(&labels(&[(SCRAPE, "true")]), &[8000, 8000]),
            scrape(8000, "/metrics", "http")
        );
    }

    #[test]
    fn labels_override_each_default() {
        let l = labels(&[
            (SCRAPE, "true"),
            (PORT, "9091"),
            (PATH, "/api/v1/metrics"),
            (SCHEME, "https"),
        ]);
        assert_eq!(
            read(&l, &[8000, 9091]),
            scrape(9091, "/api/v1/metrics", "https")
        );
    }

    #[test]
    fn without_the_scrape_label_or_with_false_it_is_not_a_target() {
        assert_eq!(read(&labels(&[(PORT, "8000")]), &[8000]), Labels::Off);
        assert_eq!(read(&labels(&[(SCRAPE, "false")]), &[8000]), Labels::Off);
    }

    #[test]
    fn what_cannot_be_followed_is_said() {
        let invalid = |pairs: &[(&str, &str)], exposed: &[u16]| match read(&labels(pairs), exposed)
        {
            Labels::Invalid(why) => why,
            other => panic!("{pairs:?}: {other:?}"),
        };
        assert_eq!(
            invalid(&[(SCRAPE, "yes")], &[80]),
            "has prometheus.io/scrape: `yes`; only \"true\" turns scraping on"
        );
        assert_eq!(
            invalid(&[(SCRAPE, "true")], &[9000, 8000]),
            "exposes several ports (8000, 9000): set prometheus.io/port to the one serving metrics"
        );
        assert_eq!(
            invalid(&[(SCRAPE, "true")], &[]),
            "exposes no port: set prometheus.io/port to the port serving metrics"
        );
        assert!(invalid(&[(SCRAPE, "true"), (PORT, "http")], &[80]).contains("not a port"));
        assert!(invalid(&[(SCRAPE, "true"), (PORT, "0")], &[80]).contains("not a port"));
        assert!(invalid(&[(SCRAPE, "true"), (PATH, "metrics")], &[80]).contains("not a path"));
        assert!(invalid(&[(SCRAPE, "true"), (SCHEME, "tcp")], &[80]).contains("http or https"));
    }
}
