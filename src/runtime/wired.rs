//! Ready means wired: once every container is ready, `up` waits (under the
//! same deadline) until Prometheus lists every expected target and the
//! Alertmanager, so the stack it reports as up is one Prometheus already
//! watches. Prometheus applies discovered targets in batches every few
//! seconds, so a fresh or reloaded configuration takes that long to show.
//! When nothing is missing the first look (two requests) ends the wait.

use std::time::{Duration, Instant};

use crate::error::Error;
use crate::model::{Missing, Wiring};
use crate::printer::Progress;
use crate::probes::{prometheus, Http, ProbeError};
use crate::timeouts;

/// Waits until the Prometheus at `base` lists everything in `wiring`, or
/// `deadline` passes; returns how long it took.
pub async fn until_wired(
    http: &Http,
    base: &str,
    wiring: &Wiring,
    deadline: Instant,
    progress: &Progress,
) -> Result<Duration, Error> {
    let started = Instant::now();
    let mut last = look(http, base, wiring).await;
    if last.as_ref().is_ok_and(Missing::is_empty) {
        return Ok(started.elapsed());
    }
    let spinner =
        progress.spinner("waiting for Prometheus to list its targets and Alertmanager".into());
    let mut delay = timeouts::WIRED_POLL_FIRST;
    let result = loop {
        let now = Instant::now();
        if now >= deadline {
            break Err(Error::NotWired {
                waited_secs: started.elapsed().as_secs(),
                missing: match &last {
                    Ok(missing) => missing.describe(),
                    Err(e) => format!("its targets (its API did not answer: {e})"),
                },
            });
        }
        tokio::time::sleep(delay.min(deadline - now)).await;
        delay = (delay * 2).min(timeouts::WIRED_POLL_LONGEST);
        last = look(http, base, wiring).await;
        if last.as_ref().is_ok_and(Missing::is_empty) {
            break Ok(started.elapsed());
        }
    };
    spinner.finish_and_clear();
    if let Ok(took) = &result {
        progress.say(format!(
            "Prometheus lists every target{} ({:.1}s)",
            if wiring.alertmanager.is_some() {
                " and the Alertmanager"
            } else {
                ""
            },
            took.as_secs_f64()
        ));
    }
    result
}

/// One look: the targets and the Alertmanagers, asked at once.
async fn look(http: &Http, base: &str, wiring: &Wiring) -> Result<Missing, ProbeError> {
    let alertmanagers = async {
        match wiring.alertmanager {
            Some(_) => prometheus::alertmanagers(http, base).await,
            None => Ok(Vec::new()),
        }
    };
    let (targets, alertmanagers) =
        tokio::join!(prometheus::active_targets(http, base), alertmanagers);
    let targets = targets?;
    Ok(wiring.missing(
        targets
            .iter()
            .map(|t| (t.pool.as_str(), t.address.as_str())),
        &alertmanagers?,
    ))
}
