//! Offline checks of Grafana dashboard JSON (`obsctl dashboards lint`): the
//! faults that make panels empty, or dashboards break when moved between
//! Grafanas.

use std::collections::{BTreeMap, BTreeSet};

use promql_parser::label::MatchOp;
use serde::Serialize;
use serde_json::Value;

use crate::dashjson::{elements, query_error, substitute_variables};
use crate::model::defaults::{ALERTMANAGER_DATASOURCE_UID, PROMETHEUS_DATASOURCE_UID};
use crate::promql;
use crate::promql_features::{self, EXPERIMENTAL_FUNCTIONS_FEATURE};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

/// One finding, naming the panel it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub level: Level,
    pub panel: Option<String>,
    pub message: String,
}

/// Labels whose values should come from a variable, not be written in a query.
const VARIABLE_LABELS: &[&str] = &["job", "instance", "cluster"];
/// What variables are replaced with before parsing, to tell them from literals.
const SENTINEL: &str = "obsctl_variable";

#[derive(Default)]
struct Findings(Vec<Finding>);

impl Findings {
    fn push(&mut self, level: Level, panel: Option<&str>, message: String) {
        self.0.push(Finding {
            level,
            panel: panel.map(str::to_string),
            message,
        });
    }
}

/// Lints one dashboard (already unwrapped from `{"dashboard": ...}`).
pub fn lint(dash: &Value) -> Vec<Finding> {
    let mut f = Findings::default();
    if dash
        .get("uid")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        f.push(
            Level::Error,
            None,
            "no `uid`: every import creates another copy instead of updating".into(),
        );
    }
    let vars = variables(dash);
    let inputs = inputs(dash);
    let carried = elements(dash);
    let mut ids: BTreeMap<i64, String> = BTreeMap::new();
    for p in all_panels(dash) {
        let name = panel_name(p);
        if let Some(id) = p.get("id").and_then(Value::as_i64) {
            if let Some(first) = ids.insert(id, name.clone()) {
                f.push(
                    Level::Error,
                    Some(&name),
                    format!("duplicate panel id {id} (also {first})"),
                );
            }
        }
        check_panel(p, &name, &vars, &inputs, &mut f);
        if let Some(lib) = p.get("libraryPanel").filter(|l| l.is_object()) {
            library_panel(lib, &carried, &name, &mut f);
        }
    }
    for level in panel_levels(dash) {
        overlaps(&level, &mut f);
    }
    f.0
}

/// A library panel reference: Grafana must find the element by uid, in the
/// file's `__elements` (import creates it) or already in Grafana.
fn library_panel(lib: &Value, carried: &BTreeMap<String, &Value>, name: &str, f: &mut Findings) {
    let text = |k: &str| lib.get(k).and_then(Value::as_str).unwrap_or("");
    let (uid, title) = (text("uid"), text("name"));
    if uid.is_empty() {
        f.push(
            Level::Error,
            Some(name),
            format!("library panel `{title}` has no uid: Grafana cannot find it"),
        );
    } else if !carried.contains_key(uid) {
        f.push(
            Level::Warning,
            Some(name),
            format!("library panel `{title}` ({uid}) is not in the file's `__elements`: importing the dashboard needs it to exist in Grafana already (export it with Export > Export for sharing externally to carry it)"),
        );
    }
}

