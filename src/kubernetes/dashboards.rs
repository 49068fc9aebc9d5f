//! The built-in and user dashboards as ConfigMaps for Grafana's dashboard
//! sidecar: labelled `grafana_dashboard: "1"`, their folder in the
//! `grafana_folder` annotation (dashboards of the root folder carry none),
//! and references to obsctl's datasources mapped to the uids of the ones
//! kube-prometheus-stack provisions.

use serde_json::{json, Map, Value};

use super::names::{data_key, resource_name};
use super::{Meta, Out};
use crate::error::Error;
use crate::model::defaults::{ALERTMANAGER_DATASOURCE_UID, PROMETHEUS_DATASOURCE_UID};

/// The label the chart's sidecar looks for, and its value.
pub const LABEL: (&str, &str) = ("grafana_dashboard", "1");
/// The annotation naming a dashboard's folder (set as the sidecar's
/// `folderAnnotation` in values.yaml).
pub const FOLDER_ANNOTATION: &str = "grafana_folder";
/// The uids of the datasources kube-prometheus-stack provisions
/// (`grafana.sidecar.datasources.uid`, `...alertmanager.uid`).
pub const CHART_PROMETHEUS_UID: &str = "prometheus";
pub const CHART_ALERTMANAGER_UID: &str = "alertmanager";
/// The most data a ConfigMap may hold.
pub const CONFIGMAP_LIMIT: usize = 1024 * 1024;
/// The name part that stands for Grafana's root folder in resource names.
const ROOT_NAME: &str = "general";

pub(super) fn add(out: &mut Out) -> Result<(), Error> {
    for d in &out.model.dashboards {
        let mut dashboard = d.json.clone();
        map_datasources(&mut dashboard);
        let mut json = serde_json::to_string_pretty(&dashboard).map_err(|e| Error::Render {
            template: format!("dashboard {}", d.file),
            reason: e.to_string(),
        })?;
        json.push('\n');
        let key = data_key(&d.file);
        let size = key.len() + json.len();
        if size > CONFIGMAP_LIMIT {
            return Err(Error::DashboardTooLarge {
                dashboard: match &d.folder {
                    Some(folder) => format!("{folder}/{}", d.file),
                    None => d.file.clone(),
                },
                bytes: size,
                limit: CONFIGMAP_LIMIT,
            });
        }
        let stem = d.file.strip_suffix(".json").unwrap_or(&d.file);
        let folder = d.folder.as_deref().unwrap_or(ROOT_NAME);
        let name = resource_name(&[&out.model.name, "dashboard", folder, stem]);
        let mut meta = Meta::default();
        meta.labels.insert(LABEL.0.into(), json!(LABEL.1));
        if let Some(folder) = &d.folder {
            meta.annotations
                .insert(FOLDER_ANNOTATION.into(), json!(folder));
        }
        let mut data = Map::new();
        data.insert(key, json!(json));
        let mut body = Map::new();
        body.insert("data".into(), Value::Object(data));
        out.add("ConfigMap", "v1", name, meta, body);
    }
    Ok(())
}

/// Points references to obsctl's datasources at the chart's.
fn map_datasources(v: &mut Value) {
    match v {
        Value::String(s) if s == PROMETHEUS_DATASOURCE_UID => *s = CHART_PROMETHEUS_UID.into(),
        Value::String(s) if s == ALERTMANAGER_DATASOURCE_UID => *s = CHART_ALERTMANAGER_UID.into(),
        Value::Array(items) => items.iter_mut().for_each(map_datasources),
        Value::Object(map) => map.values_mut().for_each(map_datasources),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obsctl_datasource_uids_become_the_charts() {
        let mut d = json!({"panels": [
            {"datasource": {"type": "prometheus", "uid": "obsctl-prometheus"}},
            {"datasource": "obsctl-alertmanager"},
            {"datasource": {"uid": "${datasource}"}, "title": "obsctl-prometheus latency"}
        ]});
        map_datasources(&mut d);
        assert_eq!(d["panels"][0]["datasource"]["uid"], "prometheus");
        assert_eq!(d["panels"][1]["datasource"], "alertmanager");
        assert_eq!(d["panels"][2]["datasource"]["uid"], "${datasource}");
        assert_eq!(d["panels"][2]["title"], "obsctl-prometheus latency");
    }
}
