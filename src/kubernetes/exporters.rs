//! The Postgres and Redis exporters the spec enables, as a Deployment, a
//! Service and a ServiceMonitor each (kube-prometheus-stack has no values for
//! them). The password is mounted from the exporter's own Secret as a file,
//! read through the same `*_FILE` variable as under Docker. The node
//! exporter and cAdvisor are the chart's (see values.yaml); the blackbox
//! exporter and the Pushgateway have modules of their own.

use serde_json::json;

use super::workload::Enabled;
use super::Out;
use crate::model::ExporterKind;
use crate::render::{container_path, paths};

pub(super) fn add(out: &mut Out) {
    let model = out.model;
    for kind in [ExporterKind::Postgres, ExporterKind::Redis] {
        let Some(en) = Enabled::find(model, kind) else {
            continue;
        };
        let (e, service) = (en.exporter, en.service);
        let mut w = en.workload(service.default_uid());
        w.env = e
            .env
            .iter()
            .map(|(k, v)| json!({"name": k, "value": v}))
            .collect();
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
            w.env.push(
                json!({"name": var, "value": container_path(paths::EXPORTER_SECRETS_DIR, secret)}),
            );
            w.mounts = vec![json!({"name": "secrets", "mountPath": dir, "readOnly": true})];
            // Readable by the exporter's group (fsGroup) only.
            w.volumes = vec![json!({
                "name": "secrets",
                "secret": {
                    "secretName": reference["name"],
                    "items": [{"key": reference["key"], "path": reference["key"]}],
                    "defaultMode": 0o440,
                },
            })];
        }
        w.add(out);
    }
}
