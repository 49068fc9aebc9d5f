//! Remote-write health of a sender, judged from Prometheus' own `/metrics`
//! (an agent has no query API, so the page is read directly): for each queue,
//! samples the receiver refused (`samples_failed_total`, non-recoverable:
//! a 4xx), sends being retried (`samples_retried_total`: unreachable or 5xx),
//! samples dropped before sending (`samples_dropped_total`), what is pending,
//! and how far the last successful send lags behind the newest sample
//! (`highest_timestamp_in_seconds` minus `queue_highest_sent_timestamp_seconds`).

use std::collections::BTreeMap;
use std::time::Duration;

use super::check::{Check, Status};
use crate::duration::parse_duration;
use crate::exposition::{parse, Sample};
use crate::model::Prometheus;

const GROUP: &str = "remote_write";
const PREFIX: &str = "prometheus_remote_storage_";

/// Dropped on purpose by `write_relabel_configs`, not a fault.
const RELABELLED: &str = "dropped_series";

const HINT_UNREACHABLE: &str = "the receiver is down, unreachable or answers 5xx: check the URL's host and port from the Prometheus container (a receiver on this machine is `host.docker.internal:PORT`, published on an address other than 127.0.0.1) and that the receiver runs; the Prometheus log shows each failed send";
const HINT_REFUSED: &str = "the receiver answers 4xx: check the URL's path (`/api/v1/write` for Prometheus and VictoriaMetrics, `/api/v1/push` for Mimir, `/api/v1/receive` for Thanos), the credentials (`basic_auth`, `bearer_token`), and on a receiving obsctl stack `prometheus.remote_write_receiver: true`; the Prometheus log names the status";
const HINT_DROPPED: &str = "samples older than `queue.sample_age_limit` are dropped: the receiver was unreachable for longer than that";

/// How far behind the newest sample a queue's last send may be: a sender
/// scrapes, then sends within the queue's batch_send_deadline, so twice the
/// scrape interval (at least 15s) plus the longest deadline is normal.
pub fn lag_limit(prom: &Prometheus) -> Duration {
    let scrape = parse_duration(&prom.scrape_interval)
        .unwrap_or_default()
        .max(Duration::from_secs(15));
    let deadline = prom
        .remote_write
        .iter()
        .filter_map(|r| r.queue.batch_send_deadline.as_deref())
        .filter_map(|d| parse_duration(d).ok())
        .max()
        .unwrap_or_default()
        .max(DEFAULT_BATCH_SEND_DEADLINE);
    scrape * 2 + deadline
}

/// Prometheus' default `queue_config.batch_send_deadline`.
const DEFAULT_BATCH_SEND_DEADLINE: Duration = Duration::from_secs(5);

/// One queue's figures.
#[derive(Debug, Default, Clone, PartialEq)]
struct Queue {
    url: String,
    sent: f64,
    failed: f64,
    retried: f64,
    pending: f64,
    dropped: BTreeMap<String, f64>,
    highest_sent: f64,
    shards: f64,
    shards_max: f64,
}

/// One check per remote-write queue on the `/metrics` page `text`. A queue is
/// behind when its last successful send is more than `lag_limit` older than
/// the newest sample.
pub fn checks(text: &str, lag_limit: Duration) -> Vec<Check> {
    let samples = parse(text);
    let highest_in = samples
        .iter()
        .find(|s| s.name == format!("{PREFIX}highest_timestamp_in_seconds"))
        .map_or(0.0, |s| s.value);
    let queues = queues(&samples);
    if queues.is_empty() {
        return vec![Check::fail(
            GROUP,
            "queues",
            "Prometheus runs no remote-write queue although the spec has `remote_write`",
        )
        .hint(
            "run `obsctl up` to apply the configuration; `obsctl validate` shows problems in it",
        )];
    }
    queues
        .into_iter()
        .map(|(name, q)| judge(&name, &q, highest_in, lag_limit))
        .collect()
}

fn queues(samples: &[Sample]) -> BTreeMap<String, Queue> {
    let mut out: BTreeMap<String, Queue> = BTreeMap::new();
    for s in samples {
        let Some(metric) = s.name.strip_prefix(PREFIX) else {
            continue;
        };
        let Some(name) = s.labels.get("remote_name") else {
            continue;
        };
        let q = out.entry(name.clone()).or_default();
        if let Some(url) = s.labels.get("url") {
            q.url.clone_from(url);
        }
        match metric {
            "samples_total" => q.sent = s.value,
            "samples_failed_total" => q.failed = s.value,
            "samples_retried_total" => q.retried = s.value,
            "samples_pending" => q.pending = s.value,
            "queue_highest_sent_timestamp_seconds" => q.highest_sent = s.value,
            "shards" => q.shards = s.value,
            "shards_max" => q.shards_max = s.value,
            "samples_dropped_total" => {
                let reason = s.labels.get("reason").cloned().unwrap_or_default();
                *q.dropped.entry(reason).or_default() += s.value;
            }
            _ => {}
        }
    }
    out
}

