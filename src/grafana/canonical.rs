//! Dashboard JSON in one stable form, so that a file changes only when the
//! dashboard does: keys sorted at every level, two-space indentation, a
//! trailing newline, and without the fields Grafana assigns on every save.
//!
//! `id` is the database row of one Grafana and `version` counts saves there;
//! neither is part of what the dashboard *is*, both differ between two
//! Grafanas holding the same dashboard, and keeping them would make every
//! export a diff. Import sets both itself.

use serde_json::{Map, Value};

/// Fields Grafana assigns when it stores a dashboard.
const ASSIGNED: [&str; 2] = ["id", "version"];

/// The dashboard as a file: sorted, pretty, newline-terminated.
pub fn to_file(dashboard: &Value) -> String {
    let mut text = serde_json::to_string_pretty(&sorted(&without_assigned(dashboard)))
        .expect("JSON values serialise");
    text.push('\n');
    text
}

/// Whether two dashboards are the same apart from the fields Grafana assigns
/// (and the order of keys, which JSON does not give a meaning).
pub fn same(a: &Value, b: &Value) -> bool {
    without_assigned(a) == without_assigned(b)
}

fn without_assigned(dashboard: &Value) -> Value {
    let mut d = dashboard.clone();
    if let Some(map) = d.as_object_mut() {
        for key in ASSIGNED {
            map.remove(key);
        }
    }
    d
}

fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let out: Map<String, Value> = keys
                .into_iter()
                .map(|k| (k.clone(), sorted(&map[k])))
                .collect();
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_level_and_assigned_fields_dropped() {
        let d = json!({"uid": "u", "id": 3, "version": 9, "panels": [{"z": 1, "a": {"y": 2, "b": 1}}], "a": true});
        assert_eq!(
            to_file(&d),
            "{\n  \"a\": true,\n  \"panels\": [\n    {\n      \"a\": {\n        \"b\": 1,\n        \"y\": 2\n      },\n      \"z\": 1\n    }\n  ],\n  \"uid\": \"u\"\n}\n"
        );
    }

    #[test]
    fn sameness_ignores_key_order_id_and_version() {
        let a = json!({"uid": "u", "id": 1, "version": 2, "title": "t", "panels": []});
        let b = json!({"panels": [], "title": "t", "uid": "u", "id": null});
        assert!(same(&a, &b));
        assert!(!same(
            &a,
            &json!({"uid": "u", "title": "other", "panels": []})
        ));
    }
}
