//! The dashboards a stack provisions: the selected built-ins and the user's
//! own files, normalised (unwrapped, no `id`, exported `${DS_*}` inputs
//! mapped to the stack's datasource) and their queries checked.
//!
//! Folders follow Grafana's file provisioner (`foldersFromFilesStructure`),
//! which names a folder after a file's innermost directory and puts files
//! lying directly in its path at the root. A user's file at the top of a
//! dashboards folder goes to the root; one below goes into the folder named
//! after its innermost directory. A first directory named `General` (any
//! case) is the root too; Grafana has no folder of that name and refuses to
//! create one (stopping the whole provisioning pass), so a deeper one is an
//! error, and so are two directories that would be provisioned into one
//! folder, the built-ins' `obsctl` included.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;

use super::dashboard_edges::filter_by_edges;
use super::defaults::PROMETHEUS_DATASOURCE_UID;
use super::DashboardOut;
use crate::assets::{self, Dashboards};
use crate::dashjson::{directories, is_general, json_files, queries, query_error, read, unwrap};
use crate::diagnostic::Problems;
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
        .map(|name| {
            let mut json = builtin(name);
            filter_by_edges(&mut json, &spec.prometheus.edge_labels);
            DashboardOut {
                folder: Some(BUILTIN_FOLDER.into()),
                file: format!("{name}.json"),
                json,
            }
        })
        .collect();
    // Which directory each provisioned folder comes from.
    let mut sources: BTreeMap<String, String> = BTreeMap::new();
    let mut refused: BTreeSet<String> = BTreeSet::new();
    let mut written: HashSet<(Option<String>, String)> = out
        .iter()
        .map(|d| (d.folder.clone(), d.file.clone()))
        .collect();
    if !out.is_empty() {
        sources.insert(BUILTIN_FOLDER.into(), "the built-in dashboards".into());
    }
    for (i, entry) in spec.grafana.dashboards.iter().enumerate() {
        let field = format!("grafana.dashboards[{i}]");
        let path = base_dir.join(entry);
        let files: Vec<(Vec<String>, PathBuf)> = if path.is_dir() {
            // An empty folder is fine: `obsctl init` creates one for later additions.
            json_files(&path)
                .into_iter()
                .map(|f| (directories(&path, &f), f))
                .collect()
        } else if path.is_file() {
            vec![(Vec::new(), path.clone())]
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
        // Where each file goes, decided in order; then the files are read
        // and their queries parsed in parallel (most of a large stack's
        // validation time), and the results taken in order again.
        let mut placed: Vec<(Option<String>, PathBuf, String)> = Vec::new();
        for (dirs, file) in files {
            let display = file.display().to_string();
            let Some(folder) = folder_of(&dirs, &display, p) else {
                continue;
            };
            if let Some(folder) = &folder {
                let dir = format!("`{}`", Path::new(entry).join(dirs.join("/")).display());
                let first = sources.entry(folder.clone()).or_insert_with(|| dir.clone());
                if *first != dir {
                    if !refused.insert(dir.clone()) {
                        continue;
                    }
                    p.error(
                        &field,
                        format!("{first} and {dir} would both be provisioned into the Grafana folder `{folder}`: Grafana names a folder after a file's innermost directory only"),
                        Some("rename one of the directories; `obsctl dashboards import` can recreate nested folders instead".into()),
                    );
                    continue;
                }
            }
            placed.push((folder, file, display));
        }
        let shared: &Problems = p;
        let checked: Vec<_> = placed
            .par_iter()
            .map(|(_, file, display)| {
                let mut found = shared.sibling();
                let json = read(file, display, &mut found).map(normalise);
                if let Some(json) = &json {
                    check_queries(json, display, &mut found);
                }
                (json, found)
            })
            .collect();
        for ((folder, file, _), (json, found)) in placed.into_iter().zip(checked) {
            p.append(found);
            let Some(json) = json else {
                continue;
            };
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            if !written.insert((folder.clone(), name.clone())) {
                let at = folder.map(|f| format!("{f}/")).unwrap_or_default();
                p.error(
                    &field,
                    format!("two dashboards would be written as {at}{name}"),
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

/// The provisioned folder of a file below the directories `dirs`:
/// `Some(None)` for the root, `Some(Some(name))` for a folder, and `None`
/// (the problem reported) when a directory below the first is named General.
fn folder_of(dirs: &[String], display: &str, p: &mut Problems) -> Option<Option<String>> {
    let rest = match dirs.split_first() {
        Some((first, rest)) if is_general(first) => rest,
        _ => dirs,
    };
    if let Some(general) = rest.iter().find(|d| is_general(d)) {
        p.elsewhere(
            display.into(),
            None,
            format!("is in a directory named `{general}`: Grafana has no folder of that name (it is the root's) and stops provisioning when asked to create one"),
            Some("move the file to the top of the dashboards folder (the root) or rename the directory".into()),
        );
        return None;
    }
    Some(rest.last().cloned())
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
    fn builtin_dashboards_queries_parse() {
        for name in builtin_names() {
            let d = builtin(&name);
            for (panel, expr) in queries(&d) {
                assert!(query_error(&expr).is_none(), "{name} / {panel}: {expr}");
            }
        }
    }
}
