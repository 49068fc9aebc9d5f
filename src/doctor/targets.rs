//! Scrape-target health from one `/api/v1/targets` answer: every failing
//! target classified, slow scrapes flagged, targets the spec expects but
//! Prometheus does not list named, healthy ones summed up; the spec's
//! targets (group `targets`) apart from those found by container labels
//! (group `discovered`). A young Prometheus (see [`Youth`]) is not blamed
//! for targets it has not discovered or scraped yet.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::check::{Check, Status};
use super::classify::{classify, Failure};
use super::dns::Networks;
use super::youth::Youth;
use crate::duration::parse_duration;
use crate::model::{Wiring, DISCOVERED_JOB, METRICS_PATH};

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
    discovered_labels: BTreeMap<String, String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    health: String,
    #[serde(default)]
    last_error: String,
    #[serde(default)]
    last_scrape_duration: f64,
    #[serde(default)]
    scrape_interval: Option<String>,
    #[serde(default)]
    scrape_timeout: Option<String>,
}

/// A scrape taking more than this share of its timeout is close to failing.
const SLOW_SHARE: f64 = 0.8;

/// What the targets are judged against.
#[derive(Debug, Clone, Default)]
pub struct Expectations<'a> {
    /// The global scrape timeout and interval, for Prometheus versions that
    /// do not report them per target.
    pub default_timeout: &'a str,
    pub default_interval: &'a str,
    /// Every target the spec makes Prometheus scrape.
    pub wiring: Wiring,
    pub youth: Youth,
    /// Where names that do not resolve live.
    pub networks: Networks,
}

/// The target checks, and how many targets were not scraped yet.
#[derive(Debug)]
pub struct TargetChecks {
    pub checks: Vec<Check>,
    pub unscraped: usize,
}

/// Turns the targets answer into checks: per group (the spec's targets,
/// then the discovered ones), one summary, then one per target that is
/// failing, slow, not scraped after its first intervals, or expected but
/// not listed.
pub fn checks(body: &[u8], expect: &Expectations) -> Result<TargetChecks, String> {
    let envelope: Envelope = serde_json::from_slice(body)
        .map_err(|e| format!("unexpected /api/v1/targets answer: {e}"))?;
    let (discovered, declared): (Vec<Target>, Vec<Target>) = envelope
        .data
        .active_targets
        .into_iter()
        .partition(|t| t.scrape_pool == DISCOVERED_JOB);
    let mut result = group("targets", &declared, expect);
    let missing = expect.wiring.missing_targets(declared.iter().map(|t| {
        let address = t
            .discovered_labels
            .get("__address__")
            .or(t.labels.get("instance"))
            .map(String::as_str)
            .unwrap_or_default();
        (t.scrape_pool.as_str(), address)
    }));
    for m in &missing {
        result.checks.push(if expect.youth.discovering() {
            Check::skip("targets", m.to_string(), format!("not discovered yet ({})", expect.youth.describe()))
        } else {
            Check::fail("targets", m.to_string(), "the spec has Prometheus scrape it, but Prometheus does not list it")
                .hint("Prometheus runs another configuration than the rendered one: `obsctl up` reloads it; a failed reload is reported under `prometheus`")
        });
    }
    if declared.is_empty() {
        result.checks.insert(
            0,
            if expect.youth.discovering() {
                Check::skip(
                    "targets",
                    "scrape targets",
                    format!("none listed yet ({})", expect.youth.describe()),
                )
            } else {
                Check::fail(
                    "targets",
                    "scrape targets",
                    "Prometheus has no active targets",
                )
                .hint("check `scrape:` in the spec and that the rendered prometheus.yml is loaded")
            },
        );
    } else {
        let summary = &mut result.checks[0];
        if !missing.is_empty() {
            if !expect.youth.discovering() {
                summary.status = Status::Fail;
            }
            summary
                .detail
                .push_str(&format!(", {} expected but not listed", missing.len()));
        }
    }
    if discovered.is_empty() {
        result.checks.push(Check::skip(
            "discovered",
            "discovered targets",
            "no container on Prometheus' networks carries prometheus.io/scrape: \"true\"",
        ));
    } else {
        let found = group("discovered", &discovered, expect);
        result.checks.extend(found.checks);
        result.unscraped += found.unscraped;
    }
    Ok(result)
}

