//! `obsctl dashboards export --out DIR`: the dashboards of Grafana as stable
//! JSON files for version control and backup, in the layout `import` reads.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::json;

use crate::cli::ExportArgs;
use crate::error::{Access, Error, EXIT_OK};
use crate::grafana::export::{self, Selection};
use crate::grafana::{connect, DEFAULT_CONCURRENCY};
use crate::printer::{Format, Printer, Table};
use crate::task;

/// Writes every selected dashboard below `--out`; prints one row per file.
pub fn run(printer: &Printer, file: Option<&Path>, args: &ExportArgs) -> Result<u8> {
    let conn = connect(file, &args.grafana.login())?;
    let selection = Selection {
        folders: args.folders.clone(),
        uids: args.uids.clone(),
    };
    let exported = task::block_on(async {
        let read = |e| conn.stopped(e, Access::Read);
        let hits = conn.client.search_dashboards().await.map_err(read)?;
        let found = export::locate(&conn.client, hits, DEFAULT_CONCURRENCY)
            .await
            .map_err(read)?;
        // A name that matches nothing is most likely a typo: say so rather
        // than export less than was asked for.
        let unmatched = selection.unmatched(&found);
        if !unmatched.is_empty() {
            return Err(Error::NoDashboardsFor {
                selection: unmatched,
            });
        }
        export::collect(&conn.client, found, &selection, DEFAULT_CONCURRENCY)
            .await
            .map_err(read)
    })??;
    for warning in &exported.warnings {
        printer.warning(warning);
    }
    let files = exported.files;
    let changed = export::write(&args.out, &files)
        .with_context(|| format!("writing dashboards into {}", args.out.display()))?;
    let changed_count = changed.iter().filter(|c| **c).count();
    match printer.format() {
        Format::Json => {
            let list: Vec<_> = files
                .iter()
                .zip(&changed)
                .map(|(f, c)| json!({"uid": f.uid, "title": f.title, "folder": f.folder, "file": f.path, "changed": c}))
                .collect();
            printer.json(
                &json!({"grafana": conn.client.base_url(), "out": args.out, "dashboards": list}),
            );
        }
        Format::Human => {
            let mut table = Table::new(&["FILE", "UID", "TITLE", "FOLDER", "RESULT"]);
            for (f, c) in files.iter().zip(&changed) {
                table.row(vec![
                    f.path.display().to_string(),
                    f.uid.clone(),
                    f.title.clone(),
                    f.folder.clone(),
                    if *c { "written" } else { "unchanged" }.to_string(),
                ]);
            }
            printer.table(&table);
            printer.say(format!(
                "exported {} dashboard{} from {} into {} ({changed_count} written, {} unchanged)",
                files.len(),
                if files.len() == 1 { "" } else { "s" },
                conn.client.base_url(),
                args.out.display(),
                files.len() - changed_count
            ));
        }
    }
    Ok(EXIT_OK)
}
