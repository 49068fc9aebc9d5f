//! Grafana as the spec configures it: port, root URL, admin user and which
//! built-in dashboards to provision.

use super::dashboards::builtin_names;
use super::defaults as d;
use super::fields::{enabled, image, port};
use crate::diagnostic::Problems;
use crate::spec::{nearest_word, DashboardSelection, Spec};

#[derive(Debug, Clone)]
pub struct Grafana {
    pub image: String,
    pub port: u16,
    pub root_url: String,
    pub admin_user: String,
    /// Built-in dashboards to provision, by name (by default all, but the
    /// probes and SLO dashboards only for a spec with probes or SLOs).
    pub builtin_dashboards: Vec<String>,
}

pub fn grafana(spec: &Spec, p: &mut Problems) -> Option<Grafana> {
    let s = &spec.grafana;
    if !enabled(s.enabled) {
        return None;
    }
    let port = port(p, "grafana.port", s.port, d::GRAFANA_PORT);
    let known = builtin_names();
    let builtin_dashboards = match &s.builtin_dashboards {
        // By default, the dashboards of probes and SLOs come with them.
        None => known
            .iter()
            .filter(|n| match n.as_str() {
                "probes" => !spec.probes.is_empty(),
                "slos" => !spec.slos.is_empty(),
                _ => true,
            })
            .cloned()
            .collect(),
        Some(DashboardSelection::Keyword(k)) if k == "all" => known.clone(),
        Some(DashboardSelection::Keyword(k)) if k == "none" => Vec::new(),
        Some(DashboardSelection::Keyword(k)) => {
            p.error(
                "grafana.builtin_dashboards",
                format!("`{k}` is neither `all`, `none` nor a list"),
                Some(format!("built-in dashboards: {}", known.join(", "))),
            );
            Vec::new()
        }
        Some(DashboardSelection::List(list)) => {
            for (i, item) in list.iter().enumerate() {
                if !known.contains(item) {
                    let names: Vec<&str> = known.iter().map(String::as_str).collect();
                    let hint = nearest_word(item, &names)
                        .map(|n| format!("did you mean `{n}`?"))
                        .unwrap_or_else(|| format!("built-in dashboards: {}", known.join(", ")));
                    p.error(
                        &format!("grafana.builtin_dashboards[{i}]"),
                        format!("no built-in dashboard named `{item}`"),
                        Some(hint),
                    );
                }
            }
            list.clone()
        }
    };
    Some(Grafana {
        image: image(p, "grafana.image", s.image.as_ref(), d::GRAFANA_IMAGE),
        port,
        root_url: s
            .root_url
            .clone()
            .unwrap_or_else(|| format!("http://localhost:{port}/")),
        admin_user: s
            .admin_user
            .clone()
            .unwrap_or_else(|| d::GRAFANA_ADMIN_USER.into()),
        builtin_dashboards,
    })
}
