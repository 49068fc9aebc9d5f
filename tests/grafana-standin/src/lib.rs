//! A **stand-in** for Grafana's HTTP API and file provisioning, used only by obsctl's
//! tests. It is not Grafana and does not claim to be: `/api/health` reports the
//! version of the Grafana release it follows ([`GRAFANA_VERSION`], so clients that
//! parse it work) with commit `standin`, every answer carries an
//! `X-Grafana-Standin` header, `--version` says "not Grafana", and every log line
//! is tagged `logger=grafana-standin`.
//!
//! It follows the contract in the project's interface notes (sections 1–3 and the
//! facts checked against Grafana 12's source in section 8); where those notes
//! describe Grafana's behaviour, the stand-in reproduces it, status codes and bodies
//! included: no folder may be titled `General`, and a provisioning pass that needs
//! one stops; folders nest; library panels must exist for a dashboard save to
//! succeed; `/metrics` serves Grafana's request histogram and build info.
//!
//! State lives in memory, or, with [`Builder::data_dir`] (the binary's
//! `GF_PATHS_DATA`), in a JSON file there ([`STATE_FILE`]) that survives restarts;
//! the admin password applies only when that file is created, as in Grafana.
//!
//! # In-process use
//!
//! ```no_run
//! use grafana_standin::{Fault, StandIn};
//!
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let grafana = StandIn::builder()
//!     .admin("admin", "secret")
//!     .token("glsa_test")
//!     .provisioning_dir("tests/data/provisioning")
//!     .start()
//!     .await?;
//! let url = grafana.base_url(); // http://127.0.0.1:<port>
//!
//! // Make the next two dashboard saves fail with 503 to exercise retries.
//! grafana.inject(Fault::new("/api/dashboards/db", 503).method("POST").times(2));
//! // ... run the client against `url` ...
//! assert_eq!(grafana.request_count("POST", "/api/dashboards/db"), 3);
//!
//! // Someone edits the dashboard in the UI: its version goes up by one.
//! grafana.bump_dashboard_version("obsctl-http");
//! grafana.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # The `grafana-standin` binary
//!
//! Listens on `0.0.0.0:3000` and reads the variables of Grafana's image:
//! `GF_SERVER_HTTP_PORT`, `GF_SERVER_HTTP_ADDR`, `GF_SECURITY_ADMIN_USER`,
//! `GF_SECURITY_ADMIN_PASSWORD` (or any `GF_<X>__FILE`, whose file content becomes
//! `GF_<X>`; setting both forms is an error), `GF_PATHS_PROVISIONING` (default
//! `/etc/grafana/provisioning`), `GF_PATHS_DATA` (default `data` below
//! `GF_PATHS_HOME`, else below the working directory), `GF_AUTH_ANONYMOUS_ENABLED`,
//! `GF_AUTH_ANONYMOUS_ORG_ROLE`, `GF_AUTH_ANONYMOUS_HIDE_VERSION`,
//! `GF_DATAPROXY_TIMEOUT` (seconds), `GF_DASHBOARDS_MIN_REFRESH_INTERVAL` and
//! `GF_LOG_LEVEL`. It needs no TLS library and runs as any user. One variable
//! is its own, not Grafana's: `STANDIN_SAVE_DELAY_MS` makes every dashboard
//! save take that many milliseconds, standing for a database write, for
//! benchmarks (see [`Builder::save_delay`]).
//!
//! # Provisioning, and where the stand-in is stricter
//!
//! At start it reads `datasources/*.yaml|yml` and `dashboards/*.yaml|yml` under the
//! provisioning directory (values expanded from `$VAR`/`${VAR}`, `$$` for `$`),
//! loads every `*.json` below each file provider's `options.path`, and then polls
//! those paths every `updateIntervalSeconds`. Real Grafana refuses to start on a
//! malformed provisioning YAML file, but only logs and carries on when a provider's
//! path does not exist ("Cannot read directory") or a dashboard file is not valid
//! JSON. The stand-in exits (or [`Builder::start`] fails) in all of these cases, so a
//! test notices at once. Later reloads and polls log and carry on, like Grafana. A
//! folder that cannot be created (titled `General`) is the exception, handled as
//! Grafana handles it: the pass stops and no dashboard of it is saved (Grafana
//! walks the files in no fixed order, so none of them can be relied on), later
//! providers are skipped, the error is logged, and the stand-in keeps running.
//!
//! # What is simplified
//!
//! One organisation; roles are Viewer < Editor < Admin with fixed permissions instead
//! of Grafana's access control; no plugins, alerting, annotations, stars, teams,
//! library variables' use in dashboards or public dashboards; library panels are
//! connected to dashboards by looking at their JSON rather than through a
//! connection table; data source health checks only for type
//! `prometheus` (other types answer 501); no schema migration of dashboard JSON; the
//! slug table covers Latin-1 letters only.

mod api;
mod clock;
pub mod env;
mod error;
mod faults;
mod ident;
mod inputs;
mod interval;
mod log;
mod metrics;
mod persist;
mod probe;
mod provisioning;
mod running;
mod store;

pub use api::VersionsList;
pub use env::EnvSettings;
pub use faults::{Fault, RecordedRequest};
pub use log::{LogLevel, Logger};
pub use metrics::GRAFANA_VERSION;
pub use persist::STATE_FILE;
pub use running::{Builder, Running, StandIn, StartError};
pub use store::Role;
