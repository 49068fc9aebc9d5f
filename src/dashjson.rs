//! Grafana dashboard JSON as files: finding them in folders, reading one
//! with located errors, unwrapping the `{"dashboard": ...}` form the API
//! returns, and reading the PromQL its panels hold and the library panels
//! they reference. A leaf: the model's
//! provisioning, `dashboards lint` and `dashboards import` all build on it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::diagnostic::Problems;
use crate::promql;
use crate::spec::positions::Position;

/// Every `.json` file under `dir`, recursively, in a stable (sorted) order.
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(json_files(&p));
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
    out
}

/// The directories between `root` and a file below it, outermost first
/// (empty for a file directly in `root`).
pub fn directories(root: &Path, path: &Path) -> Vec<String> {
    let Ok(rel) = path.strip_prefix(root) else {
        return Vec::new();
    };
    let mut dirs: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect();
    dirs.pop();
    dirs
}

/// Whether a directory or folder name is `General`, in any case: the name
/// Grafana gives its root, which no folder may take.
pub fn is_general(name: &str) -> bool {
    name.trim().eq_ignore_ascii_case("general")
}

/// Reads a dashboard file; invalid JSON is reported with its line and column.
pub fn read(file: &Path, display: &str, p: &mut Problems) -> Option<Value> {
    match std::fs::read_to_string(file) {
        Ok(text) => parse(&text, display, p),
        Err(e) => {
            p.elsewhere(
                display.into(),
                None,
                format!("cannot read dashboard: {e}"),
                None,
            );
            None
        }
    }
}

/// Parses a dashboard's text (what [`read`] does once the file is read).
pub fn parse(text: &str, display: &str, p: &mut Problems) -> Option<Value> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) if is_dashboard(&v) => Some(v),
        Ok(_) => {
            p.elsewhere(
                display.into(),
                None,
                "not a Grafana dashboard (no `panels` or `dashboard` object)",
                Some("export dashboards from Grafana with Share > Export > Save to file".into()),
            );
            None
        }
        Err(e) => {
            let pos = Position {
                line: e.line(),
                column: e.column(),
            };
            p.elsewhere(
                display.into(),
                Some(pos),
                format!("invalid JSON: {e}"),
                None,
            );
            None
        }
    }
}

fn is_dashboard(v: &Value) -> bool {
    let inner = v.get("dashboard").unwrap_or(v);
    inner.is_object() && (inner.get("panels").is_some() || inner.get("rows").is_some())
}

/// The dashboard itself, if it is wrapped as `{"dashboard": ...}` (the form
/// Grafana's API returns).
pub fn unwrap(v: Value) -> Value {
    match v {
        Value::Object(mut map) if map.get("dashboard").is_some_and(Value::is_object) => {
            map.remove("dashboard").expect("checked")
        }
        other => other,
    }
}

/// Every query of every panel (rows' nested panels included): (panel title, expr).
pub fn queries(dash: &Value) -> Vec<(String, String)> {
    fn walk(panels: &Value, out: &mut Vec<(String, String)>) {
        for panel in panels.as_array().into_iter().flatten() {
            let title = panel
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or("(untitled)");
            for t in panel
                .get("targets")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(expr) = t.get("expr").and_then(Value::as_str) {
                    out.push((title.to_string(), expr.to_string()));
                }
            }
            if let Some(nested) = panel.get("panels") {
                walk(nested, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dash.get("panels").unwrap_or(&Value::Null), &mut out);
    out
}

/// One `libraryPanel` reference: uid, name and the title of the panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub uid: String,
    pub name: String,
    pub panel: String,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Every `libraryPanel` reference of a dashboard, rows' panels and pre-5.0
/// `rows` included, in order.
pub fn references(dash: &Value) -> Vec<Reference> {
    fn walk(panels: Option<&Value>, out: &mut Vec<Reference>) {
        for panel in panels.and_then(Value::as_array).into_iter().flatten() {
            match panel.get("libraryPanel").filter(|l| l.is_object()) {
                Some(lib) => out.push(Reference {
                    uid: text(lib, "uid"),
                    name: text(lib, "name"),
                    panel: text(panel, "title"),
                }),
                None => walk(panel.get("panels"), out),
            }
        }
    }
    let mut out = Vec::new();
    walk(dash.get("panels"), &mut out);
    for row in dash
        .get("rows")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        walk(row.get("panels"), &mut out);
    }
    out
}

/// The entries of `__elements`, by uid (an object keyed by uid, or a list).
pub fn elements(dash: &Value) -> BTreeMap<String, &Value> {
    match dash.get("__elements") {
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, e)| {
                let uid = Some(text(e, "uid")).filter(|u| !u.is_empty());
                (uid.unwrap_or_else(|| k.clone()), e)
            })
            .collect(),
        Some(Value::Array(a)) => a.iter().map(|e| (text(e, "uid"), e)).collect(),
        _ => BTreeMap::new(),
    }
}

