//! Unit tests of how the spec's remaining settings reach the cluster: agent
//! mode, the remote-write receiver, feature flags and the remote-write
//! queue in values.yaml, the fallback scrape protocol on every kind of
//! scrape resource, a webhook URL from a secret as a Secret reference, the
//! probes' and SLOs' rules and dashboards, and a warning, by field, for each
//! setting only the Docker stack can use.

use serde_yaml::Value;

use super::tests::{file, rendered};

fn yaml(r: &super::Rendered, path: &str) -> Value {
    serde_yaml::from_str(file(r, path).unwrap_or_else(|| panic!("no {path}"))).unwrap()
}

#[test]
fn an_agent_is_the_charts_agent_mode_with_its_queue_and_no_rule_settings() {
    let spec = "name: edge
prometheus:
  mode: agent
  enable_features: [promql-experimental-functions]
  remote_write:
    - url: http://central:9090/api/v1/write
      remote_timeout: 20s
      queue: {capacity: 20000, min_shards: 2, max_shards: 10, max_samples_per_send: 5000,
              batch_send_deadline: 5s, sample_age_limit: 6h, retry_on_http_429: true}
";
    let r = rendered(spec, &[], false, false).unwrap();
    let v = yaml(&r, "values.yaml");
    let p = &v["prometheus"];
    assert_eq!(p["agentMode"], true);
    let s = &p["prometheusSpec"];
    for absent in [
        "retention",
        "retentionSize",
        "evaluationInterval",
        "ruleSelectorNilUsesHelmValues",
        "enableRemoteWriteReceiver",
    ] {
        assert!(s.get(absent).is_none(), "{absent}: {s:?}");
    }
    assert_eq!(s["enableFeatures"][0], "promql-experimental-functions");
    assert_eq!(s["probeSelectorNilUsesHelmValues"], true);
    let rw = &s["remoteWrite"][0];
    assert_eq!(rw["remoteTimeout"], "20s");
    let expected: Value = serde_yaml::from_str(
        "{capacity: 20000, minShards: 2, maxShards: 10, maxSamplesPerSend: 5000, batchSendDeadline: 5s, sampleAgeLimit: 6h, retryOnRateLimit: true}",
    )
    .unwrap();
    assert_eq!(rw["queueConfig"], expected);
    assert_eq!(v["alertmanager"]["enabled"], false);
    assert_eq!(v["grafana"]["enabled"], false);
    assert!(!r.kinds.contains_key("PrometheusRule"), "{:?}", r.kinds);
}

#[test]
fn a_server_receives_remote_write_and_keeps_its_retention() {
    let spec = "prometheus:
  remote_write_receiver: true
  retention: 30d
  remote_write: [{url: 'http://store:8428/api/v1/write'}]
";
    let r = rendered(spec, &[], false, false).unwrap();
    let v = yaml(&r, "values.yaml");
    let s = &v["prometheus"]["prometheusSpec"];
    assert!(v["prometheus"].get("agentMode").is_none());
    assert_eq!(s["enableRemoteWriteReceiver"], true);
    assert_eq!(s["retention"], "30d");
    assert_eq!(s["ruleSelectorNilUsesHelmValues"], true);
    assert!(s.get("enableFeatures").is_none());
    // Nothing set, nothing written: the Operator's defaults are Prometheus'.
    let rw = &s["remoteWrite"][0];
    assert!(rw.get("queueConfig").is_none() && rw.get("remoteTimeout").is_none());
}

#[test]
fn the_fallback_scrape_protocol_is_set_on_the_whole_scrape_resource() {
    let spec = "name: shop
scrape:
  - {job: legacy, targets: ['legacy.shop.svc:9100'], fallback_scrape_protocol: PrometheusText0.0.4}
  - job: api
    fallback_scrape_protocol: OpenMetricsText1.0.0
    kubernetes: {service: api, port: http}
  - job: worker
    fallback_scrape_protocol: PrometheusText1.0.0
    kubernetes: {pod_selector: {app: worker}, port: 8000}
  - {job: plain, targets: ['plain.shop.svc:9100']}
";
    let r = rendered(spec, &[], false, false).unwrap();
    for (path, protocol) in [
        (
            "manifests/scrapeconfig-shop-legacy.yaml",
            "PrometheusText0.0.4",
        ),
        (
            "manifests/servicemonitor-shop-api.yaml",
            "OpenMetricsText1.0.0",
        ),
        (
            "manifests/podmonitor-shop-worker.yaml",
            "PrometheusText1.0.0",
        ),
    ] {
        let o = yaml(&r, path);
        assert_eq!(o["spec"]["fallbackScrapeProtocol"], protocol, "{path}");
    }
    let monitor = yaml(&r, "manifests/servicemonitor-shop-api.yaml");
    assert!(monitor["spec"]["endpoints"][0]
        .get("fallbackScrapeProtocol")
        .is_none());
    let plain = yaml(&r, "manifests/scrapeconfig-shop-plain.yaml");
    assert!(plain["spec"].get("fallbackScrapeProtocol").is_none());
}

