//! `rules:` in the spec: built-in packs with per-alert overrides, and inline alerts.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesSpec {
    /// Built-in packs to enable, each with optional per-alert overrides.
    /// `stack` is on unless set to `false`.
    #[serde(default)]
    pub packs: BTreeMap<String, PackSetting>,
    /// Alerts written inline in the spec.
    #[serde(default)]
    pub alerts: Vec<CustomAlertSpec>,
}

/// `http:` (defaults), `http: false`, or `http: {HTTPHighErrorRatio: {threshold: 0.1}}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "serde_yaml::Value")]
pub enum PackSetting {
    Toggle(bool),
    Alerts(BTreeMap<String, AlertOverride>),
}

impl TryFrom<serde_yaml::Value> for PackSetting {
    type Error = String;

    fn try_from(value: serde_yaml::Value) -> Result<Self, Self::Error> {
        use serde_yaml::Value;
        match value {
            Value::Null => Ok(PackSetting::Toggle(true)),
            Value::Bool(on) => Ok(PackSetting::Toggle(on)),
            Value::Mapping(map) => {
                let mut alerts = BTreeMap::new();
                for (name, body) in map {
                    let name = name
                        .as_str()
                        .ok_or("alert names in a pack are strings")?
                        .to_string();
                    let body = if body.is_null() {
                        AlertOverride::default()
                    } else {
                        serde_yaml::from_value(body).map_err(|e| format!("alert `{name}`: {e}"))?
                    };
                    alerts.insert(name, body);
                }
                Ok(PackSetting::Alerts(alerts))
            }
            _ => Err("a pack is enabled with `true`, disabled with `false`, or given per-alert overrides such as `{NodeHighCPUUsage: {threshold: 90}}`".into()),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertOverride {
    pub enabled: Option<bool>,
    pub threshold: Option<f64>,
    #[serde(rename = "for")]
    pub for_: Option<String>,
    pub severity: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomAlertSpec {
    pub alert: String,
    pub expr: String,
    #[serde(rename = "for")]
    pub for_: Option<String>,
    pub severity: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}
