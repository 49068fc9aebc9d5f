//! Command-line arguments (clap). These types stay at the edge: commands
//! receive resolved settings, never these structs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Provision a complete Prometheus + Alertmanager + Grafana stack from one YAML
/// file, and keep it healthy.
#[derive(Debug, Parser)]
#[command(name = "obsctl", version, about, long_about = None)]
pub struct Cli {
    /// The spec file [default: ./obsctl.yaml when present, else the built-in default stack].
    #[arg(
        short = 'f',
        long = "file",
        global = true,
        value_name = "PATH",
        env = "OBSCTL_FILE"
    )]
    pub file: Option<PathBuf>,

    /// Output format for data written to stdout.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write an obsctl.yaml (and rules/ and dashboards/ folders for your own additions).
    Init(InitArgs),
    /// Validate the spec and render every configuration file into a directory.
    Render(RenderArgs),
    /// Validate the spec and the files it points at, without writing anything.
    Validate,
    /// Work with Grafana dashboards as files.
    #[command(subcommand)]
    Dashboards(DashboardsCommand),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Start from a built-in profile: minimal, fastapi.
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// Stack name [default: the current folder's name].
    #[arg(long)]
    pub name: Option<String>,
    /// Take every default without asking (needed when stdin is not a terminal).
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Overwrite an existing spec file.
    #[arg(long)]
    pub force: bool,
    /// A service to scrape: JOB=HOST:PORT[/METRICS_PATH] (repeatable).
    #[arg(long = "scrape", value_name = "JOB=HOST:PORT[/PATH]")]
    pub scrape: Vec<String>,
    /// A built-in rule pack to enable (repeatable).
    #[arg(long = "pack", value_name = "NAME")]
    pub packs: Vec<String>,
    /// Send alerts to Slack; the webhook URL is read from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub slack_env: Option<String>,
    /// Page critical alerts to PagerDuty; the routing key is read from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub pagerduty_env: Option<String>,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Directory to render into [default: .obsctl/ beside the spec].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DashboardsCommand {
    /// Check dashboard JSON files offline: datasources, panel ids, gridPos, PromQL, hard-coded labels, uid.
    Lint {
        /// Dashboard files, or folders holding them.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
}
