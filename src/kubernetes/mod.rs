//! `render --target kubernetes`: the same model as resources for a cluster
//! that runs the Prometheus Operator through kube-prometheus-stack, held in
//! memory until every one has rendered, then written like the Docker render
//! (atomically, with a list of what was written, so a re-render removes only
//! obsctl's own files).
//!
//! Layout of the output folder:
//! `manifests/<kind>-<name>.yaml` (one resource each: PrometheusRules,
//! ScrapeConfigs, ServiceMonitors, PodMonitors, Probes, the
//! AlertmanagerConfig, dashboard ConfigMaps, and the Deployments, Services,
//! ConfigMap and PersistentVolumeClaim of the exporters obsctl runs), `values.yaml`
//! (a fragment of kube-prometheus-stack's values), `README.md` (how to apply
//! it), and with `--secrets` only, `secrets/secret-<name>.yaml` (mode 0600).
//! The manifests never hold a secret's value, only `{name, key}` references.

mod alerting;
mod blackbox;
mod dashboards;
mod docker_only;
mod exporters;
pub mod names;
mod probes;
mod pushgateway;
mod readme;
mod rules;
mod scrape;
pub mod secrets;
mod values;
mod workload;
pub mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{json, Map, Value};

use crate::diagnostic::{Problem, Problems};
use crate::error::Error;
use crate::model::Model;
use crate::render::RenderedFile;
use crate::spec::Source;
use secrets::{Content, Secrets};

/// The list of files this render wrote, kept in the output folder (apart
/// from the Docker render's, so neither removes the other's files).
pub const MANIFEST: &str = ".obsctl-kubernetes-files.json";
/// The namespace resources go to unless `--namespace` says otherwise.
pub const DEFAULT_NAMESPACE: &str = "monitoring";
/// The Helm release whose label kube-prometheus-stack selects by default,
/// unless `--release` says otherwise: the chart's own name.
pub const DEFAULT_RELEASE: &str = "kube-prometheus-stack";

/// How to render.
#[derive(Debug, Clone)]
pub struct Settings {
    pub namespace: String,
    /// The kube-prometheus-stack release whose selectors must pick the
    /// resources up (their `release` label).
    pub release: String,
    /// Also write the Secrets, from the values the model read.
    pub secrets: bool,
    /// The Grafana admin password for the Grafana Secret (with `secrets`).
    pub grafana_admin_password: Option<String>,
}

/// What a render produced.
#[derive(Debug)]
pub struct Rendered {
    pub files: Vec<RenderedFile>,
    /// How many resources of each kind the manifests hold.
    pub kinds: BTreeMap<String, usize>,
    /// What will not work in a cluster as it would under Docker.
    pub warnings: Vec<Problem>,
}

/// One Kubernetes object.
struct Resource {
    kind: &'static str,
    name: String,
    object: Value,
}

/// What every part of the render adds to.
struct Out<'a> {
    model: &'a Model,
    settings: &'a Settings,
    secrets: Secrets,
    resources: Vec<Resource>,
    warnings: Problems<'a>,
}

impl Out<'_> {
    /// Adds an object of `api_version`/`kind`; `operator` kinds carry the
    /// release label kube-prometheus-stack selects them by.
    fn add(
        &mut self,
        kind: &'static str,
        api_version: &str,
        name: String,
        meta: Meta,
        body: Map<String, Value>,
    ) {
        let mut labels = Map::new();
        labels.insert("app.kubernetes.io/managed-by".into(), json!("obsctl"));
        labels.insert("app.kubernetes.io/part-of".into(), json!(self.model.name));
        if api_version.starts_with("monitoring.coreos.com/") {
            labels.insert("release".into(), json!(self.settings.release));
        }
        labels.extend(meta.labels);
        let mut metadata = json!({
            "name": name,
            "namespace": self.settings.namespace,
            "labels": labels,
        });
        if !meta.annotations.is_empty() {
            metadata["annotations"] = Value::Object(meta.annotations);
        }
        let mut object = json!({"apiVersion": api_version, "kind": kind, "metadata": metadata});
        object.as_object_mut().expect("an object").extend(body);
        self.resources.push(Resource { kind, name, object });
    }
}

