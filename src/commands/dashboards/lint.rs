//! `obsctl dashboards lint`: dashboard files checked offline.

use std::path::PathBuf;

use anyhow::Result;
use serde_json::json;

use crate::dashboard_lint::{self, Level};
use crate::dashjson;
use crate::diagnostic::Problems;
use crate::error::{Error, EXIT_FAILED, EXIT_OK};
use crate::printer::{Format, Printer};
use crate::spec::Source;

/// `obsctl dashboards lint PATH...`: checks dashboard files offline; exit 1 on
/// any error (warnings alone pass).
pub fn lint(printer: &Printer, paths: &[PathBuf]) -> Result<u8> {
    let files = collect(paths)?;
    // Problems reading a file (invalid JSON, not a dashboard) are located by
    // the same machinery as spec problems.
    let source = Source::new(None, String::new());
    let mut read_problems = Problems::new(&source);
    let mut report = Vec::new();
    let (mut errors, mut warnings) = (0, 0);
    for file in &files {
        let display = file.display().to_string();
        let Some(json) = dashjson::read(file, &display, &mut read_problems) else {
            continue;
        };
        for f in dashboard_lint::lint(&dashjson::unwrap(json)) {
            match f.level {
                Level::Error => errors += 1,
                Level::Warning => warnings += 1,
            }
            report.push(
                json!({"file": display, "level": f.level, "panel": f.panel, "message": f.message}),
            );
        }
    }
    for p in &read_problems.list {
        errors += 1;
        report.push(json!({"file": p.file, "level": "error", "line": p.line, "column": p.column, "message": p.message}));
    }
    match printer.format() {
        Format::Json => printer.json(
            &json!({"files": files.len(), "errors": errors, "warnings": warnings, "findings": report}),
        ),
        Format::Human => {
            let mut lines = String::new();
            for p in &read_problems.list {
                lines.push_str(&format!("error: {p}\n"));
            }
            for r in report.iter().filter(|r| r.get("panel").is_some()) {
                let panel = r["panel"]
                    .as_str()
                    .map(|p| format!("panel {p}: "))
                    .unwrap_or_default();
                lines.push_str(&format!(
                    "{}: {}: {panel}{}\n",
                    r["level"].as_str().unwrap_or("error"),
                    r["file"].as_str().unwrap_or(""),
                    r["message"].as_str().unwrap_or("")
                ));
            }
            printer.data(&lines);
            printer.say(format!(
                "linted {} dashboard file{}: {errors} error{}, {warnings} warning{}",
                files.len(),
                plural(files.len()),
                plural(errors),
                plural(warnings)
            ));
        }
    }
    Ok(if errors > 0 { EXIT_FAILED } else { EXIT_OK })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Files named, and `.json` files under folders named.
fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            files.extend(dashjson::json_files(p));
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            return Err(Error::NoSuchDashboardPath { path: p.clone() }.into());
        }
    }
    Ok(files)
}
