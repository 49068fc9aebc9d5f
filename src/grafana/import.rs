//! Saving prepared dashboards into Grafana, many at once, without ever
//! overwriting someone else's work.
//!
//! For each dashboard: read what Grafana holds under its uid. Absent: create
//! it. Identical: nothing to do. Present at the version obsctl saved last
//! time: update it, sending that version, so that a save that races with a
//! person's is refused by Grafana (412) instead of silently winning. Present
//! at any other version — edited in Grafana, or never imported by obsctl — is
//! a conflict, unless `--force` says to overwrite. The library panels the
//! dashboards use are saved first, by the same rules ([`library_sync`]).

use std::collections::{BTreeMap, BTreeSet};

use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use serde_json::Value;

use super::canonical;
use super::client::{ApiError, Client};
use super::folder_path::FolderPath;
use super::folders::{self, fatal, Place};
use super::library_sync::{self, PanelRow};
use super::source::Prepared;
use super::state::State;

/// How an import runs.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub force: bool,
    pub dry_run: bool,
    pub concurrency: usize,
}

/// What happened to one dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
    Conflict,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Unchanged => "unchanged",
            Outcome::Conflict => "conflict",
            Outcome::Failed => "failed",
        }
    }

    pub const ALL: [Outcome; 5] = [
        Outcome::Created,
        Outcome::Updated,
        Outcome::Unchanged,
        Outcome::Conflict,
        Outcome::Failed,
    ];
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub file: String,
    pub uid: String,
    pub title: String,
    pub folder: String,
    pub result: Outcome,
    pub detail: String,
}

/// What an import did: a row per dashboard (in the order given) and per
/// library panel they use.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub dashboards: Vec<Row>,
    pub library_panels: Vec<PanelRow>,
}

/// A dashboard to import, or the row saying why it cannot be.
#[derive(Debug, Clone)]
pub enum Item {
    Ready(Prepared),
    Unusable(Row),
}

/// Imports `items`, recording saved versions in `state` as they complete.
/// Returns the rows in the order of `items`; Err when Grafana became
/// unreachable or refused the credentials, so going on would only fail again.
pub async fn run(
    client: &Client,
    items: Vec<Item>,
    state: &mut State,
    opts: Options,
    on_done: &dyn Fn(&Row),
) -> Result<Report, ApiError> {
    let mut rows: Vec<Option<Row>> = vec![None; items.len()];
    let mut todo = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Item::Unusable(row) => rows[i] = Some(row),
            Item::Ready(p) => match seen.get(&p.uid) {
                // Two files, one dashboard: saving both would make them overwrite each other.
                Some(first) => {
                    let detail = format!("{} has the same uid `{}`", first, p.uid);
                    rows[i] = Some(row(&p, Outcome::Failed, detail));
                }
                None => {
                    seen.insert(p.uid.clone(), p.file.display.clone());
                    todo.push((i, p));
                }
            },
        }
    }
    for r in rows.iter().flatten() {
        on_done(r);
    }

    let paths: BTreeSet<FolderPath> = todo.iter().map(|(_, p)| p.file.folder.clone()).collect();
    let places = folders::resolve(client, &paths, opts.dry_run).await?;
    let prepared: Vec<&Prepared> = todo.iter().map(|(_, p)| p).collect();
    let panels = library_sync::run(client, &prepared, &places, state, opts).await?;
    let recorded: Vec<Option<i64>> = todo.iter().map(|(_, p)| state.recorded(&p.uid)).collect();

    let panels_ref = &panels;
    let mut done = stream::iter(todo.iter().zip(recorded).map(|((i, p), recorded)| {
        let place = &places[&p.file.folder];
        async move {
            if let Some((outcome, detail)) = library_sync::blocked(p, panels_ref) {
                return (*i, Ok((row(p, outcome, detail), None)));
            }
            (*i, sync_one(client, p, place, recorded, opts).await)
        }
    }))
    .buffer_unordered(opts.concurrency.max(1));
    while let Some((i, result)) = done.next().await {
        let (r, saved) = result?;
        if let Some(version) = saved {
            state.record(&r.uid, version);
        }
        on_done(&r);
        rows[i] = Some(r);
    }
    drop(done);
    Ok(Report {
        dashboards: rows.into_iter().flatten().collect(),
        library_panels: panels,
    })
}

fn row(p: &Prepared, result: Outcome, detail: impl Into<String>) -> Row {
    Row {
        file: p.file.display.clone(),
        uid: p.uid.clone(),
        title: p.title.clone(),
        folder: p.file.folder.to_string(),
        result,
        detail: detail.into(),
    }
}

