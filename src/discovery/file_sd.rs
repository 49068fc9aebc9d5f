//! Handing discovered targets to Prometheus: a file-based service discovery
//! file in the folder mounted as Prometheus' configuration. The folder, not
//! the file, is mounted, so the atomic rename that replaces the file is seen
//! in the container; Prometheus watches the file and re-reads it by itself
//! (no reload, no restart). The file is rewritten only when its content
//! changes, and its content depends only on the targets (sorted), so the same
//! targets always give the same bytes.

use std::io;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::Target;
use crate::fs::atomic_write;
use crate::render::paths::PROMETHEUS_CONFIG_DIR;

/// The folder of the file, relative to the stack directory.
pub const DIR: &str = "prometheus/discovered";
/// The file's name in it.
pub const FILE: &str = "targets.json";

/// Where Prometheus reads the file (the `file_sd_configs` pattern).
pub fn container_pattern() -> String {
    format!("{PROMETHEUS_CONFIG_DIR}/discovered/*.json")
}

/// The file in stack directory `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(DIR).join(FILE)
}

/// The file's content: one target group per target, setting its job, metrics
/// path and scheme through Prometheus' reserved labels.
pub fn render(targets: &[Target]) -> Vec<u8> {
    let mut sorted: Vec<&Target> = targets.iter().collect();
    sorted.sort();
    let groups: Vec<Value> = sorted
        .iter()
        .map(|t| {
            let mut labels = t.labels.clone();
            labels.insert("job".into(), t.job.clone());
            labels.insert("__metrics_path__".into(), t.metrics_path.clone());
            labels.insert("__scheme__".into(), t.scheme.clone());
            json!({"targets": [t.address], "labels": labels})
        })
        .collect();
    let mut text = serde_json::to_vec_pretty(&groups).expect("targets serialise");
    text.push(b'\n');
    text
}

/// The targets a file holds (empty when there is none or it cannot be read).
pub fn read(dir: &Path) -> Vec<Target> {
    let Ok(bytes) = std::fs::read(path(dir)) else {
        return Vec::new();
    };
    let groups: Vec<Value> = serde_json::from_slice(&bytes).unwrap_or_default();
    groups
        .iter()
        .filter_map(|g| {
            let mut labels: std::collections::BTreeMap<String, String> =
                serde_json::from_value(g.get("labels")?.clone()).ok()?;
            let address = g.get("targets")?.get(0)?.as_str()?.to_string();
            let job = labels.remove("job")?;
            let metrics_path = labels.remove("__metrics_path__")?;
            let scheme = labels.remove("__scheme__")?;
            Some(Target {
                job,
                address,
                metrics_path,
                scheme,
                container: labels.get("container").cloned().unwrap_or_default(),
                labels,
            })
        })
        .collect()
}

/// Writes the file for `targets` into stack directory `dir` when its content
/// changes; returns whether it did.
pub fn write(dir: &Path, targets: &[Target]) -> io::Result<bool> {
    let path = path(dir);
    let text = render(targets);
    if std::fs::read(&path).is_ok_and(|current| current == text) {
        return Ok(false);
    }
    atomic_write(&path, &text, 0o644)?;
    Ok(true)
}
