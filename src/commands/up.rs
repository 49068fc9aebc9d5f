//! `obsctl up`: bring the stack to what the spec says, through the Docker
//! Engine API, and wait until every service is ready.
//!
//! Preflight first (Docker reachable, host ports free, no foreign object
//! holding one of the stack's names, images present), so a stack that cannot
//! come up leaves nothing behind; then the rendered files are written, the
//! plan is made against what Docker has under the stack's label, and applied.
//! A re-run with nothing changed touches nothing.

use std::collections::{BTreeSet, HashMap};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use super::summary::{self, UpReport};
use crate::cli::{OutputFormat, PullArg, UpArgs};
use crate::credentials;
use crate::error::{Error, Hinted, EXIT_OK};
use crate::fs::atomic_write;
use crate::model::Model;
use crate::probes::Http;
use crate::render::{self, RenderedFile};
use crate::runtime::apply::{self, Settings};
use crate::runtime::docker::{ConnectError, Engine};
use crate::runtime::images::{self, ImageError, PullPolicy};
use crate::runtime::plan::{self, Observed};
use crate::runtime::progress::Progress;
use crate::runtime::reload::GrafanaAdmin;
use crate::runtime::services::{self, Desired, Host, GRAFANA_PASSWORD_COPY};
use crate::runtime::{ownership, ports, state};
use crate::stack;

/// Brings the stack up; exit 0 when every service is ready, 1 when applying
/// failed, 2 when a preflight check (Docker, ports, names, images, file
/// ownership) stopped it before anything was created.
pub fn run(file: Option<&Path>, args: UpArgs, output: OutputFormat) -> Result<u8> {
    let started = Instant::now();
    let stack = stack::load(file)?;
    let dir = args.dir.unwrap_or_else(|| stack.default_dir());
    let dir = std::path::absolute(&dir)
        .with_context(|| format!("resolving the stack directory {}", dir.display()))?;
    let files = render::render(&stack.model).map_err(anyhow::Error::msg)?;
    let progress = Progress::new(output == OutputFormat::Human && std::io::stderr().is_terminal());
    let pull = match args.pull {
        PullArg::Missing => PullPolicy::Missing,
        PullArg::Always => PullPolicy::Always,
        PullArg::Never => PullPolicy::Never,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let up = Up {
        model: &stack.model,
        dir: &dir,
        files: &files,
        pull,
        timeout: args.timeout,
        progress: &progress,
    };
    let report = runtime.block_on(async {
        tokio::select! {
            result = up.run() => result,
            _ = tokio::signal::ctrl_c() => Err(Hinted {
                message: "interrupted".into(),
                hint: "run `obsctl up` again: everything created so far is labelled, and the next run finishes the job".into(),
            }.into()),
        }
    })?;
    summary::print_up(&report, started.elapsed(), output);
    Ok(EXIT_OK)
}

struct Up<'a> {
    model: &'a Model,
    dir: &'a Path,
    files: &'a [RenderedFile],
    pull: PullPolicy,
    timeout: std::time::Duration,
    progress: &'a Progress,
}

