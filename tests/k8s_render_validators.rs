//! `render --target kubernetes` output checked by the validators of the
//! published schemas and by promtool 3.5:
//!
//! - every manifest of the full fixture (with its Secrets), the default
//!   stack and the five seed examples validates: core kinds with
//!   `kubernetes-validate --strict`, the Prometheus Operator's kinds with
//!   `prometheus-operator-validate` (npm @kubernetes-models/prometheus-operator,
//!   plus a check of every field name against its type declarations);
//! - the rules inside the PrometheusRules, put back into rule files, pass
//!   `promtool check rules`, the packs' `promtool test rules` unit tests, the
//!   full fixture's override test and each example's alert tests.
//!
//! `#[ignore]`d; asked for (as scripts/test.sh does), they fail when a
//! validator is missing.

mod k8s_support;
mod support;

use std::path::{Path, PathBuf};

use k8s_support::{extract_rules, files, full, is_operator_kind, manifests, render, EXAMPLES};
use support::{require_tool, run_tool, Test};

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Validates every manifest under `out` (and `out/secrets`) with the
/// validator of its kind; returns the kinds seen.
fn validate_all(out: &Path, what: &str) -> Vec<String> {
    let mut core: Vec<PathBuf> = Vec::new();
    let mut operator: Vec<PathBuf> = Vec::new();
    let mut kinds = Vec::new();
    let mut objects = manifests(out);
    if out.join("secrets").is_dir() {
        for f in files(&out.join("secrets"))
            .into_iter()
            .filter(|f| f.ends_with(".yaml"))
        {
            let path = out.join("secrets").join(f);
            let value = serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            objects.push((path, value));
        }
    }
    if let Some(path) = values_resource(out) {
        operator.push(path);
    }
    for (path, object) in objects {
        kinds.push(object["kind"].as_str().unwrap().to_string());
        if is_operator_kind(&object) {
            operator.push(path);
        } else {
            core.push(path);
        }
    }
    assert!(
        !operator.is_empty(),
        "{what}: no Prometheus Operator resources"
    );
    let validate = require_tool("prometheus-operator-validate");
    let mut args: Vec<&str> = operator.iter().map(|p| path_str(p)).collect();
    let (ok, text) = run_tool(&validate, &args, out);
    assert!(ok, "{what}: prometheus-operator-validate failed:\n{text}");
    assert!(
        text.contains(&format!("{} document(s) valid, 0 skipped", operator.len())),
        "{what}:\n{text}"
    );
    if !core.is_empty() {
        let validate = require_tool("kubernetes-validate");
        args = vec!["--strict"];
        args.extend(core.iter().map(|p| path_str(p)));
        let (ok, text) = run_tool(&validate, &args, out);
        assert!(ok, "{what}: kubernetes-validate --strict failed:\n{text}");
        for path in &core {
            assert!(
                text.contains(&format!("{} passed for resource", path.display())),
                "{what}: {} was not checked:\n{text}",
                path.display()
            );
        }
    }
    kinds.sort();
    kinds.dedup();
    kinds
}

/// The Prometheus, or with `agentMode` the PrometheusAgent, that
/// kube-prometheus-stack makes of values.yaml's `prometheusSpec`, written
/// beside `out` for the Operator validator: the spec as it is, less the
/// chart's own `*SelectorNilUsesHelmValues` switches (which the chart turns
/// into selectors). `None` when the values turn Prometheus off.
fn values_resource(out: &Path) -> Option<PathBuf> {
    let values: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(out.join("values.yaml")).unwrap()).unwrap();
    let prometheus = &values["prometheus"];
    if prometheus["enabled"] != true {
        return None;
    }
    let mut spec = prometheus["prometheusSpec"].as_mapping().unwrap().clone();
    spec.retain(|k, _| !k.as_str().unwrap().ends_with("SelectorNilUsesHelmValues"));
    let (api_version, kind) = if prometheus["agentMode"] == true {
        ("monitoring.coreos.com/v1alpha1", "PrometheusAgent")
    } else {
        ("monitoring.coreos.com/v1", "Prometheus")
    };
    let doc = serde_json::json!({
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": "from-values"},
        "spec": spec,
    });
    let path = out.with_file_name("values-prometheus.yaml");
    std::fs::write(&path, serde_yaml::to_string(&doc).unwrap()).unwrap();
    Some(path)
}

