//! An exporter obsctl runs itself in the cluster (kube-prometheus-stack
//! ships none of them): a Deployment of one Pod, a Service for its port and
//! a ServiceMonitor that scrapes it under the job name the Docker stack
//! gives it. Every such Pod runs as a non-root user with all capabilities
//! dropped, no privilege escalation, a read-only root filesystem and the
//! runtime's default seccomp profile; what differs between exporters
//! (arguments, files, storage) is said by the caller.

use serde_json::{json, Map, Value};

use super::names::{resource_name, service_name};
use super::{object, Meta, Out};
use crate::model::{Exporter, ExporterKind, Model, Service};

/// The name of every exporter's port, in its Pod and its Service.
pub const PORT_NAME: &str = "metrics";

/// What one exporter's Pod needs besides what all share.
pub(super) struct Workload {
    pub service: Service,
    /// The name of its Deployment and ServiceMonitor (and of the other
    /// resources that belong to it only).
    pub name: String,
    /// The labels its Deployment selects its Pod by (and the Service, and
    /// the ServiceMonitor the Service).
    pub selector: Value,
    pub image: String,
    /// The container's arguments (they replace the image's CMD).
    pub args: Vec<String>,
    pub env: Vec<Value>,
    /// The uid and gid the container runs as (and owns its volumes with).
    pub uid: u32,
    pub volumes: Vec<Value>,
    pub mounts: Vec<Value>,
    /// Namespaced kernel settings of the Pod (`securityContext.sysctls`).
    pub sysctls: Vec<Value>,
    /// Annotations of the Pod template: a change rolls the Pod.
    pub pod_annotations: Map<String, Value>,
    /// Stop the old Pod before the new one starts (a ReadWriteOnce volume
    /// cannot be attached to both).
    pub recreate: bool,
    /// The scrape interval its ServiceMonitor sets (the global one when `None`).
    pub interval: Option<String>,
    /// Keep the labels the scraped series carry (the Pushgateway's pushes).
    pub honor_labels: bool,
}

impl Workload {
    pub fn new(service: Service, image: &str, uid: u32, stack: &str) -> Self {
        Self {
            service,
            name: resource_name(&[stack, service.name()]),
            selector: json!({
                "app.kubernetes.io/name": service.name(),
                "app.kubernetes.io/instance": stack,
            }),
            image: image.to_string(),
            args: Vec::new(),
            env: Vec::new(),
            uid,
            volumes: Vec::new(),
            mounts: Vec::new(),
            sysctls: Vec::new(),
            pod_annotations: Map::new(),
            recreate: false,
            interval: None,
            honor_labels: false,
        }
    }

    /// Where the Prometheus Pod reaches the exporter of stack `stack` in
    /// `namespace`: its Service's address (`<service>.<namespace>.svc:<port>`).
    pub fn address(service: Service, stack: &str, namespace: &str) -> String {
        format!(
            "{}.{namespace}.svc:{}",
            service_name(&[stack, service.name()]),
            service.container_port()
        )
    }

    /// Adds the Deployment, the Service and the ServiceMonitor.
    pub fn add(self, out: &mut Out) {
        let service = self.service;
        let stack = out.model.name.clone();
        let (name, selector) = (self.name, self.selector);
        let port = service.container_port();

        let mut container = json!({
            "name": service.name(),
            "image": self.image,
            "ports": [{"name": PORT_NAME, "containerPort": port}],
            "readinessProbe": {"httpGet": {"path": service.ready_path(), "port": PORT_NAME}},
            "securityContext": {
                "allowPrivilegeEscalation": false,
                "readOnlyRootFilesystem": true,
                "capabilities": {"drop": ["ALL"]},
            },
            "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "128Mi"}},
        });
        if !self.args.is_empty() {
            container["args"] = json!(self.args);
        }
        if !self.mounts.is_empty() {
            container["volumeMounts"] = json!(self.mounts);
        }
        if !self.env.is_empty() {
            container["env"] = json!(self.env);
        }
        let mut security = json!({
            "runAsNonRoot": true,
            "runAsUser": self.uid,
            "runAsGroup": self.uid,
            "fsGroup": self.uid,
            "seccompProfile": {"type": "RuntimeDefault"},
        });
        if !self.sysctls.is_empty() {
            security["sysctls"] = json!(self.sysctls);
        }
        let mut pod_spec = json!({ "securityContext": security });
        if !self.volumes.is_empty() {
            pod_spec["volumes"] = json!(self.volumes);
        }
        pod_spec["containers"] = json!([container]);
        let mut template = json!({"metadata": {"labels": selector}, "spec": pod_spec});
        if !self.pod_annotations.is_empty() {
            template["metadata"]["annotations"] = Value::Object(self.pod_annotations);
        }
        let mut deployment = json!({ "replicas": 1 });
        if self.recreate {
            deployment["strategy"] = json!({"type": "Recreate"});
        }
        deployment["selector"] = json!({ "matchLabels": selector });
        deployment["template"] = template;
        out.add(
            "Deployment",
            "apps/v1",
            name.clone(),
            labels(&selector),
            object(json!({ "spec": deployment })),
        );

        let svc = json!({
            "spec": {
                "selector": selector,
                "ports": [{"name": PORT_NAME, "port": port, "targetPort": PORT_NAME}],
            }
        });
        let svc_name = service_name(&[&stack, service.name()]);
        out.add("Service", "v1", svc_name, labels(&selector), object(svc));

        let mut endpoint = json!({
            "port": PORT_NAME,
            "path": crate::model::METRICS_PATH,
            "relabelings": [{"action": "replace", "targetLabel": "job", "replacement": service.job()}],
        });
        if let Some(i) = &self.interval {
            endpoint["interval"] = json!(i);
        }
        if self.honor_labels {
            endpoint["honorLabels"] = json!(true);
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

/// An exporter of the kind asked for, as the spec enables it.
pub(super) struct Enabled<'m> {
    pub exporter: &'m Exporter,
    pub service: Service,
    stack: &'m str,
}

impl<'m> Enabled<'m> {
    pub fn find(model: &'m Model, kind: ExporterKind) -> Option<Self> {
        let exporter = model.exporters.iter().find(|e| e.kind == kind)?;
        Some(Self {
            exporter,
            service: exporter.service(),
            stack: &model.name,
        })
    }

    /// Its Workload, running as `uid`, scraped at its interval.
    pub fn workload(&self, uid: u32) -> Workload {
        let mut w = Workload::new(self.service, &self.exporter.image, uid, self.stack);
        w.interval = self.exporter.interval.clone();
        w
    }
}

/// Metadata labels of an exporter's resources: its selector's.
pub(super) fn labels(selector: &Value) -> Meta {
    let mut meta = Meta::default();
    if let Value::Object(map) = selector {
        meta.labels.extend(map.clone());
    }
    meta
}
