//! `watch` as a library call: keep the label-discovered targets current
//! while it runs, following Docker's events. Events come in bursts (a
//! Compose project starting sends dozens), so a pass runs once they have
//! settled for a moment. When the event stream breaks (the engine
//! restarted), it subscribes again after a growing delay and looks again,
//! since events may have been missed. It ends cleanly when `shutdown`
//! completes (the caller's Ctrl-C or SIGTERM).

use std::future::Future;
use std::path::Path;
use std::pin::pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;
use tokio::time::{sleep, sleep_until, Instant};

use super::discovery::{refresh, Refresh};
use super::docker::Engine;
use crate::discovery::{file_sd, Scope, Target};
use crate::error::Error;
use crate::timeouts::{WATCH_RECONNECT_FIRST, WATCH_RECONNECT_LONGEST, WATCH_SETTLE};

/// What happened, for the caller to tell.
#[derive(Debug, Clone)]
pub enum WatchEvent {
    /// A pass ran: what it found, and how the targets changed.
    Refreshed {
        refresh: Refresh,
        added: Vec<Target>,
        removed: Vec<Target>,
    },
    /// The event stream broke; it is tried again after `retry_in`.
    Lost { reason: String, retry_in: Duration },
    /// Following the events again after a break.
    Following,
}

/// Runs until `shutdown` completes; `tell` hears of every pass and of every
/// break in the event stream. Fails only when the targets cannot be written.
pub async fn watch(
    engine: &Engine,
    scope: &Scope,
    dir: &Path,
    shutdown: impl Future<Output = ()>,
    mut tell: impl FnMut(WatchEvent),
) -> Result<(), Error> {
    let mut shutdown = pin!(shutdown);
    let mut watcher = Watcher {
        engine,
        scope,
        dir,
        known: file_sd::read(dir),
        lost: false,
    };
    let mut delay = WATCH_RECONNECT_FIRST;
    loop {
        let broken = tokio::select! {
            _ = &mut shutdown => return Ok(()),
            broken = watcher.session(&mut tell) => broken?,
        };
        if broken.worked {
            delay = WATCH_RECONNECT_FIRST;
        }
        tell(WatchEvent::Lost {
            reason: broken.reason,
            retry_in: delay,
        });
        watcher.lost = true;
        tokio::select! {
            _ = &mut shutdown => return Ok(()),
            _ = sleep(delay) => {}
        }
        delay = (delay * 2).min(WATCH_RECONNECT_LONGEST);
    }
}

/// Why a session ended.
struct Broken {
    reason: String,
    /// True when it looked at least once before breaking.
    worked: bool,
}

struct Watcher<'a> {
    engine: &'a Engine,
    scope: &'a Scope,
    dir: &'a Path,
    /// The targets Prometheus was last handed.
    known: Vec<Target>,
    /// True after a break, until the events are followed again.
    lost: bool,
}

impl Watcher<'_> {
    /// Subscribes, looks, then looks again after every burst of events until
    /// the stream breaks.
    async fn session(&mut self, tell: &mut impl FnMut(WatchEvent)) -> Result<Broken, Error> {
        // Events from this second on are delivered even if the subscription
        // is made after the first look, so nothing falls in between.
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let mut events = pin!(self.engine.discovery_events(since));
        let mut worked = false;
        loop {
            match refresh(self.engine, self.scope, self.dir).await {
                Ok(found) => {
                    if std::mem::take(&mut self.lost) {
                        tell(WatchEvent::Following);
                    }
                    worked = true;
                    self.report(found, tell);
                }
                Err(e @ Error::Io { .. }) => return Err(e),
                Err(e) => {
                    return Ok(Broken {
                        reason: e.to_string(),
                        worked,
                    })
                }
            }
            // Wait for an event, then until none came for a moment.
            let mut settled: Option<Instant> = None;
            loop {
                let quiet = async {
                    match settled {
                        Some(at) => sleep_until(at).await,
                        None => std::future::pending::<()>().await,
                    }
                };
                tokio::select! {
                    event = events.next() => match event {
                        Some(Ok(_)) => settled = Some(Instant::now() + WATCH_SETTLE),
                        Some(Err(e)) => return Ok(Broken { reason: e.to_string(), worked }),
                        None => return Ok(Broken { reason: "the engine closed the event stream".into(), worked }),
                    },
                    _ = quiet => break,
                }
            }
        }
    }

    fn report(&mut self, found: Refresh, tell: &mut impl FnMut(WatchEvent)) {
        let added = minus(&found.discovery.targets, &self.known);
        let removed = minus(&self.known, &found.discovery.targets);
        self.known = found.discovery.targets.clone();
        tell(WatchEvent::Refreshed {
            refresh: found,
            added,
            removed,
        });
    }
}

/// The targets of `a` that are not in `b`.
fn minus(a: &[Target], b: &[Target]) -> Vec<Target> {
    a.iter().filter(|t| !b.contains(t)).cloned().collect()
}
