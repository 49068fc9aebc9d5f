//! Carrying out a [`Plan`]: network and volumes first, then the containers to
//! replace are removed, new ones created in parallel and started stage by
//! stage in dependency order (exporters and Alertmanager together, then
//! Prometheus, then Grafana), readiness awaited under one deadline, and
//! changed configuration applied to kept containers.
//!
//! Every object is created with the stack's labels in the same call, so an
//! interrupted run leaves nothing that a re-run cannot find and converge.
//! A stage starts once the previous stage's containers run (as Compose's
//! `depends_on`), not once they are ready: Prometheus retries its targets and
//! Alertmanager, and Grafana queries Prometheus lazily, so waiting for
//! readiness between stages would only add latency. Readiness is awaited for
//! all services together at the end.

use std::collections::BTreeMap;
use std::time::Instant;

use futures_util::future::{join_all, try_join_all};
use serde::Serialize;

use super::docker::{Engine, NetworkRemoval};
use super::plan::{Apply, Plan, Step};
use super::reload::{self, GrafanaAdmin};
use super::services::{Container, Desired, Readiness};
use super::wait;
use crate::error::Error;
use crate::model::Service;
use crate::printer::Progress;
use crate::probes::Http;
use crate::timeouts;

/// What happened to a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Created,
    Recreated,
    Started,
    Reloaded,
    Restarted,
    Unchanged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Recreated => "recreated",
            Action::Started => "started",
            Action::Reloaded => "reloaded",
            Action::Restarted => "restarted",
            Action::Unchanged => "unchanged",
        }
    }
}

/// How a service looked at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    /// Its readiness endpoint answered 200.
    Ready,
    /// Running; not published, so not checked over HTTP.
    Running,
    /// Its readiness endpoint did not answer 200 (the note says what it did).
    Unhealthy,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Ready => "ready",
            Health::Running => "running",
            Health::Unhealthy => "unhealthy",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub service: String,
    pub container: String,
    pub image: String,
    pub url: Option<String>,
    pub action: Action,
    pub health: Health,
    /// Something worth telling the user (e.g. a reload only partly confirmed).
    pub note: Option<String>,
}

pub struct Settings<'a> {
    /// When all services together must be ready.
    pub deadline: Instant,
    pub grafana: Option<&'a GrafanaAdmin>,
}

