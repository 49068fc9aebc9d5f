//! The one place that writes to stdout and stderr.
//!
//! stdout carries only data that can be piped: tables, reports, JSON.
//! Narration, warnings, errors and progress go to stderr. Bars and spinners
//! are drawn only when stderr is a terminal and the output is for people
//! (not `--output json`). Colour marks `error:`, `warning:` and `hint:` on a
//! terminal, never alone (the words are always there), and `NO_COLOR`
//! turns it off.
//!
//! Every command builds one [`Printer`] from `--output` and prints through
//! it; nothing else in obsctl calls `println!` or `eprintln!`.

mod progress;
mod table;

use std::fmt::Display;
use std::io::IsTerminal;

use console::style;
use serde::Serialize;

use crate::diagnostic::{Problem, Severity};
use crate::error::{Error, EXIT_FAILED, EXIT_OK, EXIT_USAGE};

pub use progress::Progress;
pub use table::Table;

/// Who reads the output: people, or a program parsing JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

/// Writes a command's output to the right stream in the right form.
pub struct Printer {
    format: Format,
}

impl Printer {
    pub fn new(format: Format) -> Self {
        Printer { format }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// Progress for long work: drawn only on a terminal, for people.
    pub fn progress(&self) -> Progress {
        Progress::new(self.format == Format::Human && std::io::stderr().is_terminal())
    }

    // --- stdout: data ------------------------------------------------------

    /// A table, on stdout.
    pub fn table(&self, table: &Table) {
        print!("{}", table.render());
    }

    /// Lines of data already laid out (a doctor report, lint findings), on stdout.
    pub fn data(&self, text: &str) {
        print!("{text}");
        if !text.is_empty() && !text.ends_with('\n') {
            println!();
        }
    }

    /// A JSON document on one line, on stdout.
    pub fn json(&self, value: &impl Serialize) {
        println!(
            "{}",
            serde_json::to_string(value).expect("reports serialise to JSON")
        );
    }

    /// A JSON document, indented, on stdout.
    pub fn json_pretty(&self, value: &impl Serialize) {
        println!(
            "{}",
            serde_json::to_string_pretty(value).expect("reports serialise to JSON")
        );
    }

    // --- stderr: narration, warnings, errors ---------------------------------

    /// A line of narration, on stderr.
    pub fn say(&self, line: impl Display) {
        eprintln!("{line}");
    }

    /// A hint following a line of narration, on stderr.
    pub fn hint(&self, hint: impl Display) {
        eprintln!("  {} {hint}", style("hint:").for_stderr().cyan());
    }

    /// One warning, on stderr.
    pub fn warning(&self, message: impl Display) {
        eprintln!(
            "{} {message}",
            style("warning:").for_stderr().yellow().bold()
        );
    }

    /// The warnings among `problems` (e.g. a spec's), on stderr.
    pub fn warnings(&self, problems: &[Problem]) {
        for p in problems.iter().filter(|p| p.severity == Severity::Warning) {
            self.warning(p);
        }
    }

    /// Prints `err` once, as `error:`, `Caused by:` and `hint:` lines, and
    /// returns the exit code it ends the command with.
    pub fn error(&self, err: &anyhow::Error) -> u8 {
        let prefix = style("error:").for_stderr().red().bold();
        let known = err.chain().find_map(|e| e.downcast_ref::<Error>());
        if let Some(e @ Error::InvalidSpec(problems)) = known {
            self.warnings(problems);
            for p in problems.iter().filter(|p| p.severity == Severity::Error) {
                eprintln!("{prefix} {p}");
            }
            eprintln!("{prefix} {e}; nothing was written");
            return e.code();
        }
        eprintln!("{prefix} {err}");
        let mut causes = err.chain().skip(1).peekable();
        if causes.peek().is_some() {
            eprintln!("Caused by:");
            for cause in causes {
                eprintln!("  {cause}");
            }
        }
        if let Some(hint) = known.and_then(Error::hint) {
            self.hint(hint);
        }
        known.map(Error::code).unwrap_or(EXIT_FAILED)
    }
}

/// What clap has to say before any command runs: `--help` and `--version`
/// on stdout (exit 0), bad arguments on stderr (exit 2).
pub fn arguments(e: &clap::Error) -> u8 {
    let _ = e.print();
    if e.use_stderr() {
        EXIT_USAGE
    } else {
        EXIT_OK
    }
}
