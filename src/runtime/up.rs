//! `up` as a library call: bring the stack to what the model says and wait
//! until every service is ready.
//!
//! Preflight first (host ports free, no foreign object holding one of the
//! stack's names, images present), so a stack that cannot come up leaves
//! nothing behind; then the rendered files are written, the plan is made
//! against what Docker has under the stack's label, and applied; last, `up`
//! waits until Prometheus lists every target and the Alertmanager. A re-run
//! with nothing changed touches nothing.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::apply::{self, Action, Outcome};
use super::docker::Engine;
use super::images::{self, PullPolicy};
use super::plan::{self, Observed};
use super::reload::GrafanaAdmin;
use super::services::{self, Desired, Host, GRAFANA_PASSWORD_COPY};
use super::{discovery, ownership, preflight, state, wired};
use crate::credentials::{self, GrafanaPassword};
use crate::discovery::{Scope, Target};
use crate::error::Error;
use crate::fs::atomic_write;
use crate::model::{Model, Service, Wiring};
use crate::printer::Progress;
use crate::probes::Http;
use crate::render::{self, RenderedFile};

/// How `up` works, resolved from its flags.
#[derive(Debug, Clone, Copy)]
pub struct UpSettings {
    pub pull: PullPolicy,
    /// How long the services together may take to become ready and
    /// Prometheus to list its targets and Alertmanager.
    pub timeout: Duration,
}

/// Where and how to log in to Grafana.
#[derive(Debug, Serialize)]
pub struct GrafanaAccess {
    pub url: String,
    pub user: String,
    pub password_file: PathBuf,
    /// True when `up` generated the password in this run.
    pub generated: bool,
}

/// What `up` did and how the stack looks now.
#[derive(Debug, Serialize)]
pub struct UpReport {
    pub stack: String,
    pub dir: PathBuf,
    /// False when the run created, recreated, started and reloaded nothing.
    pub changed: bool,
    pub outcomes: Vec<Outcome>,
    /// Containers that joined or left an application network in this run.
    pub networks: Vec<NetworkChange>,
    /// Targets found by container labels (`prometheus.io/scrape`).
    pub discovered: Vec<Target>,
    pub grafana: Option<GrafanaAccess>,
}

/// A container of the stack that joined or left an application network.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkChange {
    pub container: String,
    pub network: String,
    /// `connected` or `disconnected`.
    pub action: &'static str,
}

impl UpReport {
    /// One line for people: `stack `shop` is up (2 created, 1 reloaded, 4.2s)`.
    pub fn headline(&self, elapsed: Duration) -> String {
        let count = |a: Action| self.outcomes.iter().filter(|o| o.action == a).count();
        let mut did: Vec<String> = [
            Action::Created,
            Action::Recreated,
            Action::Started,
            Action::Restarted,
            Action::Reloaded,
        ]
        .into_iter()
        .filter(|a| count(*a) > 0)
        .map(|a| format!("{} {}", count(a), a.as_str()))
        .collect();
        for (action, said) in [("connected", "joined"), ("disconnected", "left")] {
            let n = self.networks.iter().filter(|c| c.action == action).count();
            if n > 0 {
                did.push(format!("{n} {said} an application network"));
            }
        }
        if did.is_empty() {
            did.push("nothing to change".into());
        }
        format!(
            "stack `{}` is up ({}, {:.1}s)",
            self.stack,
            did.join(", "),
            elapsed.as_secs_f64()
        )
    }
}