/// Carries out `plan`; returns one outcome per desired service, in order.
pub async fn apply(
    engine: &Engine,
    http: &Http,
    desired: &Desired,
    plan: &Plan,
    settings: &Settings<'_>,
    progress: &Progress,
) -> Result<Vec<Outcome>, Error> {
    let stack = &desired.stack;
    let network = async {
        match &plan.network {
            Some(id) => Ok(id.clone()),
            None => {
                progress.say(format!("creating network {}", desired.network));
                engine.create_network(stack, &desired.network).await
            }
        }
    };
    let volumes = try_join_all(plan.create_volumes.iter().map(|v| {
        progress.say(format!("creating volume {}", v.name));
        engine.create_volume(stack, &v.name, &v.service)
    }));
    let (network, volumes) = tokio::join!(network, volumes);
    let network = network?;
    volumes?;

    // Containers to remove: services gone from the spec, duplicates, and the
    // old containers of services that are recreated (their data volume stays).
    let mut removals: Vec<(String, String)> = Vec::new();
    for r in &plan.remove {
        progress.say(format!(
            "removing {} ({} is no longer wanted)",
            r.name, r.service
        ));
        removals.push((r.id.clone(), r.name.clone()));
    }
    let steps: BTreeMap<&str, &Step> = plan
        .services
        .iter()
        .map(|s| (s.service.as_str(), &s.step))
        .collect();
    for service in &desired.services {
        if let Some(Step::Recreate { old, why }) = steps.get(service.name()) {
            progress.say(format!(
                "recreating {}: {}",
                service.def.name,
                why.describe()
            ));
            removals.push((old.clone(), service.def.name.clone()));
        }
    }
    try_join_all(
        removals
            .iter()
            .map(|(id, name)| engine.stop_and_remove(id, name)),
    )
    .await?;
    // Then the stack's surplus networks, now that none of its containers is
    // on them (preflight made sure no one else's is).
    try_join_all(plan.remove_networks.iter().map(|n| async move {
        progress.say(format!(
            "removing network {} ({}): a second network of the stack under that name, left by an interrupted or concurrent run",
            n.name,
            short(&n.id)
        ));
        match engine.remove_network(&n.id, &n.name).await? {
            NetworkRemoval::Removed => Ok(()),
            NetworkRemoval::InUse { containers } => Err(Error::DuplicateNetworkInUse {
                network: n.name.clone(),
                id: n.id.clone(),
                attached: containers,
            }),
        }
    }))
    .await?;

    let step = |s: &Container| {
        steps
            .get(s.name())
            .copied()
            .cloned()
            .unwrap_or(Step::Create)
    };
    let to_create: Vec<&Container> = desired
        .services
        .iter()
        .filter(|s| matches!(step(s), Step::Create | Step::Recreate { .. }))
        .collect();
    try_join_all(to_create.iter().map(|s| {
        if step(s) == Step::Create {
            progress.say(format!("creating {}", s.def.name));
        }
        engine.create_container(stack, s, &network)
    }))
    .await?;
    // New containers join the application's networks before they start, so
    // Prometheus resolves the application's names from its first scrape.
    let join = try_join_all(plan.connect.iter().map(|a| {
        progress.say(format!(
            "connecting {} to network {}",
            a.container, a.network
        ));
        engine.connect_network(&a.network_id, &a.network, &a.container)
    }));
    let leave = try_join_all(plan.disconnect.iter().map(|a| {
        progress.say(format!(
            "disconnecting {} from network {}: it is no longer in `networks:`",
            a.container, a.network
        ));
        engine.disconnect_network(&a.network_id, &a.container)
    }));
    tokio::try_join!(join, leave)?;

    let mut started: Vec<&Container> = Vec::new();
    for stage in 0..=Service::LAST_STAGE {
        let batch: Vec<&Container> = desired
            .services
            .iter()
            .filter(|s| s.service.stage() == stage && !matches!(step(s), Step::Keep { .. }))
            .collect();
        try_join_all(batch.iter().map(|s| engine.start(&s.def.name))).await?;
        started.extend(batch);
    }
    let applies: BTreeMap<&str, Apply> = plan
        .services
        .iter()
        .filter_map(|s| s.apply.map(|a| (s.service.as_str(), a)))
        .collect();
    let restarted: Vec<&Container> = desired
        .services
        .iter()
        .filter(|s| applies.get(s.name()) == Some(&Apply::Restart))
        .collect();
    try_join_all(restarted.iter().map(|s| {
        progress.say(format!(
            "restarting {}: its secret files changed",
            s.def.name
        ));
        engine.restart(&s.def.name)
    }))
    .await?;

    let deadline = settings.deadline;
    try_join_all(
        started
            .iter()
            .chain(&restarted)
            .map(|s| wait::until_ready(engine, http, s, deadline, progress)),
    )
    .await?;

    let mut outcomes = Vec::new();
    for service in &desired.services {
        let mut note = None;
        let action = match (step(service), applies.get(service.name())) {
            (Step::Create, _) => Action::Created,
            (Step::Recreate { .. }, _) => Action::Recreated,
            (Step::Start { .. }, _) => Action::Started,
            (Step::Keep { .. }, Some(Apply::Restart)) => Action::Restarted,
            (Step::Keep { .. }, Some(Apply::Reload | Apply::Provisioning)) => {
                progress.say(format!(
                    "reloading {}: its configuration changed",
                    service.name()
                ));
                note = reload::reload(http, service, settings.grafana).await?;
                Action::Reloaded
            }
            (Step::Keep { .. }, None) => Action::Unchanged,
        };
        outcomes.push(Outcome {
            service: service.name().into(),
            container: service.def.name.clone(),
            image: service.def.image.clone(),
            url: service.url.clone(),
            action,
            health: Health::Running,
            note,
        });
    }
    // Services that were waited for are ready; the others get one quick look.
    let waited: Vec<&str> = started.iter().chain(&restarted).map(|s| s.name()).collect();
    let checks = join_all(desired.services.iter().map(|s| async {
        if waited.contains(&s.name()) {
            return health_after_wait(s);
        }
        quick_health(http, s).await
    }))
    .await;
    for (outcome, (health, detail)) in outcomes.iter_mut().zip(checks) {
        outcome.health = health;
        if let Some(detail) = detail {
            outcome.note = Some(format!("readiness check: {detail}"));
        }
    }
    Ok(outcomes)
}

/// The first 12 characters of a Docker id, as the docker CLI shows it.
pub fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

fn health_after_wait(s: &Container) -> (Health, Option<String>) {
    match s.ready {
        Readiness::Http { .. } => (Health::Ready, None),
        Readiness::Running => (Health::Running, None),
    }
}

/// One short readiness request, for services `up` did not have to wait for;
/// with what the endpoint answered when it was not ready.
pub async fn quick_health(http: &Http, s: &Container) -> (Health, Option<String>) {
    match &s.ready {
        Readiness::Http { url } => {
            let check = http.check(url, timeouts::QUICK_HEALTH).await;
            if check.is_up() {
                (Health::Ready, None)
            } else {
                (Health::Unhealthy, Some(check.describe()))
            }
        }
        Readiness::Running => (Health::Running, None),
    }
}
