//! The Postgres and Redis exporters the spec enables, as a Deployment, a
//! Service and a ServiceMonitor each (kube-prometheus-stack has no values for
//! them). The password is mounted from the exporter's own Secret as a file,
//! read through the same `*_FILE` variable as under Docker. The node
//! exporter and cAdvisor are the chart's (see values.yaml).

use serde_json::{json, Value};

use super::names::{resource_name, service_name};
use super::{object, Meta, Out};
use crate::model::{Exporter, ExporterKind};
use crate::render::{container_path, paths};

pub(super) fn add(out: &mut Out) {
    let exporters: Vec<Exporter> = out
        .model
        .exporters
        .iter()
        .filter(|e| matches!(e.kind, ExporterKind::Postgres | ExporterKind::Redis))
        .cloned()
        .collect();
    for e in &exporters {
        let service = e.service();
        let name = resource_name(&[&out.model.name, service.name()]);
        let selector = json!({
            "app.kubernetes.io/name": service.name(),
            "app.kubernetes.io/instance": out.model.name,
        });
        let uid = service.default_uid();
        let port = service.container_port();

        let mut env: Vec<Value> = e
            .env
            .iter()
            .map(|(k, v)| json!({"name": k, "value": v}))
            .collect();
        let mut container = json!({
            "name": service.name(),
            "image": e.image,
            "ports": [{"name": "metrics", "containerPort": port}],
            "readinessProbe": {"httpGet": {"path": "/metrics", "port": "metrics"}},
            "securityContext": {
                "allowPrivilegeEscalation": false,
                "readOnlyRootFilesystem": true,
                "capabilities": {"drop": ["ALL"]},
            },
            "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "128Mi"}},
        });
        let mut pod_spec = json!({
            "securityContext": {
                "runAsNonRoot": true,
                "runAsUser": uid,
                "runAsGroup": uid,
                "fsGroup": uid,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
        });
        if let (Some(var), Some(secret)) = (e.kind.password_file_env(), e.secrets.first()) {
            let purpose = match e.env.iter().find(|(k, _)| k == "REDIS_ADDR") {
                // redis_exporter's password file maps each Redis URI to its password.
                Some((_, addr)) => format!(
                    "{}: the password, as JSON {{\"{addr}\": \"PASSWORD\"}}",
                    service.name()
                ),
                None => format!("{}: the password it connects with", service.name()),
            };
            let reference = out.secrets.secret(service.name(), secret, purpose);
            let dir = format!("{}/secrets", paths::EXPORTER_SECRETS_DIR);
            env.push(
                json!({"name": var, "value": container_path(paths::EXPORTER_SECRETS_DIR, secret)}),
            );
            container["volumeMounts"] =
                json!([{"name": "secrets", "mountPath": dir, "readOnly": true}]);
            // Readable by the exporter's group (fsGroup) only.
            pod_spec["volumes"] = json!([{
                "name": "secrets",
                "secret": {
                    "secretName": reference["name"],
                    "items": [{"key": reference["key"], "path": reference["key"]}],
                    "defaultMode": 0o440,
                },
            }]);
        }
        container["env"] = json!(env);
        pod_spec["containers"] = json!([container]);

        let deployment = json!({
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": selector},
                "template": {"metadata": {"labels": selector}, "spec": pod_spec},
            }
        });
        out.add(
            "Deployment",
            "apps/v1",
            name.clone(),
            labels(&selector),
            object(deployment),
        );

        let svc = json!({
            "spec": {
                "selector": selector,
                "ports": [{"name": "metrics", "port": port, "targetPort": "metrics"}],
            }
        });
        let svc_name = service_name(&[&out.model.name, service.name()]);
        out.add("Service", "v1", svc_name, labels(&selector), object(svc));

        let mut endpoint = json!({
            "port": "metrics",
            "path": "/metrics",
            "relabelings": [{"action": "replace", "targetLabel": "job", "replacement": service.job()}],
        });
        if let Some(i) = &e.interval {
            endpoint["interval"] = json!(i);
        }
        let monitor = json!({
            "spec": {
                "selector": {"matchLabels": selector},
                "endpoints": [endpoint],
            }
        });
        out.add(
            "ServiceMonitor",
            "monitoring.coreos.com/v1",
            name,
            labels(&selector),
            object(monitor),
        );
    }
}

fn labels(selector: &Value) -> Meta {
    let mut meta = Meta::default();
    if let Value::Object(map) = selector {
        meta.labels.extend(map.clone());
    }
    meta
}
