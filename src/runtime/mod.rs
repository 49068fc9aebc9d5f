//! The runtime: the stack as Docker objects. This is the only module that
//! talks to Docker (through bollard, in [`docker`]); the rest of obsctl sees
//! plain types.
//!
//! - [`services`]: the model as container definitions (pure);
//! - [`plan`]: desired against what Docker has under the stack's label (pure);
//! - [`apply`]: carrying the plan out; [`wait`]: readiness under a deadline;
//! - [`images`], [`ports`], [`ownership`], [`state`]: what `up` checks and
//!   prepares around that.
//!
//! Every object obsctl creates carries `dev.obsctl.stack` and
//! `dev.obsctl.service` (containers also `dev.obsctl.hash`), and is found
//! again by those labels, never by its name.

pub mod apply;
pub mod docker;
pub mod host;
pub mod images;
pub mod ownership;
pub mod plan;
pub mod ports;
pub mod progress;
pub mod reload;
pub mod services;
pub mod state;
pub mod wait;

/// The stack a Docker object belongs to.
pub const LABEL_STACK: &str = "dev.obsctl.stack";
/// The service (prometheus, grafana, node-exporter, ...) it is for.
pub const LABEL_SERVICE: &str = "dev.obsctl.service";
/// sha256 of the container definition it was created from.
pub const LABEL_HASH: &str = "dev.obsctl.hash";
