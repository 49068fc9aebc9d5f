//! Alert and recording rules: built-in packs with overrides, inline alerts, and
//! the user's own rule files (validated, then copied).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use promql_parser::parser::Expr;
use rayon::prelude::*;

use super::defaults as d;
use super::exporters::Exporter;
use super::fields::duration;
use super::probes::Probe;
use super::service::ExporterKind;
use super::{RulesContent, RulesOut};
use crate::diagnostic::Problems;
use crate::packs::{self, Override};
use crate::promql;
use crate::promql_features::{self, EXPERIMENTAL_FUNCTIONS_FEATURE};
use crate::promql_rewrite;
use crate::rulefile::{Rule, RuleFile, RuleGroup};
use crate::spec::positions::{Position, PositionIndex, MAX_DEPTH};
use crate::spec::{nearest_word, PackSetting, Spec};

/// Returns the rule files to render and the enabled packs with their metrics.
pub fn rules(
    spec: &Spec,
    exporters: &[Exporter],
    probes: &[Probe],
    base_dir: &Path,
    edge_labels: &[String],
    p: &mut Problems,
) -> (Vec<RulesOut>, BTreeMap<String, Vec<String>>) {
    let all = packs::all();
    let names: Vec<&str> = all.iter().map(|p| p.name.as_str()).collect();
    let mut out = Vec::new();
    let mut enabled = BTreeMap::new();

    for name in spec.rules.packs.keys() {
        if !names.contains(&name.as_str()) {
            let hint = nearest_word(name, &names)
                .map(|n| format!("did you mean `{n}`?"))
                .unwrap_or_else(|| format!("built-in packs: {}", names.join(", ")));
            p.error(
                &format!("rules.packs.{name}"),
                format!("no rule pack named `{name}`"),
                Some(hint),
            );
        }
    }
    for pack in &all {
        let setting = spec.rules.packs.get(&pack.name);
        // `stack` watches obsctl's own services and is on unless turned off;
        // `node` follows the node exporter and `probes` the spec's probes;
        // every other pack is opt-in.
        let default_on = pack.name == "stack"
            || (pack.name == "node" && exporters.iter().any(|e| e.kind == ExporterKind::Node))
            || (pack.name == "probes" && !spec.probes.is_empty());
        let (on, overrides) = match setting {
            None => (default_on, Vec::new()),
            Some(PackSetting::Toggle(on)) => (*on, Vec::new()),
            Some(PackSetting::Alerts(map)) => (true, overrides(&pack.name, map, pack, p)),
        };
        if !on {
            continue;
        }
        match pack.apply(&overrides) {
            Ok(mut rules) => out.push(RulesOut {
                content: {
                    keep_edge_labels(&mut rules, edge_labels);
                    RulesContent::Generated(rules)
                },
                file: format!("{}.rules.yml", pack.name),
            }),
            Err((alert, e)) => p.error(&format!("rules.packs.{}.{alert}", pack.name), e, None),
        }
        let mut metrics: Vec<String> = pack.metrics().into_iter().collect();
        if pack.name == "probes" && !probes.iter().any(Probe::uses_tls) {
            // Only TLS probes report certificates; without one, the expiry
            // alerts have nothing to read and that is as it should be.
            metrics.retain(|m| m != "probe_ssl_earliest_cert_expiry");
        }
        enabled.insert(pack.name.clone(), metrics);
    }

    let experimental = spec
        .prometheus
        .enable_features
        .iter()
        .any(|f| f == EXPERIMENTAL_FUNCTIONS_FEATURE);
    if let Some(custom) = custom_alerts(spec, &all, experimental, p) {
        out.push(RulesOut {
            file: "custom.rules.yml".into(),
            content: RulesContent::Generated(custom),
        });
    }
    out.extend(user_files(spec, base_dir, experimental, p));
    (out, enabled)
}

/// On a stack that receives from several edges, a pack's aggregations keep
/// the labels that tell the edges apart (see [`promql_rewrite::keep_labels`]).
fn keep_edge_labels(rules: &mut RuleFile, edge_labels: &[String]) {
    for rule in rules.groups.iter_mut().flat_map(|g| g.rules.iter_mut()) {
        rule.expr = promql_rewrite::keep_labels(&rule.expr, edge_labels);
    }
}