/// Puts the rules back into rule files under `dest` and runs `promtool
/// check rules` on them.
fn check_rules(out: &Path, dest: &Path, what: &str) {
    let rules = extract_rules(out, dest);
    assert!(!rules.is_empty(), "{what}: no PrometheusRules");
    let promtool = require_tool("promtool");
    let mut args = vec!["check", "rules"];
    args.extend(rules.iter().map(String::as_str));
    let (ok, text) = run_tool(&promtool, &args, dest);
    assert!(ok, "{what}: promtool check rules failed:\n{text}");
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn the_full_specs_manifests_and_secrets_pass_the_published_schemas() {
    let mut t = full();
    render(&mut t, &["--secrets"]);
    let kinds = validate_all(&t.path("out"), "full spec");
    assert_eq!(
        kinds,
        [
            "AlertmanagerConfig",
            "ConfigMap",
            "Deployment",
            "PersistentVolumeClaim",
            "PodMonitor",
            "Probe",
            "PrometheusRule",
            "ScrapeConfig",
            "Secret",
            "Service",
            "ServiceMonitor"
        ]
    );
    check_rules(&t.path("out"), &t.path("rules-out"), "full spec");
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn the_default_stacks_manifests_pass_the_published_schemas() {
    let mut t = Test::new();
    render(&mut t, &[]);
    validate_all(&t.path("out"), "default stack");
    check_rules(&t.path("out"), &t.path("rules-out"), "default stack");
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn every_example_renders_for_kubernetes_and_passes_the_schemas_and_its_alert_tests() {
    let promtool = require_tool("promtool");
    for example in EXAMPLES {
        // No secret is set: the manifests only name them.
        let mut t = Test::new().example(example);
        render(&mut t, &[]);
        validate_all(&t.path("out"), example);
        let dest = t.path("rules-out");
        check_rules(&t.path("out"), &dest, example);
        std::fs::copy(
            t.path("tests/alerts.test.yml"),
            dest.join("alerts.test.yml"),
        )
        .unwrap();
        let (ok, text) = run_tool(&promtool, &["test", "rules", "alerts.test.yml"], &dest);
        assert!(
            ok,
            "{example}: its alert tests failed on the PrometheusRules' rules:\n{text}"
        );
    }
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn every_packs_unit_tests_pass_against_its_prometheus_rule() {
    let packs = obsctl::packs::all();
    let mut spec = String::from("rules:\n  packs:\n");
    for p in &packs {
        spec.push_str(&format!("    {}: true\n", p.name));
    }
    let mut t = Test::new().file("obsctl.yaml", &spec);
    render(&mut t, &[]);
    let dest = t.path("rules-out");
    let rules = extract_rules(&t.path("out"), &dest);
    // The packs' tests name their rule file as `../<pack>.rules.yml`.
    let rules_dir = dest.join("prometheus/rules");
    let tests_dir = rules_dir.join("tests");
    std::fs::create_dir_all(&tests_dir).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/tests");
    let mut args = vec!["test".to_string(), "rules".to_string()];
    for p in &packs {
        let file = format!("{}.rules.yml", p.name);
        assert!(
            rules.contains(&format!("prometheus/rules/{file}")),
            "{file}: {rules:?}"
        );
        let test = format!("{}.test.yml", p.name);
        std::fs::copy(shipped.join(&test), tests_dir.join(&test)).unwrap();
        args.push(format!("tests/{test}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (ok, text) = run_tool(&require_tool("promtool"), &args, &rules_dir);
    assert!(
        ok,
        "promtool test rules failed on the PrometheusRules' rules:\n{text}"
    );
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn threshold_overrides_reach_the_prometheus_rules() {
    let mut t = full();
    render(&mut t, &[]);
    let dest = t.path("rules-out");
    extract_rules(&t.path("out"), &dest);
    std::fs::copy(t.path("override.test.yml"), dest.join("override.test.yml")).unwrap();
    let (ok, text) = run_tool(
        &require_tool("promtool"),
        &["test", "rules", "override.test.yml"],
        &dest,
    );
    assert!(ok, "promtool test rules failed:\n{text}");
}

#[test]
#[ignore = "needs the pinned validators; scripts/test.sh runs it"]
fn the_edge_and_central_examples_render_for_kubernetes_and_pass_the_schemas() {
    // (spec under examples/edge-central, agent)
    let specs = [
        ("edge", true),
        ("central", false),
        ("long-term/victoria-metrics", true),
        ("long-term/mimir", true),
        ("long-term/thanos", false),
    ];
    for (name, agent) in specs {
        // No secret is set: the values only name them.
        let mut t = Test::new().example(&format!("edge-central/{name}"));
        render(&mut t, &[]);
        let out = t.path("out");
        validate_all(&out, name);
        let values: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(out.join("values.yaml")).unwrap())
                .unwrap();
        assert_eq!(values["prometheus"]["agentMode"] == true, agent, "{name}");
        if !agent {
            check_rules(&out, &t.path("rules-out"), name);
        }
    }
}
