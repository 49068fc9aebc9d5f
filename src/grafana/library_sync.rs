//! Saving the library panels that imported dashboards use, before the
//! dashboards, by the same rules as dashboards: a missing one is created
//! (`POST /api/library-elements`) in the folder of the first dashboard that
//! uses it; an identical one is left alone; one obsctl saved last time is
//! updated (`PATCH`, sending the version it replaces); any other difference
//! is a conflict unless `--force`. A dashboard whose library panel is
//! missing from Grafana and from its file, or in conflict, is not saved:
//! Grafana would store it and then fail to connect the panel, which would
//! not render.

use std::collections::BTreeMap;

use serde::Serialize;

use super::client::{ApiError, Client};
use super::folder_path::FolderPath;
use super::folders::{fatal, Place};
use super::import::{dry_detail, may_overwrite, Options, Outcome};
use super::library::{self, Wanted};
use super::source::Prepared;
use super::state::State;

/// What happened to one library panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PanelRow {
    pub uid: String,
    pub name: String,
    pub result: Outcome,
    pub detail: String,
    /// The uids of the imported dashboards that use it.
    pub dashboards: Vec<String>,
}

/// One library panel to save: what the files want, where it would be
/// created, and who uses it.
struct Job<'a> {
    wanted: Wanted,
    place: &'a Place,
    dashboards: Vec<String>,
}

/// Saves every library panel the dashboards use, recording saved versions
/// in `state`. Err when Grafana became unreachable or refused the credentials.
pub async fn run(
    client: &Client,
    dashboards: &[&Prepared],
    places: &BTreeMap<FolderPath, Place>,
    state: &mut State,
    opts: Options,
) -> Result<Vec<PanelRow>, ApiError> {
    let mut jobs: Vec<Job> = Vec::new();
    for p in dashboards {
        for w in &p.library_panels {
            match jobs.iter_mut().find(|j| j.wanted.uid == w.uid) {
                Some(job) => {
                    job.dashboards.push(p.uid.clone());
                    if job.wanted.model.is_none() {
                        job.wanted.model.clone_from(&w.model);
                    }
                }
                None => jobs.push(Job {
                    wanted: w.clone(),
                    place: &places[&p.file.folder],
                    dashboards: vec![p.uid.clone()],
                }),
            }
        }
    }
    let mut rows = Vec::new();
    for job in jobs {
        let recorded = state.recorded_panel(&job.wanted.uid);
        let (result, detail, saved) = sync_one(client, &job, recorded, opts).await?;
        if let Some(version) = saved {
            state.record_panel(&job.wanted.uid, version);
        }
        rows.push(PanelRow {
            uid: job.wanted.uid,
            name: job.wanted.name,
            result,
            detail,
            dashboards: job.dashboards,
        });
    }
    Ok(rows)
}

/// Why a dashboard cannot be saved because of its library panels, if so.
pub fn blocked(p: &Prepared, panels: &[PanelRow]) -> Option<(Outcome, String)> {
    p.library_panels.iter().find_map(|w| {
        let row = panels.iter().find(|r| r.uid == w.uid)?;
        matches!(row.result, Outcome::Conflict | Outcome::Failed).then(|| {
            let detail = format!("library panel `{}` ({}): {}", row.name, row.uid, row.detail);
            (row.result, detail)
        })
    })
}

type Synced = (Outcome, String, Option<i64>);

async fn sync_one(
    client: &Client,
    job: &Job<'_>,
    recorded: Option<i64>,
    opts: Options,
) -> Result<Synced, ApiError> {
    let failed = |e: ApiError| -> Result<Synced, ApiError> {
        if fatal(&e) {
            Err(e)
        } else {
            Ok((Outcome::Failed, e.to_string(), None))
        }
    };
    let dry = |outcome: Outcome, detail: &str| Ok((outcome, dry_detail(detail), None));
    let w = &job.wanted;
    let remote = match client.library_element(&w.uid).await {
        Ok(r) => r,
        Err(e) => return failed(e),
    };
    let Some(remote) = remote else {
        let Some(model) = &w.model else {
            let detail = "not in Grafana, and the file does not carry it in `__elements`; export the dashboard from a Grafana that has it (Export > Export for sharing externally), or create the library panel there first";
            return Ok((Outcome::Failed, detail.into(), None));
        };
        let folder = match job.place {
            Place::Failed(why) => return Ok((Outcome::Failed, why.clone(), None)),
            _ if opts.dry_run => return dry(Outcome::Created, ""),
            Place::WouldCreate => return dry(Outcome::Created, ""),
            Place::Existing(uid) => uid,
        };
        return match client
            .create_library_panel(&w.uid, &w.name, folder, &library::comparable(model))
            .await
        {
            Ok(saved) => Ok((Outcome::Created, String::new(), Some(saved.version))),
            Err(e) => failed(e),
        };
    };
    let Some(model) = &w.model else {
        // Nothing to compare with: Grafana's is the one the dashboard uses.
        let detail = "in Grafana; the file does not carry its model";
        return Ok((Outcome::Unchanged, detail.into(), None));
    };
    let name = if w.name.is_empty() {
        &remote.name
    } else {
        &w.name
    };
    if library::same(&remote.model, model) && *name == remote.name {
        // Identical: adopt the version, as for dashboards.
        let record = (recorded != Some(remote.version) && !opts.dry_run).then_some(remote.version);
        return Ok((Outcome::Unchanged, String::new(), record));
    }
    let detail = match may_overwrite(recorded, remote.version, opts.force) {
        Ok(detail) => detail,
        Err(conflict) => return Ok((Outcome::Conflict, conflict, None)),
    };
    if opts.dry_run {
        return dry(Outcome::Updated, &detail);
    }
    match client
        .update_library_panel(&w.uid, name, &library::comparable(model), remote.version)
        .await
    {
        Ok(saved) => Ok((Outcome::Updated, detail, Some(saved.version))),
        Err(e) if e.status() == Some(412) => Ok((
            Outcome::Conflict,
            "changed in Grafana while importing; --force overwrites it".into(),
            None,
        )),
        Err(e) => failed(e),
    }
}
