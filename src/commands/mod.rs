//! One file per subcommand, each with one documented entry function that
//! returns the exit code.

mod dashboards;
mod init;
mod render;
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
    }
}
