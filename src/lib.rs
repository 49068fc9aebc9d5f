//! obsctl: a complete Prometheus + Alertmanager + Grafana stack from one YAML
//! file, on one machine with Docker.
//!
//! Data flows one way: [`spec`] (the file) -> [`model`] (validated, defaults
//! applied) -> [`render`] (files) -> [`runtime`] (Docker) -> [`probes`] (HTTP
//! checks) -> report. [`commands`] resolve arguments, call these as library
//! functions and print through the [`printer`]; failures are
//! [`error::Error`] values, printed once by [`run`].

pub mod assets;
pub mod cli;
pub mod commands;
pub mod credentials;
pub mod dashboard_lint;
pub mod dashjson;
pub mod diagnostic;
pub mod discovery;
pub mod doctor;
pub mod duration;
pub mod error;
pub mod exposition;
pub mod fs;
pub mod grafana;
pub mod kubernetes;
pub mod lock;
pub mod model;
pub mod packs;
pub mod presets;
pub mod printer;
pub mod probes;
pub mod promql;
pub mod promql_features;
pub mod promql_rewrite;
pub mod render;
pub mod rulefile;
pub mod runtime;
pub mod scrape_protocol;
pub mod smoke;
pub mod spec;
pub mod stack;
pub mod survey;
pub mod task;
pub mod timeouts;

use clap::Parser;

/// Runs the command line and returns the process exit code. Errors are
/// printed here, once.
pub fn run() -> u8 {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return printer::arguments(&e),
    };
    let printer = printer::Printer::new(cli.output.into());
    match commands::dispatch(cli, &printer) {
        Ok(code) => code,
        Err(e) => printer.error(&e),
    }
}
