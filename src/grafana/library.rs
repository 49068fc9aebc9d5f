//! Library panels as dashboard files carry them. A dashboard exported "for
//! sharing externally" references each library panel as
//! `libraryPanel: {uid, name}` and carries its model in `__elements` (an
//! object keyed by uid; older files list them). Grafana's
//! `POST /api/dashboards/db` does not create them, so import creates them
//! first and export writes them back.
//!
//! Models are compared as Grafana's exporter writes them: without the
//! panel's place (`gridPos`, `id`) and the `libraryPanel` back-reference,
//! with `type` and `description` present (Grafana fills them in on save).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

pub use crate::dashjson::{elements, references, Reference};

/// A library panel a dashboard uses: its uid and name from the reference,
/// and its model from `__elements` when the file carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct Wanted {
    pub uid: String,
    pub name: String,
    pub model: Option<Value>,
}

/// Takes `__elements` out of `dash` and returns the library panels its
/// panels use, each once. Err names a reference Grafana could not resolve.
pub fn wanted(dash: &mut Value) -> Result<Vec<Wanted>, String> {
    let refs = references(dash);
    let carried: BTreeMap<String, Value> = elements(dash)
        .into_iter()
        .map(|(uid, e)| (uid, e.clone()))
        .collect();
    if let Some(map) = dash.as_object_mut() {
        map.remove("__elements");
    }
    let mut out: Vec<Wanted> = Vec::new();
    for r in refs {
        if r.uid.is_empty() {
            return Err(format!(
                "panel `{}`: its `libraryPanel` has no uid, so Grafana cannot find the library panel",
                r.panel
            ));
        }
        if out.iter().any(|w| w.uid == r.uid) {
            continue;
        }
        let element = carried.get(&r.uid);
        let name = Some(r.name)
            .filter(|n| !n.is_empty())
            .or_else(|| element.and_then(|e| e.get("name")?.as_str().map(str::to_string)))
            .unwrap_or_default();
        out.push(Wanted {
            uid: r.uid,
            name,
            model: element.and_then(|e| e.get("model")).cloned(),
        });
    }
    Ok(out)
}

/// A model as it is compared and exported: without `id`, `gridPos` and
/// `libraryPanel`, with `type` and `description`.
pub fn comparable(model: &Value) -> Value {
    let mut m: Map<String, Value> = model.as_object().cloned().unwrap_or_default();
    for key in ["id", "gridPos", "libraryPanel"] {
        m.remove(key);
    }
    for key in ["type", "description"] {
        m.entry(key).or_insert_with(|| Value::String(String::new()));
    }
    Value::Object(m)
}

/// Whether Grafana's model is the one a file carries.
pub fn same(stored: &Value, carried: &Value) -> bool {
    comparable(stored) == comparable(carried)
}

/// The `__elements` entry export writes for a library panel.
pub fn element_entry(uid: &str, name: &str, model: &Value) -> Value {
    json!({"uid": uid, "name": name, "kind": 1, "model": comparable(model)})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exported() -> Value {
        json!({
            "__elements": {"lp-1": {"uid": "lp-1", "name": "Shared CPU", "kind": 1,
                                    "model": {"type": "timeseries", "title": "CPU", "targets": [{"expr": "up"}]}}},
            "panels": [
                {"id": 1, "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}, "libraryPanel": {"uid": "lp-1", "name": "Shared CPU"}},
                {"id": 2, "type": "row", "title": "More", "panels": [
                    {"id": 3, "title": "Again", "libraryPanel": {"uid": "lp-1", "name": "Shared CPU"}},
                    {"id": 4, "title": "Elsewhere", "libraryPanel": {"uid": "lp-2", "name": "Not carried"}}
                ]}
            ]
        })
    }

    #[test]
    fn references_are_found_in_rows_too() {
        let refs: Vec<(String, String)> = references(&exported())
            .into_iter()
            .map(|r| (r.uid, r.panel))
            .collect();
        assert_eq!(
            refs,
            [
                ("lp-1".into(), "".into()),
                ("lp-1".into(), "Again".into()),
                ("lp-2".into(), "Elsewhere".into())
            ]
        );
    }

    #[test]
    fn wanted_takes_the_elements_out_and_lists_each_panel_once() {
        let mut d = exported();
        let w = wanted(&mut d).unwrap();
        assert!(d.get("__elements").is_none());
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].name, "Shared CPU");
        assert_eq!(w[0].model.as_ref().unwrap()["title"], "CPU");
        assert_eq!((w[1].uid.as_str(), w[1].model.is_none()), ("lp-2", true));
        let mut listed = json!({"__elements": [{"uid": "x", "name": "X", "model": {}}],
                                "panels": [{"libraryPanel": {"uid": "x"}}]});
        assert_eq!(wanted(&mut listed).unwrap()[0].name, "X");
        let mut no_uid = json!({"panels": [{"title": "p", "libraryPanel": {"name": "n"}}]});
        assert!(wanted(&mut no_uid).unwrap_err().contains("panel `p`"));
    }

    #[test]
    fn models_compare_without_place_and_with_grafanas_defaults() {
        let carried = json!({"type": "stat", "title": "T"});
        let stored = json!({"type": "stat", "title": "T", "description": "", "id": 9,
                            "gridPos": {"x": 1}, "libraryPanel": {"uid": "u"}});
        assert!(same(&stored, &carried));
        assert!(!same(&stored, &json!({"type": "stat", "title": "Other"})));
        assert_eq!(
            element_entry("u", "N", &stored),
            json!({"uid": "u", "name": "N", "kind": 1, "model": {"type": "stat", "title": "T", "description": ""}})
        );
    }
}
