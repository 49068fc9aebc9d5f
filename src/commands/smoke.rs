//! `obsctl smoke`: one command for a CI job. Loads the spec once, runs the
//! smoke checks ([`smoke::checks`]: up, first scrapes, doctor, optional
//! synthetic alert), writes JUnit and prints the report, then tears down
//! what it created.
//!
//! Tear-down only removes a stack smoke itself created (with its volumes): a
//! stack that was already running is left as it was, so running smoke next to
//! a real stack never deletes its data.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::cli::SmokeArgs;
use crate::doctor::report::Report;
use crate::error::{EXIT_FAILED, EXIT_OK};
use crate::fs::atomic_write;
use crate::printer::{Format, Printer};
use crate::smoke::{self, junit};
use crate::{render, runtime, stack, task};

/// Runs the smoke test; exit 0 when every check passed, 1 otherwise, 2 when
/// it could not start (invalid spec, no Docker).
pub fn run(printer: &Printer, file: Option<&Path>, args: &SmokeArgs) -> Result<u8> {
    let started = Instant::now();
    let stack = stack::load(file)?;
    printer.warnings(&stack.warnings);
    let settings = args.settings();
    let model = &stack.model;
    let dir = stack.absolute_dir(args.dir.as_deref())?;
    // Held until the tear-down is done: another run must not find the stack
    // half up, nor have it removed under it.
    let _lock = super::lock_stack(printer, &model.name, Some(&dir), "smoke", &args.lock)?;
    let files = render::render(model)?;
    let progress = printer.progress();
    task::block_on(async {
        let engine = runtime::connect().await?;
        let existed = runtime::exists(&engine, &model.name).await?;
        let (checks, up) = smoke::checks(&engine, model, &files, &dir, &settings, &progress).await;
        if let Some(up) = &up {
            printer.say(up.headline(started.elapsed()));
        }
        let report = Report::new(checks, settings.strict);
        if let Some(path) = &args.junit {
            let xml = junit::render(&report, &model.name, started.elapsed().as_secs_f64());
            atomic_write(path, xml.as_bytes(), 0o644)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        match printer.format() {
            Format::Json => printer.json_pretty(&report),
            Format::Human => printer.data(&report.human()),
        }

        if settings.keep {
            printer.say(format!(
                "smoke: --keep: stack `{}` left running",
                model.name
            ));
        } else if existed {
            printer.say(format!(
                "smoke: stack `{}` was already running before smoke, so it is left as it was",
                model.name
            ));
        } else {
            let removed = runtime::down(&engine, &model.name, true).await?;
            printer.say(removed.describe(&model.name));
        }
        Ok(if report.healthy { EXIT_OK } else { EXIT_FAILED })
    })?
}
