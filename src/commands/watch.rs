//! `obsctl watch`: keep the targets found by container labels current while
//! it runs in the foreground ([`runtime::watch`]), telling each change;
//! Ctrl-C or SIGTERM ends it (exit 0).

use std::path::Path;

use anyhow::Result;
use serde_json::json;

use crate::cli::WatchArgs;
use crate::discovery::{Discovery, Scope, Target};
use crate::error::{Error, EXIT_OK};
use crate::printer::{Format, Printer};
use crate::runtime::watch::WatchEvent;
use crate::{runtime, stack, task};

/// Follows Docker's events until stopped; exit 0 when stopped, 1 when the
/// targets could not be written, 2 when there is nothing to watch for.
pub fn run(printer: &Printer, file: Option<&Path>, args: &WatchArgs) -> Result<u8> {
    // Watch hands over targets only: the secrets' variables need not be set.
    let stack = stack::load_references_only(file)?;
    printer.warnings(&stack.warnings);
    if stack.model.prometheus.is_none() {
        return Err(Error::NothingToWatch.into());
    }
    let dir = stack.absolute_dir(args.dir.as_deref())?;
    let scope = Scope::of(&stack.model);
    printer.say(format!(
        "watching Docker for containers labelled prometheus.io/scrape on {} (Ctrl-C stops)",
        scope.networks.join(", ")
    ));
    let mut warned: Vec<String> = Vec::new();
    let mut first = true;
    task::block_on(async {
        let engine = runtime::connect().await?;
        runtime::watch::watch(&engine, &scope, &dir, task::stop_requested(), |event| {
            tell(printer, event, &mut first, &mut warned)
        })
        .await
    })??;
    printer.say("stopped watching");
    Ok(EXIT_OK)
}

/// Tells the first look, then every change of the targets (a pass that
/// changed nothing is not told), new warnings, and breaks in the events.
fn tell(printer: &Printer, event: WatchEvent, first: &mut bool, warned: &mut Vec<String>) {
    match event {
        WatchEvent::Refreshed {
            refresh,
            added,
            removed,
        } => {
            let look = std::mem::take(first);
            if look || !added.is_empty() || !removed.is_empty() {
                match printer.format() {
                    Format::Json => printer.json(&json!({
                        "event": "targets",
                        "targets": refresh.discovery.targets,
                        "added": added,
                        "removed": removed,
                        "skipped": refresh.discovery.skipped,
                    })),
                    Format::Human if look => {
                        let all = &refresh.discovery.targets;
                        printer.say(format!(
                            "{} target(s) found by label{}",
                            all.len(),
                            list(all)
                        ));
                    }
                    Format::Human => {
                        for t in &added {
                            printer.say(format!("+ {}", describe(t)));
                        }
                        for t in &removed {
                            printer.say(format!("- {}", describe(t)));
                        }
                    }
                }
            }
            if printer.format() == Format::Human {
                warn(printer, &refresh.discovery, warned);
            }
        }
        WatchEvent::Lost { reason, retry_in } => match printer.format() {
            Format::Json => printer.json(&json!({
                "event": "lost", "reason": reason, "retry_in_ms": retry_in.as_millis() as u64,
            })),
            Format::Human => printer.say(format!(
                "lost Docker's events ({reason}); trying again in {:.1}s",
                retry_in.as_secs_f64()
            )),
        },
        WatchEvent::Following => match printer.format() {
            Format::Json => printer.json(&json!({"event": "following"})),
            Format::Human => printer.say("following Docker's events again"),
        },
    }
}

/// The warnings of a pass not told already.
fn warn(printer: &Printer, found: &Discovery, warned: &mut Vec<String>) {
    let warnings: Vec<String> = found.warnings().collect();
    for w in warnings.iter().filter(|w| !warned.contains(w)) {
        printer.say(format!("warning: {w}"));
    }
    *warned = warnings;
}

fn describe(t: &Target) -> String {
    format!(
        "{} {}{} (container {})",
        t.job, t.address, t.metrics_path, t.container
    )
}

fn list(targets: &[Target]) -> String {
    if targets.is_empty() {
        return String::new();
    }
    let all: Vec<String> = targets.iter().map(describe).collect();
    format!(": {}", all.join(", "))
}
