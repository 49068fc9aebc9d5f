//! `provisioning/dashboards/*.yaml` providers and the dashboard JSON files under each
//! provider's `options.path`: reading, saving as provisioned, and removing dashboards
//! whose file is gone (unless `disableDeletion`).

use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::log::Logger;
use crate::store::{ProviderInfo, Provisioned, SaveCommand, SaveMode, Store};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Entry {
    name: String,
    org_id: i64,
    folder: String,
    folder_uid: String,
    #[serde(rename = "type")]
    kind: String,
    disable_deletion: bool,
    update_interval_seconds: i64,
    allow_ui_updates: bool,
    options: Map<String, Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct File {
    api_version: i64,
    providers: Vec<Entry>,
}

/// One dashboard provider of type `file`.
#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    pub name: String,
    pub folder: String,
    pub folder_uid: String,
    pub disable_deletion: bool,
    pub update_interval: Duration,
    pub allow_ui_updates: bool,
    pub path: PathBuf,
    pub folders_from_files_structure: bool,
}

fn provider(e: Entry, file: &Path) -> Result<Provider, String> {
    let at = |msg: String| format!("{}: provider {:?}: {msg}", file.display(), e.name);
    if e.name.is_empty() {
        return Err(format!("{}: every provider needs a name", file.display()));
    }
    if e.org_id > 1 {
        return Err(at(format!("organization {} does not exist", e.org_id)));
    }
    if !(e.kind.is_empty() || e.kind == "file") {
        return Err(at(format!("unsupported provider type {:?}", e.kind)));
    }
    let path = match e.options.get("path").or_else(|| e.options.get("folder")) {
        Some(Value::String(p)) if !p.is_empty() => PathBuf::from(p),
        _ => {
            return Err(at(
                "Failed to load dashboards, path param is not a string".into()
            ))
        }
    };
    let from_structure = e.options.get("foldersFromFilesStructure") == Some(&Value::Bool(true));
    if from_structure && (!e.folder.is_empty() || !e.folder_uid.is_empty()) {
        return Err(at(
            "'folder' and 'folderUID' should be empty using 'foldersFromFilesStructure' option"
                .into(),
        ));
    }
    let seconds = if e.update_interval_seconds <= 0 {
        10
    } else {
        e.update_interval_seconds
    };
    Ok(Provider {
        name: e.name,
        folder: e.folder,
        folder_uid: e.folder_uid,
        disable_deletion: e.disable_deletion,
        update_interval: Duration::from_secs(seconds as u64),
        allow_ui_updates: e.allow_ui_updates,
        path,
        folders_from_files_structure: from_structure,
    })
}

/// Reads all provider files of `dir` (a missing directory is no provider).
pub fn read_dir(dir: &Path, logger: &Logger) -> Result<Vec<Provider>, String> {
    let mut providers: Vec<Provider> = Vec::new();
    for path in super::yaml_files(dir, logger)? {
        let doc = super::read_yaml(&path)?;
        let file: File = serde_yaml::from_value(doc).map_err(|e| {
            format!(
                "could not parse provisioning config file: {} error: {e}",
                path.display()
            )
        })?;
        if file.api_version == 0 {
            logger.warn(
                "dashboard provider file has no apiVersion; reading it as version 1",
                &[("file", &path.display())],
            );
        }
        for e in file.providers {
            let p = provider(e, &path)?;
            if providers.iter().any(|q| q.name == p.name) {
                return Err(format!(
                    "{}: provider name {:?} is used more than once",
                    path.display(),
                    p.name
                ));
            }
            providers.push(p);
        }
    }
    Ok(providers)
}

/// A dashboard file found under a provider path.
#[derive(Debug)]
pub struct Found {
    pub path: PathBuf,
    pub mtime: i64,
    pub json: Result<Map<String, Value>, String>,
    /// The folder named after the file's directory (`foldersFromFilesStructure`).
    pub dir_folder: Option<String>,
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read directory {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if p.is_dir() {
            if !hidden {
                walk(&p, out)?;
            }
        } else if p.extension().and_then(|e| e.to_str()) == Some("json") {
            out.push(p);
        }
    }
    Ok(())
}

/// Lists and parses the dashboard files of a provider; a missing path is an error.
pub fn scan(p: &Provider) -> Result<Vec<Found>, String> {
    if !p.path.is_dir() {
        return Err(format!(
            "provider {:?}: Cannot read directory {}: no such directory",
            p.name,
            p.path.display()
        ));
    }
    let mut paths = Vec::new();
    walk(&p.path, &mut paths)?;
    Ok(paths
        .into_iter()
        .map(|path| {
            let mtime = std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .map(crate::clock::unix_seconds)
                .unwrap_or(0);
            let json = std::fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|b| serde_json::from_slice::<Value>(&b).map_err(|e| e.to_string()))
                .and_then(|v| match v {
                    Value::Object(m) => Ok(m),
                    _ => Err("the dashboard JSON is not an object".into()),
                });
            let dir_folder = path
                .parent()
                .filter(|d| *d != p.path && p.folders_from_files_structure)
                .and_then(|d| d.file_name())
                .map(|n| n.to_string_lossy().to_string());
            Found {
                path,
                mtime,
                json,
                dir_folder,
            }
        })
        .collect())
}

