//! `obsctl dashboards import PATH...`: dashboard files into Grafana, with
//! datasources mapped to its Prometheus, folders created, and dashboards
//! changed in Grafana since the last import left alone unless `--force`.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::json;

use crate::cli::ImportArgs;
use crate::error::{Access, Error, EXIT_FAILED, EXIT_OK};
use crate::grafana::datasources::Catalog;
use crate::grafana::import::{self, Item, Options, Outcome, Row};
use crate::grafana::source::{self, SourceFile};
use crate::grafana::state::State;
use crate::grafana::{connect, Connection};
use crate::printer::{Format, Printer, Table};
use crate::task;

/// Imports the files and folders named; prints one row per dashboard. Exit 1
/// when any dashboard failed or was in conflict.
pub fn run(printer: &Printer, file: Option<&Path>, args: &ImportArgs) -> Result<u8> {
    let sources = source::collect(&args.paths, args.folder.as_deref())
        .map_err(|path| Error::NoSuchDashboardPath { path })?;
    if sources.is_empty() {
        return Err(Error::NoDashboardFiles.into());
    }
    let conn = connect(file, &args.grafana.login())?;
    let opts = Options {
        force: args.force,
        dry_run: args.dry_run,
        concurrency: usize::from(args.concurrency),
    };
    task::block_on(import_all(
        printer,
        &conn,
        &sources,
        args.datasource.as_deref(),
        opts,
    ))?
}

async fn import_all(
    printer: &Printer,
    conn: &Connection,
    sources: &[SourceFile],
    datasource: Option<&str>,
    opts: Options,
) -> Result<u8> {
    // The first request also proves Grafana is there and takes the credentials,
    // before anything is read or changed.
    let catalog = match conn.client.datasources().await {
        Ok(list) => Catalog(Some(list)),
        // Some roles may save dashboards but not list datasources.
        Err(e) if e.status() == Some(403) => Catalog(None),
        Err(e) => return Err(conn.stopped(e, Access::Write).into()),
    };
    let target = catalog.choose(datasource, conn.own_datasource)?;
    let items: Vec<Item> = sources
        .iter()
        .map(|s| match source::prepare(s, &target, &catalog) {
            Ok(p) => Item::Ready(p),
            Err(u) => Item::Unusable(Row {
                file: s.display.clone(),
                uid: String::new(),
                title: u.title,
                folder: s.folder.to_string(),
                result: Outcome::Failed,
                detail: u.detail,
            }),
        })
        .collect();

    let mut state = State::load(&conn.state_path)?;
    let before = state.clone();
    let url = conn.client.base_url().to_string();
    if printer.format() == Format::Human {
        printer.say(format!(
            "{}importing {} dashboard{} into {url} (Prometheus datasource `{}`, uid {})",
            if opts.dry_run { "dry run: " } else { "" },
            items.len(),
            if items.len() == 1 { "" } else { "s" },
            target.name,
            target.uid
        ));
    }
    let progress = printer.progress();
    let bar = progress.count(items.len(), "dashboards");
    let result = import::run(&conn.client, items, &mut state, opts, &|_| bar.inc(1)).await;
    bar.finish_and_clear();
    // Whatever was saved is recorded, even when the import stopped half-way.
    if !opts.dry_run && state != before {
        state.url = url.clone();
        state.save(&conn.state_path).with_context(|| {
            format!(
                "recording the imported versions in {}",
                conn.state_path.display()
            )
        })?;
    }
    let report = result.map_err(|e| conn.stopped(e, Access::Write))?;
    let (rows, panels) = (report.dashboards, report.library_panels);

    let count = |o: Outcome| rows.iter().filter(|r| r.result == o).count();
    match printer.format() {
        Format::Json => {
            let summary: serde_json::Map<String, serde_json::Value> = Outcome::ALL
                .iter()
                .map(|o| (o.as_str().to_string(), json!(count(*o))))
                .collect();
            printer.json(&json!({
                "grafana": url,
                "datasource": {"uid": target.uid, "name": target.name},
                "dry_run": opts.dry_run,
                "summary": summary,
                "dashboards": rows,
                "library_panels": panels,
            }));
        }
        Format::Human => {
            let mut table = Table::new(&["FILE", "UID", "TITLE", "FOLDER", "RESULT", "DETAIL"]);
            for r in &rows {
                table.row(vec![
                    r.file.clone(),
                    r.uid.clone(),
                    r.title.clone(),
                    r.folder.clone(),
                    r.result.as_str().to_string(),
                    r.detail.clone(),
                ]);
            }
            printer.table(&table);
            if !panels.is_empty() {
                let mut table = Table::new(&["LIBRARY PANEL", "NAME", "RESULT", "DETAIL"]);
                for p in &panels {
                    table.row(vec![
                        p.uid.clone(),
                        p.name.clone(),
                        p.result.as_str().to_string(),
                        p.detail.clone(),
                    ]);
                }
                printer.table(&table);
            }
            let parts: Vec<String> = Outcome::ALL
                .iter()
                .filter(|o| count(**o) > 0)
                .map(|o| format!("{} {}", count(*o), o.as_str()))
                .collect();
            printer.say(format!(
                "{}{} dashboard{}: {}",
                if opts.dry_run {
                    "dry run, nothing was written: "
                } else {
                    ""
                },
                rows.len(),
                if rows.len() == 1 { "" } else { "s" },
                parts.join(", ")
            ));
            if count(Outcome::Conflict) > 0 {
                printer.hint("a dashboard in conflict was changed in Grafana; `obsctl dashboards export` keeps those changes, --force overwrites them");
            }
        }
    }
    let bad = count(Outcome::Conflict)
        + count(Outcome::Failed)
        + panels
            .iter()
            .filter(|p| matches!(p.result, Outcome::Conflict | Outcome::Failed))
            .count();
    Ok(if bad > 0 { EXIT_FAILED } else { EXIT_OK })
}
