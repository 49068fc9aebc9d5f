//! Provisioning from a Grafana-style directory: `datasources/*.yaml` and
//! `dashboards/*.yaml` (file providers whose dashboards are then polled every
//! `updateIntervalSeconds`). At start the stand-in is strict — any malformed file or
//! missing provider path is an error — while reloads and polling log and go on. A
//! folder that cannot be created (one titled `General`) stops the pass but not the
//! start, as in Grafana; the admin reload endpoint reports it as a failure.

pub mod dashboards;
pub mod datasources;
pub mod interpolate;

use std::path::{Path, PathBuf};
use std::time::Instant;
use tokio::task::JoinHandle;

use crate::api::AppState;
use crate::log::Logger;
use dashboards::Provider;

/// The `*.yaml`/`*.yml` files of a directory, sorted; a missing directory has none.
pub(crate) fn yaml_files(dir: &Path, logger: &Logger) -> Result<Vec<PathBuf>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            logger.debug("no provisioning directory", &[("path", &dir.display())]);
            return Ok(Vec::new());
        }
        Err(e) => {
            return Err(format!(
                "can't read provisioning files from {}: {e}",
                dir.display()
            ))
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .collect();
    files.sort();
    Ok(files)
}

/// Parses a YAML file and expands environment variables in its values.
pub(crate) fn read_yaml(path: &Path) -> Result<serde_yaml::Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut doc: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| {
        format!(
            "could not parse provisioning config file: {} error: {e}",
            path.display()
        )
    })?;
    interpolate::expand_values(&mut doc);
    Ok(doc)
}

fn dir(state: &AppState) -> Option<PathBuf> {
    state.config.provisioning_dir.clone()
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f)
        .await
        .expect("provisioning task panicked")
}

/// Data sources: read every file, then apply them.
pub async fn reload_datasources(state: &AppState) -> Result<(), String> {
    let Some(root) = dir(state) else {
        return Ok(());
    };
    let logger = state.logger;
    let files = blocking(move || datasources::read_dir(&root.join("datasources"), &logger)).await?;
    datasources::apply(&mut state.store(), &files, &state.logger)?;
    state.persist();
    Ok(())
}

/// Dashboards: read the providers, then scan and apply each one. A folder error
/// ends the pass there (later providers are skipped, as Grafana's provisioner
/// returns on the first failing one); it comes back beside the providers.
async fn sync_dashboards(
    state: &AppState,
    strict: bool,
) -> Result<(Vec<Provider>, Option<String>), String> {
    let Some(root) = dir(state) else {
        return Ok((Vec::new(), None));
    };
    let logger = state.logger;
    let providers =
        blocking(move || dashboards::read_dir(&root.join("dashboards"), &logger)).await?;
    let mut folder_error = None;
    for p in &providers {
        let owned = p.clone();
        match blocking(move || dashboards::scan(&owned)).await {
            Ok(files) => {
                let pass = dashboards::apply(&mut state.store(), p, files, strict, &state.logger)?;
                if let dashboards::Pass::FolderFailed(e) = pass {
                    folder_error = Some(e);
                    break;
                }
            }
            Err(e) if strict => return Err(e),
            Err(e) => state
                .logger
                .error("failed to search for dashboards", &[("error", &e)]),
        }
    }
    state.persist();
    Ok((providers, folder_error))
}

/// Re-reads the dashboard providers; a folder error is an error here (the admin
/// reload endpoint answers 500), though what was done before it stays done.
pub async fn reload_dashboards(state: &AppState) -> Result<(), String> {
    let (providers, folder_error) = sync_dashboards(state, false).await?;
    *state.providers.lock().expect("providers lock") = providers;
    folder_error.map_or(Ok(()), Err)
}

/// Everything at start, strictly; returns an error that should stop the process.
pub async fn provision_at_start(state: &AppState) -> Result<(), String> {
    if let Some(root) = dir(state) {
        if !root.is_dir() {
            state.logger.warn(
                "provisioning directory does not exist; nothing provisioned",
                &[("path", &root.display())],
            );
            return Ok(());
        }
    }
    reload_datasources(state).await?;
    // A folder error does not stop the start: Grafana tolerates exactly this error
    // at start (its dashboards are missing, and the error is in the log).
    let (providers, _folder_error) = sync_dashboards(state, true).await?;
    *state.providers.lock().expect("providers lock") = providers;
    Ok(())
}

/// Polls each provider's path every `updateIntervalSeconds`, as Grafana does.
pub fn spawn_poller(state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut last: Vec<(String, Instant)> = Vec::new();
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            let providers = state.providers.lock().expect("providers lock").clone();
            for p in providers {
                let due = last
                    .iter()
                    .find(|(n, _)| *n == p.name)
                    .is_none_or(|(_, t)| t.elapsed() >= p.update_interval);
                if !due {
                    continue;
                }
                last.retain(|(n, _)| *n != p.name);
                last.push((p.name.clone(), Instant::now()));
                let owned = p.clone();
                match blocking(move || dashboards::scan(&owned)).await {
                    Ok(files) => {
                        let _ =
                            dashboards::apply(&mut state.store(), &p, files, false, &state.logger);
                        state.persist();
                    }
                    Err(e) => state
                        .logger
                        .error("failed to search for dashboards", &[("error", &e)]),
                }
            }
        }
    })
}
