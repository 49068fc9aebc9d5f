//! The Kubernetes manifest validators the suite relies on, checked on
//! hand-written manifests (tests/k8s/fixtures): `kubernetes-validate --strict`
//! (core kinds) and `prometheus-operator-validate` (tests/k8s/validate.mjs,
//! the Prometheus Operator's kinds) each accept a valid manifest of every kind
//! they check and refuse each invalid one with a message that names the file
//! and the problem. Both are installed by scripts/test-env.sh
//! (tests/k8s/install.sh). The tests are `#[ignore]`d; asked for (as
//! scripts/test.sh does), they fail when a validator is missing.

mod support;

use std::path::{Path, PathBuf};

use support::{require_tool, run_tool};

const OPERATOR_KINDS: &[&str] = &[
    "PrometheusRule",
    "ServiceMonitor",
    "PodMonitor",
    "Probe",
    "ScrapeConfig",
    "AlertmanagerConfig",
    "Prometheus",
    "PrometheusAgent",
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/k8s/fixtures")
}

/// The invalid fixtures of core kinds (`core-*`) or of the Operator's kinds,
/// each with the message its first line (`# expect: ...`) says it must get.
fn invalid(core: bool) -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = std::fs::read_dir(fixtures().join("invalid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("core-")
                == core
        })
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let expect = text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("# expect: "))
                .unwrap_or_else(|| panic!("{} lacks a first line `# expect: ...`", p.display()))
                .to_string();
            (p, expect)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty());
    out
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn the_operator_validator_accepts_a_valid_manifest_of_every_operator_kind() {
    let validate = require_tool("prometheus-operator-validate");
    let file = fixtures().join("valid/operator.yaml");
    let (ok, out) = run_tool(&validate, &[path_str(&file)], &fixtures());
    assert!(ok, "{out}");
    for kind in OPERATOR_KINDS {
        assert!(
            out.contains(&format!("({kind}/")),
            "{kind} was not checked:\n{out}"
        );
    }
    assert!(out.contains("8 document(s) valid, 0 skipped"), "{out}");
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn the_operator_validator_refuses_each_invalid_manifest_naming_file_and_problem() {
    let validate = require_tool("prometheus-operator-validate");
    for (file, expect) in invalid(false) {
        let (ok, out) = run_tool(&validate, &[path_str(&file)], &fixtures());
        assert!(!ok, "{} passed:\n{out}", file.display());
        assert!(
            out.contains(&format!("{}: document 1", file.display())) && out.contains(&expect),
            "{}: the message lacks {expect:?}:\n{out}",
            file.display()
        );
    }
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn the_operator_validator_reports_every_invalid_document_of_a_run() {
    let validate = require_tool("prometheus-operator-validate");
    let files: Vec<(PathBuf, String)> = invalid(false);
    let valid = fixtures().join("valid/operator.yaml");
    let mut args: Vec<&str> = vec![path_str(&valid)];
    args.extend(files.iter().map(|(p, _)| path_str(p)));
    let (ok, out) = run_tool(&validate, &args, &fixtures());
    assert!(!ok, "{out}");
    assert!(
        out.contains(&format!("{} invalid document(s)", files.len())),
        "{out}"
    );
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn kubernetes_validate_strict_accepts_valid_core_manifests() {
    let validate = require_tool("kubernetes-validate");
    let file = fixtures().join("valid/core.yaml");
    let (ok, out) = run_tool(&validate, &["--strict", path_str(&file)], &fixtures());
    assert!(ok, "{out}");
    for resource in [
        "configmap/dashboards",
        "secret/alertmanager-secrets",
        "deployment/blackbox-exporter",
        "service/blackbox-exporter",
    ] {
        assert!(
            out.contains(&format!("passed for resource {resource}")),
            "{resource}:\n{out}"
        );
    }
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn kubernetes_validate_strict_refuses_each_invalid_core_manifest() {
    let validate = require_tool("kubernetes-validate");
    for (file, expect) in invalid(true) {
        let (ok, out) = run_tool(&validate, &["--strict", path_str(&file)], &fixtures());
        assert!(!ok, "{} passed:\n{out}", file.display());
        assert!(
            out.contains(&file.display().to_string()) && out.contains(&expect),
            "{}: the message lacks {expect:?}:\n{out}",
            file.display()
        );
    }
}
