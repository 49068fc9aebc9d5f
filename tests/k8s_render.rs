//! `obsctl render --target kubernetes`: what it writes for the full fixture
//! (a snapshot of the whole output tree), that it is deterministic, that no
//! secret value ever reaches a manifest (and that `--secrets` writes them
//! privately), that a re-render removes only obsctl's files, that the rules
//! are the Docker render's rules, and how bad input is refused.
//! The manifests are checked against the published schemas and the rules by
//! promtool in tests/k8s_render_validators.rs.

mod k8s_support;
mod support;

use std::os::unix::fs::PermissionsExt;

use k8s_support::{files, full, manifests, render, rule_file, FULL_ENV};
use sha2::{Digest, Sha256};
use support::Test;

/// The output tree as text: every file with its contents, except the
/// built-in dashboards (long JSON shipped as it is), shown by size and hash.
fn tree(t: &Test) -> String {
    let out = t.path("out");
    let mut text = String::new();
    for file in files(&out) {
        let contents = std::fs::read_to_string(out.join(&file)).unwrap();
        if file.starts_with("manifests/configmap-everything-dashboard-obsctl-") {
            let hash: String = Sha256::digest(contents.as_bytes())
                .iter()
                .take(8)
                .map(|b| format!("{b:02x}"))
                .collect();
            text.push_str(&format!(
                "=== {file} ({} bytes, sha256 {hash}…)\n",
                contents.len()
            ));
        } else {
            text.push_str(&format!("=== {file}\n{contents}"));
            if !contents.ends_with('\n') {
                text.push('\n');
            }
        }
    }
    text
}

#[test]
fn the_full_spec_renders_this_tree() {
    let mut t = full();
    render(&mut t, &[]);
    insta::assert_snapshot!("k8s_full_tree", tree(&t));
}

#[test]
fn rendering_is_deterministic_and_a_second_render_changes_nothing() {
    let mut a = full();
    let mut b = full();
    render(&mut a, &[]);
    render(&mut b, &[]);
    assert_eq!(tree(&a), tree(&b));
    let again = a
        .args(&[
            "render",
            "--target",
            "kubernetes",
            "--out",
            "out",
            "--output",
            "json",
        ])
        .run();
    again.code(0);
    let report: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(report["written"], serde_json::json!([]), "{report}");
    assert_eq!(report["removed"], serde_json::json!([]), "{report}");
    assert_eq!(report["target"], "kubernetes");
    // 12 rule files plus the probes pack, the SLOs and the Pushgateway jobs.
    assert_eq!(report["kinds"]["PrometheusRule"], 15, "{report}");
}

/// Every secret value of the full fixture: its environment and its files
/// (given distinctive contents here).
fn full_with_secret_files() -> (Test, Vec<&'static str>) {
    let files = [
        ("secrets/vm.token", "vm-bearer-4e7c"),
        ("secrets/scrape.token", "scrape-bearer-2d9a"),
        ("secrets/redis.pass", "redis-secret-8f0b"),
    ];
    let mut t = full();
    let mut values: Vec<&str> = FULL_ENV.iter().map(|(_, v)| *v).collect();
    for (path, value) in files {
        t = t.file(path, &format!("{value}\n"));
        values.push(value);
    }
    (t, values)
}

#[test]
fn no_secret_value_is_ever_written_outside_the_secrets_folder() {
    let (mut t, values) = full_with_secret_files();
    for extra in [&[][..], &["--secrets"][..]] {
        let mut args = vec!["render", "--target", "kubernetes", "--out", "out"];
        args.extend_from_slice(extra);
        let run = t.args(&args).run();
        run.code(0);
        let out = t.path("out");
        for file in files(&out) {
            if file.starts_with("secrets/") {
                continue;
            }
            let text = std::fs::read_to_string(out.join(&file)).unwrap();
            for value in &values {
                assert!(
                    !text.contains(value),
                    "{file} holds a secret value ({extra:?})"
                );
            }
        }
        for value in &values {
            assert!(!run.stdout.contains(value) && !run.stderr.contains(value));
        }
    }
}

