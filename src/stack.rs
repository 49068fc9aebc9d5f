//! Finding and loading the spec a command works on: `-f PATH`, else
//! `./obsctl.yaml`, else the built-in default stack.

use std::path::{Path, PathBuf};

use crate::diagnostic::Problem;
use crate::error::Error;
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
    /// What is allowed but probably not meant; the caller prints them once.
    pub warnings: Vec<Problem>,
}

impl Stack {
    /// Where rendered files and state live by default.
    pub fn default_dir(&self) -> PathBuf {
        self.source.base_dir().join(STACK_DIR)
    }

    /// The stack directory: `given` (`--dir`), else the default; absolute,
    /// since containers bind-mount folders inside it.
    pub fn absolute_dir(&self, given: Option<&Path>) -> Result<PathBuf, Error> {
        let dir = given.map_or_else(|| self.default_dir(), Path::to_path_buf);
        std::path::absolute(&dir).map_err(Error::io("resolve the stack directory", &dir))
    }
}

/// Reads the spec text `file` names (or the default), without validating it.
pub fn source(file: Option<&Path>) -> Result<Source, Error> {
    match file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::SpecUnreadable {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
            Ok(Source::new(Some(path.to_path_buf()), text))
        }
        None if Path::new(SPEC_FILE).is_file() => source(Some(Path::new(SPEC_FILE))),
        None => Ok(Source::new(None, presets::default_spec_text())),
    }
}

/// Loads and validates the stack; its warnings are returned, not printed.
pub fn load(file: Option<&Path>) -> Result<Stack, Error> {
    load_with(file, &|name: &str| std::env::var(name).ok())
}

fn load_with(file: Option<&Path>, env: model::Env) -> Result<Stack, Error> {
    let source = source(file)?;
    let spec = spec::load(&source).map_err(Error::SpecSyntax)?;
    let built = model::build(&spec, &source, env).map_err(Error::InvalidSpec)?;
    Ok(Stack {
        source,
        model: built.model,
        warnings: built.warnings,
    })
}

/// Loads and validates the stack without reading any secret (each keeps its
/// name, with an empty value): for output that only refers to secrets, and
/// for `watch`, which needs only the stack's name, networks and jobs (a
/// service manager's environment need not hold the secrets' variables).
pub fn load_references_only(file: Option<&Path>) -> Result<Stack, Error> {
    let source = source(file)?;
    let spec = spec::load(&source).map_err(Error::SpecSyntax)?;
    let built = model::build_references_only(&spec, &source).map_err(Error::InvalidSpec)?;
    Ok(Stack {
        source,
        model: built.model,
        warnings: built.warnings,
    })
}

/// The stack name the spec gives (or the default), read without validating
/// the rest: `down` and `status` must work even when, say, a secret's
/// environment variable is not set in this shell.
pub fn name(file: Option<&Path>) -> Result<String, Error> {
    let source = source(file)?;
    let spec = spec::load(&source).map_err(Error::SpecSyntax)?;
    Ok(spec
        .name
        .unwrap_or_else(|| model::defaults::STACK_NAME.to_string()))
}