fn overrides(
    pack_name: &str,
    map: &BTreeMap<String, crate::spec::AlertOverride>,
    pack: &packs::Pack,
    p: &mut Problems,
) -> Vec<(String, Override)> {
    let alerts = pack.alert_names();
    let mut out = Vec::new();
    for (alert, o) in map {
        let field = format!("rules.packs.{pack_name}.{alert}");
        if !alerts.contains(&alert.as_str()) {
            let hint = nearest_word(alert, &alerts)
                .map(|n| format!("did you mean `{n}`?"))
                .unwrap_or_else(|| format!("alerts in `{pack_name}`: {}", alerts.join(", ")));
            p.error(
                &field,
                format!("pack `{pack_name}` has no alert `{alert}`"),
                Some(hint),
            );
            continue;
        }
        if let Some(t) = o.threshold {
            if !t.is_finite() {
                p.error(
                    &format!("{field}.threshold"),
                    "the threshold must be a finite number",
                    None,
                );
            }
        }
        let for_ = o
            .for_
            .as_ref()
            .map(|f| duration(p, &format!("{field}.for"), Some(f), f));
        if let Some(s) = &o.severity {
            severity(p, &format!("{field}.severity"), s);
        }
        out.push((
            alert.clone(),
            Override {
                enabled: o.enabled,
                threshold: o.threshold.filter(|t| t.is_finite()),
                for_,
                severity: o.severity.clone(),
            },
        ));
    }
    out
}

fn severity(p: &mut Problems, field: &str, s: &str) {
    if !["critical", "warning", "info", "none"].contains(&s) {
        p.warning(
            field,
            format!("severity `{s}` is not one of critical, warning, info"),
            Some("routes usually match on these three values".into()),
        );
    }
}

fn custom_alerts(
    spec: &Spec,
    all: &[packs::Pack],
    experimental: bool,
    p: &mut Problems,
) -> Option<RuleFile> {
    if spec.rules.alerts.is_empty() {
        return None;
    }
    let builtin: BTreeSet<&str> = all.iter().flat_map(|p| p.alert_names()).collect();
    let mut rules = Vec::new();
    let mut seen = HashSet::new();
    // Parsing is most of the work, and each alert's stands alone.
    let trees: Vec<_> = spec
        .rules
        .alerts
        .par_iter()
        .map(|a| promql::parse(&a.expr))
        .collect();
    for ((i, a), tree) in spec.rules.alerts.iter().enumerate().zip(trees) {
        let field = format!("rules.alerts[{i}]");
        let ok_name = !a.alert.is_empty()
            && a.alert
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok_name {
            p.error(
                &format!("{field}.alert"),
                format!("`{}` is not a valid alert name", a.alert),
                Some("use letters, digits and underscores, e.g. HighErrorRate".into()),
            );
        } else if !seen.insert(a.alert.as_str()) {
            p.error(
                &format!("{field}.alert"),
                format!("alert `{}` is defined twice", a.alert),
                None,
            );
        } else if builtin.contains(a.alert.as_str()) {
            p.warning(&format!("{field}.alert"), format!("a built-in pack also has an alert named `{}`", a.alert), Some("if both are enabled, two alerts with one name fire; override the pack's alert instead".into()));
        }
        if let Err(e) = &tree {
            p.error(
                &format!("{field}.expr"),
                format!("invalid PromQL: {e}"),
                None,
            );
        }
        for (message, hint) in refused_calls(&a.expr, tree.ok().as_ref(), experimental) {
            p.error(&format!("{field}.expr"), message, Some(hint));
        }
        let for_ = a
            .for_
            .as_ref()
            .map(|f| duration(p, &format!("{field}.for"), Some(f), f));
        let sev = a
            .severity
            .clone()
            .unwrap_or_else(|| d::ALERT_SEVERITY.into());
        severity(p, &format!("{field}.severity"), &sev);
        let mut labels = a.labels.clone();
        labels.insert("severity".into(), sev);
        let mut annotations = BTreeMap::new();
        annotations.insert(
            "summary".into(),
            a.summary.clone().unwrap_or_else(|| a.alert.clone()),
        );
        if let Some(d) = &a.description {
            annotations.insert("description".into(), d.clone());
        }
        rules.push(Rule {
            record: None,
            alert: Some(a.alert.clone()),
            expr: a.expr.trim().to_string(),
            for_,
            keep_firing_for: None,
            labels,
            annotations,
        });
    }
    Some(RuleFile {
        groups: vec![RuleGroup {
            name: "obsctl-custom".into(),
            interval: None,
            limit: None,
            rules,
        }],
    })
}

