//! `/api/health` reports a Grafana-style version (and still says `standin`), and
//! `/metrics` carries the `grafana_*` series that the stack's rules and the
//! self-monitoring dashboard read, typed and labelled as Grafana 12 has them and
//! counting the requests the stand-in really served.

mod common;

use common::{save, standin, Client};
use serde_json::json;
use std::collections::BTreeMap;

/// The samples of an exposition, by full series name with labels, after checking
/// that each sample belongs to a family with a `# TYPE` line before it.
fn samples(text: &str) -> BTreeMap<String, f64> {
    let mut typed: BTreeMap<String, String> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            typed.insert(name.to_string(), kind.to_string());
            continue;
        }
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap();
        let name = series.split('{').next().unwrap();
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s)
                    .filter(|f| typed.get(*f).is_some_and(|k| k == "histogram"))
            })
            .unwrap_or(name);
        assert!(
            typed.contains_key(family),
            "{name} has no # TYPE line:\n{text}"
        );
        out.insert(series.to_string(), value.parse().unwrap());
    }
    out
}

fn series(handler: &str, method: &str, status: u16) -> String {
    format!("handler=\"{handler}\",method=\"{method}\",status_code=\"{status}\"")
}

#[tokio::test]
async fn health_reports_a_grafana_version_and_a_standin_commit() {
    let s = standin().await;
    let r = Client::anonymous(&s).get("/api/health").await;
    let version = r.json["version"].as_str().unwrap();
    let parts: Vec<&str> = version.split('.').collect();
    assert_eq!(parts.len(), 3, "{version}");
    assert!(parts.iter().all(|p| p.parse::<u32>().is_ok()), "{version}");
    assert_eq!(parts[0], "12", "the stand-in follows Grafana 12");
    assert_eq!(r.json["database"], "ok");
    assert_eq!(r.json["commit"], "standin");
    assert!(r.headers.contains_key("x-grafana-standin"));
}

#[tokio::test]
async fn request_durations_are_counted_by_handler_method_and_status() {
    let s = standin().await;
    let c = Client::admin(&s);
    let anon = Client::anonymous(&s);
    anon.get("/api/health").await;
    anon.get("/api/health").await;
    save(&c, json!({"uid": "d", "title": "D"}), json!({})).await;
    c.get("/api/dashboards/uid/nope").await;
    s.fail_next("/api/dashboards/db", 1, 503);
    save(&c, json!({"uid": "e", "title": "E"}), json!({})).await;
    c.get("/api/no/such/route").await;
    anon.get("/metrics").await;
    let text = anon.get("/metrics").await.text;
    let m = samples(&text);
    let count = |labels: &str| {
        m.get(&format!(
            "grafana_http_request_duration_seconds_count{{{labels}}}"
        ))
        .copied()
    };
    assert_eq!(
        count(&series("/api/health", "GET", 200)),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        count(&series("/api/dashboards/db", "POST", 200)),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        count(&series("/api/dashboards/db", "POST", 503)),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        count(&series("/api/dashboards/uid/:uid", "GET", 404)),
        Some(1.0),
        "{text}"
    );
    assert_eq!(count(&series("unknown", "GET", 404)), Some(1.0), "{text}");
    assert!(
        !text.contains("handler=\"/metrics\""),
        "scrapes are not counted:\n{text}"
    );

    let labels = series("/api/health", "GET", 200);
    let mut last = 0.0;
    for le in [
        "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf",
    ] {
        let key = format!("grafana_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}}");
        let v = *m.get(&key).unwrap_or_else(|| panic!("no {key}:\n{text}"));
        assert!(v >= last, "buckets are cumulative");
        last = v;
    }
    assert_eq!(last, 2.0);
    assert!(m.contains_key(&format!(
        "grafana_http_request_duration_seconds_sum{{{labels}}}"
    )));
    assert!(text.contains("# TYPE grafana_http_request_duration_seconds histogram"));
    assert!(text.contains("# TYPE grafana_http_request_in_flight gauge"));
}

#[tokio::test]
async fn build_info_names_the_grafana_version_it_follows() {
    let s = standin().await;
    let text = Client::anonymous(&s).get("/metrics").await.text;
    let m = samples(&text);
    let info: Vec<(&String, &f64)> = m
        .iter()
        .filter(|(k, _)| k.starts_with("grafana_build_info{"))
        .collect();
    assert_eq!(info.len(), 1, "{text}");
    let (labels, value) = info[0];
    assert_eq!(*value, 1.0);
    for label in [
        "branch=",
        "edition=\"oss\"",
        "goversion=",
        "revision=\"standin\"",
        "version=\"12.0.2\"",
    ] {
        assert!(labels.contains(label), "{labels} lacks {label}");
    }
    assert!(text.contains("# TYPE grafana_build_info gauge"));
}