fn check_panel(
    p: &Value,
    name: &str,
    vars: &BTreeMap<String, String>,
    inputs: &BTreeSet<String>,
    f: &mut Findings,
) {
    if p.get("type").and_then(Value::as_str) == Some("row") {
        return;
    }
    let targets: Vec<&Value> = p
        .get("targets")
        .and_then(Value::as_array)
        .map(|t| t.iter().collect())
        .unwrap_or_default();
    let panel_ds = p.get("datasource").filter(|d| !d.is_null());
    let mut reported_ds = false;
    for t in &targets {
        if reported_ds {
            break;
        }
        match t.get("datasource").filter(|d| !d.is_null()).or(panel_ds) {
            None => {
                f.push(
                    Level::Error,
                    Some(name),
                    "no datasource: Grafana would use whatever its default is".into(),
                );
                reported_ds = true;
            }
            Some(ds) => {
                if let Some(problem) = unknown_datasource(ds, vars, inputs) {
                    f.push(Level::Error, Some(name), problem);
                    reported_ds = true;
                }
            }
        }
    }
    for t in &targets {
        let Some(expr) = t.get("expr").and_then(Value::as_str) else {
            continue;
        };
        if let Some(e) = query_error(expr) {
            f.push(
                Level::Error,
                Some(name),
                format!("invalid PromQL `{expr}`: {e}"),
            );
            continue;
        }
        let calls = promql_features::calls(&substitute_variables(expr, "5m"));
        for func in calls.experimental {
            f.push(Level::Warning, Some(name), format!("query uses `{func}`, an experimental PromQL function: Prometheus 3.5 answers it with an error unless it runs with --enable-feature={EXPERIMENTAL_FUNCTIONS_FEATURE} (`prometheus.enable_features` in obsctl.yaml)"));
        }
        for func in calls.unknown {
            f.push(Level::Warning, Some(name), format!("query uses `{func}`, a function Prometheus 3.5 does not have: it answers the query with an error"));
        }
        for (label, value) in hard_coded_labels(expr) {
            if vars.contains_key(&label) {
                f.push(Level::Error, Some(name), format!("query hard-codes {label}=\"{value}\" although the dashboard has a ${label} variable"));
            } else {
                f.push(Level::Warning, Some(name), format!("query hard-codes {label}=\"{value}\"; a ${label} variable would let the dashboard serve other targets"));
            }
        }
    }
}

/// `None` when the datasource reference resolves: the stack's uids, a
/// datasource variable, or an exported `${DS_*}` input.
fn unknown_datasource(
    ds: &Value,
    vars: &BTreeMap<String, String>,
    inputs: &BTreeSet<String>,
) -> Option<String> {
    let uid = match ds {
        Value::String(s) => s.as_str(),
        Value::Object(o) => match o.get("uid").and_then(Value::as_str) {
            Some(u) => u,
            None => return Some("the datasource has no uid".into()),
        },
        _ => return Some("the datasource is neither a uid nor an object".into()),
    };
    if uid == PROMETHEUS_DATASOURCE_UID
        || uid == ALERTMANAGER_DATASOURCE_UID
        || uid == "-- Grafana --"
        || uid == "grafana"
        || uid == "-- Mixed --"
    {
        return None;
    }
    if let Some(name) = variable_name(uid) {
        if vars.get(name).map(String::as_str) == Some("datasource") || inputs.contains(name) {
            return None;
        }
        return Some(format!(
            "datasource `{uid}` names no datasource variable or exported input"
        ));
    }
    Some(format!("unknown datasource `{uid}`: use the stack's uid `{PROMETHEUS_DATASOURCE_UID}` or a datasource variable such as ${{datasource}}"))
}

/// `$name`, `${name}` or `${name:format}` -> `name`.
fn variable_name(s: &str) -> Option<&str> {
    let rest = s.strip_prefix('$')?;
    let inner = rest
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .unwrap_or(rest);
    Some(inner.split(':').next().unwrap_or(inner))
}

/// Template variables by name, with their type.
fn variables(dash: &Value) -> BTreeMap<String, String> {
    dash.pointer("/templating/list")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| {
            let name = v.get("name")?.as_str()?.to_string();
            let kind = v
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("query")
                .to_string();
            Some((name, kind))
        })
        .collect()
}

