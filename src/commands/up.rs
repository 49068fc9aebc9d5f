//! `obsctl up`: bring the stack to what the spec says, through the Docker
//! Engine API, and wait until every service is ready ([`runtime::up`]); then
//! print where everything is.

use std::path::Path;
use std::time::Instant;

use anyhow::Result;

use crate::cli::UpArgs;
use crate::error::EXIT_OK;
use crate::printer::{Format, Printer, Table};
use crate::runtime::{self, UpReport};
use crate::{render, stack, task};

/// Brings the stack up; exit 0 when every service is ready, 1 when applying
/// failed, 2 when a preflight check (Docker, ports, names, images, file
/// ownership) stopped it before anything was created.
pub fn run(printer: &Printer, file: Option<&Path>, args: &UpArgs) -> Result<u8> {
    let started = Instant::now();
    let stack = stack::load(file)?;
    printer.warnings(&stack.warnings);
    let settings = args.settings();
    let dir = stack.absolute_dir(args.dir.as_deref())?;
    let _lock = super::lock_stack(printer, &stack.model.name, Some(&dir), "up", &args.lock)?;
    let files = render::render(&stack.model)?;
    let progress = printer.progress();
    let report = task::block_on(task::interruptible(async {
        let engine = runtime::connect().await?;
        runtime::up(&engine, &stack.model, &files, &dir, &settings, &progress).await
    }))??;
    let elapsed = started.elapsed();
    match printer.format() {
        Format::Json => {
            let mut value = serde_json::to_value(&report)?;
            value["elapsed_ms"] = serde_json::json!(elapsed.as_millis() as u64);
            if let Some(services) = value.get_mut("outcomes").map(serde_json::Value::take) {
                value["services"] = services;
                value.as_object_mut().map(|o| o.remove("outcomes"));
            }
            printer.json(&value);
        }
        Format::Human => {
            printer.say(report.headline(elapsed));
            printer.table(&table(&report));
            if !report.discovered.is_empty() {
                let found: Vec<String> = report
                    .discovered
                    .iter()
                    .map(|t| format!("{} ({}{})", t.job, t.address, t.metrics_path))
                    .collect();
                printer.say(format!(
                    "scraping {} target(s) found by their labels: {}",
                    found.len(),
                    found.join(", ")
                ));
            }
            for o in report.outcomes.iter().filter(|o| o.note.is_some()) {
                printer.say(format!(
                    "note: {}: {}",
                    o.service,
                    o.note.as_deref().unwrap_or_default()
                ));
            }
            if let Some(g) = &report.grafana {
                printer.say(format!(
                    "Grafana login: user `{}`, password in {}{}",
                    g.user,
                    g.password_file.display(),
                    if g.generated { " (generated now)" } else { "" }
                ));
            }
        }
    }
    Ok(EXIT_OK)
}

fn table(report: &UpReport) -> Table {
    let mut table = Table::new(&["SERVICE", "HEALTH", "ACTION", "URL"]);
    for o in &report.outcomes {
        table.row(vec![
            o.service.clone(),
            o.health.as_str().into(),
            o.action.as_str().into(),
            o.url.clone().unwrap_or_else(|| "(not published)".into()),
        ]);
    }
    table
}
