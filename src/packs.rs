//! The built-in rule packs shipped in `rules/`, and applying a user's
//! per-alert overrides (enabled, threshold, `for`, severity) to them.
//!
//! A pack is a plain Prometheus rule file, unit-tested with `promtool test
//! rules` as shipped. A configurable alert's expression ends in
//! `<comparison> <number>`; a threshold override replaces that number after the
//! parser has confirmed the shape.

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::assets::{self, RulePacks};
use crate::promql;
use crate::rulefile::{Rule, RuleFile};

/// One built-in pack.
#[derive(Debug, Clone)]
pub struct Pack {
    pub name: String,
    pub title: String,
    pub description: String,
    pub rules: RuleFile,
}

#[derive(Deserialize)]
struct Index {
    packs: Vec<IndexEntry>,
}

#[derive(Deserialize)]
struct IndexEntry {
    name: String,
    title: String,
    description: String,
}

/// Every built-in pack, in the index's order.
pub fn all() -> Vec<Pack> {
    let index: Index = serde_yaml::from_str(&assets::text::<RulePacks>("packs.yml"))
        .expect("rules/packs.yml is valid");
    index
        .packs
        .into_iter()
        .map(|e| {
            let file = format!("{}.rules.yml", e.name);
            let rules: RuleFile = serde_yaml::from_str(&assets::text::<RulePacks>(&file))
                .unwrap_or_else(|err| panic!("rules/{file} is invalid: {err}"));
            Pack {
                name: e.name,
                title: e.title,
                description: e.description,
                rules,
            }
        })
        .collect()
}

/// One alert override as the model applies it.
#[derive(Debug, Clone, Default)]
pub struct Override {
    pub enabled: Option<bool>,
    pub threshold: Option<f64>,
    pub for_: Option<String>,
    pub severity: Option<String>,
}

impl Pack {
    pub fn alert_names(&self) -> Vec<&str> {
        self.alerts().filter_map(|r| r.alert.as_deref()).collect()
    }

    fn alerts(&self) -> impl Iterator<Item = &Rule> {
        self.rules
            .groups
            .iter()
            .flat_map(|g| g.rules.iter())
            .filter(|r| r.alert.is_some())
    }

    /// Metric names the pack's expressions need to exist (recording-rule
    /// outputs, and series only used to filter results out, excluded).
    pub fn metrics(&self) -> BTreeSet<String> {
        let recorded: BTreeSet<&str> = self
            .rules
            .groups
            .iter()
            .flat_map(|g| &g.rules)
            .filter_map(|r| r.record.as_deref())
            .collect();
        self.rules
            .groups
            .iter()
            .flat_map(|g| &g.rules)
            .filter_map(|r| promql::parse(&r.expr).ok())
            .flat_map(|e| promql::required_metric_names(&e))
            .filter(|m| !recorded.contains(m.as_str()))
            .collect()
    }

    /// The pack with `overrides` applied (alert name -> override). Errors name
    /// the alert.
    pub fn apply(&self, overrides: &[(String, Override)]) -> Result<RuleFile, (String, String)> {
        let mut out = self.rules.clone();
        for (name, o) in overrides {
            let rule = out
                .groups
                .iter_mut()
                .flat_map(|g| g.rules.iter_mut())
                .find(|r| r.alert.as_deref() == Some(name.as_str()))
                .ok_or_else(|| (name.clone(), "no such alert in this pack".to_string()))?;
            if let Some(t) = o.threshold {
                rule.expr = promql::replace_threshold(&rule.expr, t).map_err(|e| {
                    (
                        name.clone(),
                        format!("this alert has no configurable threshold ({e})"),
                    )
                })?;
            }
            if let Some(f) = &o.for_ {
                rule.for_ = Some(f.clone());
            }
            if let Some(s) = &o.severity {
                rule.labels.insert("severity".into(), s.clone());
            }
        }
        let disabled: BTreeSet<&str> = overrides
            .iter()
            .filter(|(_, o)| o.enabled == Some(false))
            .map(|(n, _)| n.as_str())
            .collect();
        for group in &mut out.groups {
            group
                .rules
                .retain(|r| r.alert.as_deref().is_none_or(|a| !disabled.contains(a)));
        }
        out.groups.retain(|g| !g.rules.is_empty());
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pack_loads_and_its_expressions_parse() {
        let packs = all();
        assert!(packs.len() >= 10, "expected the ten documented packs");
        for pack in &packs {
            for (path, rule) in pack.rules.rules_with_paths() {
                promql::parse(&rule.expr).unwrap_or_else(|e| panic!("{} {path}: {e}", pack.name));
            }
        }
    }

    #[test]
    fn alert_names_are_unique_across_packs() {
        let mut seen = BTreeSet::new();
        for pack in all() {
            for name in pack.alert_names() {
                assert!(seen.insert(name.to_string()), "alert {name} appears twice");
            }
        }
    }

    #[test]
    fn every_alert_has_a_severity_and_a_summary() {
        for pack in all() {
            for rule in pack.alerts() {
                let name = rule.alert.as_deref().unwrap();
                assert!(
                    rule.labels.contains_key("severity"),
                    "{name} has no severity"
                );
                assert!(
                    rule.annotations.contains_key("summary"),
                    "{name} has no summary"
                );
            }
        }
    }

    #[test]
    fn overrides_change_threshold_for_and_severity() {
        let pack = all().into_iter().find(|p| p.name == "node").unwrap();
        let name = pack
            .alerts()
            .find(|r| promql::threshold_of(&r.expr).is_some())
            .and_then(|r| r.alert.clone())
            .unwrap();
        let o = Override {
            threshold: Some(42.5),
            for_: Some("7m".into()),
            severity: Some("critical".into()),
            ..Default::default()
        };
        let out = pack.apply(&[(name.clone(), o)]).unwrap();
        let rule = out
            .rules_with_paths()
            .map(|(_, r)| r)
            .find(|r| r.alert.as_deref() == Some(&name))
            .unwrap();
        assert_eq!(promql::threshold_of(&rule.expr), Some(42.5));
        assert_eq!(rule.for_.as_deref(), Some("7m"));
        assert_eq!(rule.labels["severity"], "critical");
    }

    #[test]
    fn a_disabled_alert_is_left_out() {
        let pack = all().into_iter().find(|p| p.name == "stack").unwrap();
        let name = pack.alert_names()[0].to_string();
        let o = Override {
            enabled: Some(false),
            ..Default::default()
        };
        let out = pack.apply(&[(name.clone(), o)]).unwrap();
        assert!(out
            .rules_with_paths()
            .all(|(_, r)| r.alert.as_deref() != Some(&name)));
    }
}