#[test]
fn with_secrets_every_referenced_key_is_written_privately_from_the_environment_and_files() {
    let (mut t, values) = full_with_secret_files();
    render(&mut t, &["--secrets"]);
    let out = t.path("out");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&out.join("secrets")), 0o700);
    let secret_files: Vec<String> = files(&out)
        .into_iter()
        .filter(|f| f.starts_with("secrets/"))
        .collect();
    let mut all = String::new();
    for f in &secret_files {
        assert_eq!(mode(&out.join(f)), 0o600, "{f}");
        all.push_str(&std::fs::read_to_string(out.join(f)).unwrap());
    }
    for value in &values {
        assert!(all.contains(value), "{value} is in no Secret");
    }
    // Every {name, key} the manifests and values refer to is in a Secret.
    let mut refs = Vec::new();
    for (_, object) in manifests(&out) {
        collect_refs(&object, &mut refs);
    }
    let values_yaml: serde_yaml::Value = serde_yaml::from_str(&t.read("out/values.yaml")).unwrap();
    collect_refs(&values_yaml, &mut refs);
    let admin = &values_yaml["grafana"]["admin"];
    for key in ["userKey", "passwordKey"] {
        refs.push((
            admin["existingSecret"].as_str().unwrap().into(),
            admin[key].as_str().unwrap().into(),
        ));
    }
    // 3 receivers, 2 scrape jobs, 2 remote writes, Grafana, 2 exporters.
    assert_eq!(refs.len(), 13, "{refs:?}");
    for (name, key) in refs {
        let file = format!("secrets/secret-{name}.yaml");
        let secret: serde_yaml::Value =
            serde_yaml::from_str(&t.read(&format!("out/{file}"))).unwrap();
        assert!(
            secret["stringData"][key.as_str()]
                .as_str()
                .is_some_and(|v| !v.is_empty()),
            "{file} lacks {key}"
        );
    }
    // The Grafana admin password is kept: a new render writes the same one.
    let grafana = t.read("out/secrets/secret-everything-grafana-admin.yaml");
    assert_eq!(mode(&out.join("secrets/grafana-admin-password")), 0o600);
    render(&mut t, &["--secrets"]);
    assert_eq!(
        t.read("out/secrets/secret-everything-grafana-admin.yaml"),
        grafana
    );
}

/// The (Secret, key) pairs referred to anywhere in `v`: key selectors
/// (`{name, key}`) and Secret volumes (`{secretName, items: [{key}]}`).
fn collect_refs(v: &serde_yaml::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_yaml::Value::Mapping(m) => {
            if let (Some(name), Some(key), 2) = (v["name"].as_str(), v["key"].as_str(), m.len()) {
                out.push((name.into(), key.into()));
            }
            if let (Some(name), Some(items)) = (v["secretName"].as_str(), v["items"].as_sequence())
            {
                for item in items {
                    out.push((name.into(), item["key"].as_str().unwrap().into()));
                }
                return;
            }
            m.values().for_each(|x| collect_refs(x, out));
        }
        serde_yaml::Value::Sequence(s) => s.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

#[test]
fn without_secrets_no_secret_need_be_at_hand() {
    // No environment variable set, and the files the spec names are gone.
    let mut t = Test::new().fixture("full");
    for f in [
        "secrets/vm.token",
        "secrets/scrape.token",
        "secrets/redis.pass",
    ] {
        std::fs::remove_file(t.path(f)).unwrap();
    }
    render(&mut t, &[]);
    assert!(!t.path("out/secrets").exists());
    let readme = t.read("out/README.md");
    assert!(
        readme.contains(
            "| everything-alertmanager | slack-slack | receiver `slack`: Slack webhook URL |"
        ),
        "{readme}"
    );
    // Asked to write the Secrets, it needs them.
    t.args(&[
        "render",
        "--target",
        "kubernetes",
        "--out",
        "out",
        "--secrets",
    ])
    .run()
    .code(2)
    .stderr_has("environment variable OBSCTL_FULL_REMOTE_PASSWORD is not set");
}

#[test]
fn a_re_render_removes_only_the_files_obsctl_wrote() {
    let mut t = full();
    render(&mut t, &["--secrets"]);
    let t = t
        .file("out/manifests/mine.yaml", "kind: Mine\n")
        .file("out/notes.txt", "mine");
    let mut t = t.file("obsctl.yaml", &full_spec_without("  - job: worker\n"));
    render(&mut t, &[]);
    assert!(t.path("out/manifests/mine.yaml").exists() && t.path("out/notes.txt").exists());
    assert!(!t
        .path("out/manifests/podmonitor-everything-worker.yaml")
        .exists());
    assert!(!t
        .path("out/secrets/secret-everything-alertmanager.yaml")
        .exists());
    // The Grafana password is state, not output: it stays for the next --secrets.
    assert!(t.path("out/secrets/grafana-admin-password").exists());
    // The Docker render into the same folder keeps its own list.
    t.args(&["render", "--out", "out"]).run().code(0);
    assert!(t
        .path("out/manifests/prometheusrule-everything-http.yaml")
        .exists());
    render(&mut t, &[]);
    assert!(t.path("out/prometheus/prometheus.yml").exists());
}

/// The full fixture's spec without the scrape job starting at `job_line`.
fn full_spec_without(job_line: &str) -> String {
    let spec = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/full/obsctl.yaml"),
    )
    .unwrap();
    let start = spec.find(job_line).unwrap();
    let end = spec[start..].find("\nexporters:").unwrap() + start;
    format!("{}{}", &spec[..start], &spec[end + 1..])
}