impl Up<'_> {
    async fn run(&self) -> Result<UpReport> {
        let engine = connect().await?;
        let http = Http::new();
        let desired = services::desired(self.model, self.dir, self.files, &Host::detect());
        let observed = engine.observe(&self.model.name).await?;
        self.preflight(&engine, &desired, &observed).await?;

        let wanted: Vec<String> = desired
            .services
            .iter()
            .map(|s| s.def.image.clone())
            .collect();
        let images = images::ensure(&engine, &wanted, self.pull, self.progress)
            .await
            .map_err(image_error)?;

        let report = render::write::write(self.dir, self.files)
            .with_context(|| format!("writing rendered files into {}", self.dir.display()))?;
        let password = self.grafana_password(&desired, &observed)?;
        ownership::open_folders(&desired.bind_dirs(self.dir))
            .context("preparing the mounted folders")?;
        for service in &desired.services {
            let user = images.get(&service.def.image).map(|f| f.user.as_str());
            let uid = user
                .and_then(images::uid_of)
                .unwrap_or_else(|| service.service.default_uid());
            ownership::hand_over(service.name(), &service.secrets, uid).map_err(|e| {
                let hint = e.hint();
                Error::usage(e.to_string(), hint)
            })?;
        }

        let mut applied = state::load(self.dir);
        let digests: HashMap<&str, String> = desired
            .services
            .iter()
            .filter_map(|s| {
                Some((
                    s.name(),
                    state::digest(self.files, s.config_prefix.as_deref()?),
                ))
            })
            .collect();
        let changed: BTreeSet<String> = desired
            .services
            .iter()
            .filter(|s| {
                s.config_prefix
                    .as_deref()
                    .is_some_and(|p| report.changed_under(p))
                    || digests
                        .get(s.name())
                        .is_some_and(|d| applied.config.get(s.name()) != Some(d))
            })
            .map(|s| s.name().to_string())
            .collect();
        let image_ids = images
            .iter()
            .map(|(k, v)| (k.clone(), v.id.clone()))
            .collect();
        let plan = plan::plan(&desired, &observed, &image_ids, &changed);

        let admin = self
            .model
            .grafana
            .as_ref()
            .zip(password.as_ref())
            .map(|(g, p)| GrafanaAdmin {
                user: g.admin_user.clone(),
                password: p.value.clone(),
            });
        let settings = Settings {
            timeout: self.timeout,
            grafana: admin.as_ref(),
        };
        let outcomes = apply::apply(&engine, &http, &desired, &plan, &settings, self.progress)
            .await
            .map_err(apply_error)?;

        let before = applied.clone();
        applied.config = digests
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        if applied != before {
            state::save(self.dir, &applied).context("recording the applied configuration")?;
        }
        Ok(UpReport {
            stack: self.model.name.clone(),
            dir: self.dir.to_path_buf(),
            changed: !plan.is_noop(),
            outcomes,
            grafana: self.model.grafana.as_ref().zip(password).map(|(g, p)| {
                summary::GrafanaAccess {
                    url: g.root_url.clone(),
                    user: g.admin_user.clone(),
                    password_file: p.path,
                    generated: p.created,
                }
            }),
        })
    }

    /// Checks made before anything is created: host ports, and names the
    /// stack needs that objects without its label already hold.
    async fn preflight(
        &self,
        engine: &Engine,
        desired: &Desired,
        observed: &Observed,
    ) -> Result<()> {
        let taken = ports::taken(engine, desired, observed).await?;
        if let Some(first) = taken.first() {
            let lines: Vec<String> = taken
                .iter()
                .map(|t| {
                    let holder = t.holder.as_deref().unwrap_or("another program");
                    format!(
                        "host port {} for {} is already in use by {holder}",
                        t.port, t.service
                    )
                })
                .collect();
            let field = first.service.port_field();
            return Err(Error::usage(
                lines.join("; "),
                Some(format!("stop what holds it, or choose a free port with `{field}` in the spec; nothing was created")),
            )
            .into());
        }
        let containers: Vec<String> = desired
            .services
            .iter()
            .filter(|s| !observed.containers.iter().any(|c| c.name == s.def.name))
            .map(|s| s.def.name.clone())
            .collect();
        let networks: Vec<String> = (!observed.networks.iter().any(|n| n.name == desired.network))
            .then(|| desired.network.clone())
            .into_iter()
            .collect();
        let volumes: Vec<String> = desired
            .volumes
            .iter()
            .filter(|v| !observed.volumes.contains(&v.name))
            .map(|v| v.name.clone())
            .collect();
        if containers.is_empty() && networks.is_empty() && volumes.is_empty() {
            return Ok(());
        }
        let foreign = engine
            .foreign_names(&desired.stack, &containers, &networks, &volumes)
            .await?;
        if !foreign.is_empty() {
            let list: Vec<String> = foreign
                .iter()
                .map(|(kind, name)| format!("{kind} {name}"))
                .collect();
            return Err(Error::usage(
                format!(
                    "{} already exist{} without the label of stack `{}`",
                    list.join(", "),
                    if foreign.len() == 1 { "s" } else { "" },
                    desired.stack
                ),
                Some("obsctl never adopts or removes objects it did not create: remove or rename them, or give the stack another `name` in the spec; nothing was created".into()),
            )
            .into());
        }
        Ok(())
    }

    /// The Grafana admin password (generated on the first `up`) and the copy
    /// the container reads.
    fn grafana_password(
        &self,
        desired: &Desired,
        observed: &Observed,
    ) -> Result<Option<credentials::GrafanaPassword>> {
        if self.model.grafana.is_none() {
            return Ok(None);
        }
        let password = credentials::grafana_password(self.dir)
            .context("keeping the Grafana admin password")?;
        let copy: PathBuf = self.dir.join(GRAFANA_PASSWORD_COPY);
        let current = std::fs::read(&copy).ok();
        if current.as_deref() != Some(password.value.as_bytes()) {
            atomic_write(&copy, password.value.as_bytes(), 0o600)
                .context("writing the copy of the Grafana admin password")?;
        }
        let volume_existed = desired
            .volumes
            .iter()
            .any(|v| v.service == "grafana" && observed.volumes.contains(&v.name));
        if password.created && volume_existed {
            self.progress.say(format!(
                "warning: generated a new Grafana admin password in {}, but Grafana's data volume already exists, so Grafana keeps its previous password (it applies the password only when it creates its database); reset it in Grafana, or start afresh with `obsctl down --volumes`",
                password.path.display()
            ));
        }
        Ok(Some(password))
    }
}

/// Connects to Docker; an unreachable engine is an exit-2 error naming the
/// socket, with a hint. Shared by `up`, `down` and `status`.
pub(super) async fn connect() -> Result<Engine> {
    Engine::connect().await.map_err(|e: ConnectError| {
        Error::usage(
            format!(
                "cannot reach the Docker engine at {}: {}",
                e.endpoint, e.reason
            ),
            Some(e.hint),
        )
        .into()
    })
}

fn image_error(e: ImageError) -> anyhow::Error {
    match e.hint() {
        Some(hint) => Error::usage(e.to_string(), Some(hint)).into(),
        None => e.into(),
    }
}

/// A service that did not become ready is reported with the end of its log.
fn apply_error(e: apply::ApplyError) -> anyhow::Error {
    let apply::ApplyError::Wait(wait) = &e else {
        return e.into();
    };
    let Some((container, logs)) = wait.logs() else {
        return e.into();
    };
    let n = logs.len();
    let mut message = format!(
        "{wait}\n  last {n} line{} of its log:",
        if n == 1 { "" } else { "s" }
    );
    for line in logs {
        message.push_str(&format!("\n    | {line}"));
    }
    Hinted {
        message,
        hint: format!(
            "see `docker logs {container}` for the whole log; raise the deadline with --timeout if it is only slow"
        ),
    }
    .into()
}
