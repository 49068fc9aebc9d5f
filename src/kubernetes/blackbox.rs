//! The blackbox exporter the Probes go through, as manifests: a ConfigMap
//! holding the configuration the Docker stack mounts (`blackbox.yml`, the
//! built-in modules and one per probe with options of its own, the same
//! text), and a Deployment, Service and ServiceMonitor (workload.rs). A
//! checksum of the configuration on the Pod template rolls the Pod when the
//! modules change, since nothing in the cluster asks the exporter to reload.
//!
//! The Pod runs as `nobody` with every capability dropped. ICMP probes need
//! no raw socket then: the exporter first opens an unprivileged ICMP socket,
//! which Linux allows to the groups in the `net.ipv4.ping_group_range`
//! sysctl, a namespaced sysctl Kubernetes counts as safe (allowed by the
//! baseline and restricted Pod Security levels). So when a probe pings, the
//! Pod sets that range to its own group. `NET_RAW` would not do here: a
//! capability added to a container that does not run as root never reaches
//! the process (Kubernetes sets no ambient capabilities), and root with
//! `NET_RAW` is refused by both of those Pod Security levels.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::workload::{labels, Enabled};
use super::Out;
use crate::model::{ExporterKind, ProbeModule};
use crate::render::{blackbox, paths};

/// The user and group the exporter runs as (`nobody`).
pub const UID: u32 = 65534;
/// The Pod annotation holding the SHA-256 of the configuration.
pub const CONFIG_CHECKSUM: &str = "obsctl.dev/config-sha256";
/// The sysctl that lets a group open unprivileged ICMP sockets.
pub const PING_GROUP_RANGE: &str = "net.ipv4.ping_group_range";

pub(super) fn add(out: &mut Out) {
    let model = out.model;
    let Some(e) = Enabled::find(model, ExporterKind::Blackbox) else {
        return;
    };
    let mut w = e.workload(UID);
    let config = blackbox::config(&model.probes);
    let mut data = Map::new();
    data.insert(blackbox::CONFIG_FILE.into(), json!(config));
    let mut body = Map::new();
    body.insert("data".into(), Value::Object(data));
    out.add("ConfigMap", "v1", w.name.clone(), labels(&w.selector), body);

    w.args = vec![blackbox::config_arg()];
    w.mounts =
        vec![json!({"name": "config", "mountPath": paths::EXPORTER_CONFIG_DIR, "readOnly": true})];
    w.volumes = vec![json!({"name": "config", "configMap": {"name": w.name}})];
    let checksum: String = Sha256::digest(config.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    w.pod_annotations
        .insert(CONFIG_CHECKSUM.into(), json!(checksum));
    if model.probes.iter().any(|p| p.module == ProbeModule::Icmp) {
        w.sysctls = vec![json!({"name": PING_GROUP_RANGE, "value": format!("{UID} {UID}")})];
    }
    w.add(out);
}
