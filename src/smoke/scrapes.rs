//! Waiting, under a deadline, until Prometheus has scraped every target at
//! least once, so the doctor checks that follow see real target health.

use std::time::{Duration, Instant};

use crate::doctor::check::Check;
use crate::model::Model;
use crate::probes::{get_json, probe_host, Http};
use crate::timeouts;

/// Ok once no active target is `unknown`; a failed check after `limit`.
pub async fn first_scrapes(model: &Model, limit: Duration) -> Check {
    let Some(p) = &model.prometheus else {
        return Check::skip("smoke", "first scrape", "prometheus is disabled");
    };
    let url = format!(
        "http://{}:{}/api/v1/targets?state=active",
        probe_host(model.bind),
        p.port
    );
    let http = Http::new();
    let started = Instant::now();
    loop {
        if let Ok(body) = get_json(&http, &url).await {
            let targets = body
                .pointer("/data/activeTargets")
                .and_then(|t| t.as_array())
                .cloned()
                .unwrap_or_default();
            if !targets.is_empty() && targets.iter().all(|t| t["health"] != "unknown") {
                return Check::ok(
                    "smoke",
                    "first scrape",
                    format!(
                        "all {} targets scraped ({:.1}s)",
                        targets.len(),
                        started.elapsed().as_secs_f64()
                    ),
                );
            }
        }
        if started.elapsed() > limit {
            return Check::fail(
                "smoke",
                "first scrape",
                format!("not every target was scraped within {}s", limit.as_secs()),
            )
            .hint("a scrape interval longer than the deadline? raise --timeout");
        }
        tokio::time::sleep(timeouts::SCRAPE_POLL).await;
    }
}
