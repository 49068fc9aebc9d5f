//! The Pushgateway (`exporters.pushgateway`) as manifests: a Deployment,
//! Service and ServiceMonitor (workload.rs; the monitor with `honorLabels`,
//! so pushed series keep the `job` and `instance` of the job that pushed
//! them, as the Docker stack's `honor_labels: true` does), and a
//! PersistentVolumeClaim holding its persistence file.
//!
//! A volume rather than an `emptyDir`: a batch job pushes once per run, so
//! with a rescheduled Pod its metrics, and the last push time the stale-push
//! alerts compare against, would be gone until the job's next run.
//! The claim is ReadWriteOnce, so the Deployment replaces its Pod by
//! stopping the old one first (`Recreate`).

use serde_json::{json, Map};

use super::workload::{labels, Enabled};
use super::Out;
use crate::model::ExporterKind;
use crate::render::paths;

/// The user and group the Pushgateway runs as (the upstream image's `nobody`),
/// which also owns its volume (`fsGroup`).
pub const UID: u32 = 65534;
/// The size of the volume claimed for the persistence file.
pub const VOLUME_SIZE: &str = "1Gi";

pub(super) fn add(out: &mut Out) {
    let Some(e) = Enabled::find(out.model, ExporterKind::Pushgateway) else {
        return;
    };
    let mut w = e.workload(UID);
    let mut body = Map::new();
    body.insert(
        "spec".into(),
        json!({
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": VOLUME_SIZE}},
        }),
    );
    out.add(
        "PersistentVolumeClaim",
        "v1",
        w.name.clone(),
        labels(&w.selector),
        body,
    );

    w.honor_labels = true;
    w.recreate = true;
    w.args = vec![paths::pushgateway_persistence_arg()];
    w.mounts = vec![json!({"name": "data", "mountPath": paths::PUSHGATEWAY_DATA_DIR})];
    w.volumes = vec![json!({"name": "data", "persistentVolumeClaim": {"claimName": w.name}})];
    w.add(out);
}
