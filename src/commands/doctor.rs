//! `obsctl doctor`: check the whole chain — Docker, containers, ports, the
//! spec against the rendered files, Prometheus (targets, rules, alerts),
//! Alertmanager and Grafana ([`doctor::run`]) — and print, for each problem,
//! what to do.

use std::path::Path;

use anyhow::Result;

use crate::cli::DoctorArgs;
use crate::doctor::report::Report;
use crate::doctor::run;
use crate::error::{EXIT_FAILED, EXIT_OK};
use crate::printer::{Format, Printer};
use crate::{render, stack, task};

/// Runs every check; exit 0 when healthy, 1 when any check fails (or warns,
/// with `--strict`), 2 when doctor could not run (invalid spec).
pub fn run(printer: &Printer, file: Option<&Path>, args: &DoctorArgs) -> Result<u8> {
    let stack = stack::load(file)?;
    printer.warnings(&stack.warnings);
    let dir = args.dir.clone().unwrap_or_else(|| stack.default_dir());
    let files = render::render(&stack.model)?;
    let checks = task::block_on(run::run(&stack.model, &files, &dir))?;
    let report = Report::new(checks, args.strict);
    match printer.format() {
        Format::Json => printer.json_pretty(&report),
        Format::Human => printer.data(&report.human()),
    }
    Ok(if report.healthy { EXIT_OK } else { EXIT_FAILED })
}
