//! Mapping the datasource references of a dashboard, as users have them, to
//! the datasources of the Grafana it is imported into.
//!
//! Dashboards arrive exported for sharing (`__inputs` with `${DS_PROMETHEUS}`
//! placeholders), copied from another Grafana (a foreign uid), written by hand
//! (a datasource name), or from before Grafana 8.3 (a plain string, or null
//! for "the default"). Every Prometheus reference becomes the one target
//! datasource; references to a datasource *variable* stay, so the dashboard
//! keeps its picker, and the variable's current value is set to the target.
//! Other datasources (Loki, Tempo...) must exist in the target, by uid or as
//! the only one of their type; anything that cannot be resolved is an error
//! naming the panel, so a dashboard is never saved with a broken reference.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::{json, Map, Value};

use super::catalog::PROMETHEUS;
pub use super::catalog::{Catalog, Target};

/// A reference that cannot be resolved, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    pub place: String,
    pub message: String,
}

impl fmt::Display for Unresolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

/// Maps every datasource reference of `dash` (already unwrapped) in place.
pub fn map(dash: &mut Value, target: &Target, catalog: &Catalog) -> Result<(), Unresolved> {
    let r = Resolver {
        target,
        catalog,
        variables: BTreeSet::new(),
    };
    r.fill_inputs(dash)?;
    let r = Resolver {
        variables: datasource_variables(dash, target),
        ..r
    };
    for (list, what, implicit) in [
        ("templating", "variable", true),
        ("annotations", "annotation", false),
    ] {
        let entries = dash.get_mut(list).and_then(|t| t.get_mut("list"));
        for entry in entries.and_then(Value::as_array_mut).into_iter().flatten() {
            let name = entry.get("name").and_then(Value::as_str).unwrap_or("?");
            let place = format!("{what} `{name}`");
            // Query and ad hoc variables without a datasource use the default one.
            let uses_default = implicit
                && matches!(
                    entry.get("type").and_then(Value::as_str),
                    Some("query" | "adhoc")
                );
            r.holder(entry, &place, uses_default)?;
        }
    }
    if let Some(panels) = dash.get_mut("panels") {
        r.panels(panels)?;
    }
    if let Some(elements) = dash.get_mut("__elements") {
        r.library_panels(elements)?;
    }
    // Pre-5.0 dashboards keep their panels in rows.
    for row in dash
        .get_mut("rows")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        if let Some(panels) = row.get_mut("panels") {
            r.panels(panels)?;
        }
    }
    Ok(())
}

struct Resolver<'a> {
    target: &'a Target,
    catalog: &'a Catalog,
    /// Names of the dashboard's datasource variables.
    variables: BTreeSet<String>,
}

