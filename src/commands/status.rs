//! `obsctl status`: what runs under the stack's label ([`runtime::status`]):
//! each service's state, health, image, ports and uptime, as a table on
//! stdout (or JSON), with notes on stderr.

use std::path::Path;

use anyhow::Result;
use serde_json::json;

use crate::error::{EXIT_FAILED, EXIT_OK};
use crate::printer::{Format, Printer, Table};
use crate::probes::{probe_host, Http};
use crate::runtime::discovery::DiscoveredStatus;
use crate::runtime::{self, ServiceStatus};
use crate::{stack, task};

/// Prints the stack's status; exit 0 when every service runs and is healthy,
/// 1 otherwise (including services of the spec that have no container).
pub fn run(printer: &Printer, file: Option<&Path>) -> Result<u8> {
    let name = stack::name(file)?;
    // The full model says which services should exist; when it does not
    // validate (e.g. a secret's variable is unset here), show what runs.
    let loaded = stack::load(file).ok();
    let expected: Vec<String> = match &loaded {
        Some(stack) => {
            printer.warnings(&stack.warnings);
            stack
                .model
                .services()
                .into_iter()
                .map(|s| s.service.name().to_string())
                .collect()
        }
        None => Vec::new(),
    };
    let (rows, discovered) = task::block_on(async {
        let engine = runtime::connect().await?;
        let rows = runtime::status(&engine, &name).await?;
        let discovered = match &loaded {
            Some(stack) => {
                let prometheus = stack
                    .model
                    .prometheus
                    .as_ref()
                    .map(|p| format!("http://{}:{}", probe_host(stack.model.bind), p.port));
                runtime::discovery::discovered(
                    &Http::new(),
                    &stack.default_dir(),
                    prometheus.as_deref(),
                )
                .await
            }
            None => Vec::new(),
        };
        Ok::<_, crate::error::Error>((rows, discovered))
    })??;
    let missing: Vec<String> = expected
        .into_iter()
        .filter(|s| !rows.iter().any(|r| &r.service == s))
        .collect();
    let healthy = !rows.is_empty() && missing.is_empty() && rows.iter().all(|r| r.is_healthy());
    match printer.format() {
        Format::Json => printer.json(
            &json!({"stack": name, "healthy": healthy, "services": rows, "missing": missing, "discovered": discovered}),
        ),
        Format::Human => {
            if rows.is_empty() {
                printer.say(format!(
                    "stack `{name}` is not running: no container carries its label"
                ));
            } else {
                printer.table(&table(&rows));
                for r in &rows {
                    if let Some(detail) = &r.detail {
                        printer.say(format!("note: {}: readiness check: {detail}", r.service));
                    }
                }
            }
            for m in &missing {
                printer.say(format!("missing: {m} has no container (run `obsctl up`)"));
            }
            if !discovered.is_empty() {
                printer.data("\ndiscovered by label (prometheus.io/scrape):\n");
                printer.table(&discovered_table(&discovered));
            }
        }
    }
    Ok(if healthy { EXIT_OK } else { EXIT_FAILED })
}

fn table(rows: &[ServiceStatus]) -> Table {
    let mut table = Table::new(&["SERVICE", "STATE", "HEALTH", "IMAGE", "PORTS", "UPTIME"]);
    for r in rows {
        table.row(vec![
            r.service.clone(),
            r.state.clone(),
            r.health.clone(),
            r.image.clone(),
            if r.ports.is_empty() {
                "-".into()
            } else {
                r.ports.join(", ")
            },
            r.uptime_seconds.map(uptime).unwrap_or_else(|| "-".into()),
        ]);
    }
    table
}

fn discovered_table(rows: &[DiscoveredStatus]) -> Table {
    let mut table = Table::new(&["JOB", "TARGET", "PATH", "CONTAINER", "HEALTH"]);
    for r in rows {
        table.row(vec![
            r.target.job.clone(),
            r.target.address.clone(),
            r.target.metrics_path.clone(),
            r.target.container.clone(),
            r.health.clone(),
        ]);
    }
    table
}

fn uptime(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86400 => format!("{}h{}m", s / 3600, s % 3600 / 60),
        s => format!("{}d{}h", s / 86400, s % 86400 / 3600),
    }
}
