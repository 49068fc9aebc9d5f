//! `obsctl dashboards export --out DIR`: the dashboards of Grafana as stable
//! JSON files for version control and backup, in the layout `import` reads.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::json;

use super::connect::{connect, runtime, Need};
use super::table;
use crate::cli::{ExportArgs, OutputFormat};
use crate::error::{Error, EXIT_OK};
use crate::grafana::export::{self, Selection};
use crate::grafana::DEFAULT_CONCURRENCY;

/// Writes every selected dashboard below `--out`; prints one row per file.
pub fn run(file: Option<&Path>, args: ExportArgs, output: OutputFormat) -> Result<u8> {
    let conn = connect(file, &args.grafana)?;
    let selection = Selection {
        folders: args.folders,
        uids: args.uids,
    };
    let files = runtime()?.block_on(async {
        let hits = conn
            .client
            .search_dashboards()
            .await
            .map_err(|e| conn.stopped(e, Need::Read))?;
        // A name that matches nothing is most likely a typo: say so rather
        // than export less than was asked for.
        let unmatched = selection.unmatched(&hits);
        if !unmatched.is_empty() {
            return Err(Error::usage(
                format!("Grafana has no dashboards for {}", unmatched.join(", ")),
                Some("`obsctl dashboards list` shows what there is".to_string()),
            )
            .into());
        }
        export::collect(&conn.client, hits, &selection, DEFAULT_CONCURRENCY)
            .await
            .map_err(|e| conn.stopped(e, Need::Read))
    })?;
    let changed = export::write(&args.out, &files)
        .with_context(|| format!("writing dashboards into {}", args.out.display()))?;
    let changed_count = changed.iter().filter(|c| **c).count();
    match output {
        OutputFormat::Json => {
            let list: Vec<_> = files
                .iter()
                .zip(&changed)
                .map(|(f, c)| json!({"uid": f.uid, "title": f.title, "folder": f.folder, "file": f.path, "changed": c}))
                .collect();
            println!(
                "{}",
                json!({"grafana": conn.client.base_url(), "out": args.out, "dashboards": list})
            );
        }
        OutputFormat::Human => {
            let cells: Vec<Vec<String>> = files
                .iter()
                .zip(&changed)
                .map(|(f, c)| {
                    vec![
                        f.path.display().to_string(),
                        f.uid.clone(),
                        f.title.clone(),
                        f.folder.clone(),
                        if *c { "written" } else { "unchanged" }.to_string(),
                    ]
                })
                .collect();
            print!(
                "{}",
                table::render(&["FILE", "UID", "TITLE", "FOLDER", "RESULT"], &cells)
            );
            eprintln!(
                "exported {} dashboard{} from {} into {} ({changed_count} written, {} unchanged)",
                files.len(),
                if files.len() == 1 { "" } else { "s" },
                conn.client.base_url(),
                args.out.display(),
                files.len() - changed_count
            );
        }
    }
    Ok(EXIT_OK)
}
