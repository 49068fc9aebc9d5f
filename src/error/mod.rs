//! The errors obsctl reports, as data: one enum whose variants carry what
//! they are about (the file, service, port, image, Grafana call...) and own
//! their wording ([`Display`](std::fmt::Display)), their hint
//! ([`Error::hint`]) and their exit code ([`Error::code`]). Library code
//! returns them; the run function prints each once, through the printer.
//!
//! Exit codes: 0 success; 1 the command ran and something failed; 2 bad
//! usage, an invalid spec, or an environment obsctl cannot work in (stopped
//! before changing anything).
//!
//! This module sits low: it depends on the spec's and the model's plain
//! types only, so every layer above can return its errors.

use std::io;
use std::path::PathBuf;

use crate::diagnostic::{Problem, Severity};
use crate::model::Service;
use crate::spec::SpecError;

mod hint;
mod wording;

use wording::*;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// Every failure obsctl expects, with what it is about.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    // --- The spec ---------------------------------------------------------
    #[error("cannot read spec {}: {reason}", .path.display())]
    SpecUnreadable { path: PathBuf, reason: String },
    /// The spec is not YAML, or not the spec's shape.
    #[error("{}", located(.0))]
    SpecSyntax(SpecError),
    /// The spec parsed but is not valid: every problem, warnings included.
    #[error("the spec has {} problem{}", count_errors(.0), plural(count_errors(.0)))]
    InvalidSpec(Vec<Problem>),

    // --- init -------------------------------------------------------------
    #[error("{} already exists", .path.display())]
    SpecExists { path: PathBuf },
    #[error("stdin is not a terminal, so init cannot ask its questions")]
    NotATerminal,
    #[error("no preset named `{name}`")]
    UnknownPreset { name: String, known: Vec<String> },
    #[error("no rule pack named `{name}`")]
    UnknownPack { name: String, known: Vec<String> },
    #[error("`{value}` is not JOB=HOST:PORT[/PATH]")]
    BadScrapeFlag { value: String },
    #[error("--scrape: job `{job}` {reason}")]
    InitJob { job: String, reason: String },

    // --- Dashboard files --------------------------------------------------
    #[error("{} does not exist", .path.display())]
    NoSuchDashboardPath { path: PathBuf },
    #[error("no dashboard files (*.json) found")]
    NoDashboardFiles,

    // --- Docker, and what stops `up` before it creates anything ----------
    #[error("cannot reach the Docker engine at {endpoint}: {reason}")]
    DockerUnreachable { endpoint: String, reason: String },
    #[error("{}", ports_taken(.0))]
    PortsTaken(Vec<PortTaken>),
    #[error(
        "{} already exist{} without the label of stack `{stack}`",
        objects.iter().map(|(kind, name)| format!("{kind} {name}")).collect::<Vec<_>>().join(", "),
        if objects.len() == 1 { "s" } else { "" }
    )]
    ForeignObjects {
        stack: String,
        /// (kind, name): `container shop-prometheus`, `volume shop-grafana-data`.
        objects: Vec<(&'static str, String)>,
    },
    // --- Concurrency: one `up`, `down` or `smoke` of a stack at a time, and what a race left
    #[error(
        "stack `{stack}` is busy: {holder} holds its lock {}{}",
        .lock.display(),
        .waited_secs.map(|s| format!("; gave up after waiting {s}s")).unwrap_or_default()
    )]
    StackLocked {
        stack: String,
        /// Who holds it, as it recorded itself.
        holder: String,
        lock: PathBuf,
        /// How long this run waited; `None` with `--no-wait`.
        waited_secs: Option<u64>,
    },
    #[error(
        "the stack has two networks named {network}, and containers obsctl does not own are attached to the surplus one ({}): {}",
        crate::runtime::apply::short(.id),
        .attached.join(", ")
    )]
    DuplicateNetworkInUse {
        network: String,
        id: String,
        attached: Vec<String>,
    },
    #[error("the lock directory {} belongs to uid {owner}, not to uid {uid} running obsctl", .dir.display())]
    LockDirForeign { dir: PathBuf, owner: u32, uid: u32 },
    // --- networks: (the application's networks the stack joins) ---------
    #[error(
        "{} listed in `networks:` {} not exist",
        missing.iter().map(|n| format!("network `{n}`")).collect::<Vec<_>>().join(", "),
        if missing.len() == 1 { "does" } else { "do" }
    )]
    NetworksMissing {
        missing: Vec<String>,
        /// The networks there are, to choose from.
        existing: Vec<ExistingNetwork>,
    },
    #[error("the stack has no Prometheus (prometheus.enabled is false), so nothing scrapes what watch would find")]
    NothingToWatch,
    #[error("image {image} is not present locally, and --pull never forbids pulling it")]
    ImageMissing { image: String },
    #[error("cannot pull image {image}: no registry could be reached ({reason})")]
    RegistryUnreachable { image: String, reason: String },
    #[error("cannot pull image {image}: {reason}")]
    PullFailed { image: String, reason: String },
    #[error(
        "the secret files of {service} belong to uid {owner} with mode 0600, but its container runs as uid {uid} and could not read them: {}",
        paths(.files)
    )]
    SecretsUnreadable {
        service: Service,
        owner: u32,
        uid: u32,
        files: Vec<PathBuf>,
    },
    #[error("cannot give {} to uid {uid}: {reason}", .path.display())]
    SecretHandOver {
        path: PathBuf,
        uid: u32,
        reason: String,
    },

    // --- While applying ---------------------------------------------------
    /// A Docker call failed; names the operation and the object.
    #[error("cannot {op} {target}: {reason}")]
    Docker {
        op: &'static str,
        target: String,
        reason: String,
    },
    #[error("{}", not_ready(.service, .container, .why, .logs))]
    ServiceNotReady {
        service: Service,
        container: String,
        why: NotReady,
        /// The end of the container's log.
        logs: Vec<String>,
    },
    #[error("{service} refused its new configuration: {cause}")]
    ReloadRefused { service: Service, cause: String },
    #[error("{service} answered the reload but {what}")]
    ReloadUnconfirmed { service: Service, what: String },
    #[error("{service} publishes no port, so it cannot be reloaded from here")]
    ReloadUnpublished { service: Service },
    /// Every container is ready, but Prometheus does not list all it should.
    #[error("after {waited_secs}s Prometheus still does not list {missing}")]
    NotWired { missing: String, waited_secs: u64 },
    #[error("interrupted")]
    Interrupted,
    /// Reading or writing a file obsctl owns failed.
    #[error("cannot {action} {}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    // --- Writing the rendered files (render, up) ----------------------------
    /// A rendered file could not be written (a read-only folder, a full
    /// disk...). `replaced` files had been renamed into place before it; with
    /// none, every file of the previous render is as it was.
    #[error("cannot write {}: {}", .path.display(), io_reason(.reason))]
    WriteRendered {
        path: PathBuf,
        /// Not a `source`: its text is part of the message, said once.
        reason: io::Error,
        replaced: usize,
    },
    /// An embedded template did not render: a defect of obsctl itself.
    #[error("rendering {template} failed: {reason}")]
    Render { template: String, reason: String },

    // --- render --target kubernetes ---------------------------------------
    #[error("{flag} `{value}` is not a valid {what}")]
    BadKubernetesName {
        flag: &'static str,
        value: String,
        what: &'static str,
    },
    #[error("{flag} applies only to `--target kubernetes`")]
    KubernetesOnlyFlag { flag: &'static str },
    #[error("dashboard {dashboard} is {bytes} bytes, more than a ConfigMap holds ({limit} bytes)")]
    DashboardTooLarge {
        dashboard: String,
        bytes: usize,
        limit: usize,
    },

    // --- Grafana (the dashboards commands) --------------------------------
    #[error("--user needs a password")]
    UserWithoutPassword,
    #[error("--url `{url}` is not an http:// or https:// URL")]
    BadGrafanaUrl { url: String },
    #[error("cannot tell where to keep what obsctl saved in Grafana: neither XDG_STATE_HOME nor HOME is set")]
    NoStateDir,
    #[error("cannot read the Grafana admin password from {}: {reason}", .path.display())]
    GrafanaPasswordUnreadable { path: PathBuf, reason: String },
    #[error("the stack has no Grafana (grafana.enabled is false)")]
    NoGrafana,
    #[error("the spec's bind `{bind}` is not an IP address")]
    BadBind { bind: String },
    #[error("Grafana has no dashboards for {}", .selection.join(", "))]
    NoDashboardsFor { selection: Vec<String> },
    /// A Grafana call did not connect. `call` is the API error's own text.
    #[error("{call}")]
    GrafanaUnreachable { call: String, own_stack: bool },
    /// Grafana refused the credentials (401).
    #[error("{call}")]
    GrafanaUnauthorized {
        call: String,
        credentials: GrafanaCredentials,
    },
    /// The credentials may not do this (403).
    #[error("{call}")]
    GrafanaForbidden { call: String, access: Access },
    /// Any other failed Grafana call.
    #[error("{call}")]
    Grafana { call: String },
    #[error("datasource `{wanted}` is of type `{kind}`, not Prometheus")]
    NotPrometheus {
        wanted: String,
        kind: String,
        prometheus: Vec<Datasource>,
    },
    #[error("Grafana has no datasource `{wanted}`")]
    NoSuchDatasource {
        wanted: String,
        prometheus: Vec<Datasource>,
    },
    #[error("cannot choose a Prometheus datasource: these credentials may not list datasources")]
    DatasourcesHidden,
    #[error("Grafana has no Prometheus datasource to map the dashboards to")]
    NoPrometheusDatasource,
    #[error("Grafana has several Prometheus datasources and none is the default")]
    AmbiguousDatasource { prometheus: Vec<Datasource> },
}