fn inputs(dash: &Value) -> BTreeSet<String> {
    dash.get("__inputs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| i.get("name").and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// Every panel, rows' nested panels included.
fn all_panels(dash: &Value) -> Vec<&Value> {
    panel_levels(dash).into_iter().flatten().collect()
}

/// Panels grouped by the grid they share: the top level, and each collapsed
/// row's own panels.
fn panel_levels(dash: &Value) -> Vec<Vec<&Value>> {
    let top: Vec<&Value> = dash
        .get("panels")
        .and_then(Value::as_array)
        .map(|p| p.iter().collect())
        .unwrap_or_default();
    let mut levels = vec![top.clone()];
    for p in top {
        if let Some(nested) = p
            .get("panels")
            .and_then(Value::as_array)
            .filter(|n| !n.is_empty())
        {
            levels.push(nested.iter().collect());
        }
    }
    levels
}

fn panel_name(p: &Value) -> String {
    let title = p
        .get("title")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .unwrap_or("(untitled)");
    match p.get("id").and_then(Value::as_i64) {
        Some(id) => format!("`{title}` (id {id})"),
        None => format!("`{title}`"),
    }
}

fn overlaps(panels: &[&Value], f: &mut Findings) {
    let rect = |p: &Value| -> Option<(i64, i64, i64, i64)> {
        let g = p.get("gridPos")?;
        Some((
            g.get("x")?.as_i64()?,
            g.get("y")?.as_i64()?,
            g.get("w")?.as_i64()?,
            g.get("h")?.as_i64()?,
        ))
    };
    for (i, a) in panels.iter().enumerate() {
        let Some((ax, ay, aw, ah)) = rect(a) else {
            continue;
        };
        for b in &panels[i + 1..] {
            let Some((bx, by, bw, bh)) = rect(b) else {
                continue;
            };
            if ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah {
                f.push(
                    Level::Error,
                    Some(&panel_name(a)),
                    format!("gridPos overlaps panel {}", panel_name(b)),
                );
            }
        }
    }
}

/// `job`/`instance`/`cluster` matchers whose value is written literally.
fn hard_coded_labels(expr: &str) -> Vec<(String, String)> {
    let Ok(parsed) = promql::parse(&substitute_variables(expr, SENTINEL)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for vs in promql::selectors(&parsed) {
        for m in &vs.matchers.matchers {
            let literal =
                !m.value.contains(SENTINEL) && !matches!(m.value.as_str(), ".*" | ".+" | "");
            let positive = matches!(m.op, MatchOp::Equal | MatchOp::Re(_));
            if positive && literal && VARIABLE_LABELS.contains(&m.name.as_str()) {
                out.push((m.name.clone(), m.value.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(d: Value) -> Vec<String> {
        lint(&d).into_iter().map(|f| f.message).collect()
    }

    fn dash(panels: Value) -> Value {
        json!({"uid": "u", "panels": panels, "templating": {"list": [{"name": "datasource", "type": "datasource"}, {"name": "job", "type": "query"}]}})
    }

    const DS: &str = "${datasource}";

    #[test]
    fn every_built_in_dashboard_is_clean() {
        for name in crate::model::dashboards::builtin_names() {
            let findings = lint(&crate::model::dashboards::builtin(&name));
            assert!(findings.is_empty(), "{name}: {findings:#?}");
        }
    }

    #[test]
    fn finds_duplicate_ids_and_overlaps() {
        let m = messages(dash(json!([
            {"id": 1, "title": "a", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}},
            {"id": 1, "title": "b", "gridPos": {"x": 6, "y": 4, "w": 12, "h": 8}},
        ])));
        assert!(
            m.iter()
                .any(|s| s == "duplicate panel id 1 (also `a` (id 1))"),
            "{m:?}"
        );
        assert!(m.iter().any(|s| s.starts_with("gridPos overlaps")), "{m:?}");
    }

    #[test]
    fn finds_missing_and_unknown_datasources() {
        let m = messages(dash(json!([
            {"id": 1, "targets": [{"expr": "up"}]},
            {"id": 2, "datasource": {"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}, "targets": [{"expr": "up"}]},
            {"id": 3, "datasource": {"uid": "${DS_PROM}"}, "targets": [{"expr": "up"}]},
        ])));
        assert!(m.iter().any(|s| s.starts_with("no datasource")), "{m:?}");
        assert!(
            m.iter()
                .any(|s| s.starts_with("unknown datasource `P1809F7CD0C75ACF3`")),
            "{m:?}"
        );
        assert!(
            m.iter()
                .any(|s| s.starts_with("datasource `${DS_PROM}` names no datasource variable")),
            "{m:?}"
        );
    }

    #[test]
    fn finds_invalid_promql_and_hard_coded_labels() {
        let m = messages(dash(json!([
            {"id": 1, "datasource": {"uid": DS}, "targets": [{"expr": "sum(rate(x[5m])"}]},
            {"id": 2, "datasource": {"uid": DS}, "targets": [{"expr": "up{job=\"api\", instance=~\"$instance\"}"}]},
            {"id": 3, "datasource": {"uid": DS}, "targets": [{"expr": "up{job=~\"$job\", cluster=\"eu\"}"}]},
        ])));
        assert!(m.iter().any(|s| s.starts_with("invalid PromQL")), "{m:?}");
        assert!(
            m.iter()
                .any(|s| s
                    .contains("hard-codes job=\"api\" although the dashboard has a $job variable")),
            "{m:?}"
        );
        assert!(
            m.iter()
                .any(|s| s.contains("hard-codes cluster=\"eu\"; a $cluster variable")),
            "{m:?}"
        );
        assert!(!m.iter().any(|s| s.contains("instance")), "{m:?}");
    }

    #[test]
    fn warns_about_library_panels_the_file_does_not_carry() {
        let mut d = dash(json!([
            {"id": 1, "title": "carried", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}, "libraryPanel": {"uid": "lp-1", "name": "CPU"}},
            {"id": 2, "title": "missing", "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8}, "libraryPanel": {"uid": "lp-2", "name": "Memory"}},
            {"id": 3, "title": "no uid", "gridPos": {"x": 0, "y": 8, "w": 12, "h": 8}, "libraryPanel": {"name": "Disk"}}
        ]));
        d["__elements"] = json!({"lp-1": {"uid": "lp-1", "name": "CPU", "kind": 1, "model": {}}});
        let findings = lint(&d);
        let got: Vec<(Level, Option<&str>)> = findings
            .iter()
            .map(|f| (f.level, f.panel.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (Level::Warning, Some("`missing` (id 2)")),
                (Level::Error, Some("`no uid` (id 3)"))
            ],
            "{findings:#?}"
        );
        assert!(findings[0]
            .message
            .contains("`Memory` (lp-2) is not in the file's `__elements`"));
    }

    #[test]
    fn warns_about_experimental_and_unknown_functions() {
        let findings = lint(&dash(json!([
            {"id": 1, "datasource": {"uid": DS}, "targets": [{"expr": "sort_by_label(sum by (job) (rate(x[$__rate_interval])), \"job\")"}]},
            {"id": 2, "datasource": {"uid": DS}, "targets": [{"expr": "limitk(3, up)"}]},
            {"id": 3, "datasource": {"uid": DS}, "targets": [{"expr": "first_over_time(up[5m])"}]},
            {"id": 4, "datasource": {"uid": DS}, "targets": [{"expr": "sort_desc(sum by (job) (up))"}]},
        ])));
        let warnings: Vec<&str> = findings
            .iter()
            .filter(|f| f.level == Level::Warning)
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(warnings.len(), 3, "{findings:?}");
        assert!(
            warnings[0].starts_with("query uses `sort_by_label`, an experimental PromQL function"),
            "{warnings:?}"
        );
        assert!(warnings[0].contains("--enable-feature=promql-experimental-functions"));
        assert!(
            warnings[1].starts_with("query uses `limitk`, an experimental"),
            "{warnings:?}"
        );
        assert!(
            warnings[2].starts_with(
                "query uses `first_over_time`, a function Prometheus 3.5 does not have"
            ),
            "{warnings:?}"
        );
        assert!(
            findings.iter().all(|f| f.level == Level::Warning),
            "{findings:?}"
        );
    }

    #[test]
    fn finds_a_missing_uid() {
        assert!(messages(json!({"panels": []}))
            .iter()
            .any(|s| s.starts_with("no `uid`")));
    }
}