impl Resolver<'_> {
    /// Replaces `${NAME}` of each `__inputs` entry everywhere, as Grafana's
    /// import does, then drops `__inputs`.
    fn fill_inputs(&self, dash: &mut Value) -> Result<(), Unresolved> {
        let Some(inputs) = dash.as_object_mut().and_then(|m| m.remove("__inputs")) else {
            return Ok(());
        };
        let mut values = Vec::new();
        for input in inputs.as_array().into_iter().flatten() {
            let text = |k: &str| input.get(k).and_then(Value::as_str).unwrap_or_default();
            let name = text("name");
            let value = match text("type") {
                "datasource" if text("pluginId") == PROMETHEUS => self.target.uid.clone(),
                "datasource" => {
                    let kind = text("pluginId");
                    match self.catalog.of_type(kind) {
                        Ok(d) => d.uid.clone(),
                        Err(why) => {
                            return Err(Unresolved {
                                place: format!("input `{name}`"),
                                message: format!("needs a `{kind}` datasource: {why}"),
                            })
                        }
                    }
                }
                "constant" => text("value").to_string(),
                _ => continue,
            };
            values.push((format!("${{{name}}}"), value));
        }
        replace_in_strings(dash, &values);
        Ok(())
    }

    fn panels(&self, panels: &mut Value) -> Result<(), Unresolved> {
        for panel in panels.as_array_mut().into_iter().flatten() {
            let title = panel.get("title").and_then(Value::as_str).unwrap_or("");
            let place = match panel.get("id").and_then(Value::as_i64) {
                Some(id) => format!("panel `{title}` (id {id})"),
                None => format!("panel `{title}`"),
            };
            self.panel(panel, &place)?;
        }
        Ok(())
    }

    fn panel(&self, panel: &mut Value, place: &str) -> Result<(), Unresolved> {
        // A panel without a datasource whose queries are PromQL uses the default.
        let uses_default =
            panel.get("type").and_then(Value::as_str) != Some("row") && has_expr(panel);
        self.holder(panel, place, uses_default)
    }

    /// The models of the library panels the file carries in `__elements`
    /// (keyed by uid, or listed).
    fn library_panels(&self, elements: &mut Value) -> Result<(), Unresolved> {
        let entries: Vec<&mut Value> = match elements {
            Value::Object(m) => m.values_mut().collect(),
            Value::Array(a) => a.iter_mut().collect(),
            _ => Vec::new(),
        };
        for element in entries {
            let name = element
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if let Some(model) = element.get_mut("model") {
                self.panel(model, &format!("library panel `{name}`"))?;
            }
        }
        Ok(())
    }

    /// Resolves the references of one panel, variable or annotation.
    fn holder(&self, v: &mut Value, place: &str, uses_default: bool) -> Result<(), Unresolved> {
        let Some(map) = v.as_object_mut() else {
            return Ok(());
        };
        if uses_default && map.get("datasource").is_none_or(Value::is_null) {
            map.insert("datasource".into(), self.target.reference());
        }
        self.walk(map, place)
    }

    /// Every `datasource` key below `map`; nested panels get their own place.
    fn walk(&self, map: &mut Map<String, Value>, place: &str) -> Result<(), Unresolved> {
        let promql = has_expr_map(map);
        for (key, child) in map.iter_mut() {
            match key.as_str() {
                "datasource" => self.resolve(child, promql).map_err(|message| Unresolved {
                    place: place.to_string(),
                    message,
                })?,
                "panels" => self.panels(child)?,
                _ => match child {
                    Value::Object(m) => self.walk(m, place)?,
                    Value::Array(a) => {
                        for m in a.iter_mut().filter_map(Value::as_object_mut) {
                            self.walk(m, place)?;
                        }
                    }
                    _ => {}
                },
            }
        }
        Ok(())
    }

    /// One reference. `promql` says its holder runs PromQL, which decides
    /// references whose type cannot be known otherwise.
    fn resolve(&self, ds: &mut Value, promql: bool) -> Result<(), String> {
        let (kind, uid) = match ds {
            // Null means "inherit" (a query inherits its panel's datasource).
            Value::Null => return Ok(()),
            Value::String(s) => (String::new(), s.clone()),
            Value::Object(o) => {
                let text = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                (text("type"), text("uid"))
            }
            _ => return Err("the datasource is neither a name nor a {type, uid} object".into()),
        };
        if is_builtin(&uid) {
            return Ok(());
        }
        match kind.as_str() {
            "" => self.by_name_or_uid(ds, &uid, promql),
            "datasource" | "grafana" | "__expr__" => Ok(()),
            PROMETHEUS if self.is_variable(&uid) => Ok(()),
            PROMETHEUS => {
                ds["uid"] = Value::String(self.target.uid.clone());
                Ok(())
            }
            kind => self.other_type(ds, kind, &uid),
        }
    }

    fn is_variable(&self, s: &str) -> bool {
        variable_name(s).is_some_and(|v| self.variables.contains(v))
    }

    /// A string, or an object with a uid but no type: look it up.
    fn by_name_or_uid(&self, ds: &mut Value, s: &str, promql: bool) -> Result<(), String> {
        if self.is_variable(s) {
            return Ok(());
        }
        let is_target = s == self.target.uid || s == self.target.name;
        match self.catalog.find(s) {
            _ if is_target => *ds = self.target.reference(),
            Some(d) if d.kind == PROMETHEUS => *ds = self.target.reference(),
            Some(d) => *ds = json!({ "type": d.kind, "uid": d.uid }),
            // Not in the target: a name from the Grafana it came from.
            None if promql || s.to_ascii_lowercase().contains("prom") => {
                *ds = self.target.reference()
            }
            None if variable_name(s).is_some() => {
                return Err(format!(
                    "datasource `{s}` names no datasource variable of the dashboard"
                ))
            }
            None if self.catalog.0.is_none() => {}
            None => {
                return Err(format!(
                    "unknown datasource `{s}`: Grafana has no datasource of that name or uid"
                ))
            }
        }
        Ok(())
    }

    /// A non-Prometheus datasource: kept if it exists, else the only one of its type.
    fn other_type(&self, ds: &mut Value, kind: &str, uid: &str) -> Result<(), String> {
        if self.is_variable(uid) || self.catalog.0.is_none() {
            return Ok(());
        }
        if self.catalog.find(uid).is_some_and(|d| d.kind == kind) {
            return Ok(());
        }
        let d = self
            .catalog
            .of_type(kind)
            .map_err(|why| format!("datasource `{uid}` (type `{kind}`) does not exist: {why}"))?;
        ds["uid"] = Value::String(d.uid.clone());
        Ok(())
    }
}

