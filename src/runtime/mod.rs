//! The runtime: the stack as Docker objects. This is the only module that
//! talks to Docker (through bollard, in [`docker`]); the rest of obsctl sees
//! plain types and calls the library functions below.
//!
//! - [`connect`], [`up()`], [`down()`], [`status()`]: what the commands call;
//! - [`services`]: the model as container definitions (pure);
//! - [`plan`]: desired against what Docker has under the stack's label (pure);
//! - [`apply`]: carrying the plan out; [`wait`]: readiness under a deadline;
//!   `wired`: then until Prometheus lists its targets and Alertmanager;
//! - [`preflight`], [`images`], [`ports`], [`ownership`], [`state`]: what
//!   `up` checks and prepares around that.
//!
//! Every object obsctl creates carries `dev.obsctl.stack` and
//! `dev.obsctl.service` (containers also `dev.obsctl.hash`), and is found
//! again by those labels, never by its name.

pub mod apply;
pub mod discovery;
pub mod docker;
mod down;
pub mod host;
pub mod images;
pub mod ownership;
pub mod plan;
pub mod ports;
mod preflight;
pub mod reload;
pub mod services;
pub mod state;
mod status;
mod up;
pub mod wait;
pub mod watch;
mod wired;

pub use docker::Engine;
pub use down::{down, DownReport, KeptNetwork};
pub use images::PullPolicy;
pub use status::{status, ServiceStatus};
pub use up::{up, GrafanaAccess, UpReport, UpSettings};

use crate::error::Error;

/// The stack a Docker object belongs to.
pub const LABEL_STACK: &str = "dev.obsctl.stack";
/// The service (prometheus, grafana, node-exporter, ...) it is for.
pub const LABEL_SERVICE: &str = "dev.obsctl.service";
/// sha256 of the container definition it was created from.
pub const LABEL_HASH: &str = "dev.obsctl.hash";

/// Connects to the Docker engine (`DOCKER_HOST` or the local socket); an
/// engine that does not answer is [`Error::DockerUnreachable`].
pub async fn connect() -> Result<Engine, Error> {
    Engine::connect().await
}

/// True when anything of `stack` (a container, running or not) exists.
pub async fn exists(engine: &Engine, stack: &str) -> Result<bool, Error> {
    Ok(!engine.stack_containers(stack).await?.is_empty())
}