/// Labels and annotations of one object, besides obsctl's own.
#[derive(Default)]
struct Meta {
    labels: Map<String, Value>,
    annotations: Map<String, Value>,
}

/// Renders the model's resources, the values fragment and the README.
pub fn render(model: &Model, source: &Source, settings: &Settings) -> Result<Rendered, Error> {
    let mut out = Out {
        model,
        settings,
        secrets: Secrets::new(&model.name),
        resources: Vec::new(),
        warnings: Problems::new(source),
    };
    if model.prometheus.is_some() {
        rules::add(&mut out)?;
        scrape::add(&mut out);
        probes::add(&mut out)?;
    }
    exporters::add(&mut out);
    blackbox::add(&mut out);
    pushgateway::add(&mut out);
    if let Some(am) = &model.alertmanager {
        alerting::add(&mut out, am);
    }
    if model.grafana.is_some() {
        dashboards::add(&mut out)?;
    }
    docker_only::warn(&mut out);
    let values = values::fragment(&mut out);

    let mut files = Vec::new();
    let mut kinds = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let header = format!(
        "# Rendered by obsctl for stack `{}`: edit obsctl.yaml and render again; changes made here are overwritten.\n",
        model.name
    );
    for r in &out.resources {
        let path = format!("manifests/{}-{}.yaml", r.kind.to_lowercase(), r.name);
        if !seen.insert(path.clone()) {
            return Err(Error::Render {
                template: "kubernetes manifests".into(),
                reason: format!("two resources are both {} {}", r.kind, r.name),
            });
        }
        *kinds.entry(r.kind.to_string()).or_insert(0) += 1;
        files.push(text(
            &path,
            format!("{header}{}", yaml::to_yaml(&r.object)),
            false,
        ));
    }
    if settings.secrets {
        for (name, object) in secret_objects(&out)? {
            files.push(text(
                &format!("secrets/secret-{name}.yaml"),
                format!("{header}{}", yaml::to_yaml(&object)),
                true,
            ));
        }
    }
    files.push(text(
        "values.yaml",
        format!(
            "# kube-prometheus-stack values rendered by obsctl for stack `{}`; see README.md.\n{}",
            model.name,
            yaml::to_yaml(&values)
        ),
        false,
    ));
    files.push(text("README.md", readme::render(&out, &kinds)?, false));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Rendered {
        files,
        kinds,
        warnings: out.warnings.list,
    })
}

/// The fields of a JSON object built with `json!`.
fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(map) => map,
        _ => unreachable!("built as a JSON object"),
    }
}

fn text(path: &str, contents: String, private: bool) -> RenderedFile {
    RenderedFile {
        path: PathBuf::from(path),
        contents: contents.into_bytes(),
        private,
    }
}

/// The Secrets, with their values, for `--secrets`.
fn secret_objects(out: &Out) -> Result<Vec<(String, Value)>, Error> {
    let mut objects = Vec::new();
    for (name, keys) in &out.secrets.secrets {
        let mut data = Map::new();
        for (key, k) in keys {
            let value = match &k.content {
                Content::Secret(s) => s.value.expose().to_string(),
                Content::Plain(text) => text.clone(),
                Content::Generated(password) => password.clone().unwrap_or_default(),
            };
            if value.is_empty() {
                return Err(Error::Render {
                    template: format!("secret {name}"),
                    reason: format!("the value of key {key} was not read"),
                });
            }
            data.insert(key.clone(), json!(value));
        }
        let object = json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": name,
                "namespace": out.settings.namespace,
                "labels": {
                    "app.kubernetes.io/managed-by": "obsctl",
                    "app.kubernetes.io/part-of": out.model.name,
                },
            },
            "type": "Opaque",
            "stringData": data,
        });
        objects.push((name.clone(), object));
    }
    Ok(objects)
}

#[cfg(test)]
mod exporters_tests;
#[cfg(test)]
mod mapping_tests;
#[cfg(test)]
mod tests;
