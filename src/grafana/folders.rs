//! The folders dashboards are imported into: found by title at the root, or
//! created with a uid derived from the title, so that importing twice — or
//! from two machines — gives one folder, not two of the same name.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

use super::client::{ApiError, Client};
use super::GENERAL;

/// Where the dashboards of one folder title go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// An existing folder (or the root, uid "").
    Existing(String),
    /// Not there yet; a dry run does not create it.
    WouldCreate,
    /// It could not be created; the dashboards for it fail with this.
    Failed(String),
}

impl Place {
    /// The folder uid to compare with and save into.
    pub fn uid(&self) -> Option<&str> {
        match self {
            Place::Existing(uid) => Some(uid),
            _ => None,
        }
    }
}

/// A folder uid made from its title: readable, unique, at most 40 characters.
pub fn uid_for(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(24).collect();
    let slug = slug.trim_end_matches('-');
    let digest = Sha256::digest(title.as_bytes());
    let hash: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    if slug.is_empty() {
        format!("obsctl-{hash}")
    } else {
        format!("obsctl-{slug}-{hash}")
    }
}

/// Finds or creates a folder for each title (General is the root). Err only
/// when nothing can go on: Grafana unreachable or the credentials refused.
pub async fn resolve(
    client: &Client,
    titles: &BTreeSet<String>,
    dry_run: bool,
) -> Result<BTreeMap<String, Place>, ApiError> {
    let mut places = BTreeMap::new();
    let wanted: Vec<&String> = titles.iter().filter(|t| *t != GENERAL).collect();
    if titles.contains(GENERAL) {
        places.insert(GENERAL.to_string(), Place::Existing(String::new()));
    }
    if wanted.is_empty() {
        return Ok(places);
    }
    let mut existing = client.folders().await?;
    for title in wanted {
        if let Some(f) = existing.iter().find(|f| &f.title == title) {
            places.insert(title.clone(), Place::Existing(f.uid.clone()));
            continue;
        }
        if dry_run {
            places.insert(title.clone(), Place::WouldCreate);
            continue;
        }
        let place = match client.create_folder(&uid_for(title), title).await {
            Ok(f) => Place::Existing(f.uid),
            Err(e) if fatal(&e) => return Err(e),
            // Created meanwhile by someone else: use theirs.
            Err(e) if e.status() == Some(409) => {
                existing = client.folders().await?;
                match existing.iter().find(|f| &f.title == title) {
                    Some(f) => Place::Existing(f.uid.clone()),
                    None => Place::Failed(e.to_string()),
                }
            }
            Err(e) => Place::Failed(e.to_string()),
        };
        places.insert(title.clone(), place);
    }
    Ok(places)
}

/// Errors after which every further request would fail the same way.
pub fn fatal(e: &ApiError) -> bool {
    e.is_auth() || matches!(e, ApiError::Unreachable { .. })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_uids_are_readable_stable_and_short() {
        assert_eq!(uid_for("Team A"), uid_for("Team A"));
        assert_ne!(uid_for("Team A"), uid_for("team a"));
        assert!(uid_for("Team A").starts_with("obsctl-team-a-"));
        let long = uid_for(&"x".repeat(100));
        assert!(long.len() <= 40, "{long}");
        assert!(uid_for("Überwachung / Ops").starts_with("obsctl-berwachung-ops-"));
        assert!(uid_for("監視").starts_with("obsctl-") && uid_for("監視").len() == 15);
    }
}
