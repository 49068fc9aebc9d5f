//! Rendering: the model becomes a set of files, held in memory until every one
//! has rendered, then written atomically by [`write`].
//!
//! Layout of a stack directory (each top folder is mounted into one container):
//! `prometheus/{prometheus.yml,rules/,secrets/}`, `alertmanager/{alertmanager.yml,secrets/}`,
//! `grafana/provisioning/{datasources,dashboards}/`, `grafana/dashboards/` (the
//! root's dashboards at the top, `<folder>/` for the others),
//! `exporters/<service>/` (the blackbox exporter's configuration, secrets an
//! exporter reads).

pub mod blackbox;
mod context;
mod templates;
pub mod write;

use std::path::PathBuf;

use rayon::prelude::*;

use crate::error::Error;
use crate::model::{ExporterKind, Model, RulesContent, SecretFile};

/// Container paths the rendered files are mounted at.
pub mod paths {
    pub const PROMETHEUS_CONFIG_DIR: &str = "/etc/prometheus";
    pub const ALERTMANAGER_CONFIG_DIR: &str = "/etc/alertmanager";
    pub const GRAFANA_PROVISIONING_DIR: &str = "/etc/grafana/provisioning";
    pub const GRAFANA_DASHBOARDS_DIR: &str = "/etc/grafana/dashboards";
    pub const EXPORTER_SECRETS_DIR: &str = "/etc/obsctl";
    /// The blackbox exporter's rendered configuration.
    pub const EXPORTER_CONFIG_DIR: &str = "/etc/obsctl";
    /// Where the Pushgateway keeps its persistence file (a volume); the
    /// upstream image's working directory, owned by its user.
    pub const PUSHGATEWAY_DATA_DIR: &str = "/pushgateway";

    /// The Pushgateway's argument that keeps pushed metrics across restarts.
    pub fn pushgateway_persistence_arg() -> String {
        format!("--persistence.file={PUSHGATEWAY_DATA_DIR}/metrics.store")
    }
}

/// One rendered file, relative to the stack directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    pub path: PathBuf,
    pub contents: Vec<u8>,
    /// True for files holding secrets: written with mode 0600.
    pub private: bool,
}

/// Renders every file of the stack.
pub fn render(model: &Model) -> Result<Vec<RenderedFile>, Error> {
    let hb = templates::registry();
    let mut files = Vec::new();
    let mut text = |path: &str, contents: String, private: bool| {
        files.push(RenderedFile {
            path: PathBuf::from(path),
            contents: contents.into_bytes(),
            private,
        });
    };
    let render = |name: &str, ctx: &serde_json::Value| render_with(&hb, name, ctx);

    if let Some(prom) = &model.prometheus {
        text(
            "prometheus/prometheus.yml",
            render("prometheus.yml", &context::prometheus(model, prom))?,
            false,
        );
        for rules in &model.rules {
            let body = match &rules.content {
                RulesContent::Generated(f) => format!(
                    "# Rendered by obsctl; changes made here are overwritten.\n{}",
                    f.to_yaml()
                ),
                RulesContent::Verbatim(t) => t.clone(),
            };
            text(&format!("prometheus/rules/{}", rules.file), body, false);
        }
        for secret in context::prometheus_secrets(prom, &model.scrape_jobs) {
            text(
                &format!("prometheus/{}", secret.file),
                secret.value.expose().to_string(),
                true,
            );
        }
    }
    if let Some(am) = &model.alertmanager {
        let ctx = context::alertmanager(model, am);
        // Every secret, webhook URLs included (`url_file`, Alertmanager
        // 0.26+), lives in its own file, so the configuration is not private.
        text(
            "alertmanager/alertmanager.yml",
            render("alertmanager.yml", &ctx)?,
            false,
        );
        for secret in context::alertmanager_secrets(am) {
            text(
                &format!("alertmanager/{}", secret.file),
                secret.value.expose().to_string(),
                true,
            );
        }
    }
    if model.grafana.is_some() {
        let ctx = context::grafana(model);
        text(
            "grafana/provisioning/datasources/obsctl.yml",
            render("grafana/datasources.yml", &ctx)?,
            false,
        );
        text(
            "grafana/provisioning/dashboards/obsctl.yml",
            render("grafana/dashboards.yml", &ctx)?,
            false,
        );
        // Serialising the dashboards is most of a large stack's render;
        // each stands alone.
        let texts: Vec<Result<String, Error>> = model
            .dashboards
            .par_iter()
            .map(|d| {
                serde_json::to_string_pretty(&d.json)
                    .map(|json| json + "\n")
                    .map_err(|e| Error::Render {
                        template: format!("dashboard {}", d.file),
                        reason: e.to_string(),
                    })
            })
            .collect();
        for (d, json) in model.dashboards.iter().zip(texts) {
            let json = json?;
            // Grafana's root is the top of the provider's path, never a
            // `General/` directory (it refuses to create a folder of that name).
            let path = match &d.folder {
                Some(folder) => format!("grafana/dashboards/{folder}/{}", d.file),
                None => format!("grafana/dashboards/{}", d.file),
            };
            text(&path, json, false);
        }
    }
    for e in &model.exporters {
        if e.kind == ExporterKind::Blackbox {
            text(
                &format!("exporters/{}/{}", e.service(), blackbox::CONFIG_FILE),
                blackbox::config(&model.probes),
                false,
            );
        }
        for secret in &e.secrets {
            text(
                &format!("exporters/{}/{}", e.service(), secret.file),
                secret.value.expose().to_string(),
                true,
            );
        }
    }
    Ok(files)
}

/// Where a secret file of a component is seen inside its container.
pub fn container_path(dir: &str, secret: &SecretFile) -> String {
    format!("{dir}/{}", secret.file)
}

/// Renders one embedded template with `context` (used by `init`).
pub fn render_template(name: &str, context: &serde_json::Value) -> Result<String, Error> {
    render_with(&templates::registry(), name, context)
}

fn render_with(
    hb: &handlebars::Handlebars,
    name: &str,
    context: &serde_json::Value,
) -> Result<String, Error> {
    hb.render(name, context).map_err(|e| Error::Render {
        template: name.into(),
        reason: e.to_string(),
    })
}