#[test]
fn the_prometheus_rules_hold_the_docker_renders_rules_byte_for_byte() {
    let mut t = full();
    render(&mut t, &[]);
    t.args(&["render", "--out", "docker"]).run().code(0);
    let mut seen = 0;
    for (path, object) in manifests(&t.path("out")) {
        if object["kind"].as_str() != Some("PrometheusRule") {
            continue;
        }
        let file = object["metadata"]["annotations"]["obsctl.dev/rule-file"]
            .as_str()
            .unwrap();
        let docker = t.read(&format!("docker/prometheus/rules/{file}"));
        let ours = rule_file(&object).to_yaml();
        let theirs = match docker
            .strip_prefix("# Rendered by obsctl; changes made here are overwritten.\n")
        {
            Some(body) => body.to_string(),
            // A user's file is copied as written: compare it as rules.
            None => serde_yaml::from_str::<obsctl::rulefile::RuleFile>(&docker)
                .unwrap()
                .to_yaml(),
        };
        assert_eq!(ours, theirs, "{}", path.display());
        seen += 1;
    }
    let docker_files = files(&t.path("docker/prometheus/rules"));
    assert_eq!(seen, docker_files.len(), "{docker_files:?}");
    // The overrides are there: HTTPHighErrorRatio at 0.1 for 10m.
    let http = t.read("out/manifests/prometheusrule-everything-http.yaml");
    assert!(
        http.contains("expr: \"job:http_requests_5xx:ratio_rate5m > 0.1\"\n          for: 10m"),
        "{http}"
    );
}

#[test]
fn jobs_whose_names_clean_to_the_same_text_get_distinct_resources() {
    let spec = "name: shop\nscrape:\n  - {job: api_v1, targets: ['a:1']}\n  - {job: api-v1, targets: ['b:1']}\n  - {job: API-v1, targets: ['c:1']}\n";
    let mut t = Test::new().file("obsctl.yaml", spec);
    render(&mut t, &[]);
    let scrape: Vec<String> = files(&t.path("out/manifests"))
        .into_iter()
        .filter(|f| f.starts_with("scrapeconfig-"))
        .collect();
    assert_eq!(scrape.len(), 3, "{scrape:?}");
    assert!(
        scrape.contains(&"scrapeconfig-shop-api-v1.yaml".to_string()),
        "{scrape:?}"
    );
    for (_, object) in manifests(&t.path("out")) {
        let name = object["metadata"]["name"].as_str().unwrap();
        assert!(obsctl::model::kubernetes::is_dns1123_label(name), "{name}");
    }
}

#[test]
fn a_job_with_only_kubernetes_is_left_out_of_the_docker_stack_with_a_warning() {
    let spec =
        "scrape:\n  - job: worker\n    kubernetes: {pod_selector: {app: worker}, port: metrics}\n";
    let mut t = Test::new().file("obsctl.yaml", spec);
    t.args(&["render", "--out", "out"])
        .run()
        .code(0)
        .stderr_has("obsctl.yaml:3:17: scrape[0].kubernetes: job `worker` has no `targets`, only `kubernetes`, so the Docker stack does not scrape it");
    assert!(!t.read("out/prometheus/prometheus.yml").contains("worker"));
    render(&mut t, &[]);
    assert!(t
        .path("out/manifests/podmonitor-obsctl-worker.yaml")
        .exists());
}