/// How a provider's pass ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pass {
    Done,
    /// A folder could not be found or created: the pass stopped before saving any
    /// dashboard. Grafana walks the files in an unspecified order and stops at the
    /// first folder error, so no file of such a pass can be relied on; the stand-in
    /// takes that worst case. At start and on reload the later providers are
    /// skipped too, as Grafana's provisioner returns on the first failing one.
    FolderFailed(String),
}

/// The folder each file goes to (empty for the root), or the error that stops the
/// pass: with `foldersFromFilesStructure` a file's folder is named after its
/// innermost directory (files directly in the path go to the root), otherwise it
/// is the provider's `folder`/`folderUid` (the root when `folder` is empty).
fn folders_for(store: &mut Store, p: &Provider, files: &[Found]) -> Result<Vec<String>, String> {
    let mut out = Vec::with_capacity(files.len());
    for found in files {
        let (name, uid) = match (&found.dir_folder, p.folders_from_files_structure) {
            (Some(dir), _) => (dir.as_str(), ""),
            (None, true) => ("", ""),
            (None, false) => (p.folder.as_str(), p.folder_uid.as_str()),
        };
        if name.is_empty() {
            out.push(String::new());
            continue;
        }
        let from = if p.folders_from_files_structure {
            " from file system structure"
        } else {
            ""
        };
        out.push(store.folder_for_provider(name, uid).map_err(|e| {
            format!(
                "failed to provision config {}: failed to get or create provisioning folder with name {name:?}{from}: {}",
                p.name,
                e.text()
            )
        })?);
    }
    Ok(out)
}

/// Saves the scanned files as provisioned dashboards. With `strict`, the first bad
/// file is an error; otherwise it is logged and skipped, as Grafana does. A folder
/// error is never `Err`: it ends the pass with [`Pass::FolderFailed`], as Grafana
/// keeps running after it.
pub fn apply(
    store: &mut Store,
    p: &Provider,
    files: Vec<Found>,
    strict: bool,
    logger: &Logger,
) -> Result<Pass, String> {
    store.providers.insert(
        p.name.clone(),
        ProviderInfo {
            allow_ui_updates: p.allow_ui_updates,
            path: p.path.clone(),
        },
    );
    let fail = |msg: String| -> Result<(), String> {
        logger.error(
            "failed to provision dashboard",
            &[("provider", &p.name), ("error", &msg)],
        );
        if strict {
            Err(msg)
        } else {
            Ok(())
        }
    };
    let mut by_path: HashMap<PathBuf, (String, i64, i64)> = store
        .dashboards
        .values()
        .filter_map(|d| {
            d.provisioned
                .as_ref()
                .filter(|q| q.provider == p.name)
                .map(|q| (q.external_id.clone(), (d.uid.clone(), d.id, q.mtime)))
        })
        .collect();
    // Dashboards whose file is gone go first, as in Grafana's walk.
    let seen: BTreeSet<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    if !p.disable_deletion {
        for (path, (uid, _, _)) in by_path.iter().filter(|(path, _)| !seen.contains(*path)) {
            if store.remove_dashboard(uid).is_some() {
                logger.info(
                    "deleted provisioned dashboard; its file is gone",
                    &[("uid", uid), ("file", &path.display())],
                );
            }
        }
    }
    let folders = match folders_for(store, p, &files) {
        Ok(f) => f,
        Err(msg) => {
            logger.error("failed to provision dashboards", &[("error", &msg)]);
            return Ok(Pass::FolderFailed(msg));
        }
    };
    let mut uids: HashMap<String, usize> = HashMap::new();
    for (found, folder_uid) in files.into_iter().zip(folders) {
        let mut data = match found.json {
            Ok(d) => d,
            Err(e) => {
                fail(format!(
                    "failed to load dashboard from {}: {e}",
                    found.path.display()
                ))?;
                continue;
            }
        };
        if let Some(uid) = data.get("uid").and_then(Value::as_str) {
            *uids.entry(uid.to_string()).or_default() += 1;
        }
        let previous = by_path.remove(&found.path);
        if previous.as_ref().is_some_and(|(uid, _, mtime)| {
            *mtime == found.mtime
                && store
                    .dashboards
                    .get(uid)
                    .is_some_and(|d| d.folder_uid == folder_uid)
        }) {
            continue;
        }
        data.insert(
            "id".into(),
            previous
                .map(|(_, id, _)| Value::from(id))
                .unwrap_or(Value::Null),
        );
        let provisioned = Provisioned {
            provider: p.name.clone(),
            external_id: found.path.clone(),
            mtime: found.mtime,
        };
        let mut cmd = SaveCommand::new(data, "Anonymous", SaveMode::Provisioning(provisioned));
        cmd.folder_uid = folder_uid;
        cmd.overwrite = true;
        match store.save_dashboard(cmd) {
            Ok(d) => logger.info(
                "provisioned dashboard",
                &[
                    ("provider", &p.name),
                    ("uid", &d.uid),
                    ("file", &found.path.display()),
                ],
            ),
            Err(e) => fail(format!("{}: {}", found.path.display(), e.text()))?,
        }
    }
    for (uid, times) in uids {
        if times > 1 {
            logger.error(
                "the same 'uid' is used more than once",
                &[("uid", &uid), ("provider", &p.name)],
            );
        }
    }
    Ok(Pass::Done)
}
