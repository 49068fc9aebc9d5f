//! Built-in dashboards on a stack that receives from several edges
//! (`prometheus.edge_labels`): one variable per edge label (`$site`, All by
//! default, which also matches the stack's own series that carry no such
//! label), and every query and variable filtered by it. With no edge labels
//! the dashboards stay as they ship.

use serde_json::{json, Value};

use crate::promql_rewrite::add_matcher;

/// Adds the edge variables to `dash` and filters its queries by them.
pub fn filter_by_edges(dash: &mut Value, labels: &[String]) {
    if labels.is_empty() {
        return;
    }
    let matchers: Vec<String> = labels.iter().map(|l| format!("{l}=~\"${l}\"")).collect();
    let filter = |expr: &str| {
        matchers
            .iter()
            .rev()
            .fold(expr.to_string(), |e, m| add_matcher(&e, m))
    };

    if let Some(list) = dash
        .pointer_mut("/templating/list")
        .and_then(Value::as_array_mut)
    {
        for var in list.iter_mut() {
            if var.get("type").and_then(Value::as_str) != Some("query") {
                continue;
            }
            for key in ["query", "definition"] {
                match var.get_mut(key) {
                    Some(Value::String(q)) => *q = variable_query(q, &filter),
                    Some(Value::Object(o)) => {
                        if let Some(Value::String(q)) = o.get_mut("query") {
                            *q = variable_query(q, &filter);
                        }
                    }
                    _ => {}
                }
            }
        }
        // After the datasource variable, each edge label filtered by the ones before it.
        let at = list
            .iter()
            .position(|v| v.get("type").and_then(Value::as_str) == Some("datasource"))
            .map_or(0, |i| i + 1);
        for (i, label) in labels.iter().enumerate() {
            let query = variable_query(&format!("label_values(up, {label})"), &|e: &str| {
                matchers[..i]
                    .iter()
                    .rev()
                    .fold(e.to_string(), |e, m| add_matcher(&e, m))
            });
            list.insert(at + i, variable(label, &query));
        }
    }
    exprs(dash, &filter);
}

/// Rewrites every `expr` of panels (nested in rows too) and annotations.
fn exprs(v: &mut Value, filter: &dyn Fn(&str) -> String) {
    match v {
        Value::Object(o) => {
            for (k, child) in o.iter_mut() {
                match child {
                    Value::String(s) if k == "expr" => *s = filter(s),
                    _ => exprs(child, filter),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|c| exprs(c, filter)),
        _ => {}
    }
}

/// Grafana's `label_values(selector, label)`: only the selector is PromQL.
fn variable_query(q: &str, filter: &dyn Fn(&str) -> String) -> String {
    let Some(inner) = q
        .trim()
        .strip_prefix("label_values(")
        .and_then(|r| r.strip_suffix(')'))
    else {
        return filter(q);
    };
    match inner.rsplit_once(',') {
        Some((selector, label)) => format!(
            "label_values({}, {})",
            filter(selector.trim()),
            label.trim()
        ),
        None => format!("label_values({}, {})", filter("{}"), inner.trim()),
    }
}

fn variable(label: &str, query: &str) -> Value {
    json!({
        "allValue": ".*",
        "current": {"selected": true, "text": ["All"], "value": ["$__all"]},
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "definition": query,
        "description": format!("The edge the series come from (its external label `{label}`); All includes this stack's own series"),
        "hide": 0,
        "includeAll": true,
        "label": label,
        "multi": true,
        "name": label,
        "options": [],
        "query": query,
        "refresh": 2,
        "regex": "",
        "skipUrlSync": false,
        "sort": 1,
        "type": "query"
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashjson::{queries, substitute_variables};
    use crate::model::dashboards::{builtin, builtin_names};

    #[test]
    fn every_query_of_every_built_in_dashboard_is_filtered_and_still_parses() {
        let labels = vec!["site".to_string(), "host".to_string()];
        for name in builtin_names() {
            let mut dash = builtin(&name);
            filter_by_edges(&mut dash, &labels);
            let found = crate::dashboard_lint::lint(&dash);
            assert!(found.is_empty(), "{name}: {found:?}");
            let qs = queries(&dash);
            assert!(!qs.is_empty(), "{name} has no queries");
            for (panel, expr) in qs {
                let parsed = crate::promql::parse(&substitute_variables(&expr, "5m"))
                    .unwrap_or_else(|e| panic!("{name} / {panel}: `{expr}`: {e}"));
                for vs in crate::promql::selectors(&parsed) {
                    for l in &labels {
                        assert!(
                            vs.matchers.matchers.iter().any(|m| &m.name == l),
                            "{name} / {panel}: `{expr}` has a selector without {l}"
                        );
                    }
                }
            }
            let vars: Vec<&str> = dash["templating"]["list"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|v| v["name"].as_str())
                .collect();
            assert_eq!(&vars[1..3], ["site", "host"], "{name}: {vars:?}");
            assert_eq!(
                dash["templating"]["list"][2]["query"],
                "label_values(up{site=~\"$site\"}, host)"
            );
        }
    }

    #[test]
    fn without_edge_labels_the_dashboards_stay_as_they_ship() {
        let mut dash = builtin("overview");
        filter_by_edges(&mut dash, &[]);
        assert_eq!(dash, builtin("overview"));
    }
}