fn judge(name: &str, q: &Queue, highest_in: f64, lag_limit: Duration) -> Check {
    let check_name = format!("{name} ({})", q.url);
    let mut status = Status::Ok;
    let mut found = Vec::new();
    let mut hint = None;
    let mut worse = |s: Status, what: String, h: &str, found: &mut Vec<String>| {
        if s > status {
            status = s;
            hint = Some(h.to_string());
        }
        found.push(what);
    };
    if q.highest_sent == 0.0 {
        if q.retried > 0.0 {
            worse(
                Status::Fail,
                format!("nothing delivered yet: every send failed and is retried ({} samples pending, {} retries)", n(q.pending), n(q.retried)),
                HINT_UNREACHABLE,
                &mut found,
            );
        } else if q.failed == 0.0 {
            worse(
                Status::Warn,
                format!("nothing sent yet ({} samples pending)", n(q.pending)),
                "a queue sends within its batch_send_deadline (5s by default): run doctor again in a few seconds",
                &mut found,
            );
        }
    }
    if q.failed > 0.0 {
        let most = q.failed * 2.0 >= q.sent;
        worse(
            if most { Status::Fail } else { Status::Warn },
            format!(
                "the receiver refused {} of {} samples sent",
                n(q.failed),
                n(q.sent)
            ),
            HINT_REFUSED,
            &mut found,
        );
    }
    let lag = highest_in - q.highest_sent;
    if q.highest_sent > 0.0 && lag > lag_limit.as_secs_f64() {
        worse(
            Status::Fail,
            format!(
                "{lag:.0}s behind the newest sample ({} samples pending, {} retries)",
                n(q.pending),
                n(q.retried)
            ),
            if q.shards >= q.shards_max && q.shards_max > 0.0 {
                "every shard is busy: the receiver is too slow or the queue too small; raise `queue.max_shards`, or check the receiver's load"
            } else {
                HINT_UNREACHABLE
            },
            &mut found,
        );
    }
    let dropped: Vec<String> = q
        .dropped
        .iter()
        .filter(|(reason, v)| reason.as_str() != RELABELLED && **v > 0.0)
        .map(|(reason, v)| format!("{} {reason}", n(*v)))
        .collect();
    if !dropped.is_empty() {
        worse(
            Status::Warn,
            format!("samples dropped before sending: {}", dropped.join(", ")),
            HINT_DROPPED,
            &mut found,
        );
    }
    if status == Status::Ok {
        found.push(format!(
            "delivering: {} samples sent, last send {:.0}s behind the newest sample, {} of at most {} shards",
            n(q.sent),
            lag.max(0.0),
            n(q.shards),
            n(q.shards_max)
        ));
    }
    let check = Check::new(GROUP, check_name, status, found.join("; "));
    match hint {
        Some(h) if status != Status::Ok => check.hint(h),
        _ => check,
    }
}

/// A count as shown to users (`12345`).
fn n(v: f64) -> String {
    format!("{v:.0}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Duration = Duration::from_secs(35);

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/remote-write/{name}.txt",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn one(name: &str) -> Check {
        let checks = checks(&fixture(name), LIMIT);
        assert_eq!(checks.len(), 1, "{checks:?}");
        checks.into_iter().next().unwrap()
    }

    #[test]
    fn a_queue_that_delivers_is_ok_with_its_figures() {
        let c = one("healthy");
        assert_eq!(c.status, Status::Ok, "{c:?}");
        assert_eq!(c.name, "central (http://127.0.0.1:19998/api/v1/write)");
        assert!(
            c.detail
                .starts_with("delivering: 3502 samples sent, last send 4s behind"),
            "{}",
            c.detail
        );
        assert!(c.detail.ends_with("1 of at most 50 shards"), "{}", c.detail);
    }

    #[test]
    fn a_receiver_that_went_away_shows_as_lag_with_pending_samples() {
        let c = one("receiver-down");
        assert_eq!(c.status, Status::Fail, "{c:?}");
        assert!(
            c.detail
                .starts_with("44s behind the newest sample (9724 samples pending, 12376 retries)"),
            "{}",
            c.detail
        );
        assert!(c.hint.as_deref().unwrap().contains("host.docker.internal"));
    }

    #[test]
    fn a_receiver_never_reached_fails_at_once() {
        let c = one("refused-too-old");
        assert_eq!(c.status, Status::Fail, "{c:?}");
        assert!(
            c.detail
                .starts_with("nothing delivered yet: every send failed and is retried"),
            "{}",
            c.detail
        );
        assert!(
            c.detail
                .contains("samples dropped before sending: 4028 too_old"),
            "{}",
            c.detail
        );
        assert!(c.hint.as_deref().unwrap().contains("unreachable"));
    }

    #[test]
    fn a_refusing_receiver_fails_with_the_4xx_hint() {
        let c = one("404");
        assert_eq!(c.status, Status::Fail, "{c:?}");
        assert_eq!(c.detail, "the receiver refused 4852 of 4852 samples sent");
        assert!(c
            .hint
            .as_deref()
            .unwrap()
            .contains("remote_write_receiver: true"));
    }

    #[test]
    fn few_refusals_warn_and_relabelled_drops_are_not_faults() {
        let text = r#"prometheus_remote_storage_highest_timestamp_in_seconds 1000
prometheus_remote_storage_queue_highest_sent_timestamp_seconds{remote_name="a",url="http://r/w"} 998
prometheus_remote_storage_samples_total{remote_name="a",url="http://r/w"} 1000
prometheus_remote_storage_samples_failed_total{remote_name="a",url="http://r/w"} 3
prometheus_remote_storage_samples_dropped_total{reason="dropped_series",remote_name="a",url="http://r/w"} 50
"#;
        let c = &checks(text, LIMIT)[0];
        assert_eq!(c.status, Status::Warn);
        assert_eq!(c.detail, "the receiver refused 3 of 1000 samples sent");
    }

    #[test]
    fn a_sender_without_queues_fails() {
        let c = &checks(
            "prometheus_remote_storage_highest_timestamp_in_seconds 0\n",
            LIMIT,
        )[0];
        assert_eq!(c.status, Status::Fail);
    }
}
