//! One file per subcommand, each with one documented entry function that
//! returns the exit code.

mod dashboards;
mod doctor;
mod down;
mod init;
mod render;
mod smoke;
mod status;
mod summary;
mod up;
mod validate;

use anyhow::Result;

use crate::cli::{Cli, Command, DashboardsCommand};

pub fn dispatch(cli: Cli) -> Result<u8> {
    let file = cli.file.as_deref();
    match cli.command {
        Command::Init(args) => init::run(file, args),
        Command::Render(args) => render::run(file, args, cli.output),
        Command::Validate => validate::run(file, cli.output),
        Command::Dashboards(DashboardsCommand::Lint { paths }) => {
            dashboards::lint(&paths, cli.output)
        }
        Command::Dashboards(DashboardsCommand::Import(args)) => {
            dashboards::import(file, args, cli.output)
        }
        Command::Dashboards(DashboardsCommand::Export(args)) => {
            dashboards::export(file, args, cli.output)
        }
        Command::Dashboards(DashboardsCommand::List(args)) => {
            dashboards::list(file, args, cli.output)
        }
        Command::Up(args) => up::run(file, args, cli.output),
        Command::Down(args) => down::run(file, args, cli.output),
        Command::Status => status::run(file, cli.output),
        Command::Doctor(args) => doctor::run(file, args, cli.output),
        Command::Smoke(args) => smoke::run(file, args, cli.output),
    }
}
