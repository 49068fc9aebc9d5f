//! obsctl: a complete Prometheus + Alertmanager + Grafana stack from one YAML
//! file, on one machine with Docker.
//!
//! Data flows one way: [`spec`] (the file) -> [`model`] (validated, defaults
//! applied) -> [`render`] (files) -> runtime (Docker) -> probes (HTTP checks)
//! -> report. Commands in [`commands`] compose these steps.

pub mod assets;
pub mod cli;
pub mod commands;
pub mod credentials;
pub mod dashboard_lint;
pub mod dashjson;
pub mod diagnostic;
pub mod doctor;
pub mod duration;
pub mod error;
pub mod fs;
pub mod grafana;
pub mod model;
pub mod packs;
pub mod presets;
pub mod probes;
pub mod promql;
pub mod render;
pub mod rulefile;
pub mod runtime;
pub mod smoke;
pub mod spec;
pub mod stack;
pub mod timeouts;

use clap::Parser;

/// Runs the command line and returns the process exit code.
pub fn run() -> u8 {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                error::EXIT_USAGE
            } else {
                error::EXIT_OK
            };
        }
    };
    match commands::dispatch(cli) {
        Ok(code) => code,
        Err(e) => error::report(&e),
    }
}