/// A network on this engine, named in the hint of [`Error::NetworksMissing`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingNetwork {
    pub name: String,
    /// The Compose project that made it (`com.docker.compose.project`).
    pub compose_project: Option<String>,
}

/// A host port the stack needs that something else holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortTaken {
    pub port: u16,
    pub service: Service,
    /// Who holds it, when that could be found out.
    pub holder: Option<String>,
}

/// Why a service did not become ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotReady {
    /// The deadline passed; `last` is what the last check saw.
    Timeout { waited_secs: u64, last: String },
    /// The container stopped (`state` says how, e.g. "exited, exit code 1").
    Stopped { state: String },
}

/// Where the credentials sent to Grafana came from, for the hint when they
/// are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrafanaCredentials {
    /// The admin password `up` stored in the stack directory.
    PasswordFile(PathBuf),
    /// `--user`/`--password`.
    Flags,
    /// `--token`.
    Token,
    /// None were sent.
    None,
}

/// What a command needs to be allowed in Grafana, for the hint on a 403.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// A datasource, as named in messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datasource {
    pub name: String,
    pub uid: String,
}

impl Error {
    /// The process exit code this error ends the command with.
    pub fn code(&self) -> u8 {
        use Error::*;
        match self {
            SpecUnreadable { .. }
            | SpecSyntax(_)
            | InvalidSpec(_)
            | SpecExists { .. }
            | NotATerminal
            | UnknownPreset { .. }
            | UnknownPack { .. }
            | BadScrapeFlag { .. }
            | InitJob { .. }
            | NoSuchDashboardPath { .. }
            | NoDashboardFiles
            | DockerUnreachable { .. }
            | PortsTaken(_)
            | ForeignObjects { .. }
            | NetworksMissing { .. }
            | NothingToWatch
            | ImageMissing { .. }
            | RegistryUnreachable { .. }
            | PullFailed { .. }
            | SecretsUnreadable { .. }
            | SecretHandOver { .. }
            | StackLocked { .. }
            | LockDirForeign { .. }
            | DuplicateNetworkInUse { .. }
            | UserWithoutPassword
            | BadGrafanaUrl { .. }
            | NoStateDir
            | GrafanaPasswordUnreadable { .. }
            | NoGrafana
            | BadBind { .. }
            | NoDashboardsFor { .. }
            | BadKubernetesName { .. }
            | KubernetesOnlyFlag { .. }
            | DashboardTooLarge { .. }
            | WriteRendered { replaced: 0, .. } => EXIT_USAGE,
            Docker { .. }
            | ServiceNotReady { .. }
            | ReloadRefused { .. }
            | ReloadUnconfirmed { .. }
            | ReloadUnpublished { .. }
            | NotWired { .. }
            | Interrupted
            | Io { .. }
            | WriteRendered { .. }
            | Render { .. }
            | GrafanaUnreachable { .. }
            | GrafanaUnauthorized { .. }
            | GrafanaForbidden { .. }
            | Grafana { .. }
            | NotPrometheus { .. }
            | NoSuchDatasource { .. }
            | DatasourcesHidden
            | NoPrometheusDatasource
            | AmbiguousDatasource { .. } => EXIT_FAILED,
        }
    }

