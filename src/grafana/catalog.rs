//! The datasources of the Grafana dashboards are imported into, and the
//! choice of the one Prometheus datasource every Prometheus reference is
//! mapped to: the one named with `--datasource`, the stack's own, Grafana's
//! default Prometheus, or the only one — never a guess among several.

use serde_json::{json, Value};

use super::client::Datasource;
use crate::error::{Datasource as Named, Error};

/// The datasources of the target Grafana, or `None` when the credentials may
/// not list them (an Editor token, on Grafana versions that restrict it).
#[derive(Debug, Clone)]
pub struct Catalog(pub Option<Vec<Datasource>>);

/// The Prometheus datasource every Prometheus reference is mapped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub uid: String,
    pub name: String,
}

/// The plugin id of Prometheus datasources.
pub const PROMETHEUS: &str = "prometheus";

impl Catalog {
    fn prometheus(&self) -> Vec<&Datasource> {
        self.0
            .iter()
            .flatten()
            .filter(|d| d.kind == PROMETHEUS)
            .collect()
    }

    pub(super) fn find(&self, uid_or_name: &str) -> Option<&Datasource> {
        let all = self.0.as_deref().unwrap_or_default();
        all.iter()
            .find(|d| d.uid == uid_or_name)
            .or_else(|| all.iter().find(|d| d.name == uid_or_name))
    }

    /// The default datasource of a type, else the only one of it.
    pub(super) fn of_type(&self, kind: &str) -> Result<&Datasource, String> {
        let Some(all) = &self.0 else {
            return Err("these credentials may not list Grafana's datasources".into());
        };
        let of: Vec<&Datasource> = all.iter().filter(|d| d.kind == kind).collect();
        match of.as_slice() {
            [] => Err(format!("Grafana has no `{kind}` datasource")),
            [one] => Ok(one),
            many => many.iter().copied().find(|d| d.is_default).ok_or_else(|| {
                format!(
                    "Grafana has several `{kind}` datasources ({}) and none is the default",
                    names(many)
                )
            }),
        }
    }

    /// The Prometheus datasource to map to: `wanted` (uid or name), else the
    /// stack's own uid, else the default Prometheus, else the only one.
    pub fn choose(&self, wanted: Option<&str>, own_uid: Option<&str>) -> Result<Target, Error> {
        let prometheus: Vec<Named> = self
            .prometheus()
            .into_iter()
            .map(|d| Named {
                name: d.name.clone(),
                uid: d.uid.clone(),
            })
            .collect();
        if let Some(wanted) = wanted {
            if self.0.is_none() {
                return Ok(Target::named(wanted));
            }
            return match self.find(wanted) {
                Some(d) if d.kind == PROMETHEUS => Ok(Target::of(d)),
                Some(d) => Err(Error::NotPrometheus {
                    wanted: wanted.into(),
                    kind: d.kind.clone(),
                    prometheus,
                }),
                None => Err(Error::NoSuchDatasource {
                    wanted: wanted.into(),
                    prometheus,
                }),
            };
        }
        if let Some(uid) = own_uid {
            return Ok(self
                .find(uid)
                .map(Target::of)
                .unwrap_or_else(|| Target::named(uid)));
        }
        if self.0.is_none() {
            return Err(Error::DatasourcesHidden);
        }
        let proms = self.prometheus();
        match proms.as_slice() {
            [] => Err(Error::NoPrometheusDatasource),
            [one] => Ok(Target::of(one)),
            many => match many.iter().find(|d| d.is_default) {
                Some(d) => Ok(Target::of(d)),
                None => Err(Error::AmbiguousDatasource { prometheus }),
            },
        }
    }
}

fn names(list: &[&Datasource]) -> String {
    list.iter()
        .map(|d| format!("`{}` (uid {})", d.name, d.uid))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Target {
    fn of(d: &Datasource) -> Self {
        Target {
            uid: d.uid.clone(),
            name: d.name.clone(),
        }
    }

    fn named(uid: &str) -> Self {
        Target {
            uid: uid.into(),
            name: uid.into(),
        }
    }

    pub(super) fn reference(&self) -> Value {
        json!({ "type": PROMETHEUS, "uid": self.uid })
    }
}
