//! Label discovery against the engine: read the labelled containers, work
//! out the targets ([`crate::discovery::discover`]) and hand them to
//! Prometheus through its file-based discovery file, rewritten only when the
//! targets change. `up` does it once; `watch` after every relevant event.

use std::path::Path;

use serde::Serialize;

use super::docker::Engine;
use crate::discovery::{self, file_sd, Candidate, Discovery, Scope, Target};
use crate::error::Error;
use crate::model::DISCOVERED_JOB;
use crate::probes::{get_json, Http};
use crate::timeouts;

/// What one pass found, and whether Prometheus was handed a new file.
#[derive(Debug, Clone, Serialize)]
pub struct Refresh {
    #[serde(flatten)]
    pub discovery: Discovery,
    /// True when the targets differ from the file's, which was rewritten.
    pub changed: bool,
}

/// Discovers the targets of `scope` and writes them into stack directory `dir`.
pub async fn refresh(engine: &Engine, scope: &Scope, dir: &Path) -> Result<Refresh, Error> {
    let candidates = engine.scrape_candidates().await?;
    hand_over(&candidates, scope, dir)
}

/// Works out the targets of `scope` among `candidates` (the labelled
/// containers, read earlier) and writes them into stack directory `dir`.
pub fn hand_over(candidates: &[Candidate], scope: &Scope, dir: &Path) -> Result<Refresh, Error> {
    let discovery = discovery::discover(candidates, scope);
    let changed = file_sd::write(dir, &discovery.targets).map_err(Error::io(
        "write the discovered targets to",
        file_sd::path(dir),
    ))?;
    Ok(Refresh { discovery, changed })
}

/// A target handed to Prometheus by discovery, with what Prometheus says of it.
#[derive(Debug, Clone, Serialize)]
pub struct DiscoveredStatus {
    #[serde(flatten)]
    pub target: Target,
    /// up, down, unknown (not scraped yet), or "-" when Prometheus did not answer.
    pub health: String,
    pub last_error: Option<String>,
}

/// The targets discovery last handed over in stack directory `dir`, each
/// with its health from the Prometheus at `prometheus` (`http://host:port`).
pub async fn discovered(
    http: &Http,
    dir: &Path,
    prometheus: Option<&str>,
) -> Vec<DiscoveredStatus> {
    let targets = file_sd::read(dir);
    if targets.is_empty() {
        return Vec::new();
    }
    let active = match prometheus {
        Some(base) => {
            let url = format!("{base}/api/v1/targets?state=active");
            tokio::time::timeout(timeouts::STATUS_HEALTH, get_json(http, &url))
                .await
                .ok()
                .and_then(Result::ok)
        }
        None => None,
    };
    let health = |address: &str| -> Option<(String, String)> {
        let list = active
            .as_ref()?
            .pointer("/data/activeTargets")?
            .as_array()?;
        let t = list
            .iter()
            .find(|t| t["scrapePool"] == DISCOVERED_JOB && t["labels"]["instance"] == address)?;
        Some((
            t["health"].as_str().unwrap_or("unknown").to_string(),
            t["lastError"].as_str().unwrap_or_default().to_string(),
        ))
    };
    targets
        .into_iter()
        .map(|target| {
            let (health, error) =
                health(&target.address).unwrap_or_else(|| ("-".into(), String::new()));
            DiscoveredStatus {
                target,
                health,
                last_error: Some(error).filter(|e| !e.is_empty()),
            }
        })
        .collect()
}
