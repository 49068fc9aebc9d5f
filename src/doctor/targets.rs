//! Scrape-target health from one `/api/v1/targets` answer: every failing
//! target classified, slow scrapes flagged, healthy ones summed up; the
//! spec's targets (group `targets`) apart from those found by container
//! labels (group `discovered`).

use serde::Deserialize;

use super::check::{Check, Status};
use super::classify::{classify, Failure};
use super::dns::Networks;
use crate::duration::parse_duration;
use crate::model::{DISCOVERED_JOB, METRICS_PATH};

#[derive(Debug, Deserialize)]
struct Envelope {
    data: Data,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    active_targets: Vec<Target>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Target {
    scrape_pool: String,
    #[serde(default)]
    scrape_url: String,
    #[serde(default)]
    labels: std::collections::BTreeMap<String, String>,
    health: String,
    #[serde(default)]
    last_error: String,
    #[serde(default)]
    last_scrape_duration: f64,
    #[serde(default)]
    scrape_timeout: Option<String>,
}

/// A scrape taking more than this share of its timeout is close to failing.
const SLOW_SHARE: f64 = 0.8;

/// Turns the targets answer into checks. `timeout` is the global scrape
/// timeout, for Prometheus versions that do not report one per target;
/// `networks` says where names that do not resolve live.
pub fn checks(
    body: &[u8],
    default_timeout: &str,
    networks: &Networks,
) -> Result<Vec<Check>, String> {
    let envelope: Envelope = serde_json::from_slice(body)
        .map_err(|e| format!("unexpected /api/v1/targets answer: {e}"))?;
    let (discovered, declared): (Vec<Target>, Vec<Target>) = envelope
        .data
        .active_targets
        .into_iter()
        .partition(|t| t.scrape_pool == DISCOVERED_JOB);
    let mut out = group("targets", &declared, default_timeout, networks);
    if declared.is_empty() {
        out.push(
            Check::fail(
                "targets",
                "scrape targets",
                "Prometheus has no active targets",
            )
            .hint("check `scrape:` in the spec and that the rendered prometheus.yml is loaded"),
        );
    }
    if discovered.is_empty() {
        out.push(Check::skip(
            "discovered",
            "discovered targets",
            "no container on Prometheus' networks carries prometheus.io/scrape: \"true\"",
        ));
    } else {
        out.extend(group("discovered", &discovered, default_timeout, networks));
    }
    Ok(out)
}

/// The checks of one group of targets, led by a summary as bad as the worst.
fn group(
    group: &'static str,
    targets: &[Target],
    default_timeout: &str,
    networks: &Networks,
) -> Vec<Check> {
    let mut out = Vec::new();
    let mut up = 0;
    for t in targets {
        let instance = t
            .labels
            .get("instance")
            .cloned()
            .unwrap_or_else(|| t.scrape_url.clone());
        let job = t
            .labels
            .get("job")
            .cloned()
            .unwrap_or_else(|| t.scrape_pool.clone());
        let name = format!("{job} {instance}");
        let path = path_of(&t.scrape_url);
        match t.health.as_str() {
            "up" => {
                up += 1;
                let timeout = t.scrape_timeout.as_deref().unwrap_or(default_timeout);
                if let Ok(limit) = parse_duration(timeout) {
                    let limit = limit.as_secs_f64();
                    if limit > 0.0 && t.last_scrape_duration > SLOW_SHARE * limit {
                        out.push(
                            Check::warn(group, name, format!("up, but the last scrape took {:.2}s of its {timeout} timeout", t.last_scrape_duration))
                                .hint("the endpoint is slow: reduce what it exposes, or raise the job's `timeout` (at most its interval)"),
                        );
                    }
                }
            }
            "down" => {
                let mut d = classify(&t.last_error, &instance, &path);
                if d.failure == Failure::Dns {
                    let host = instance
                        .rsplit_once(':')
                        .map_or(instance.as_str(), |(h, _)| h);
                    if let Some(hint) = networks.hint(host) {
                        d.hint = hint;
                    }
                }
                let kind = serde_json::to_value(d.failure)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                out.push(
                    Check::fail(group, name, format!("down ({kind}): {}", t.last_error))
                        .hint(d.hint),
                );
            }
            _ => out.push(Check::warn(group, name, "not scraped yet").hint(
                "wait one scrape interval; if it stays so, Prometheus cannot schedule the scrape",
            )),
        }
    }
    if !targets.is_empty() {
        let status = out.iter().map(|c| c.status).max().unwrap_or(Status::Ok);
        let what = if group == "discovered" {
            "discovered targets"
        } else {
            "targets"
        };
        out.insert(
            0,
            Check::new(
                group,
                format!("scrape {what}"),
                status,
                format!("{up} of {} {what} up", targets.len()),
            ),
        );
    }
    out
}

fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = rest.find('/').map(|i| &rest[i..]).unwrap_or(METRICS_PATH);
    path.split('?').next().unwrap_or(path).to_string()
}