/// One dashboard: its row and the version to record (when one was saved, or
/// found identical). Err only for errors that end the whole import.
async fn sync_one(
    client: &Client,
    p: &Prepared,
    place: &Place,
    recorded: Option<i64>,
    opts: Options,
) -> Result<(Row, Option<i64>), ApiError> {
    let failed = |e: ApiError| -> Result<(Row, Option<i64>), ApiError> {
        if fatal(&e) {
            Err(e)
        } else {
            Ok((row(p, Outcome::Failed, e.to_string()), None))
        }
    };
    if let Place::Failed(why) = place {
        return Ok((row(p, Outcome::Failed, why.clone()), None));
    }
    let dry = |outcome: Outcome, detail: &str| Ok((row(p, outcome, dry_detail(detail)), None));
    let remote = match client.dashboard(&p.uid).await {
        Ok(r) => r,
        Err(e) => return failed(e),
    };
    let Some(remote) = remote else {
        if opts.dry_run {
            return dry(Outcome::Created, "");
        }
        return match client
            .save_dashboard(&p.dashboard, place.uid().unwrap_or(""), false)
            .await
        {
            Ok(v) => Ok((row(p, Outcome::Created, ""), Some(v))),
            // Older Grafana refuses a second dashboard of the same title in a folder.
            Err(e) if e.status() == Some(412) => Ok((row(p, Outcome::Conflict, refused(&e)), None)),
            Err(e) => failed(e),
        };
    };
    let same_place = place.uid() == Some(remote.folder_uid.as_str());
    if same_place && canonical::same(&remote.dashboard, &p.dashboard) {
        // Also adopt the version: an identical dashboard is not someone else's change.
        let record = (recorded != Some(remote.version) && !opts.dry_run).then_some(remote.version);
        return Ok((row(p, Outcome::Unchanged, ""), record));
    }
    if remote.provisioned {
        let detail = "Grafana provisions this dashboard from a file, so the API may not save it; change that file instead";
        return Ok((row(p, Outcome::Failed, detail), None));
    }
    let detail = match may_overwrite(recorded, remote.version, opts.force) {
        Ok(detail) => detail,
        Err(conflict) => return Ok((row(p, Outcome::Conflict, conflict), None)),
    };
    if opts.dry_run {
        return dry(Outcome::Updated, &detail);
    }
    let mut dashboard = p.dashboard.clone();
    dashboard["version"] = Value::from(remote.version);
    match client
        .save_dashboard(&dashboard, place.uid().unwrap_or(""), opts.force)
        .await
    {
        Ok(v) => Ok((row(p, Outcome::Updated, detail), Some(v))),
        Err(e) if e.status() == Some(412) => settle_412(client, p, place, e).await,
        Err(e) => failed(e),
    }
}

/// Whether what Grafana holds at `version` may be overwritten: Ok with the
/// detail to report (empty when it is the version obsctl saved), Err with
/// the conflict's detail when someone else's change would be lost.
pub(super) fn may_overwrite(
    recorded: Option<i64>,
    version: i64,
    force: bool,
) -> Result<String, String> {
    let why = match recorded {
        Some(v) if v == version => return Ok(String::new()),
        Some(v) => format!(
            "changed in Grafana since obsctl saved it (version {version} there, obsctl saved {v})"
        ),
        None => format!("exists in Grafana (version {version}) but was not imported by obsctl"),
    };
    if force {
        Ok(format!("overwritten (--force): {why}"))
    } else {
        Err(format!("{why}; --force overwrites it"))
    }
}

/// The detail of a row in a dry run.
pub(super) fn dry_detail(detail: &str) -> String {
    let sep = if detail.is_empty() { "" } else { "; " };
    format!("dry run, nothing written{sep}{detail}")
}

/// A 412 after sending the stored version: someone saved in between — or our
/// own save went through and only its answer was lost (a retried 5xx). Which
/// one is told by reading the dashboard again.
async fn settle_412(
    client: &Client,
    p: &Prepared,
    place: &Place,
    e: ApiError,
) -> Result<(Row, Option<i64>), ApiError> {
    if let Ok(Some(now)) = client.dashboard(&p.uid).await {
        if place.uid() == Some(now.folder_uid.as_str())
            && canonical::same(&now.dashboard, &p.dashboard)
        {
            return Ok((row(p, Outcome::Updated, ""), Some(now.version)));
        }
    }
    let detail = if e.grafana_status().as_deref() == Some("version-mismatch") {
        "changed in Grafana while importing; --force overwrites it".to_string()
    } else {
        refused(&e)
    };
    Ok((row(p, Outcome::Conflict, detail), None))
}

/// A 412 other than a version mismatch, in Grafana's words.
fn refused(e: &ApiError) -> String {
    format!(
        "Grafana refused to save it: {}",
        e.message().unwrap_or_default()
    )
}