/// Brings the stack of `model`, rendered to `files`, up in `dir` (absolute).
pub async fn up(
    engine: &Engine,
    model: &Model,
    files: &[RenderedFile],
    dir: &Path,
    settings: &UpSettings,
    progress: &Progress,
) -> Result<UpReport, Error> {
    let http = Http::new();
    let desired = services::desired(model, dir, files, &Host::detect());
    let observed = engine.observe(&model.name).await?;
    preflight::check(engine, &desired, &observed).await?;

    let wanted: Vec<String> = desired
        .services
        .iter()
        .map(|s| s.def.image.clone())
        .collect();
    // The labelled containers are read while the images are checked (each
    // is a round trip to the engine, and a no-op `up` is mostly those).
    let discover = model.prometheus.is_some();
    let (images, candidates) = tokio::try_join!(
        images::ensure(engine, &wanted, settings.pull, progress),
        async {
            if discover {
                engine.scrape_candidates().await
            } else {
                Ok(Vec::new())
            }
        }
    )?;

    let written = render::write::write(dir, files)?;
    // Prometheus reads the discovered targets at its start, and re-reads
    // them by itself when they change.
    let discovered = if discover {
        let found = discovery::hand_over(&candidates, &Scope::of(model), dir)?;
        for warning in found.discovery.warnings() {
            progress.say(format!("warning: {warning}"));
        }
        found.discovery.targets
    } else {
        Vec::new()
    };
    let password = grafana_password(model, dir, &desired, &observed, progress)?;
    ownership::open_folders(&desired.bind_dirs(dir))
        .map_err(Error::io("prepare the mounted folders in", dir))?;
    for container in &desired.services {
        let user = images.get(&container.def.image).map(|f| f.user.as_str());
        let uid = user
            .and_then(images::uid_of)
            .unwrap_or_else(|| container.service.default_uid());
        ownership::hand_over(container.service, &container.secrets, uid)?;
    }

    // A service's configuration is applied when its files changed in this
    // run, or when what is written differs from what it last applied (an
    // earlier run was interrupted between writing and reloading).
    let (mut applied, damaged) = state::load(dir);
    if let Some(warning) = &damaged {
        progress.say(format!("warning: {warning}"));
    }
    let digests: HashMap<Service, String> = desired
        .services
        .iter()
        .filter_map(|s| Some((s.service, state::digest(files, s.config_prefix.as_deref()?))))
        .collect();
    let changed: BTreeSet<String> = desired
        .services
        .iter()
        .filter(|s| {
            s.config_prefix
                .as_deref()
                .is_some_and(|p| written.changed_under(p))
                || digests
                    .get(&s.service)
                    .is_some_and(|d| applied.config.get(s.name()) != Some(d))
        })
        .map(|s| s.name().to_string())
        .collect();
    let image_ids = images
        .iter()
        .map(|(k, v)| (k.clone(), v.id.clone()))
        .collect();
    let plan = plan::plan(&desired, &observed, &image_ids, &changed);

    let admin = model
        .grafana
        .as_ref()
        .zip(password.as_ref())
        .map(|(g, p)| GrafanaAdmin {
            user: g.admin_user.clone(),
            password: p.value.clone(),
        });
    let deadline = Instant::now() + settings.timeout;
    let apply_settings = apply::Settings {
        deadline,
        grafana: admin.as_ref(),
    };
    let outcomes = apply::apply(engine, &http, &desired, &plan, &apply_settings, progress).await?;
    // Ready means wired: Prometheus lists every target and the Alertmanager.
    if let Some(base) = desired
        .service(Service::Prometheus.name())
        .and_then(|p| p.base_url.as_deref())
    {
        wired::until_wired(&http, base, &Wiring::of(model), deadline, progress).await?;
    }

    let before = applied.clone();
    applied.config = digests
        .into_iter()
        .map(|(k, v)| (k.name().to_string(), v))
        .collect();
    if applied != before || damaged.is_some() {
        state::save(dir, &applied)
            .map_err(Error::io("record the applied configuration in", dir))?;
    }
    Ok(UpReport {
        stack: model.name.clone(),
        dir: dir.to_path_buf(),
        changed: !plan.is_noop(),
        outcomes,
        networks: network_changes(&plan),
        discovered,
        grafana: model
            .grafana
            .as_ref()
            .zip(password)
            .map(|(g, p)| GrafanaAccess {
                url: g.root_url.clone(),
                user: g.admin_user.clone(),
                password_file: p.path,
                generated: p.created,
            }),
    })
}

fn network_changes(plan: &plan::Plan) -> Vec<NetworkChange> {
    let change = |action| {
        move |a: &plan::Attachment| NetworkChange {
            container: a.container.clone(),
            network: a.network.clone(),
            action,
        }
    };
    plan.connect
        .iter()
        .map(change("connected"))
        .chain(plan.disconnect.iter().map(change("disconnected")))
        .collect()
}

/// The Grafana admin password (generated on the first `up`), and the copy
/// the container reads.
fn grafana_password(
    model: &Model,
    dir: &Path,
    desired: &Desired,
    observed: &Observed,
    progress: &Progress,
) -> Result<Option<GrafanaPassword>, Error> {
    if model.grafana.is_none() {
        return Ok(None);
    }
    let password = credentials::grafana_password(dir)
        .map_err(Error::io("keep the Grafana admin password in", dir))?;
    let copy = dir.join(GRAFANA_PASSWORD_COPY);
    if std::fs::read(&copy).ok().as_deref() != Some(password.value.as_bytes()) {
        atomic_write(&copy, password.value.as_bytes(), 0o600).map_err(Error::io(
            "write the copy of the Grafana admin password to",
            &copy,
        ))?;
    }
    let volume_existed = desired
        .volumes
        .iter()
        .any(|v| v.service == Service::Grafana.name() && observed.volumes.contains(&v.name));
    if password.created && volume_existed {
        progress.say(format!(
            "warning: generated a new Grafana admin password in {}, but Grafana's data volume already exists, so Grafana keeps its previous password (it applies the password only when it creates its database); reset it in Grafana, or start afresh with `obsctl down --volumes`",
            password.path.display()
        ));
    }
    Ok(Some(password))
}
