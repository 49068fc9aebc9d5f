//! `obsctl validate`: check the spec and everything it points at.

use std::path::Path;

use anyhow::Result;
use serde_json::json;

use crate::error::EXIT_OK;
use crate::printer::{Format, Printer};
use crate::stack;

/// Validates the spec; exit 0 when valid, 2 (via the error) when not.
pub fn run(printer: &Printer, file: Option<&Path>) -> Result<u8> {
    let stack = stack::load(file)?;
    printer.warnings(&stack.warnings);
    let m = &stack.model;
    match printer.format() {
        Format::Json => printer.json(&json!({
            "spec": stack.source.display_name(),
            "valid": true,
            "stack": m.name,
            "scrape_jobs": m.scrape_jobs.len(),
            "rule_files": m.rules.len(),
            "dashboards": m.dashboards.len(),
        })),
        Format::Human => printer.say(format!(
            "{} is valid: stack `{}`, {} scrape jobs, {} rule files, {} dashboards",
            stack.source.display_name(),
            m.name,
            m.scrape_jobs.len(),
            m.rules.len(),
            m.dashboards.len()
        )),
    }
    Ok(EXIT_OK)
}
