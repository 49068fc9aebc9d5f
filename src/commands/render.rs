//! `obsctl render`: validate, render every file in memory, then write them
//! atomically into the stack directory.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::json;

use crate::cli::RenderArgs;
use crate::error::EXIT_OK;
use crate::printer::{Format, Printer};
use crate::{render, stack};

/// Renders the stack's files into `--out` (default: `.obsctl/` beside the spec).
pub fn run(printer: &Printer, file: Option<&Path>, args: &RenderArgs) -> Result<u8> {
    let stack = stack::load(file)?;
    printer.warnings(&stack.warnings);
    let dir = args.out.clone().unwrap_or_else(|| stack.default_dir());
    let files = render::render(&stack.model)?;
    let report = render::write::write(&dir, &files)
        .with_context(|| format!("writing rendered files into {}", dir.display()))?;
    match printer.format() {
        Format::Json => printer.json(&json!({
            "dir": dir,
            "files": files.len(),
            "written": report.written,
            "unchanged": report.unchanged,
            "removed": report.removed,
        })),
        Format::Human => printer.say(format!(
            "rendered {} files into {} ({} written, {} unchanged, {} removed)",
            files.len(),
            dir.display(),
            report.written.len(),
            report.unchanged.len(),
            report.removed.len()
        )),
    }
    Ok(EXIT_OK)
}
