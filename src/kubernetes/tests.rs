//! Unit tests of the Kubernetes render as a whole: the values fragment for
//! what the spec sets (and turns off), and secrets that are only ever
//! referred to unless `--secrets` asks for them.

use serde_yaml::Value;

use super::{render, Rendered, Settings};
use crate::error::Error;
use crate::model;
use crate::spec::{self, Source};

fn settings(secrets: bool) -> Settings {
    Settings {
        namespace: "monitoring".into(),
        release: "kps".into(),
        secrets,
        grafana_admin_password: secrets.then(|| "generated-pw".into()),
    }
}

/// Renders `spec`, its secrets read from `env` when `read` is true.
pub(super) fn rendered(
    spec: &str,
    env: &[(&str, &str)],
    read: bool,
    secrets: bool,
) -> Result<Rendered, Error> {
    let source = Source::new(None, spec.to_string());
    let parsed = spec::load(&source).expect("the spec parses");
    let lookup = |name: &str| {
        env.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    let built = if read {
        model::build(&parsed, &source, &lookup)
    } else {
        model::build_references_only(&parsed, &source)
    }
    .unwrap_or_else(|p| panic!("{p:?}"));
    render(&built.model, &source, &settings(secrets))
}

pub(super) fn file<'a>(r: &'a Rendered, path: &str) -> Option<&'a str> {
    r.files
        .iter()
        .find(|f| f.path.to_str() == Some(path))
        .map(|f| std::str::from_utf8(&f.contents).unwrap())
}

fn values(r: &Rendered) -> Value {
    serde_yaml::from_str(file(r, "values.yaml").unwrap()).unwrap()
}

#[test]
fn the_values_carry_what_the_spec_sets() {
    let spec = "name: shop\nprometheus:\n  scrape_interval: 30s\n  retention: 30d\n  retention_size: 50GB\n  external_labels: {site: eu}\nalertmanager:\n  resolve_timeout: 10m\ngrafana:\n  admin_user: boss\nexporters:\n  node: {interval: 1m}\n";
    let r = rendered(spec, &[], false, false).unwrap();
    let v = values(&r);
    let p = &v["prometheus"]["prometheusSpec"];
    assert_eq!(p["scrapeInterval"], "30s");
    assert_eq!(p["retention"], "30d");
    assert_eq!(p["retentionSize"], "50GB");
    assert_eq!(p["externalLabels"]["site"], "eu");
    for kind in ["rule", "serviceMonitor", "podMonitor", "scrapeConfig"] {
        assert_eq!(p[format!("{kind}SelectorNilUsesHelmValues").as_str()], true);
    }
    assert_eq!(
        v["alertmanager"]["config"]["global"]["resolve_timeout"],
        "10m"
    );
    assert_eq!(
        v["alertmanager"]["alertmanagerSpec"]["alertmanagerConfigMatcherStrategy"]["type"],
        "None"
    );
    let admin = &v["grafana"]["admin"];
    assert_eq!(admin["existingSecret"], "shop-grafana-admin");
    assert_eq!(admin["userKey"], "admin-user");
    assert_eq!(admin["passwordKey"], "admin-password");
    // The Docker stack's default root URL means nothing in a cluster.
    assert!(v["grafana"].get("grafana.ini").is_none());
    assert_eq!(
        v["grafana"]["sidecar"]["dashboards"]["folderAnnotation"],
        "grafana_folder"
    );
    assert_eq!(v["grafana"]["sidecar"]["datasources"]["uid"], "prometheus");
    assert_eq!(v["nodeExporter"]["enabled"], true);
    assert_eq!(
        v["prometheus-node-exporter"]["prometheus"]["monitor"]["interval"],
        "1m"
    );
    assert!(v.get("kubelet").is_none(), "no cAdvisor in the spec");
}

#[test]
fn parts_the_spec_turns_off_are_off_in_the_values_and_have_no_resources() {
    let spec =
        "prometheus: {enabled: false}\nalertmanager: {enabled: false}\ngrafana: {enabled: false}\n";
    let r = rendered(spec, &[], false, false).unwrap();
    let v = values(&r);
    for part in ["prometheus", "alertmanager", "grafana"] {
        assert_eq!(v[part]["enabled"], false, "{part}");
    }
    assert!(r.kinds.is_empty(), "{:?}", r.kinds);
}

const SLACK_SPEC: &str = "name: shop\nalertmanager:\n  receivers:\n    - name: team\n      slack: {webhook_url: {env: TEAM_SLACK}}\n";
const SLACK_URL: &str = "https://hooks.slack.com/services/T/B/unit-s3cr3t";

#[test]
fn a_read_secret_is_only_referred_to_unless_secrets_are_asked_for() {
    let r = rendered(SLACK_SPEC, &[("TEAM_SLACK", SLACK_URL)], true, false).unwrap();
    for f in &r.files {
        assert!(
            !String::from_utf8_lossy(&f.contents).contains("unit-s3cr3t"),
            "{}",
            f.path.display()
        );
        assert!(!f.private, "{}", f.path.display());
    }
    let am = file(&r, "manifests/alertmanagerconfig-shop.yaml").unwrap();
    assert!(
        am.contains("apiURL:\n            name: shop-alertmanager\n            key: slack-team\n"),
        "{am}"
    );

    let r = rendered(SLACK_SPEC, &[("TEAM_SLACK", SLACK_URL)], true, true).unwrap();
    let secret = r
        .files
        .iter()
        .find(|f| f.path.to_str() == Some("secrets/secret-shop-alertmanager.yaml"))
        .unwrap();
    assert!(secret.private);
    let secret: Value = serde_yaml::from_slice(&secret.contents).unwrap();
    assert_eq!(secret["kind"], "Secret");
    assert_eq!(secret["stringData"]["slack-team"], SLACK_URL);
    let grafana = file(&r, "secrets/secret-shop-grafana-admin.yaml").unwrap();
    assert!(
        grafana.contains("admin-password: generated-pw"),
        "{grafana}"
    );
    let secrets: Vec<&str> = r
        .files
        .iter()
        .filter(|f| f.private)
        .filter_map(|f| f.path.to_str())
        .collect();
    assert!(
        secrets.iter().all(|p| p.starts_with("secrets/")),
        "{secrets:?}"
    );
}

#[test]
fn secrets_that_were_not_read_are_never_written_as_empty_values() {
    let err = rendered(SLACK_SPEC, &[], false, true).unwrap_err();
    assert!(matches!(err, Error::Render { .. }), "{err}");
}
