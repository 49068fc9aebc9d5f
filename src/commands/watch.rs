//! `obsctl watch`: keep the targets found by container labels current while
//! it runs in the foreground ([`runtime::watch`]), telling each change;
//! Ctrl-C or SIGTERM ends it (exit 0).

use std::path::Path;

use anyhow::Result;
use serde_json::json;

use crate::cli::WatchArgs;
use crate::discovery::{Scope, Target};
use crate::error::{Error, EXIT_OK};
use crate::printer::{Format, Printer};
use crate::runtime::watch::WatchEvent;
use crate::{runtime, stack, task};

/// Follows Docker's events until stopped; exit 0 when stopped, 1 when the
/// targets could not be written, 2 when there is nothing to watch for.
pub fn run(printer: &Printer, file: Option<&Path>, args: &WatchArgs) -> Result<u8> {
    let stack = stack::load(file)?;
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

fn tell(printer: &Printer, event: WatchEvent, first: &mut bool, warned: &mut Vec<String>) {
    match (printer.format(), event) {
        (
            Format::Json,
            WatchEvent::Refreshed {
                refresh,
                added,
                removed,
            },
        ) => printer.json(&json!({
            "event": "targets",
            "targets": refresh.discovery.targets,
            "added": added,
            "removed": removed,
            "skipped": refresh.discovery.skipped,
        })),
        (Format::Json, WatchEvent::Lost { reason, retry_in }) => printer.json(&json!({
            "event": "lost", "reason": reason, "retry_in_ms": retry_in.as_millis() as u64,
        })),
        (Format::Json, WatchEvent::Following) => printer.json(&json!({"event": "following"})),
        (
            Format::Human,
            WatchEvent::Refreshed {
                refresh,
                added,
                removed,
            },
        ) => {
            if std::mem::take(first) {
                let all = &refresh.discovery.targets;
                printer.say(format!(
                    "{} target(s) found by label{}",
                    all.len(),
                    list(all)
                ));
            } else {
                for t in &added {
                    printer.say(format!("+ {}", describe(t)));
                }
                for t in &removed {
                    printer.say(format!("- {}", describe(t)));
                }
            }
            let warnings: Vec<String> = refresh.discovery.warnings().collect();
            for w in warnings.iter().filter(|w| !warned.contains(w)) {
                printer.say(format!("warning: {w}"));
            }
            *warned = warnings;
        }
        (Format::Human, WatchEvent::Lost { reason, retry_in }) => printer.say(format!(
            "lost Docker's events ({reason}); trying again in {:.1}s",
            retry_in.as_secs_f64()
        )),
        (Format::Human, WatchEvent::Following) => printer.say("following Docker's events again"),
    }
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
