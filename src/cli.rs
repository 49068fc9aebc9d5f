//! Command-line arguments (clap). These types stay at the edge: each command
//! resolves its arguments once (the `settings` methods below) into the plain
//! settings the library takes, and nothing below `commands` sees them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::Error;
use crate::grafana::Login;
use crate::kubernetes::{self, Settings as KubernetesSettings};
use crate::lock::Wait;
use crate::model::kubernetes::is_dns1123_label;
use crate::printer::Format;
use crate::runtime::{PullPolicy, UpSettings};
use crate::smoke::{AlertSettings, SmokeSettings};

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

impl From<OutputFormat> for Format {
    fn from(output: OutputFormat) -> Format {
        match output {
            OutputFormat::Human => Format::Human,
            OutputFormat::Json => Format::Json,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write an obsctl.yaml (and rules/ and dashboards/ folders for your own additions).
    Init(InitArgs),
    /// Validate the spec and render every configuration file into a directory.
    Render(RenderArgs),
    /// Validate the spec and the files it points at, without writing anything.
    Validate,
    /// Grafana dashboards: lint files, import them, export and list what Grafana holds.
    #[command(subcommand)]
    Dashboards(DashboardsCommand),
    /// Create or update the stack in Docker and wait until every service is ready.
    Up(UpArgs),
    /// Stop and remove the stack's containers and network (data volumes are kept).
    Down(DownArgs),
    /// Show the stack's services: state, health, image, ports, uptime.
    Status,
    /// Check the whole stack and explain what is wrong and how to fix it.
    Doctor(DoctorArgs),
    /// Keep the targets found by container labels current, following Docker's events, until stopped.
    Watch(WatchArgs),
    /// CI step: up, wait for the first scrapes, doctor, optional synthetic alert, report, tear down.
    Smoke(SmokeArgs),
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
    /// Look at the containers running here and propose the networks to join, jobs, exporters and packs.
    #[arg(long)]
    pub discover: bool,
    /// With --discover, look only at this Compose project (repeatable).
    #[arg(long = "project", value_name = "NAME", requires = "discover")]
    pub projects: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Directory to render into [default: .obsctl/ beside the spec; .obsctl/kubernetes/ for --target kubernetes].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// What to render for: the Docker stack `up` runs, or a Kubernetes cluster
    /// running kube-prometheus-stack (Prometheus Operator resources and Helm values).
    #[arg(long, value_enum, default_value_t = RenderTarget::Docker)]
    pub target: RenderTarget,
    /// The namespace of the Kubernetes resources (kube-prometheus-stack's) [default: monitoring].
    #[arg(long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// The kube-prometheus-stack Helm release, whose `release` label its selectors pick resources by [default: kube-prometheus-stack].
    #[arg(long, value_name = "NAME")]
    pub release: Option<String>,
    /// Also write the Kubernetes Secrets (mode 0600, into DIR/secrets/), from the environment variables and files the spec names.
    #[arg(long)]
    pub secrets: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RenderTarget {
    /// Files for the Docker stack `up` runs.
    Docker,
    /// Prometheus Operator resources and kube-prometheus-stack values.
    Kubernetes,
}

impl RenderArgs {
    /// The Kubernetes settings, once the flags are checked; `None` for Docker.
    pub fn kubernetes(&self) -> Result<Option<KubernetesSettings>, Error> {
        if self.target == RenderTarget::Docker {
            let given = [
                ("--namespace", self.namespace.is_some()),
                ("--release", self.release.is_some()),
                ("--secrets", self.secrets),
            ];
            if let Some((flag, _)) = given.iter().find(|(_, set)| *set) {
                return Err(Error::KubernetesOnlyFlag { flag });
            }
            return Ok(None);
        }
        let namespace = self
            .namespace
            .clone()
            .unwrap_or_else(|| kubernetes::DEFAULT_NAMESPACE.into());
        if !is_dns1123_label(&namespace) {
            return Err(Error::BadKubernetesName {
                flag: "--namespace",
                value: namespace,
                what: "namespace name",
            });
        }
        let release = self
            .release
            .clone()
            .unwrap_or_else(|| kubernetes::DEFAULT_RELEASE.into());
        // Helm's own limit on release names.
        if !is_dns1123_label(&release) || release.len() > 53 {
            return Err(Error::BadKubernetesName {
                flag: "--release",
                value: release,
                what: "Helm release name (at most 53 characters)",
            });
        }
        Ok(Some(KubernetesSettings {
            namespace,
            release,
            secrets: self.secrets,
            grafana_admin_password: None,
        }))
    }
}

#[derive(Debug, Subcommand)]
pub enum DashboardsCommand {
    /// Check dashboard JSON files offline: datasources, panel ids, gridPos, PromQL, hard-coded labels, uid, library panels.
    Lint {
        /// Dashboard files, or folders holding them.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Import dashboard files into Grafana, mapping datasources and never overwriting edits made there.
    Import(ImportArgs),
    /// Export dashboards from Grafana as stable JSON files, one directory per level of folders, library panels included.
    Export(ExportArgs),
    /// List the dashboards in Grafana: uid, title, folder, version.
    List(ListArgs),
}

// Which Grafana to talk to: the stack's own (with its admin password) unless
// `--url` names another. (A plain comment: clap would show a doc comment here
// as the description of every command that flattens these arguments.)
#[derive(Debug, Args)]
pub struct GrafanaArgs {
    /// An existing Grafana's URL (then no spec is needed) [default: the stack's own Grafana].
    #[arg(long, value_name = "URL", env = "OBSCTL_GRAFANA_URL")]
    pub url: Option<String>,
    /// User for Basic auth [default: the stack's admin user].
    #[arg(
        long,
        value_name = "USER",
        env = "OBSCTL_GRAFANA_USER",
        conflicts_with = "token"
    )]
    pub user: Option<String>,
    /// Password for Basic auth.
    #[arg(
        long,
        value_name = "PASSWORD",
        env = "OBSCTL_GRAFANA_PASSWORD",
        hide_env_values = true,
        conflicts_with = "token"
    )]
    pub password: Option<String>,
    /// A service account token (Editor role to import, Viewer to export or list).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "OBSCTL_GRAFANA_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
}