    /// A failed read or write of `path`, naming what obsctl was doing.
    pub fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preflight_failures_exit_2_and_name_the_field_to_change() {
        let e = Error::PortsTaken(vec![PortTaken {
            port: 9187,
            service: Service::Exporter(crate::model::ExporterKind::Postgres),
            holder: None,
        }]);
        assert_eq!(e.code(), EXIT_USAGE);
        assert_eq!(
            e.to_string(),
            "host port 9187 for postgres-exporter is already in use by another program"
        );
        assert!(e.hint().unwrap().contains("`exporters.postgres.port`"));
    }

    #[test]
    fn a_service_that_is_not_ready_shows_the_end_of_its_log() {
        let e = Error::ServiceNotReady {
            service: Service::Prometheus,
            container: "shop-prometheus".into(),
            why: NotReady::Stopped {
                state: "exited, exit code 1".into(),
            },
            logs: vec!["bad config".into()],
        };
        assert_eq!(e.code(), EXIT_FAILED);
        assert_eq!(
            e.to_string(),
            "prometheus (shop-prometheus) stopped while starting (exited, exit code 1)\n  last 1 line of its log:\n    | bad config"
        );
        assert!(e.hint().unwrap().contains("docker logs shop-prometheus"));
    }

    #[test]
    fn the_docker_hint_follows_what_the_socket_said() {
        let hint = |reason: &str| {
            Error::DockerUnreachable {
                endpoint: "unix:///var/run/docker.sock".into(),
                reason: reason.into(),
            }
            .hint()
            .unwrap()
        };
        assert!(hint("Permission denied (os error 13)").contains("`docker` group"));
        assert!(hint("No such file or directory (os error 2)").contains("DOCKER_HOST"));
    }
}