#[test]
fn static_targets_that_only_mean_something_under_docker_are_warned_about() {
    let spec = "scrape:\n  - {job: api, targets: ['host.docker.internal:8000', 'localhost:9000', 'api.shop:8000']}\n";
    let mut t = Test::new().file("obsctl.yaml", spec);
    let run = t
        .args(&["render", "--target", "kubernetes", "--out", "out"])
        .run();
    run.code(0)
        .stderr_has("scrape[0].targets[0]: job `api`: target `host.docker.internal:8000` is Docker's name for its host")
        .stderr_has("scrape[0].targets[1]: job `api`: target `localhost:9000` would be the Prometheus Pod itself");
    assert!(!run.stderr.contains("api.shop"), "{}", run.stderr);
}

#[test]
fn bad_kubernetes_blocks_are_refused_with_their_location() {
    let spec = "scrape:\n  - job: a\n    kubernetes: {service: api, pod_selector: {app: a}, port: http}\n  - job: b\n    kubernetes: {service: Api_1, port: '8000'}\n  - job: c\n    kubernetes: {pod_selector: {app: c}, namespace: Shop, port: 70000}\n";
    let mut t = Test::new().file("obsctl.yaml", spec);
    t.args(&["validate"])
        .run()
        .code(2)
        .stderr_has("scrape[0].kubernetes: set exactly one of `service` (a Service by name) or `pod_selector` (Pods by labels)")
        .stderr_has("obsctl.yaml:5:27: scrape[1].kubernetes.service: `Api_1` is not a Kubernetes Service name")
        .stderr_has("scrape[1].kubernetes.port: `8000` is not a Kubernetes port name\n  hint: write a port number without quotes")
        .stderr_has("scrape[2].kubernetes.namespace: `Shop` is not a Kubernetes namespace name")
        .stderr_has("scrape[2].kubernetes.port: 70000 is not a port number");
}

#[test]
fn kubernetes_flags_need_the_kubernetes_target_and_valid_names() {
    let mut t = Test::new();
    t.args(&["render", "--namespace", "x"])
        .run()
        .code(2)
        .stderr_has("--namespace applies only to `--target kubernetes`");
    t.args(&[
        "render",
        "--target",
        "kubernetes",
        "--namespace",
        "Mon_itoring",
    ])
    .run()
    .code(2)
    .stderr_has("--namespace `Mon_itoring` is not a valid namespace name");
    t.args(&[
        "render",
        "--target",
        "kubernetes",
        "--release",
        &"r".repeat(54),
    ])
    .run()
    .code(2)
    .stderr_has("is not a valid Helm release name");
    assert!(!t.path(".obsctl").exists());
}

#[test]
fn the_namespace_and_release_flags_reach_every_resource() {
    let mut t = full();
    render(
        &mut t,
        &["--namespace", "observability", "--release", "prom"],
    );
    for (path, object) in manifests(&t.path("out")) {
        assert_eq!(
            object["metadata"]["namespace"],
            "observability",
            "{}",
            path.display()
        );
        if k8s_support::is_operator_kind(&object) {
            assert_eq!(
                object["metadata"]["labels"]["release"],
                "prom",
                "{}",
                path.display()
            );
        }
    }
    assert!(t.read("out/README.md").contains("helm upgrade --install prom prometheus-community/kube-prometheus-stack \\\n     --namespace observability -f values.yaml"));
}

#[test]
fn a_dashboard_over_a_configmaps_limit_is_refused_naming_it() {
    let big = format!(
        "{{\"title\": \"Big\", \"uid\": \"big\", \"panels\": [{{\"type\": \"text\", \"title\": \"t\", \"options\": {{\"content\": \"{}\"}}}}]}}",
        "x".repeat(1024 * 1024)
    );
    let mut t = Test::new()
        .file(
            "obsctl.yaml",
            "grafana:\n  builtin_dashboards: none\n  dashboards: [dashboards]\n",
        )
        .file("dashboards/big.json", &big);
    t.args(&["render", "--target", "kubernetes", "--out", "out"])
        .run()
        .code(2)
        .stderr_has("dashboard big.json is 10")
        .stderr_has("more than a ConfigMap holds (1048576 bytes)")
        .stderr_has("hint: split it into smaller dashboards");
    assert!(!t.path("out").exists());
}
