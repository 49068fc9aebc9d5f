//! Readiness: each started service's condition (an HTTP endpoint answering
//! 200 through the published port, or the container running) polled under one
//! deadline. Polling backs off (see [`crate::timeouts`]); nothing waits a
//! fixed time.

use std::time::{Duration, Instant};

use super::docker::{Engine, StateFacts};
use super::services::{Container, Readiness};
use crate::error::{Error, NotReady};
use crate::printer::Progress;
use crate::probes::Http;
use crate::timeouts;

/// Lines of a container's log shown when it does not become ready.
pub const LOG_LINES: usize = 20;

/// Waits until `service` is ready or `deadline` passes; returns how long it took.
pub async fn until_ready(
    engine: &Engine,
    http: &Http,
    service: &Container,
    deadline: Instant,
    progress: &Progress,
) -> Result<Duration, Error> {
    let started = Instant::now();
    let name = &service.def.name;
    let what = match &service.ready {
        Readiness::Http { url } => format!("waiting for {} ({url})", service.name()),
        Readiness::Running => format!("waiting for {} to run", service.name()),
    };
    let spinner = progress.spinner(what);
    let mut delay = timeouts::READY_POLL_FIRST;
    let result = loop {
        let last = match &service.ready {
            Readiness::Http { url } => {
                let remaining = deadline.saturating_duration_since(Instant::now());
                let check = http
                    .check(
                        url,
                        remaining.clamp(
                            timeouts::READY_REQUEST_SHORTEST,
                            timeouts::READY_REQUEST_LONGEST,
                        ),
                    )
                    .await;
                if check.is_up() {
                    break Ok(started.elapsed());
                }
                format!("{url}: {}", check.describe())
            }
            Readiness::Running => String::new(),
        };
        // The container's state tells a crash apart from a slow start, so a
        // crash fails at once instead of at the deadline.
        let state = engine.state(name).await?;
        let running = state.status == "running" && !state.restarting;
        if running && service.ready == Readiness::Running {
            break Ok(started.elapsed());
        }
        if !running && state.status != "created" {
            let description = match state.exit_code {
                Some(code) if state.restarting => {
                    format!("exit code {code}; Docker keeps restarting it")
                }
                Some(code) if state.status == "exited" => format!("exit code {code}"),
                _ => state.status.clone(),
            };
            break Err(Error::ServiceNotReady {
                service: service.service,
                container: name.clone(),
                why: NotReady::Stopped { state: description },
                logs: logs(engine, name, &state).await,
            });
        }
        let now = Instant::now();
        if now >= deadline {
            break Err(Error::ServiceNotReady {
                service: service.service,
                container: name.clone(),
                why: NotReady::Timeout {
                    waited_secs: started.elapsed().as_secs(),
                    last: if last.is_empty() {
                        state.status.clone()
                    } else {
                        last
                    },
                },
                logs: logs(engine, name, &state).await,
            });
        }
        tokio::time::sleep(delay.min(deadline - now)).await;
        delay = (delay * 2).min(timeouts::READY_POLL_LONGEST);
    };
    spinner.finish_and_clear();
    if let Ok(took) = &result {
        // A service with no endpoint to probe is only known to run.
        let is = match service.ready {
            Readiness::Http { .. } => "is ready",
            Readiness::Running => "is running",
        };
        progress.say(format!(
            "{} {is} ({:.1}s)",
            service.name(),
            took.as_secs_f64()
        ));
    }
    result
}

/// The end of the log of the container's last run (it may have restarted).
async fn logs(engine: &Engine, name: &str, run: &StateFacts) -> Vec<String> {
    engine
        .log_tail(name, LOG_LINES, Some(run))
        .await
        .unwrap_or_else(|e| vec![format!("(the log could not be read: {e})")])
}
