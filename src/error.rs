//! The errors obsctl reports, and printing them once, at the edge.
//!
//! Exit codes: 0 success; 1 checks failed (the command ran and found problems);
//! 2 bad usage, an invalid spec, or an environment obsctl cannot work in.

use std::fmt;

use crate::diagnostic::{Problem, Severity};
use crate::spec::SpecError;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// An error with data; the wording lives in `Display`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec file could not be parsed.
    #[error("{}", location(.0))]
    Parse(SpecError),
    /// The spec parsed but is not valid.
    #[error("the spec has {} problem{}", count_errors(.0), if count_errors(.0) == 1 { "" } else { "s" })]
    Invalid(Vec<Problem>),
    /// The command was used wrongly; `hint` says how to use it.
    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },
}

impl Error {
    pub fn usage(message: impl Into<String>, hint: impl Into<Option<String>>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }
}

fn count_errors(problems: &[Problem]) -> usize {
    problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count()
}

fn location(e: &SpecError) -> String {
    let mut s = e.file.clone();
    if let Some(p) = e.position {
        s.push_str(&format!(":{}:{}", p.line, p.column));
    }
    format!("{s}: {}", e.message)
}

/// Prints warnings (to stderr) in the same form as errors.
pub fn print_warnings(problems: &[Problem]) {
    for p in problems.iter().filter(|p| p.severity == Severity::Warning) {
        eprintln!("warning: {p}");
    }
}

/// Prints `err` once, in the `error:` / `Caused by:` / `hint:` form, and
/// returns the exit code it maps to.
pub fn report(err: &anyhow::Error) -> u8 {
    if let Some(e) = err.downcast_ref::<Error>() {
        match e {
            Error::Parse(spec) => {
                eprintln!("error: {e}");
                if let Some(hint) = &spec.hint {
                    eprintln!("  hint: {hint}");
                }
            }
            Error::Invalid(problems) => {
                print_warnings(problems);
                for p in problems.iter().filter(|p| p.severity == Severity::Error) {
                    eprintln!("error: {p}");
                }
                eprintln!("error: {e}; nothing was written");
            }
            Error::Usage { hint, .. } => {
                eprintln!("error: {e}");
                if let Some(hint) = hint {
                    eprintln!("  hint: {hint}");
                }
            }
        }
        return EXIT_USAGE;
    }
    eprintln!("error: {err}");
    let mut causes = err.chain().skip(1).peekable();
    if causes.peek().is_some() {
        eprintln!("Caused by:");
        for cause in causes {
            eprintln!("  {cause}");
        }
    }
    if let Some(hint) = err.downcast_ref::<Hinted>() {
        eprintln!("  hint: {}", hint.hint);
    }
    EXIT_FAILED
}

/// An error message with a hint, for failures that are not usage errors.
#[derive(Debug)]
pub struct Hinted {
    pub message: String,
    pub hint: String,
}

impl fmt::Display for Hinted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Hinted {}
