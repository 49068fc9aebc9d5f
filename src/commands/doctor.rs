//! `obsctl doctor`: check the whole chain — Docker, containers, ports, the
//! spec against the rendered files, Prometheus (targets, rules, alerts),
//! Alertmanager and Grafana — and say, for each problem, what to do.

use std::path::Path;

use anyhow::{Context, Result};

use crate::cli::{DoctorArgs, OutputFormat};
use crate::doctor::report::Report;
use crate::doctor::run;
use crate::error::{EXIT_FAILED, EXIT_OK};
use crate::render;
use crate::stack;

/// Runs every check; exit 0 when healthy, 1 when any check fails (or warns,
/// with `--strict`), 2 when doctor could not run (invalid spec).
pub fn run(file: Option<&Path>, args: DoctorArgs, output: OutputFormat) -> Result<u8> {
    let stack = stack::load(file)?;
    let dir = args.dir.unwrap_or_else(|| stack.default_dir());
    let files = render::render(&stack.model).map_err(anyhow::Error::msg)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let checks = runtime.block_on(run::run(&stack.model, &files, &dir));
    let report = Report::new(checks, args.strict);
    match output {
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).context("writing the report")?
        ),
        OutputFormat::Human => print!("{}", report.human()),
    }
    Ok(if report.healthy { EXIT_OK } else { EXIT_FAILED })
}
