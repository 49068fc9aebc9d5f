//! Every deadline, timeout and poll interval obsctl uses, in one place, with
//! why it is what it is. Waiting is always polling under a deadline; nothing
//! sleeps a fixed time.

use std::time::Duration;

/// `up`'s and `smoke`'s default `--timeout`: how long all services together
/// may take to become ready and Prometheus to list its targets and
/// Alertmanager (and, for smoke, to be scraped once).
pub const READY_DEFAULT: &str = "120s";

/// `up`, `down` and `smoke`: how long a run waits for the lock of its stack
/// when another run holds it (`--wait-lock`). An `up` from nothing takes
/// seconds with local images, but a first pull or a slow service can take
/// minutes, and `smoke` holds the lock for its whole run; past this bound
/// the other run is more likely stuck than slow.
pub const LOCK_WAIT_DEFAULT_SECS: u64 = 300;
/// How often a waiting run tries the lock again.
pub const LOCK_POLL: Duration = Duration::from_millis(100);
/// A holder records itself just after it takes a lock; a run that finds the
/// record empty or half-written reads it again this many times, this far
/// apart, before naming the holder "another process".
pub const LOCK_HOLDER_READS: u32 = 5;
pub const LOCK_HOLDER_REREAD: Duration = Duration::from_millis(20);

/// Connecting to the Docker engine and negotiating the API version.
pub const DOCKER_CONNECT: Duration = Duration::from_secs(10);
/// Seconds a container gets to stop after SIGTERM before it is killed.
pub const STOP_GRACE_SECS: i32 = 10;

/// How long Prometheus tries to flush a remote-write queue it stops, on a
/// reload that changes the queue and on shutdown (its default is 1m, and a
/// reload waits for it: with the receiver unreachable, `POST /-/reload`
/// answered after 2 minutes). Under [`HTTP_REQUEST`] and [`STOP_GRACE_SECS`],
/// so reloads are confirmed and shutdowns are clean.
pub const REMOTE_WRITE_FLUSH: &str = "5s";

/// The shared HTTP client: establishing a connection, and a whole request.
/// Probes talk to this machine, so a connection that takes longer is not
/// coming.
pub const HTTP_CONNECT: Duration = Duration::from_secs(2);
pub const HTTP_REQUEST: Duration = Duration::from_secs(10);

/// Readiness polling backs off from the first interval to the longest, and
/// each readiness request gets the remaining time, clamped to these bounds.
pub const READY_POLL_FIRST: Duration = Duration::from_millis(50);
pub const READY_POLL_LONGEST: Duration = Duration::from_millis(250);
pub const READY_REQUEST_SHORTEST: Duration = Duration::from_millis(100);
pub const READY_REQUEST_LONGEST: Duration = Duration::from_secs(2);
/// Once ready, `up` polls Prometheus until it lists every target and the
/// Alertmanager; Prometheus applies discovered targets in batches every 5s.
pub const WIRED_POLL_FIRST: Duration = Duration::from_millis(100);
pub const WIRED_POLL_LONGEST: Duration = Duration::from_millis(500);
/// How long after loading its configuration a Prometheus counts as young for
/// `doctor`: its discovery and scrape managers apply updates every 5s, so a
/// target or Alertmanager it does not list yet is not missing before then.
/// A target is not yet scraped, rather than never, until this plus two of
/// its scrape intervals have passed.
pub const DISCOVERY_GRACE: Duration = Duration::from_secs(15);
/// `up`'s one look at a service it did not have to wait for.
pub const QUICK_HEALTH: Duration = Duration::from_secs(1);
/// `status`'s readiness request per service.
pub const STATUS_HEALTH: Duration = Duration::from_secs(2);

/// `init`'s look at a service it is told to scrape: one GET each, all at once.
pub const INIT_PROBE: Duration = Duration::from_secs(2);

/// `doctor`: one readiness request, and everything one service's checks may take.
pub const DOCTOR_READY: Duration = Duration::from_secs(3);
pub const DOCTOR_SERVICE: Duration = Duration::from_secs(10);
/// `doctor`: the time a probe is given when doctor runs it on the blackbox
/// exporter to read why it fails (all probes run at once, well within
/// [`DOCTOR_SERVICE`]).
pub const DOCTOR_PROBE: Duration = Duration::from_secs(5);

/// `smoke`: polling for the first scrapes; how long Alertmanager may take to
/// list the synthetic alert, and its poll; how long a webhook notification
/// may take to arrive (the route's `group_wait` comes first).
pub const SCRAPE_POLL: Duration = Duration::from_millis(250);
pub const ALERT_LISTED: Duration = Duration::from_secs(30);
pub const ALERT_POLL: Duration = Duration::from_millis(200);
pub const WEBHOOK_DELIVERY: Duration = Duration::from_secs(60);

/// Grafana API answers 5xx/429 are retried this often, the delay doubling
/// from the first: Grafana answers 503 while its database is locked.
pub const GRAFANA_RETRIES: u32 = 3;
pub const GRAFANA_RETRY_FIRST: Duration = Duration::from_millis(200);

/// `watch`: how long Docker's events must have been quiet before a pass
/// (a Compose project starting sends a burst of them); and the delay before
/// following the events again after the stream broke, doubling from the
/// first to the longest while the engine stays away.
pub const WATCH_SETTLE: Duration = Duration::from_millis(250);
pub const WATCH_RECONNECT_FIRST: Duration = Duration::from_millis(500);
pub const WATCH_RECONNECT_LONGEST: Duration = Duration::from_secs(10);

/// `init --discover`: one request to a container's port that may serve
/// metrics (containers answer from this machine at once, or not at all).
pub const SURVEY_PROBE: Duration = Duration::from_secs(1);

/// How often a spinner is redrawn.
pub const SPINNER_TICK: Duration = Duration::from_millis(100);
