//! Finding and loading the spec a command works on: `-f PATH`, else
//! `./obsctl.yaml`, else the built-in default stack.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::error::{print_warnings, Error};
use crate::model::{self, Model};
use crate::presets;
use crate::spec::{self, Source};

/// The default spec file name.
pub const SPEC_FILE: &str = "obsctl.yaml";
/// The stack directory's name, beside the spec.
pub const STACK_DIR: &str = ".obsctl";

/// A loaded, validated stack.
pub struct Stack {
    pub source: Source,
    pub model: Model,
}

impl Stack {
    /// Where rendered files and state live by default.
    pub fn default_dir(&self) -> PathBuf {
        self.source.base_dir().join(STACK_DIR)
    }
}

/// Reads the spec text `file` names (or the default), without validating it.
pub fn source(file: Option<&Path>) -> Result<Source> {
    match file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::usage(
                    format!("cannot read spec {}: {e}", path.display()),
                    Some("run `obsctl init` to write one, or omit -f to use ./obsctl.yaml or the built-in default stack".to_string()),
                )
            })?;
            Ok(Source::new(Some(path.to_path_buf()), text))
        }
        None if Path::new(SPEC_FILE).is_file() => source(Some(Path::new(SPEC_FILE))),
        None => Ok(Source::new(None, presets::default_spec_text())),
    }
}

/// Loads and validates the stack, printing warnings to stderr.
pub fn load(file: Option<&Path>) -> Result<Stack> {
    let source = source(file)?;
    let spec = spec::load(&source).map_err(Error::Parse)?;
    let env = |name: &str| std::env::var(name).ok();
    let built = model::build(&spec, &source, &env).map_err(Error::Invalid)?;
    print_warnings(&built.warnings);
    Ok(Stack {
        source,
        model: built.model,
    })
}

/// The stack name the spec gives (or the default), read without validating
/// the rest: `down` and `status` must work even when, say, a secret's
/// environment variable is not set in this shell.
pub fn name(file: Option<&Path>) -> Result<String> {
    let source = source(file)?;
    let spec = spec::load(&source).map_err(Error::Parse)?;
    Ok(spec
        .name
        .unwrap_or_else(|| model::defaults::STACK_NAME.to_string()))
}
