//! Grafana dashboards as files: the built-in set, the user's own, and the
//! normalisation and checks both go through before being provisioned.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::assets::{self, Dashboards};
use crate::diagnostic::Problems;
use crate::model::defaults::PROMETHEUS_DATASOURCE_UID;
use crate::model::DashboardOut;
use crate::promql;
use crate::spec::positions::Position;
use crate::spec::Spec;

/// The folder built-in dashboards are provisioned into.
pub const BUILTIN_FOLDER: &str = "obsctl";

/// Names of the built-in dashboards (file stems), sorted.
pub fn builtin_names() -> Vec<String> {
    let mut names: Vec<String> = Dashboards::iter()
        .filter_map(|f| f.strip_suffix(".json").map(str::to_string))
        .filter(|f| !f.contains('/'))
        .collect();
    names.sort();
    names
}

pub fn builtin(name: &str) -> Value {
    serde_json::from_str(&assets::text::<Dashboards>(&format!("{name}.json")))
        .unwrap_or_else(|e| panic!("dashboards/{name}.json is invalid: {e}"))
}

/// The dashboards to provision: the selected built-ins and the user's files.
pub fn provisioned(
    builtins: &[String],
    spec: &Spec,
    base_dir: &Path,
    p: &mut Problems,
) -> Vec<DashboardOut> {
    let known = builtin_names();
    let mut out: Vec<DashboardOut> = builtins
        .iter()
        .filter(|n| known.contains(n))
        .map(|name| DashboardOut {
            folder: BUILTIN_FOLDER.into(),
            file: format!("{name}.json"),
            json: builtin(name),
        })
        .collect();
    for (i, entry) in spec.grafana.dashboards.iter().enumerate() {
        let field = format!("grafana.dashboards[{i}]");
        let path = base_dir.join(entry);
        let files: Vec<(String, PathBuf)> = if path.is_dir() {
            // An empty folder is fine: `obsctl init` creates one for later additions.
            json_files(&path)
                .into_iter()
                .map(|f| (subfolder(&path, &f).unwrap_or_else(|| "General".into()), f))
                .collect()
        } else if path.is_file() {
            vec![("General".into(), path.clone())]
        } else {
            p.error(
                &field,
                format!("`{entry}` does not exist"),
                Some(format!(
                    "paths are relative to the spec's folder ({})",
                    base_dir.display()
                )),
            );
            continue;
        };
        for (folder, file) in files {
            let display = file.display().to_string();
            let Some(json) = read(&file, &display, p) else {
                continue;
            };
            let json = normalise(json);
            check_queries(&json, &display, p);
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            if out.iter().any(|d| d.folder == folder && d.file == name) {
                p.error(
                    &field,
                    format!("two dashboards would be written as {folder}/{name}"),
                    Some("rename one of the files".into()),
                );
                continue;
            }
            out.push(DashboardOut {
                folder,
                file: name,
                json,
            });
        }
    }
    out
}

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

/// The Grafana folder a file below `root` belongs to: its first
/// sub-directory (Grafana builds folders from one level only), if it has one.
pub fn subfolder(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = rel.components();
    let first = parts.next()?;
    parts.next()?;
    Some(first.as_os_str().to_string_lossy().to_string())
}

/// Reads a dashboard file; invalid JSON is reported with its line and column.
pub fn read(file: &Path, display: &str, p: &mut Problems) -> Option<Value> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            p.elsewhere(
                display.into(),
                None,
                format!("cannot read dashboard: {e}"),
                None,
            );
            return None;
        }
    };
    match serde_json::from_str::<Value>(&text) {
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

/// Unwraps `{"dashboard": ...}`, clears `id`, and maps exported datasource
/// placeholders (`${DS_PROMETHEUS}` declared in `__inputs`) to the stack's datasource.
pub fn normalise(v: Value) -> Value {
    let mut dash = unwrap(v);
    let inputs: Vec<String> = dash
        .get("__inputs")
        .and_then(Value::as_array)
        .map(|inputs| {
            inputs
                .iter()
                .filter(|i| i.get("type").and_then(Value::as_str) == Some("datasource"))
                .filter(|i| i.get("pluginId").and_then(Value::as_str) == Some("prometheus"))
                .filter_map(|i| i.get("name").and_then(Value::as_str))
                .map(|n| format!("${{{n}}}"))
                .collect()
        })
        .unwrap_or_default();
    if let Some(map) = dash.as_object_mut() {
        map.remove("__inputs");
        map.insert("id".into(), Value::Null);
    }
    replace_strings(&mut dash, &inputs, PROMETHEUS_DATASOURCE_UID);
    dash
}

fn replace_strings(v: &mut Value, from: &[String], to: &str) {
    match v {
        Value::String(s) if from.iter().any(|f| f == s) => *s = to.to_string(),
        Value::Array(a) => a.iter_mut().for_each(|x| replace_strings(x, from, to)),
        Value::Object(o) => o.values_mut().for_each(|x| replace_strings(x, from, to)),
        _ => {}
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
    let first = promql::parse(&substitute_variables(expr, "5m"));
    match first {
        Ok(_) => None,
        Err(e) => promql::parse(&substitute_variables(expr, "1"))
            .err()
            .map(|_| e),
    }
}

fn check_queries(dash: &Value, display: &str, p: &mut Problems) {
    for (panel, expr) in queries(dash) {
        if let Some(e) = query_error(&expr) {
            p.elsewhere(
                display.into(),
                None,
                format!("panel `{panel}`: invalid PromQL `{expr}`: {e}"),
                None,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
    fn exported_placeholders_map_to_the_stack_datasource() {
        let d = normalise(json!({
            "__inputs": [{"name": "DS_PROM", "type": "datasource", "pluginId": "prometheus"}],
            "id": 12,
            "panels": [{"datasource": "${DS_PROM}", "targets": [{"expr": "up"}]}]
        }));
        assert_eq!(d["panels"][0]["datasource"], PROMETHEUS_DATASOURCE_UID);
        assert!(d.get("__inputs").is_none());
        assert!(d["id"].is_null());
    }

    #[test]
    fn wrapped_dashboards_are_unwrapped_and_rows_are_walked() {
        let d = normalise(
            json!({"dashboard": {"panels": [{"type": "row", "title": "r", "panels": [{"title": "p", "targets": [{"expr": "up"}]}]}]}}),
        );
        assert_eq!(queries(&d), vec![("p".to_string(), "up".to_string())]);
    }

    #[test]
    fn only_a_first_sub_directory_names_a_folder() {
        let root = Path::new("/d");
        assert_eq!(
            subfolder(root, Path::new("/d/team/a.json")).as_deref(),
            Some("team")
        );
        assert_eq!(
            subfolder(root, Path::new("/d/team/deep/a.json")).as_deref(),
            Some("team")
        );
        assert_eq!(subfolder(root, Path::new("/d/a.json")), None);
    }

    #[test]
    fn builtin_dashboards_queries_parse() {
        for name in builtin_names() {
            let d = builtin(&name);
            for (panel, expr) in queries(&d) {
                assert!(query_error(&expr).is_none(), "{name} / {panel}: {expr}");
            }
        }
    }
}