/// Names of the datasource variables; a Prometheus one is pointed at the target.
fn datasource_variables(dash: &mut Value, target: &Target) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let list = dash.get_mut("templating").and_then(|t| t.get_mut("list"));
    for var in list.and_then(Value::as_array_mut).into_iter().flatten() {
        if var.get("type").and_then(Value::as_str) != Some("datasource") {
            continue;
        }
        if let Some(name) = var.get("name").and_then(Value::as_str) {
            names.insert(name.to_string());
        }
        if var.get("query").and_then(Value::as_str) == Some(PROMETHEUS) {
            var["current"] = json!({ "selected": false, "text": target.name, "value": target.uid });
        }
    }
    names
}

/// `$name`, `${name}`, `${name:format}` or `[[name]]` as a whole string.
fn variable_name(s: &str) -> Option<&str> {
    let name = if let Some(inner) = s.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        inner.split(':').next().unwrap_or("")
    } else if let Some(inner) = s.strip_prefix("[[").and_then(|r| r.strip_suffix("]]")) {
        inner
    } else {
        s.strip_prefix('$')?
    };
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then_some(name)
}

/// Grafana's own pseudo-datasources (annotations, mixed, dashboard).
fn is_builtin(s: &str) -> bool {
    s.starts_with("-- ") || s == "grafana"
}

fn has_expr_map(map: &Map<String, Value>) -> bool {
    map.get("expr").is_some_and(Value::is_string)
        || map
            .get("targets")
            .and_then(Value::as_array)
            .is_some_and(|ts| {
                ts.iter()
                    .any(|t| t.get("expr").is_some_and(Value::is_string))
            })
}

fn has_expr(v: &Value) -> bool {
    v.as_object().is_some_and(has_expr_map)
}

fn replace_in_strings(v: &mut Value, values: &[(String, String)]) {
    match v {
        Value::String(s) => {
            for (from, to) in values {
                if s.contains(from.as_str()) {
                    *s = s.replace(from.as_str(), to);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| replace_in_strings(x, values)),
        Value::Object(o) => o.values_mut().for_each(|x| replace_in_strings(x, values)),
        _ => {}
    }
}

#[cfg(test)]
#[path = "datasources_tests.rs"]
mod tests;
