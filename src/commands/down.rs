//! `obsctl down`: stop and remove what `up` created ([`runtime::down`]);
//! data volumes stay unless `--volumes`.

use std::path::Path;

use anyhow::Result;
use serde_json::json;

use crate::cli::DownArgs;
use crate::error::{Error, EXIT_OK};
use crate::printer::{Format, Printer};
use crate::{runtime, stack, task};

/// Removes the stack's containers and network (and volumes with `--volumes`).
pub fn run(printer: &Printer, file: Option<&Path>, args: &DownArgs) -> Result<u8> {
    // Only the name: `down` must work when, say, a secret's environment
    // variable is not set in this shell.
    let name = stack::name(file)?;
    // `down` has no --dir: it locks the default stack directory when there
    // is one (without creating it), and the stack's name in any case.
    let dir = stack::source(file)?.base_dir().join(stack::STACK_DIR);
    let dir = match dir.is_dir() {
        true => Some(
            std::path::absolute(&dir).map_err(Error::io("resolve the stack directory", &dir))?,
        ),
        false => None,
    };
    let _lock = super::lock_stack(printer, &name, dir.as_deref(), "down", &args.lock)?;
    let removed = task::block_on(async {
        let engine = runtime::connect().await?;
        runtime::down(&engine, &name, args.volumes).await
    })??;
    match printer.format() {
        Format::Json => printer.json(&json!({
            "stack": name,
            "removed": {
                "containers": removed.containers,
                "networks": removed.networks,
                "volumes": removed.volumes,
            },
            "kept_volumes": removed.kept_volumes,
            "kept_networks": removed.kept_networks,
        })),
        Format::Human => {
            printer.say(removed.describe(&name));
            for kept in &removed.kept_networks {
                printer.say(kept.describe());
            }
            if !removed.kept_volumes.is_empty() {
                printer.say(format!(
                    "kept data volumes {} (remove them with `obsctl down --volumes`)",
                    removed.kept_volumes.join(", ")
                ));
            }
        }
    }
    Ok(EXIT_OK)
}
