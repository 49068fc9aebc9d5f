//! `obsctl validate`: check the spec and everything it points at.

use std::path::Path;

use anyhow::Result;

use crate::cli::OutputFormat;
use crate::error::EXIT_OK;
use crate::stack;

/// Validates the spec; exit 0 when valid, 2 (via the error) when not.
pub fn run(file: Option<&Path>, output: OutputFormat) -> Result<u8> {
    let stack = stack::load(file)?;
    let m = &stack.model;
    let summary = serde_json::json!({
        "spec": stack.source.display_name(),
        "valid": true,
        "stack": m.name,
        "scrape_jobs": m.scrape_jobs.len(),
        "rule_files": m.rules.len(),
        "dashboards": m.dashboards.len(),
    });
    match output {
        OutputFormat::Json => println!("{summary}"),
        OutputFormat::Human => eprintln!(
            "{} is valid: stack `{}`, {} scrape jobs, {} rule files, {} dashboards",
            stack.source.display_name(),
            m.name,
            m.scrape_jobs.len(),
            m.rules.len(),
            m.dashboards.len()
        ),
    }
    Ok(EXIT_OK)
}