/// Replaces Grafana variables so the query can be parsed as PromQL.
pub fn substitute_variables(expr: &str, with: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut rest = expr;
    while let Some(i) = rest.find(['$', '[']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let consumed = if let Some(after) = tail.strip_prefix("${") {
            after.find('}').map(|end| end + 3)
        } else if let Some(after) = tail.strip_prefix("[[") {
            after.find("]]").map(|end| end + 4)
        } else if let Some(after) = tail.strip_prefix('$') {
            let n = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (n > 0).then_some(n + 1)
        } else {
            None
        };
        match consumed {
            Some(n) => {
                out.push_str(with);
                rest = &tail[n..];
            }
            None => {
                out.push_str(&tail[..1]);
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Parses a panel query once variables are replaced; `None` when it parses.
pub fn query_error(expr: &str) -> Option<String> {
    let expr = variable_matchers_as_equality(expr);
    let first = promql::parse(&substitute_variables(&expr, "5m"));
    match first {
        Ok(_) => None,
        Err(e) => promql::parse(&substitute_variables(&expr, "1"))
            .err()
            .map(|_| e),
    }
}

/// `job=~"$job"` -> `job="$job"` (and `!~` -> `!=`): a regex matcher whose
/// whole value is one variable has no regex to check until Grafana fills it
/// in, and the parser would compile one for the placeholder of every such
/// matcher (most of the time it takes over a dashboard's queries).
fn variable_matchers_as_equality(expr: &str) -> std::borrow::Cow<'_, str> {
    if !expr.contains("=~") && !expr.contains("!~") {
        return std::borrow::Cow::Borrowed(expr);
    }
    let mut out = String::with_capacity(expr.len());
    let mut rest = expr;
    while let Some(i) = rest.find(['=', '!']) {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        let Some(after) = tail.get(1..).and_then(|t| t.strip_prefix('~')) else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
            continue;
        };
        let value = after.trim_start();
        let quote = value
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\'' | '`'));
        let whole_variable = quote.and_then(|q| {
            let inner = &value[1..];
            let end = inner.find(q)?;
            let v = &inner[..end];
            let name = v
                .strip_prefix("${")
                .and_then(|r| r.strip_suffix('}'))
                .map(|r| r.split(':').next().unwrap_or(""))
                .or_else(|| v.strip_prefix("[[").and_then(|r| r.strip_suffix("]]")))
                .or_else(|| v.strip_prefix('$'))?;
            let valid = !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !v.contains('\\');
            valid.then_some(())
        });
        out.push_str(match (whole_variable, tail.as_bytes()[0]) {
            (Some(()), b'=') => "=",
            (Some(()), _) => "!=",
            (None, b'=') => "=~",
            (None, _) => "!~",
        });
        rest = after;
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_substituted_in_every_form() {
        assert_eq!(
            substitute_variables(
                r#"rate(x{job=~"$job",i="${instance:regex}"}[$__rate_interval]) > [[t]]"#,
                "5m"
            ),
            r#"rate(x{job=~"5m",i="5m"}[5m]) > 5m"#
        );
        assert!(
            query_error(r#"sum(rate(x{job=~"$job"}[$__rate_interval])) > $threshold"#).is_none()
        );
        assert!(query_error("sum(rate(x[5m])").is_some());
    }

    #[test]
    fn a_regex_matcher_on_a_whole_variable_is_checked_as_equality() {
        assert_eq!(
            variable_matchers_as_equality(
                r#"x{job=~"$job", i!~"${instance:regex}", s=~"5..", t =~ "[[t]]", u=~"$a|b"}"#
            ),
            r#"x{job="$job", i!="${instance:regex}", s=~"5..", t = "[[t]]", u=~"$a|b"}"#
        );
        assert_eq!(
            variable_matchers_as_equality("a != b and c == d"),
            "a != b and c == d"
        );
        // A written regex is still checked.
        assert!(query_error(r#"x{job=~"$job", s=~"(5.."}"#).is_some());
        assert!(query_error(r#"x{job=~"$job"} > 0"#).is_none());
    }

    #[test]
    fn directories_are_listed_outermost_first() {
        let root = Path::new("/d");
        assert_eq!(directories(root, Path::new("/d/team/a.json")), ["team"]);
        assert_eq!(
            directories(root, Path::new("/d/team/deep/a.json")),
            ["team", "deep"]
        );
        assert!(directories(root, Path::new("/d/a.json")).is_empty());
    }
}
