//! Test support for `render --target kubernetes`: render a spec, read the
//! manifests back (with serde_yaml, a reader independent of obsctl's
//! writer), and put the rules of the PrometheusRules back into rule files
//! where the Docker render writes them, for promtool.

// Each test binary uses only some of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use obsctl::rulefile::RuleFile;
use serde_yaml::Value;

use crate::support::Test;

/// The full fixture's secrets: environment variables and what the files it
/// names hold.
pub const FULL_ENV: &[(&str, &str)] = &[
    ("OBSCTL_FULL_REMOTE_PASSWORD", "rw-pass-0d1e"),
    (
        "OBSCTL_FULL_SLACK_WEBHOOK",
        "https://hooks.slack.com/services/T/B/x-5e3f",
    ),
    ("OBSCTL_FULL_PAGERDUTY_KEY", "pd-key-7a2b"),
    ("OBSCTL_FULL_SMTP_PASSWORD", "smtp-pass-9c4d"),
    ("OBSCTL_FULL_SCRAPE_PASSWORD", "scrape-pass-3f8a"),
    ("OBSCTL_FULL_PG_PASSWORD", "pg-pass-6b1c"),
];

/// The seed examples.
pub const EXAMPLES: &[&str] = &[
    "amani-backend",
    "iob-maiis",
    "opssight",
    "pam-backend",
    "pybase",
];

/// The full fixture with its secrets in the environment.
pub fn full() -> Test {
    let mut t = Test::new().fixture("full");
    for (k, v) in FULL_ENV {
        t = t.env(k, v);
    }
    t
}

/// Renders for Kubernetes into `out/` with `extra` flags; asserts success.
pub fn render(t: &mut Test, extra: &[&str]) {
    let mut args = vec!["render", "--target", "kubernetes", "--out", "out"];
    args.extend_from_slice(extra);
    t.args(&args).run().code(0);
}

/// Every file under `dir`, as paths relative to it, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    crate::support::files(dir, dir)
}

/// The manifests under `out/manifests`: (path, object); none when a spec
/// needs no resource besides the chart's values.
pub fn manifests(out: &Path) -> Vec<(PathBuf, Value)> {
    let dir = out.join("manifests");
    if !dir.is_dir() {
        return Vec::new();
    }
    files(&dir)
        .into_iter()
        .map(|f| {
            let path = dir.join(f);
            let text = std::fs::read_to_string(&path).unwrap();
            let value: Value =
                serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path, value)
        })
        .collect()
}

/// True for the kinds of the Prometheus Operator.
pub fn is_operator_kind(object: &Value) -> bool {
    object["apiVersion"]
        .as_str()
        .is_some_and(|v| v.starts_with("monitoring.coreos.com/"))
}

/// The rules of each PrometheusRule as a rule file, written under `dest`
/// at the path the Docker render gives it (`prometheus/rules/<file>`, from
/// the `obsctl.dev/rule-file` annotation). Returns the files, relative to
/// `dest`.
pub fn extract_rules(out: &Path, dest: &Path) -> Vec<String> {
    let mut written = Vec::new();
    for (path, object) in manifests(out) {
        if object["kind"].as_str() != Some("PrometheusRule") {
            continue;
        }
        let file = object["metadata"]["annotations"]["obsctl.dev/rule-file"]
            .as_str()
            .unwrap_or_else(|| panic!("{} names no rule file", path.display()));
        let rules = rule_file(&object);
        let target = format!("prometheus/rules/{file}");
        let full = dest.join(&target);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, rules.to_yaml()).unwrap();
        written.push(target);
    }
    written.sort();
    written
}

/// A PrometheusRule's `spec.groups` read as a rule file (refusing any field
/// a rule file does not have).
pub fn rule_file(object: &Value) -> RuleFile {
    let mut doc = serde_yaml::Mapping::new();
    doc.insert("groups".into(), object["spec"]["groups"].clone());
    serde_yaml::from_value(Value::Mapping(doc)).unwrap_or_else(|e| {
        panic!(
            "{}: spec.groups is not a rule file: {e}",
            object["metadata"]["name"].as_str().unwrap_or("?")
        )
    })
}
