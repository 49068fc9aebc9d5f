//! How the error messages word what they carry: counts in proper plurals,
//! spec problems located at file:line:column, taken ports with their
//! holders, I/O errors as people read them, and a service's log tail.

use std::io;
use std::path::PathBuf;

use super::*;

pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

pub(super) fn count_errors(problems: &[Problem]) -> usize {
    problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count()
}

pub(super) fn located(e: &SpecError) -> String {
    let mut s = e.file.clone();
    if let Some(p) = e.position {
        s.push_str(&format!(":{}:{}", p.line, p.column));
    }
    format!("{s}: {}", e.message)
}

pub(super) fn ports_taken(taken: &[PortTaken]) -> String {
    taken
        .iter()
        .map(|t| {
            let holder = t.holder.as_deref().unwrap_or("another program");
            format!(
                "host port {} for {} is already in use by {holder}",
                t.port, t.service
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// An I/O error as people read it: `Read-only file system`, without the
/// `(os error 30)` that follows it, nor the ` at path "..."` of a temporary
/// file that the tempfile crate appends (the message names the file it was
/// for).
pub(super) fn io_reason(e: &io::Error) -> String {
    let text = e.to_string();
    let text = text.split(" at path \"").next().unwrap_or_default();
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_string(),
        _ => text.to_string(),
    }
}

pub(super) fn paths(files: &[PathBuf]) -> String {
    files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn not_ready(
    service: &Service,
    container: &str,
    why: &NotReady,
    logs: &[String],
) -> String {
    let mut message = match why {
        NotReady::Timeout { waited_secs, last } => format!(
            "{service} ({container}) was not ready within {waited_secs}s (last check: {last})"
        ),
        NotReady::Stopped { state } => {
            format!("{service} ({container}) stopped while starting ({state})")
        }
    };
    if !logs.is_empty() {
        let n = logs.len();
        message.push_str(&format!("\n  last {n} line{} of its log:", plural(n)));
        for line in logs {
            message.push_str(&format!("\n    | {line}"));
        }
    }
    message
}
