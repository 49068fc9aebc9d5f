//! `obsctl dashboards list`: the dashboards in Grafana with their folder and
//! version (versions are read one dashboard at a time, several at once).

use std::path::Path;

use anyhow::Result;
use serde_json::json;

use crate::cli::ListArgs;
use crate::error::{Access, EXIT_OK};
use crate::grafana::export::{fetch_all, locate};
use crate::grafana::{connect, DEFAULT_CONCURRENCY};
use crate::printer::{Format, Printer, Table};
use crate::task;

/// Prints uid, title, folder and version of every dashboard.
pub fn run(printer: &Printer, file: Option<&Path>, args: &ListArgs) -> Result<u8> {
    let conn = connect(file, &args.grafana.login())?;
    let mut found = task::block_on(async {
        let hits = conn.client.search_dashboards().await?;
        let found = locate(&conn.client, hits, DEFAULT_CONCURRENCY).await?;
        fetch_all(&conn.client, found, DEFAULT_CONCURRENCY).await
    })?
    .map_err(|e| conn.stopped(e, Access::Read))?;
    // General first, then folders (parents before their children) and titles.
    found.sort_by(|(a, _), (b, _)| (&a.folder, &a.hit.title).cmp(&(&b.folder, &b.hit.title)));
    match printer.format() {
        Format::Json => {
            let list: Vec<_> = found
                .iter()
                .map(|(p, r)| json!({"uid": p.hit.uid, "title": p.hit.title, "folder": p.folder.to_string(), "version": r.version}))
                .collect();
            printer.json(&json!({"grafana": conn.client.base_url(), "dashboards": list}));
        }
        Format::Human => {
            let mut table = Table::new(&["UID", "TITLE", "FOLDER", "VERSION"]);
            for (p, r) in &found {
                table.row(vec![
                    p.hit.uid.clone(),
                    p.hit.title.clone(),
                    p.folder.to_string(),
                    r.version.to_string(),
                ]);
            }
            printer.table(&table);
            printer.say(format!(
                "{} dashboard{} in {}",
                found.len(),
                if found.len() == 1 { "" } else { "s" },
                conn.client.base_url()
            ));
        }
    }
    Ok(EXIT_OK)
}
