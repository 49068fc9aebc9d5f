//! Unit tests of the exporters obsctl runs in the cluster: the blackbox
//! exporter (the Docker stack's configuration in a ConfigMap, a Pod that
//! rolls when it changes, unprivileged ICMP), the Pushgateway (a volume,
//! pushed labels kept) and warnings for probed addresses that only exist
//! under Docker.

use serde_yaml::Value;
use sha2::{Digest, Sha256};

use super::tests::{file, rendered};
use crate::model;
use crate::spec::{self, Source};

fn object(r: &super::Rendered, path: &str) -> Value {
    serde_yaml::from_str(file(r, path).unwrap_or_else(|| panic!("no {path}"))).unwrap()
}

const PROBES: &str = "name: shop
probes:
  - {name: home, url: 'https://shop.example.com/', status_codes: [200]}
  - {name: gateway, url: 10.0.0.1, module: icmp}
";

#[test]
fn the_blackbox_exporter_mounts_the_docker_stacks_configuration_from_a_configmap() {
    let r = rendered(PROBES, &[], false, false).unwrap();
    let config = object(&r, "manifests/configmap-shop-blackbox-exporter.yaml");
    let text = config["data"]["blackbox.yml"].as_str().unwrap();

    let source = Source::new(None, PROBES.to_string());
    let m = model::build_references_only(&spec::load(&source).unwrap(), &source)
        .unwrap()
        .model;
    let docker = crate::render::render(&m).unwrap();
    let docker = docker
        .iter()
        .find(|f| f.path.to_str() == Some("exporters/blackbox-exporter/blackbox.yml"))
        .unwrap();
    assert_eq!(text.as_bytes(), docker.contents.as_slice());
    assert!(text.contains("http_2xx-home:"), "{text}");

    let d = object(&r, "manifests/deployment-shop-blackbox-exporter.yaml");
    let pod = &d["spec"]["template"];
    let checksum: String = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        pod["metadata"]["annotations"]["obsctl.dev/config-sha256"].as_str(),
        Some(checksum.as_str())
    );
    let c = &pod["spec"]["containers"][0];
    assert_eq!(c["args"][0], "--config.file=/etc/obsctl/blackbox.yml");
    assert_eq!(c["volumeMounts"][0]["mountPath"], "/etc/obsctl");
    assert_eq!(
        pod["spec"]["volumes"][0]["configMap"]["name"],
        "shop-blackbox-exporter"
    );
    // A changed module is a changed Pod template.
    let other = rendered(&PROBES.replace("[200]", "[204]"), &[], false, false).unwrap();
    let other = object(&other, "manifests/deployment-shop-blackbox-exporter.yaml");
    assert_ne!(
        other["spec"]["template"]["metadata"]["annotations"],
        pod["metadata"]["annotations"]
    );
}

#[test]
fn icmp_probes_get_unprivileged_icmp_sockets_not_a_capability() {
    let r = rendered(PROBES, &[], false, false).unwrap();
    let d = object(&r, "manifests/deployment-shop-blackbox-exporter.yaml");
    let pod = &d["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(pod["securityContext"]["runAsUser"], 65534);
    assert_eq!(pod["securityContext"]["runAsGroup"], 65534);
    let sysctls = pod["securityContext"]["sysctls"].as_sequence().unwrap();
    assert_eq!(sysctls.len(), 1);
    assert_eq!(sysctls[0]["name"], "net.ipv4.ping_group_range");
    assert_eq!(sysctls[0]["value"], "65534 65534");
    let caps = &pod["containers"][0]["securityContext"]["capabilities"];
    assert_eq!(caps["drop"][0], "ALL");
    assert!(caps.get("add").is_none(), "{caps:?}");

    let no_ping = "probes: [{name: home, url: 'https://shop.example.com/'}]\n";
    let r = rendered(no_ping, &[], false, false).unwrap();
    let d = object(&r, "manifests/deployment-obsctl-blackbox-exporter.yaml");
    let security = &d["spec"]["template"]["spec"]["securityContext"];
    assert!(security.get("sysctls").is_none(), "{security:?}");
    assert_eq!(security["runAsUser"], 65534);
}

#[test]
fn the_pushgateway_keeps_pushes_on_a_volume_and_pushed_labels_when_scraped() {
    let spec = "name: shop\nexporters:\n  pushgateway:\n    interval: 30s\n    jobs: [{job: nightly, max_age: 1d}]\n";
    let r = rendered(spec, &[], false, false).unwrap();
    let pvc = object(&r, "manifests/persistentvolumeclaim-shop-pushgateway.yaml");
    assert_eq!(pvc["spec"]["accessModes"][0], "ReadWriteOnce");
    assert_eq!(pvc["spec"]["resources"]["requests"]["storage"], "1Gi");

    let d = object(&r, "manifests/deployment-shop-pushgateway.yaml");
    assert_eq!(d["spec"]["strategy"]["type"], "Recreate");
    let pod = &d["spec"]["template"]["spec"];
    assert_eq!(
        pod["volumes"][0]["persistentVolumeClaim"]["claimName"],
        "shop-pushgateway"
    );
    assert_eq!(pod["securityContext"]["fsGroup"], 65534);
    let c = &pod["containers"][0];
    let mount = c["volumeMounts"][0]["mountPath"].as_str().unwrap();
    let arg = c["args"][0].as_str().unwrap();
    assert_eq!(arg, format!("--persistence.file={mount}/metrics.store"));

    let svc = object(&r, "manifests/service-shop-pushgateway.yaml");
    assert_eq!(svc["spec"]["ports"][0]["port"], 9091);
    let monitor = object(&r, "manifests/servicemonitor-shop-pushgateway.yaml");
    let endpoint = &monitor["spec"]["endpoints"][0];
    assert_eq!(endpoint["honorLabels"], true);
    assert_eq!(endpoint["interval"], "30s");
    assert_eq!(endpoint["relabelings"][0]["replacement"], "pushgateway");
    // Its stale-push rule comes with the other rule files.
    assert!(file(&r, "manifests/prometheusrule-shop-pushgateway.yaml").is_some());
    // No probes, no blackbox exporter.
    assert!(!r.kinds.contains_key("Probe"));
    assert!(file(&r, "manifests/deployment-shop-blackbox-exporter.yaml").is_none());
    let readme = file(&r, "README.md").unwrap();
    assert!(
        readme.contains("`http://shop-pushgateway.monitoring.svc:9091/metrics/job/<job>`"),
        "{readme}"
    );
}

#[test]
fn probed_addresses_that_only_exist_under_docker_are_warned_about() {
    let spec = "probes:\n  - {name: app, url: 'http://host.docker.internal:8000/health'}\n  - {name: self, url: 'localhost:9115', module: tcp_connect}\n  - {name: api, url: 'http://api.shop.svc:8000/health'}\n";
    let r = rendered(spec, &[], false, false).unwrap();
    let warnings: Vec<(String, String)> = r
        .warnings
        .iter()
        .map(|w| (w.field.clone().unwrap_or_default(), w.message.clone()))
        .collect();
    assert_eq!(
        warnings,
        [
            (
                "probes[0].url".to_string(),
                "probe `app`: `http://host.docker.internal:8000/health` is Docker's name for its host, not a place in the cluster".to_string()
            ),
            (
                "probes[1].url".to_string(),
                "probe `self`: `localhost:9115` would be the blackbox exporter's Pod itself, not a place in the cluster".to_string()
            ),
        ]
    );
    // The probes are rendered all the same.
    assert_eq!(r.kinds.get("Probe"), Some(&3));
}