#[test]
fn a_webhook_url_from_a_secret_is_a_secret_reference() {
    let spec = "name: shop
alertmanager:
  route: {receiver: hook}
  receivers:
    - name: hook
      webhook: {url_secret: {env: HOOK_URL}}
";
    let r = rendered(
        spec,
        &[("HOOK_URL", "https://hooks.example.com/t0k3n")],
        true,
        false,
    )
    .unwrap();
    let am = yaml(&r, "manifests/alertmanagerconfig-shop.yaml");
    let hook = &am["spec"]["receivers"][0]["webhookConfigs"][0];
    assert!(hook.get("url").is_none(), "{hook:?}");
    let reference = &hook["urlSecret"];
    assert_eq!(reference["name"], "shop-alertmanager");
    assert!(reference["key"].as_str().is_some_and(|k| !k.is_empty()));
    assert_eq!(reference.as_mapping().unwrap().len(), 2, "{reference:?}");
    assert!(r
        .files
        .iter()
        .all(|f| !String::from_utf8_lossy(&f.contents).contains("t0k3n")));
}

#[test]
fn the_probes_and_slos_bring_their_rules_and_dashboards() {
    let spec = "name: shop
prometheus: {retention: 30d}
probes: [{name: home, url: 'https://shop.example.com/'}]
slos:
  - {name: api, objective: 99.9, window: 30d, errors: 'http_requests_total{code=~\"5..\"}', total: http_requests_total}
exporters:
  pushgateway: {jobs: [{job: nightly, max_age: 1d}]}
";
    let r = rendered(spec, &[], false, false).unwrap();
    for name in ["probes", "slos", "pushgateway"] {
        let rule = yaml(&r, &format!("manifests/prometheusrule-shop-{name}.yaml"));
        assert!(
            !rule["spec"]["groups"].as_sequence().unwrap().is_empty(),
            "{name}"
        );
    }
    let text = file(&r, "manifests/prometheusrule-shop-probes.yaml").unwrap();
    assert!(
        text.contains("alert: ProbeFailed") && text.contains("$labels.probe"),
        "{text}"
    );
    let slos = file(&r, "manifests/prometheusrule-shop-slos.yaml").unwrap();
    assert!(slos.contains("slo: api"), "{slos}");
    let stale = file(&r, "manifests/prometheusrule-shop-pushgateway.yaml").unwrap();
    assert!(stale.contains("BatchJobStale"), "{stale}");
    for dashboard in ["probes", "slos"] {
        let path = format!("manifests/configmap-shop-dashboard-obsctl-{dashboard}.yaml");
        let cm = yaml(&r, &path);
        assert_eq!(cm["metadata"]["labels"]["grafana_dashboard"], "1", "{path}");
        let json = cm["data"][format!("{dashboard}.json").as_str()]
            .as_str()
            .unwrap();
        assert!(!json.contains("obsctl-prometheus"), "{path}");
    }
}

#[test]
fn settings_only_the_docker_stack_uses_are_warned_about_by_field() {
    let spec = "name: shop
bind: 0.0.0.0
networks: [shop_default]
prometheus: {image: 'prom/prometheus:v3.5.0', port: 9190}
grafana: {port: 3300}
exporters:
  node: {image: 'prom/node-exporter:v1.9.0'}
  cadvisor: {image: 'gcr.io/cadvisor/cadvisor:v0.52.1'}
  pushgateway: {port: 9191}
  postgres: {address: 'host.docker.internal:5432', user: app, password: {env: PG}}
  redis: {address: 'redis.shop.svc:6379'}
";
    let r = rendered(spec, &[], false, false).unwrap();
    let fields: Vec<&str> = r
        .warnings
        .iter()
        .filter_map(|w| w.field.as_deref())
        .collect();
    assert_eq!(
        fields,
        [
            "bind",
            "networks",
            "prometheus.port",
            "grafana.port",
            "exporters.pushgateway.port",
            "prometheus.image",
            "exporters.node.image",
            "exporters.cadvisor.image",
            "exporters.postgres.address",
        ]
    );
    let image = r
        .warnings
        .iter()
        .find(|w| w.field.as_deref() == Some("prometheus.image"))
        .unwrap();
    assert!(image
        .hint
        .as_deref()
        .unwrap()
        .contains("prometheus.prometheusSpec.image"));
    assert!(
        r.warnings.iter().all(|w| w.line.is_some()),
        "{:?}",
        r.warnings
    );
}