/// The checks of one group of targets, led by a summary as bad as the
/// worst target (one not judged yet does not make it worse); none for an
/// empty group.
fn group(group: &'static str, targets: &[Target], expect: &Expectations) -> TargetChecks {
    let mut out = Vec::new();
    let mut up = 0;
    let mut unscraped = 0;
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
                let timeout = t
                    .scrape_timeout
                    .as_deref()
                    .unwrap_or(expect.default_timeout);
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
                let mut d = classify(&t.last_error, &job, &instance, &path);
                if d.failure == Failure::Dns {
                    let host = instance
                        .rsplit_once(':')
                        .map_or(instance.as_str(), |(h, _)| h);
                    if let Some(hint) = expect.networks.hint(host) {
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
            _ => {
                unscraped += 1;
                let interval = t
                    .scrape_interval
                    .as_deref()
                    .unwrap_or(expect.default_interval);
                let young = parse_duration(interval).is_ok_and(|i| expect.youth.within(i));
                out.push(if young {
                    Check::skip(group, name, "not scraped yet")
                } else {
                    Check::warn(group, name, format!("not scraped yet, although {}", expect.youth.describe()))
                        .hint("Prometheus cannot schedule the scrape: look at its log (`docker logs` of the Prometheus container)")
                });
            }
        }
    }
    if !targets.is_empty() {
        let status = out
            .iter()
            .map(|c| c.status)
            .filter(|s| *s >= Status::Warn)
            .max()
            .unwrap_or(Status::Ok);
        let what = if group == "discovered" {
            "discovered targets"
        } else {
            "targets"
        };
        let mut detail = format!("{up} of {} {what} up", targets.len());
        if unscraped > 0 {
            detail.push_str(&format!(", {unscraped} not scraped yet"));
        }
        out.insert(
            0,
            Check::new(group, format!("scrape {what}"), status, detail),
        );
    }
    TargetChecks {
        checks: out,
        unscraped,
    }
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
    use crate::model::ExpectedTarget;
    use std::time::Duration;

    fn expect(wiring: Wiring, age: Option<u64>) -> Expectations<'static> {
        Expectations {
            default_timeout: "10s",
            default_interval: "15s",
            wiring,
            youth: Youth {
                config_age: age.map(Duration::from_secs),
            },
            networks: Networks::default(),
        }
    }

    /// The `targets` checks of a Prometheus of unknown age expecting nothing.
    fn plain(body: &[u8]) -> Vec<Check> {
        of(
            "targets",
            checks(body, &expect(Wiring::default(), None))
                .unwrap()
                .checks,
        )
    }

    const UNSCRAPED: &str = r#"{"status":"success","data":{"activeTargets":[
        {"scrapePool":"prometheus","scrapeUrl":"http://shop-prometheus:9090/metrics","discoveredLabels":{"__address__":"shop-prometheus:9090"},"labels":{"job":"prometheus","instance":"shop-prometheus:9090"},"health":"up","lastError":"","lastScrapeDuration":0.01,"scrapeInterval":"15s","scrapeTimeout":"10s"},
        {"scrapePool":"api","scrapeUrl":"http://api:8000/metrics","discoveredLabels":{"__address__":"api:8000"},"labels":{"job":"api","instance":"api:8000"},"health":"unknown","lastError":"","lastScrapeDuration":0,"scrapeInterval":"15s","scrapeTimeout":"10s"}
    ]}}"#;

    fn expected(pairs: &[(&str, &str)]) -> Wiring {
        Wiring {
            targets: pairs
                .iter()
                .map(|(job, address)| ExpectedTarget {
                    job: job.to_string(),
                    address: address.to_string(),
                })
                .collect(),
            alertmanager: None,
        }
    }

    /// The checks of one group.
    fn of(group: &str, checks: Vec<Check>) -> Vec<Check> {
        checks.into_iter().filter(|c| c.group == group).collect()
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
        let mut e = expect(Wiring::default(), None);
        e.networks = networks;
        let all = checks(body.as_bytes(), &e).unwrap().checks;
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
    fn without_labelled_containers_the_discovered_group_is_skipped() {
        let all = checks(UNSCRAPED.as_bytes(), &expect(Wiring::default(), None))
            .unwrap()
            .checks;
        let discovered = of("discovered", all);
        assert_eq!(discovered.len(), 1);
        assert_eq!(discovered[0].status, Status::Skip);
    }

    #[test]
    fn a_target_not_scraped_in_its_first_intervals_is_not_a_fault() {
        let wiring = expected(&[("prometheus", "shop-prometheus:9090"), ("api", "api:8000")]);
        let young = checks(UNSCRAPED.as_bytes(), &expect(wiring.clone(), Some(3))).unwrap();
        assert_eq!(young.unscraped, 1);
        assert_eq!(young.checks[0].status, Status::Ok, "{:?}", young.checks);
        assert_eq!(
            young.checks[0].detail,
            "1 of 2 targets up, 1 not scraped yet"
        );
        assert_eq!(young.checks[1].status, Status::Skip);
        assert_eq!(young.checks[1].detail, "not scraped yet");
        // 15s grace + 2 x 15s later it should have been scraped.
        let old = checks(UNSCRAPED.as_bytes(), &expect(wiring, Some(46))).unwrap();
        assert_eq!(old.checks[1].status, Status::Warn, "{:?}", old.checks);
        assert!(old.checks[1]
            .detail
            .contains("loaded its configuration 46s ago"));
    }

    #[test]
    fn an_expected_target_missing_after_discovery_fails() {
        let wiring = expected(&[
            ("prometheus", "shop-prometheus:9090"),
            ("api", "api:8000"),
            ("worker", "worker:9808"),
        ]);
        let young = checks(UNSCRAPED.as_bytes(), &expect(wiring.clone(), Some(4))).unwrap();
        let worker = young
            .checks
            .iter()
            .find(|c| c.name == "worker worker:9808")
            .unwrap();
        assert_eq!(worker.status, Status::Skip);
        assert!(
            worker.detail.starts_with("not discovered yet"),
            "{worker:?}"
        );
        assert_eq!(young.checks[0].status, Status::Ok);
        let old = checks(UNSCRAPED.as_bytes(), &expect(wiring, Some(60))).unwrap();
        let worker = old
            .checks
            .iter()
            .find(|c| c.name == "worker worker:9808")
            .unwrap();
        assert_eq!(worker.status, Status::Fail, "{worker:?}");
        assert_eq!(old.checks[0].status, Status::Fail);
        assert!(
            old.checks[0].detail.ends_with("1 expected but not listed"),
            "{}",
            old.checks[0].detail
        );
    }

    #[test]
    fn no_targets_at_all_fail_only_once_discovery_had_its_time() {
        let empty = br#"{"status":"success","data":{"activeTargets":[]}}"#;
        let wiring = expected(&[("prometheus", "shop-prometheus:9090")]);
        let young = checks(empty, &expect(wiring.clone(), Some(2)))
            .unwrap()
            .checks;
        assert!(young.iter().all(|c| c.status == Status::Skip), "{young:?}");
        let old = checks(empty, &expect(wiring, Some(20))).unwrap().checks;
        assert_eq!(old[0].status, Status::Fail);
        assert_eq!(old[0].detail, "Prometheus has no active targets");
        // An unknown age excuses nothing.
        assert_eq!(plain(empty)[0].status, Status::Fail);
    }

    #[test]
    fn all_up_is_one_ok_line() {
        let checks = plain(generate(1000, 0).as_bytes());
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].status, Status::Ok);
        assert_eq!(checks[0].detail, "1000 of 1000 targets up");
    }

    #[test]
    fn each_failing_target_is_classified() {
        let checks = plain(generate(10, 2).as_bytes());
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
        let checks = plain(body.as_bytes());
        assert_eq!(checks[1].status, Status::Warn);
        assert!(checks[1].detail.contains("took 9.10s of its 10s timeout"));
    }

    #[test]
    fn the_metrics_path_reaches_the_hint() {
        let body = r#"{"status":"success","data":{"activeTargets":[{"scrapePool":"backend","scrapeUrl":"http://backend:9090/api/v1/metrics","labels":{"job":"backend","instance":"backend:9090"},"health":"down","lastError":"server returned HTTP status 404 Not Found","lastScrapeDuration":0.001}]}}"#;
        let checks = plain(body.as_bytes());
        assert!(checks[1]
            .hint
            .as_deref()
            .unwrap()
            .contains("backend:9090 has no `/api/v1/metrics`"));
    }
}
