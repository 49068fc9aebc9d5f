//! The README's example of `render --target kubernetes` stays true: its
//! spec renders the files it names, and its `kubectl create secret`
//! commands create the Secrets and keys the output refers to.

mod k8s_support;
mod support;

use k8s_support::files;
use support::Test;

/// The block of README.md that follows `opening` (a fence line and its first line).
fn readme_block(opening: &str) -> String {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let start = readme
        .find(opening)
        .unwrap_or_else(|| panic!("README.md lacks {opening:?}"))
        + opening.len();
    let end = readme[start..].find("```").unwrap() + start;
    readme[start..end].to_string()
}

#[test]
fn the_readmes_kubernetes_example_renders_what_the_readme_says() {
    let spec = readme_block("```yaml\n# obsctl.yaml\n");
    let mut t = Test::new()
        .file("obsctl.yaml", &spec)
        .file("dashboards/.keep", "");
    let commands =
        readme_block("```sh\nobsctl render --target kubernetes --out k8s --release monitoring\n");
    t.args(&[
        "render",
        "--target",
        "kubernetes",
        "--out",
        "k8s",
        "--release",
        "monitoring",
    ])
    .run()
    .code(0);
    let written = files(&t.path("k8s/manifests"));
    for file in [
        "prometheusrule-shop-http.yaml",
        "prometheusrule-shop-node.yaml",
        "prometheusrule-shop-stack.yaml",
        "prometheusrule-shop-workers.yaml",
        "servicemonitor-shop-api.yaml",
        "podmonitor-shop-celery.yaml",
        "alertmanagerconfig-shop.yaml",
    ] {
        assert!(
            written.contains(&file.to_string()),
            "{file} not among {written:?}"
        );
    }
    let others: Vec<&String> = written
        .iter()
        .filter(|f| {
            !f.starts_with("prometheusrule-") && !f.starts_with("configmap-shop-dashboard-")
        })
        .filter(|f| {
            ![
                "servicemonitor-shop-api.yaml",
                "podmonitor-shop-celery.yaml",
                "alertmanagerconfig-shop.yaml",
            ]
            .contains(&f.as_str())
        })
        .collect();
    assert!(others.is_empty(), "the README does not name {others:?}");
    assert_eq!(
        written
            .iter()
            .filter(|f| f.starts_with("prometheusrule-"))
            .count(),
        4
    );
    // The Secrets and keys the README's commands create are the ones the output needs.
    let readme = t.read("k8s/README.md");
    for (secret, key) in [
        ("shop-alertmanager", "slack-slack"),
        ("shop-grafana-admin", "admin-user"),
        ("shop-grafana-admin", "admin-password"),
    ] {
        assert!(commands.contains(&format!("generic {secret} ")), "{secret}");
        assert!(
            commands.contains(&format!("--from-literal={key}=")),
            "{key}"
        );
        assert!(
            readme.contains(&format!("| {secret} | {key} |")),
            "{secret} {key}:\n{readme}"
        );
    }
    assert_eq!(readme.matches("\n| shop-").count(), 3, "{readme}");
    assert!(commands
        .contains("helm upgrade --install monitoring prometheus-community/kube-prometheus-stack"));
    assert!(readme
        .contains("helm upgrade --install monitoring prometheus-community/kube-prometheus-stack"));
}

#[test]
fn the_output_readme_says_how_edges_reach_a_receiver_only_when_there_is_one() {
    for (receiver, expected) in [(true, true), (false, false)] {
        let spec = format!(
            "name: central\nprometheus:\n  remote_write_receiver: {receiver}\nalertmanager: {{enabled: false}}\ngrafana: {{enabled: false}}\n"
        );
        let mut t = Test::new().file("obsctl.yaml", &spec);
        t.args(&["render", "--target", "kubernetes", "--out", "k8s"])
            .run()
            .code(0);
        let readme = std::fs::read_to_string(t.path("k8s/README.md")).unwrap();
        assert_eq!(
            readme.contains("## Receiving remote write") && readme.contains("ClusterIP"),
            expected,
            "receiver: {receiver}\n{readme}"
        );
    }
}