/// A targets answer with `n` targets, `down` of them failing, for tests and
/// the benchmark.
pub fn generate(n: usize, down: usize) -> String {
    let targets: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let failing = i < down;
            serde_json::json!({
                "discoveredLabels": {"__address__": format!("svc-{i}:8000")},
                "labels": {"instance": format!("svc-{i}:8000"), "job": format!("job-{}", i % 20)},
                "scrapePool": format!("job-{}", i % 20),
                "scrapeUrl": format!("http://svc-{i}:8000/metrics"),
                "globalUrl": format!("http://svc-{i}:8000/metrics"),
                "lastError": if failing { format!("Get \"http://svc-{i}:8000/metrics\": dial tcp 10.0.0.{}:8000: connect: connection refused", i % 250) } else { String::new() },
                "lastScrape": "2026-01-01T00:00:00Z",
                "lastScrapeDuration": 0.012,
                "health": if failing { "down" } else { "up" },
                "scrapeInterval": "15s",
                "scrapeTimeout": "10s"
            })
        })
        .collect();
    serde_json::json!({"status": "success", "data": {"activeTargets": targets, "droppedTargets": []}}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checks of one group.
    fn of(group: &str, checks: Vec<Check>) -> Vec<Check> {
        checks.into_iter().filter(|c| c.group == group).collect()
    }

    #[test]
    fn all_up_is_one_ok_line() {
        let all = checks(generate(1000, 0).as_bytes(), "10s", &Networks::default()).unwrap();
        let checks = of("targets", all.clone());
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].status, Status::Ok);
        assert_eq!(checks[0].detail, "1000 of 1000 targets up");
        let discovered = of("discovered", all);
        assert_eq!(discovered.len(), 1);
        assert_eq!(discovered[0].status, Status::Skip);
    }

    #[test]
    fn discovered_targets_are_a_group_of_their_own_and_dns_failures_name_the_network() {
        let body = r#"{"status":"success","data":{"activeTargets":[
            {"scrapePool":"api","scrapeUrl":"http://api:8000/metrics","labels":{"job":"api","instance":"api:8000"},"health":"up","lastError":""},
            {"scrapePool":"discovered","scrapeUrl":"http://shop_worker_1:8000/metrics","labels":{"job":"worker","instance":"shop_worker_1:8000"},"health":"up","lastError":""},
            {"scrapePool":"backend","scrapeUrl":"http://backend:8000/metrics","labels":{"job":"backend","instance":"backend:8000"},"health":"down","lastError":"Get \"http://backend:8000/metrics\": dial tcp: lookup backend on 127.0.0.11:53: no such host"}
        ]}}"#;
        let mut networks = Networks {
            prometheus: vec!["mon-net".into()],
            ..Default::default()
        };
        networks.add("shop_backend_1", Some("backend"), &["shop_default".into()]);
        let all = checks(body.as_bytes(), "10s", &networks).unwrap();
        let discovered = of("discovered", all.clone());
        assert_eq!(discovered.len(), 1, "{discovered:?}");
        assert_eq!(discovered[0].detail, "1 of 1 discovered targets up");
        let declared = of("targets", all);
        assert_eq!(declared[0].detail, "1 of 2 targets up");
        assert_eq!(
            declared[1].hint.as_deref(),
            Some("`backend` resolves on network `shop_default`, which Prometheus is not on: add it to `networks:`")
        );
    }

    #[test]
    fn each_failing_target_is_classified() {
        let checks = of(
            "targets",
            checks(generate(10, 2).as_bytes(), "10s", &Networks::default()).unwrap(),
        );
        assert_eq!(checks[0].status, Status::Fail);
        assert_eq!(checks[0].detail, "8 of 10 targets up");
        let failing: Vec<_> = checks.iter().skip(1).collect();
        assert_eq!(failing.len(), 2);
        assert!(
            failing[0].detail.starts_with("down (refused):"),
            "{}",
            failing[0].detail
        );
        assert!(failing[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("nothing listens on svc-0:8000"));
    }

    #[test]
    fn a_scrape_close_to_its_timeout_is_a_warning() {
        let body = r#"{"status":"success","data":{"activeTargets":[{"scrapePool":"api","scrapeUrl":"http://api:8000/metrics","labels":{"job":"api","instance":"api:8000"},"health":"up","lastError":"","lastScrapeDuration":9.1,"scrapeTimeout":"10s"}]}}"#;
        let checks = checks(body.as_bytes(), "10s", &Networks::default()).unwrap();
        assert_eq!(checks[1].status, Status::Warn);
        assert!(checks[1].detail.contains("took 9.10s of its 10s timeout"));
    }

    #[test]
    fn the_metrics_path_reaches_the_hint() {
        let body = r#"{"status":"success","data":{"activeTargets":[{"scrapePool":"backend","scrapeUrl":"http://backend:9090/api/v1/metrics","labels":{"job":"backend","instance":"backend:9090"},"health":"down","lastError":"server returned HTTP status 404 Not Found","lastScrapeDuration":0.001}]}}"#;
        let checks = checks(body.as_bytes(), "10s", &Networks::default()).unwrap();
        assert!(checks[1]
            .hint
            .as_deref()
            .unwrap()
            .contains("backend:9090 has no `/api/v1/metrics`"));
    }
}
