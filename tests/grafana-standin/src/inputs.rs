//! The import template evaluator: fills `${NAME}` placeholders from the `inputs` of
//! `POST /api/dashboards/import`, as Grafana's `DashTemplateEvaluator` does.
//!
//! For each entry of the dashboard's `__inputs`, the input with the same `type` and
//! the same `name` (or name `*`) supplies the value; entries with pluginId
//! `__expr__` always get `__expr__`. Every string is then scanned for `${…}` and the
//! known names are replaced. `__inputs` objects are dropped at every level.

use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// One entry of the request's `inputs`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ImportInput {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub plugin_id: Option<String>,
    pub name: Option<String>,
    pub value: Option<String>,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Evaluates the template; `Err(name)` names the first `__inputs` entry with no input.
pub fn evaluate(
    template: &Map<String, Value>,
    inputs: &[ImportInput],
) -> Result<Map<String, Value>, String> {
    let mut vars = HashMap::new();
    let defs = template
        .get("__inputs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for def in &defs {
        let name = text(def, "name");
        let kind = text(def, "type");
        let mut value = inputs
            .iter()
            .find(|i| {
                i.kind.as_deref().unwrap_or_default() == kind
                    && matches!(i.name.as_deref(), Some(n) if n == name || n == "*")
            })
            .map(|i| i.value.clone().unwrap_or_default());
        if text(def, "pluginId") == "__expr__" {
            value = Some("__expr__".into());
        }
        let value = value.ok_or_else(|| name.clone())?;
        vars.insert(format!("${{{name}}}"), value);
    }
    Ok(eval_object(template, &vars))
}

fn eval_object(source: &Map<String, Value>, vars: &HashMap<String, String>) -> Map<String, Value> {
    source
        .iter()
        .filter(|(k, _)| k.as_str() != "__inputs")
        .map(|(k, v)| (k.clone(), eval_value(v, vars)))
        .collect()
}

fn eval_value(v: &Value, vars: &HashMap<String, String>) -> Value {
    match v {
        Value::String(s) => Value::String(substitute(s, vars)),
        Value::Object(m) => Value::Object(eval_object(m, vars)),
        Value::Array(a) => Value::Array(a.iter().map(|i| eval_value(i, vars)).collect()),
        other => other.clone(),
    }
}

/// Replaces each match of `\$\{.+?\}` that names a known variable.
fn substitute(s: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        // `.+?` needs at least one character, and `.` does not match a newline.
        let mut chars = after.char_indices();
        let end = match chars.next() {
            Some((_, '\n')) | None => None,
            Some(_) => after
                .char_indices()
                .skip(1)
                .take_while(|(_, c)| *c != '\n')
                .find(|(_, c)| *c == '}')
                .map(|(i, _)| i),
        };
        match end {
            Some(i) => {
                let candidate = &rest[start..start + 2 + i + 1];
                out.push_str(vars.get(candidate).map(String::as_str).unwrap_or(candidate));
                rest = &rest[start + candidate.len()..];
            }
            None => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(name: &str, kind: &str, value: &str) -> ImportInput {
        ImportInput {
            kind: Some(kind.into()),
            plugin_id: Some("prometheus".into()),
            name: Some(name.into()),
            value: Some(value.into()),
        }
    }

    #[test]
    fn fills_placeholders_and_drops_inputs() {
        let t = json!({
            "__inputs": [{"name": "DS_PROM", "type": "datasource", "pluginId": "prometheus"}],
            "title": "x",
            "panels": [{"datasource": {"uid": "${DS_PROM}"}, "targets": [{"expr": "up{a=\"${DS_PROM}\"} ${OTHER}"}]}],
            "nested": {"__inputs": [1], "n": 1, "b": true, "z": null}
        });
        let out = evaluate(
            t.as_object().unwrap(),
            &[input("DS_PROM", "datasource", "prom")],
        )
        .unwrap();
        let out = Value::Object(out);
        assert!(out.get("__inputs").is_none());
        assert_eq!(out["panels"][0]["datasource"]["uid"], "prom");
        assert_eq!(
            out["panels"][0]["targets"][0]["expr"],
            "up{a=\"prom\"} ${OTHER}"
        );
        assert_eq!(out["nested"], json!({"n": 1, "b": true, "z": null}));
    }

    #[test]
    fn wildcard_name_and_expr_and_missing() {
        let t = json!({"__inputs": [
            {"name": "DS_A", "type": "datasource"},
            {"name": "DS_EXPR", "type": "datasource", "pluginId": "__expr__"}
        ], "a": "${DS_A}-${DS_EXPR}"});
        let out = evaluate(t.as_object().unwrap(), &[input("*", "datasource", "v")]).unwrap();
        assert_eq!(out["a"], "v-__expr__");
        let err = evaluate(t.as_object().unwrap(), &[input("DS_A", "constant", "v")]).unwrap_err();
        assert_eq!(err, "DS_A");
    }

    #[test]
    fn substitution_edges() {
        let vars = HashMap::from([("${A}".to_string(), "1".to_string())]);
        assert_eq!(substitute("${A}${A}", &vars), "11");
        assert_eq!(substitute("${}", &vars), "${}");
        assert_eq!(substitute("x ${A", &vars), "x ${A");
        assert_eq!(substitute("${B}${A}", &vars), "${B}1");
    }
}
