//! `obsctl dashboards list`: the dashboards in Grafana with their folder and
//! version (versions are read one dashboard at a time, several at once).

use std::path::Path;

use anyhow::Result;
use serde_json::json;

use super::connect::{connect, runtime, Need};
use super::table;
use crate::cli::{ListArgs, OutputFormat};
use crate::error::EXIT_OK;
use crate::grafana::export::fetch_all;
use crate::grafana::{DEFAULT_CONCURRENCY, GENERAL};

/// Prints uid, title, folder and version of every dashboard.
pub fn run(file: Option<&Path>, args: ListArgs, output: OutputFormat) -> Result<u8> {
    let conn = connect(file, &args.grafana)?;
    let mut found = runtime()?
        .block_on(async {
            let hits = conn.client.search_dashboards().await?;
            fetch_all(&conn.client, hits, DEFAULT_CONCURRENCY).await
        })
        .map_err(|e| conn.stopped(e, Need::Read))?;
    // General first, then folders and titles alphabetically.
    found.sort_by(|(a, _), (b, _)| {
        (a.folder() != GENERAL, a.folder(), &a.title).cmp(&(
            b.folder() != GENERAL,
            b.folder(),
            &b.title,
        ))
    });
    match output {
        OutputFormat::Json => {
            let list: Vec<_> = found
                .iter()
                .map(|(h, r)| json!({"uid": h.uid, "title": h.title, "folder": h.folder(), "version": r.version}))
                .collect();
            println!(
                "{}",
                json!({"grafana": conn.client.base_url(), "dashboards": list})
            );
        }
        OutputFormat::Human => {
            let cells: Vec<Vec<String>> = found
                .iter()
                .map(|(h, r)| {
                    vec![
                        h.uid.clone(),
                        h.title.clone(),
                        h.folder().to_string(),
                        r.version.to_string(),
                    ]
                })
                .collect();
            print!(
                "{}",
                table::render(&["UID", "TITLE", "FOLDER", "VERSION"], &cells)
            );
            eprintln!(
                "{} dashboard{} in {}",
                found.len(),
                if found.len() == 1 { "" } else { "s" },
                conn.client.base_url()
            );
        }
    }
    Ok(EXIT_OK)
}