impl GrafanaArgs {
    pub fn login(&self) -> Login {
        Login {
            url: self.url.clone(),
            user: self.user.clone(),
            password: self.password.clone(),
            token: self.token.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Dashboard files, or folders holding them (sub-directories become Grafana folders, nested as they are).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub grafana: GrafanaArgs,
    /// The Prometheus datasource to map references to, by uid or name [default: the stack's, else Grafana's default Prometheus].
    #[arg(long, value_name = "UID|NAME")]
    pub datasource: Option<String>,
    /// Put every dashboard into this folder at the root (created if missing; `General` is the root) [default: from sub-directories, else the root].
    #[arg(long, value_name = "NAME")]
    pub folder: Option<String>,
    /// Overwrite dashboards that were changed in Grafana since obsctl imported them.
    #[arg(long)]
    pub force: bool,
    /// Show what would happen without changing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// How many dashboards to import at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Directory to write into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Export only dashboards in this folder or below it, by title or path `A/B` (repeatable; `General` is the root alone).
    #[arg(long = "folder", value_name = "NAME")]
    pub folders: Vec<String>,
    /// Export only the dashboard with this uid (repeatable).
    #[arg(long = "uid", value_name = "UID")]
    pub uids: Vec<String>,
    #[command(flatten)]
    pub grafana: GrafanaArgs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub grafana: GrafanaArgs,
}

#[derive(Debug, Args)]
pub struct UpArgs {
    /// Stack directory for rendered files and state [default: .obsctl/ beside the spec].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// When to pull images.
    #[arg(long, value_enum, default_value_t = PullArg::Missing)]
    pub pull: PullArg,
    /// How long the services may take to become ready and Prometheus to list its targets (e.g. 120s, 5m).
    #[arg(long, value_name = "DURATION", default_value = crate::timeouts::READY_DEFAULT, value_parser = crate::duration::parse_duration)]
    pub timeout: std::time::Duration,
    #[command(flatten)]
    pub lock: LockArgs,
}

// How long to wait when another `up`, `down` or `smoke` of the stack runs.
// (A plain comment: clap would show a doc comment as the description of the
// commands that flatten these arguments.)
#[derive(Debug, Args)]
pub struct LockArgs {
    /// When another `up`, `down` or `smoke` of this stack is running, wait this many seconds for it to finish before giving up.
    #[arg(long, value_name = "SECONDS", default_value_t = crate::timeouts::LOCK_WAIT_DEFAULT_SECS)]
    pub wait_lock: u64,
    /// When another `up`, `down` or `smoke` of this stack is running, refuse at once (exit 2) instead of waiting.
    #[arg(long, conflicts_with = "wait_lock")]
    pub no_wait: bool,
}

impl LockArgs {
    pub fn wait(&self) -> Wait {
        if self.no_wait {
            Wait::No
        } else {
            Wait::UpTo(std::time::Duration::from_secs(self.wait_lock))
        }
    }
}

impl UpArgs {
    pub fn settings(&self) -> UpSettings {
        UpSettings {
            pull: self.pull.into(),
            timeout: self.timeout,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PullArg {
    /// Pull only images that are not present locally.
    Missing,
    /// Pull every image, to pick up a moved tag.
    Always,
    /// Never pull; every image must be present locally.
    Never,
}

impl From<PullArg> for PullPolicy {
    fn from(pull: PullArg) -> PullPolicy {
        match pull {
            PullArg::Missing => PullPolicy::Missing,
            PullArg::Always => PullPolicy::Always,
            PullArg::Never => PullPolicy::Never,
        }
    }
}

#[derive(Debug, Args)]
pub struct DownArgs {
    /// Also remove the data volumes (Prometheus TSDB, Alertmanager and Grafana data).
    #[arg(long)]
    pub volumes: bool,
    #[command(flatten)]
    pub lock: LockArgs,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Stack directory with the rendered files [default: .obsctl/ beside the spec].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Count warnings as failures (exit 1).
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Stack directory with the rendered files [default: .obsctl/ beside the spec].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SmokeArgs {
    /// Stack directory for rendered files and state [default: .obsctl/ beside the spec].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// When to pull images.
    #[arg(long, value_enum, default_value_t = PullArg::Missing)]
    pub pull: PullArg,
    /// Deadline for services to become ready and for the first scrapes (e.g. 120s, 5m).
    #[arg(long, value_name = "DURATION", default_value = crate::timeouts::READY_DEFAULT, value_parser = crate::duration::parse_duration)]
    pub timeout: std::time::Duration,
    /// Fire a synthetic alert at Alertmanager and check that it is accepted and routed.
    #[arg(long)]
    pub alert: bool,
    /// A label of the synthetic alert, KEY=VALUE (repeatable), e.g. severity=critical.
    #[arg(long, value_name = "KEY=VALUE", requires = "alert")]
    pub alert_label: Vec<String>,
    /// Fail unless the synthetic alert is routed to this receiver.
    #[arg(long, value_name = "RECEIVER", requires = "alert")]
    pub expect_receiver: Option<String>,
    /// Write the results as JUnit XML to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Leave the stack running afterwards.
    #[arg(long)]
    pub keep: bool,
    /// Count warnings as failures.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub lock: LockArgs,
}

impl SmokeArgs {
    pub fn settings(&self) -> SmokeSettings {
        SmokeSettings {
            up: UpSettings {
                pull: self.pull.into(),
                timeout: self.timeout,
            },
            alert: self.alert.then(|| AlertSettings {
                labels: self
                    .alert_label
                    .iter()
                    .filter_map(|l| l.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                expect_receiver: self.expect_receiver.clone(),
            }),
            strict: self.strict,
            keep: self.keep,
        }
    }
}
