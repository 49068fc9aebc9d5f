//! Reading a spec file into [`Spec`], with errors that point into the file.

use std::path::{Path, PathBuf};

use super::positions::{Position, PositionIndex, MAX_DEPTH};
use super::Spec;

/// The text a spec came from, kept so later problems can be located in it.
#[derive(Debug, Clone)]
pub struct Source {
    /// `None` for the built-in default stack.
    pub path: Option<PathBuf>,
    pub text: String,
    pub positions: PositionIndex,
}

impl Source {
    pub fn new(path: Option<PathBuf>, text: String) -> Self {
        let positions = PositionIndex::build(&text);
        Self {
            path,
            text,
            positions,
        }
    }

    /// How the file is named in messages.
    pub fn display_name(&self) -> String {
        match &self.path {
            Some(p) => p.display().to_string(),
            None => "<built-in default stack>".into(),
        }
    }

    /// The folder relative paths in the spec are resolved against.
    pub fn base_dir(&self) -> PathBuf {
        self.path
            .as_deref()
            .and_then(Path::parent)
            .map(|p| {
                if p.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    p.to_path_buf()
                }
            })
            .unwrap_or_else(|| PathBuf::from("."))
    }
}

/// A spec that could not be read or parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub file: String,
    pub position: Option<Position>,
    pub message: String,
    pub hint: Option<String>,
}

/// Parses `source` into a [`Spec`].
pub fn load(source: &Source) -> Result<Spec, SpecError> {
    let error = |position, message: String, hint: Option<String>| SpecError {
        file: source.display_name(),
        position,
        message,
        hint,
    };
    if source.text.trim().is_empty()
        || source
            .text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(error(
            None,
            "the spec is empty".into(),
            Some("run `obsctl init` to write one, or remove the file to use the built-in default stack".into()),
        ));
    }
    if let Some(position) = source.positions.too_deep() {
        return Err(error(
            Some(position),
            format!("the YAML nests deeper than {MAX_DEPTH} levels here"),
            Some("a spec needs a few levels; check for runaway brackets or dashes".into()),
        ));
    }
    serde_yaml::from_str::<Spec>(&source.text).map_err(|e| {
        let position = e.location().map(|l| Position {
            line: l.line(),
            column: l.column(),
        });
        let (message, hint) = explain(&e.to_string());
        error(position, message, hint)
    })
}

/// Turns serde's wording into ours: drops the trailing location (we print it
/// in front) and suggests the nearest key for an unknown one.
fn explain(raw: &str) -> (String, Option<String>) {
    let message = strip_locations(raw);
    if let Some(rest) = message.split("unknown field `").nth(1) {
        let unknown = rest.split('`').next().unwrap_or_default();
        let expected: Vec<&str> = rest
            .split("expected ")
            .nth(1)
            .map(|list| list.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        let hint = nearest(unknown, &expected)
            .map(|best| format!("did you mean `{best}`?"))
            .or_else(|| {
                (!expected.is_empty()).then(|| format!("valid keys here: {}", expected.join(", ")))
            });
        let short = message
            .split(", expected")
            .next()
            .unwrap_or(&message)
            .to_string();
        return (short, hint);
    }
    if message.contains("invalid type") || message.contains("invalid value") {
        return (
            message,
            Some("see the annotated example written by `obsctl init`".into()),
        );
    }
    if message.starts_with("did not find expected")
        || message.contains("while parsing")
        || message.contains("while scanning")
    {
        return (
            format!("invalid YAML: {message}"),
            Some("check the indentation and quoting around this position".into()),
        );
    }
    (message, None)
}

/// Removes serde_yaml's ` at line N column M` fragments (we print the
/// location in front of the message).
fn strip_locations(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + " at line ".len()..];
        let digits = tail
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(tail.len());
        let tail = &tail[digits..];
        rest = match tail.strip_prefix(" column ") {
            Some(t) => &t[t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len())..],
            None => tail,
        };
    }
    out.push_str(rest);
    out
}

/// The candidate closest to `word`, if it is close enough to be a typo.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(text: &str) -> Result<Spec, SpecError> {
        load(&Source::new(Some("obsctl.yaml".into()), text.into()))
    }

    #[test]
    fn an_empty_file_is_explained() {
        let err = load_str("# nothing here\n\n").unwrap_err();
        assert_eq!(err.message, "the spec is empty");
        assert!(err.hint.unwrap().contains("obsctl init"));
    }

    #[test]
    fn an_unknown_key_suggests_the_nearest_one() {
        let err = load_str("prometheus:\n  retension: 15d\n").unwrap_err();
        assert!(
            err.message.contains("unknown field `retension`"),
            "{}",
            err.message
        );
        assert_eq!(err.hint.as_deref(), Some("did you mean `retention`?"));
        assert_eq!(err.position, Some(Position { line: 2, column: 3 }));
    }

    #[test]
    fn a_wrong_type_names_the_field_and_position() {
        let err = load_str("grafana:\n  port: lots\n").unwrap_err();
        assert!(
            err.message.contains("grafana.port: invalid type"),
            "{}",
            err.message
        );
        assert_eq!(err.position.map(|p| p.line), Some(2));
    }

    #[test]
    fn invalid_yaml_is_reported_with_its_position() {
        let err = load_str("name: \"unclosed\n").unwrap_err();
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
        assert!(err.position.is_some());
    }

    #[test]
    fn a_spec_nested_deeper_than_serde_yaml_allows_is_refused_at_once_with_its_line() {
        let text = format!(
            "name: x\nscrape: {}1{}\n",
            "{a: ".repeat(50_000),
            "}".repeat(50_000)
        );
        let err = load_str(&text).unwrap_err();
        assert!(
            err.message.contains("deeper than 128 levels"),
            "{}",
            err.message
        );
        assert_eq!(err.position.map(|p| p.line), Some(2));
    }

    #[test]
    fn nearest_ignores_words_that_are_too_far() {
        assert_eq!(nearest("prometheus", &["grafana", "name"]), None);
        assert_eq!(
            nearest("alertmanger", &["alertmanager", "grafana"]),
            Some("alertmanager")
        );
    }
}
