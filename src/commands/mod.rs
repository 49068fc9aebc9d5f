//! One file per subcommand, each with one documented entry function that
//! resolves its arguments, calls the library, prints through the
//! [`Printer`], and returns the exit code. No command calls another.

mod dashboards;
mod doctor;
mod down;
mod init;
mod init_survey;
mod render;
mod smoke;
mod status;
mod up;
mod validate;
mod watch;

use std::path::Path;
use std::time::Instant;

use anyhow::Result;

use crate::cli::{Cli, Command, DashboardsCommand, LockArgs};
use crate::error::Error;
use crate::lock::{self, StackLock, Wait};
use crate::printer::Printer;

/// Runs the command `cli` names.
pub fn dispatch(cli: Cli, printer: &Printer) -> Result<u8> {
    let file = cli.file.as_deref();
    match &cli.command {
        Command::Init(args) => init::run(printer, file, args),
        Command::Render(args) => render::run(printer, file, args),
        Command::Validate => validate::run(printer, file),
        Command::Dashboards(DashboardsCommand::Lint { paths }) => dashboards::lint(printer, paths),
        Command::Dashboards(DashboardsCommand::Import(args)) => {
            dashboards::import(printer, file, args)
        }
        Command::Dashboards(DashboardsCommand::Export(args)) => {
            dashboards::export(printer, file, args)
        }
        Command::Dashboards(DashboardsCommand::List(args)) => dashboards::list(printer, file, args),
        Command::Up(args) => up::run(printer, file, args),
        Command::Down(args) => down::run(printer, file, args),
        Command::Status => status::run(printer, file),
        Command::Doctor(args) => doctor::run(printer, file, args),
        Command::Smoke(args) => smoke::run(printer, file, args),
        Command::Watch(args) => watch::run(printer, file, args),
    }
}

/// Takes the locks of `stack` for `command` (`up`, `down`, `smoke`), the one
/// in the stack directory `dir` too when given; says on stderr whom it waits
/// for, and how long it waited.
fn lock_stack(
    printer: &Printer,
    stack: &str,
    dir: Option<&Path>,
    command: &str,
    args: &LockArgs,
) -> Result<StackLock, Error> {
    let mut waiting_since = None;
    let held = lock::acquire(stack, dir, command, args.wait(), |busy, wait| {
        waiting_since = Some(Instant::now());
        if let Wait::UpTo(limit) = wait {
            printer.say(format!(
                "stack `{stack}` is busy: {} holds its lock {}; waiting up to {}s for it to finish (--wait-lock SECONDS sets how long, --no-wait refuses at once)",
                busy.describe_holder(),
                busy.lock.display(),
                limit.as_secs()
            ));
        }
    })?;
    if let Some(since) = waiting_since {
        printer.say(format!(
            "stack `{stack}`: the other run is done (waited {:.1}s); going on",
            since.elapsed().as_secs_f64()
        ));
    }
    Ok(held)
}
