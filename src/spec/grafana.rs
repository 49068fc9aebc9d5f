//! `grafana:` in the spec: the server and which dashboards it is provisioned with.

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrafanaSpec {
    pub enabled: Option<bool>,
    pub image: Option<String>,
    pub port: Option<u16>,
    /// Public URL users reach Grafana at (`GF_SERVER_ROOT_URL`).
    pub root_url: Option<String>,
    pub admin_user: Option<String>,
    /// Built-in dashboards to provision: `all`, `none`, or a list. By default
    /// all, except that the probes and SLO dashboards come only with probes
    /// and SLOs.
    pub builtin_dashboards: Option<DashboardSelection>,
    /// The user's own dashboard files or folders (relative to the spec).
    #[serde(default)]
    pub dashboards: Vec<String>,
}

/// `all`, `none`, or a list of built-in dashboard names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum DashboardSelection {
    Keyword(String),
    List(Vec<String>),
}
