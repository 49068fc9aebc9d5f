//! `obsctl render`: validate, render every file in memory, then write them
//! atomically into the stack directory.

use std::path::Path;

use anyhow::{Context, Result};

use crate::cli::{OutputFormat, RenderArgs};
use crate::error::EXIT_OK;
use crate::render;
use crate::stack;

/// Renders the stack's files into `--out` (default: `.obsctl/` beside the spec).
pub fn run(file: Option<&Path>, args: RenderArgs, output: OutputFormat) -> Result<u8> {
    let stack = stack::load(file)?;
    let dir = args.out.unwrap_or_else(|| stack.default_dir());
    let files = render::render(&stack.model).map_err(anyhow::Error::msg)?;
    let report = render::write::write(&dir, &files)
        .with_context(|| format!("writing rendered files into {}", dir.display()))?;
    match output {
        OutputFormat::Json => println!(
            "{}",
            serde_json::json!({"dir": dir, "files": files.len(), "written": report.written, "unchanged": report.unchanged, "removed": report.removed})
        ),
        OutputFormat::Human => eprintln!(
            "rendered {} files into {} ({} written, {} unchanged, {} removed)",
            files.len(),
            dir.display(),
            report.written.len(),
            report.unchanged.len(),
            report.removed.len()
        ),
    }
    Ok(EXIT_OK)
}
