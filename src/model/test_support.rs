//! Helpers for the model's unit tests: a spec's text built into a model, or
//! the errors it is refused with.

use crate::diagnostic::{Problem, Severity};
use crate::model::{build, Model};
use crate::spec::{load, Source};

/// Builds the model of the spec `text`, without environment variables.
pub fn built(text: &str) -> Result<Model, Vec<Problem>> {
    let source = Source::new(Some("obsctl.yaml".into()), text.to_string());
    let spec = load(&source).expect("the spec parses");
    build(&spec, &source, &|_| None).map(|b| b.model)
}

/// The errors of a spec that must be refused: (field, message, hint).
pub fn errors(text: &str) -> Vec<(String, String, String)> {
    built(text)
        .expect_err("the spec should be refused")
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| {
            (
                p.field.unwrap_or_default(),
                p.message,
                p.hint.unwrap_or_default(),
            )
        })
        .collect()
}

/// True when one of `errors` is on `field` and says `text` (or hints it).
pub fn has(errors: &[(String, String, String)], field: &str, text: &str) -> bool {
    errors
        .iter()
        .any(|(f, m, h)| f == field && (m.contains(text) || h.contains(text)))
}