/// Expands `prometheus.rule_files`, validates each file, and returns them for copying.
fn user_files(spec: &Spec, base_dir: &Path, experimental: bool, p: &mut Problems) -> Vec<RulesOut> {
    let mut out: Vec<RulesOut> = Vec::new();
    for (i, pattern) in spec.prometheus.rule_files.iter().enumerate() {
        let field = format!("prometheus.rule_files[{i}]");
        let full = base_dir.join(pattern);
        let paths: Vec<_> = match glob::glob(&full.to_string_lossy()) {
            Ok(paths) => paths
                .filter_map(Result::ok)
                .filter(|p| p.is_file())
                .collect(),
            Err(e) => {
                p.error(
                    &field,
                    format!("`{pattern}` is not a valid glob: {e}"),
                    None,
                );
                continue;
            }
        };
        if paths.is_empty() {
            p.error(
                &field,
                format!("`{pattern}` matches no file"),
                Some(format!(
                    "paths are relative to the spec's folder ({})",
                    base_dir.display()
                )),
            );
        }
        for path in paths {
            let display = path.display().to_string();
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => {
                    p.elsewhere(display, None, format!("cannot read rule file: {e}"), None);
                    continue;
                }
            };
            if !check_rule_file(&display, &text, experimental, p) {
                continue;
            }
            let stem = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let mut file = format!("user/{stem}");
            let mut n = 2;
            while out.iter().any(|o| o.file == file) {
                file = format!("user/{n}-{stem}");
                n += 1;
            }
            out.push(RulesOut {
                file,
                content: RulesContent::Verbatim(text),
            });
        }
    }
    out
}

/// What Prometheus 3.5 refuses to load in a rule expression: experimental
/// functions unless `experimental` (the feature is enabled), and functions it
/// does not know. (message, hint) for each; `tree` is `expr` parsed.
fn refused_calls(expr: &str, tree: Option<&Expr>, experimental: bool) -> Vec<(String, String)> {
    let calls = promql_features::calls_in(expr, tree);
    let mut out = Vec::new();
    if !experimental {
        for f in calls.experimental {
            out.push((
                format!("`{f}` is an experimental PromQL function: Prometheus 3.5 refuses to load a rule that uses it"),
                promql_features::enable_hint(),
            ));
        }
    }
    for f in calls.unknown {
        out.push((
            format!("`{f}` is not a function Prometheus 3.5 knows: it refuses to load a rule that uses it"),
            "it may belong to a later Prometheus version; write the expression without it".into(),
        ));
    }
    out
}

/// Validates a user's rule file; problems are located in that file.
fn check_rule_file(display: &str, text: &str, experimental: bool, p: &mut Problems) -> bool {
    let positions = PositionIndex::build(text);
    if let Some(pos) = positions.too_deep() {
        let message = format!(
            "not a valid Prometheus rule file: it nests deeper than {MAX_DEPTH} levels here"
        );
        p.elsewhere(display.into(), Some(pos), message, None);
        return false;
    }
    let parsed: RuleFile = match serde_yaml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            let pos = e.location().map(|l| Position {
                line: l.line(),
                column: l.column(),
            });
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            p.elsewhere(display.into(), pos, format!("not a valid Prometheus rule file: {msg}"), Some("see https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/".into()));
            return false;
        }
    };
    let before = p.list.len();
    for (path, rule) in parsed.rules_with_paths() {
        let at = |field: &str| positions.value(&format!("{path}.{field}"));
        if rule.alert.is_some() == rule.record.is_some() {
            p.elsewhere(
                display.into(),
                at("expr"),
                format!("{path}: a rule has exactly one of `alert` or `record`"),
                None,
            );
        }
        let tree = promql::parse(&rule.expr);
        if let Err(e) = &tree {
            p.elsewhere(
                display.into(),
                at("expr"),
                format!("{path}.expr: invalid PromQL: {e}"),
                None,
            );
        }
        for (message, hint) in refused_calls(&rule.expr, tree.ok().as_ref(), experimental) {
            p.elsewhere(
                display.into(),
                at("expr"),
                format!("{path}.expr: {message}"),
                Some(hint),
            );
        }
        if let Some(f) = &rule.for_ {
            if let Err(e) = crate::duration::parse_duration(f) {
                p.elsewhere(display.into(), at("for"), format!("{path}.for: {e}"), None);
            }
        }
    }
    p.list.len() == before
}
