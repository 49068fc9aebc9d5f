//! Problems found in a spec or in the files it points at, each located at
//! `file:line:column` with the field it concerns and a hint.

use std::fmt;

use crate::spec::positions::{Position, PositionIndex};
use crate::spec::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, ready to print.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The spec field, as a path (`alertmanager.route.routes[0].receiver`).
    pub field: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": ")?;
        if let Some(field) = &self.field {
            if !field.is_empty() {
                write!(f, "{field}: ")?;
            }
        }
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Collects problems for one source file, locating each by its field path.
pub struct Problems<'a> {
    file: String,
    positions: &'a PositionIndex,
    pub list: Vec<Problem>,
}

impl<'a> Problems<'a> {
    pub fn new(source: &'a Source) -> Self {
        Self {
            file: source.display_name(),
            positions: &source.positions,
            list: Vec::new(),
        }
    }

    pub fn error(&mut self, field: &str, message: impl Into<String>, hint: Option<String>) {
        self.push(Severity::Error, field, message.into(), hint);
    }

    pub fn warning(&mut self, field: &str, message: impl Into<String>, hint: Option<String>) {
        self.push(Severity::Warning, field, message.into(), hint);
    }

    /// A problem in another file (a user rule file, a dashboard), located there.
    pub fn elsewhere(
        &mut self,
        file: String,
        position: Option<Position>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        self.list.push(Problem {
            severity: Severity::Error,
            file,
            line: position.map(|p| p.line),
            column: position.map(|p| p.column),
            field: None,
            message: message.into(),
            hint,
        });
    }

    fn push(&mut self, severity: Severity, field: &str, message: String, hint: Option<String>) {
        let position = self.positions.value(field);
        self.list.push(Problem {
            severity,
            file: self.file.clone(),
            line: position.map(|p| p.line),
            column: position.map(|p| p.column),
            field: Some(field.to_string()),
            message,
            hint,
        });
    }

    /// True if the field is written in the spec rather than defaulted.
    pub fn is_written(&self, field: &str) -> bool {
        self.positions.contains(field)
    }

    /// An empty list for the same spec, to gather a piece of work's
    /// problems apart (on another thread) and [`append`](Self::append) later.
    pub fn sibling(&self) -> Problems<'a> {
        Problems {
            file: self.file.clone(),
            positions: self.positions,
            list: Vec::new(),
        }
    }

    /// Moves `other`'s problems to the end of this list.
    pub fn append(&mut self, other: Problems) {
        self.list.extend(other.list);
    }

    pub fn has_errors(&self) -> bool {
        self.list.iter().any(|p| p.severity == Severity::Error)
    }
}
