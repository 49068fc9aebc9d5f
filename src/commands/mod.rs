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

use anyhow::Result;

use crate::cli::{Cli, Command, DashboardsCommand};
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
