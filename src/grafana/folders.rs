//! The folders dashboards are imported into, and the folder paths of the
//! dashboards exported.
//!
//! Import walks each folder path from the root, level by level: a folder of
//! that title directly in the parent found so far is used, a missing one is
//! created there (with `parentUid`) under a uid derived from its path, so
//! that importing twice — or from two machines — gives one folder, not two
//! of the same name. Export asks Grafana for each folder's ancestors.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::stream::{self, StreamExt, TryStreamExt};
use sha2::{Digest, Sha256};

use super::client::{ApiError, Client, Folder};
use super::folder_path::FolderPath;

/// Where the dashboards of one folder path go.
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
    uid_from(title, title)
}

/// The uid of a folder path: a folder at the root keeps the uid of its
/// title alone; deeper ones hash the whole path, so that two folders of one
/// title under different parents get different uids.
pub fn uid_for_path(path: &FolderPath) -> String {
    match path.0.as_slice() {
        [title] => uid_for(title),
        titles => uid_from(path.title(), &titles.join("\u{1f}")),
    }
}

fn uid_from(title: &str, hashed: &str) -> String {
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
    let digest = Sha256::digest(hashed.as_bytes());
    let hash: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    if slug.is_empty() {
        format!("obsctl-{hash}")
    } else {
        format!("obsctl-{slug}-{hash}")
    }
}

/// Finds or creates the folders of every path, and each of their parents
/// (the empty path is the root). Err only when nothing can go on: Grafana
/// unreachable or the credentials refused.
pub async fn resolve(
    client: &Client,
    paths: &BTreeSet<FolderPath>,
    dry_run: bool,
) -> Result<BTreeMap<FolderPath, Place>, ApiError> {
    let mut places = BTreeMap::from([(FolderPath::root(), Place::Existing(String::new()))]);
    // The folders directly in each parent, by the parent's uid, read once.
    let mut children: BTreeMap<String, Vec<Folder>> = BTreeMap::new();
    for path in paths {
        for level in path.levels() {
            if places.contains_key(&level) {
                continue;
            }
            let place = match places[&level.parent()].clone() {
                Place::Existing(parent) => {
                    find_or_create(client, &mut children, &parent, &level, dry_run).await?
                }
                other => other,
            };
            places.insert(level, place);
        }
    }
    Ok(places)
}

async fn find_or_create(
    client: &Client,
    children: &mut BTreeMap<String, Vec<Folder>>,
    parent: &str,
    level: &FolderPath,
    dry_run: bool,
) -> Result<Place, ApiError> {
    let title = level.title();
    if !children.contains_key(parent) {
        children.insert(parent.to_string(), client.folders_in(parent).await?);
    }
    let find = |list: &[Folder]| {
        list.iter()
            .find(|f| f.title == title)
            .map(|f| f.uid.clone())
    };
    if let Some(uid) = find(&children[parent]) {
        return Ok(Place::Existing(uid));
    }
    if dry_run {
        return Ok(Place::WouldCreate);
    }
    Ok(
        match client
            .create_folder(&uid_for_path(level), title, parent)
            .await
        {
            Ok(f) => {
                let uid = f.uid.clone();
                children.entry(parent.to_string()).or_default().push(f);
                Place::Existing(uid)
            }
            Err(e) if fatal(&e) => return Err(e),
            // Created meanwhile by someone else: use theirs.
            Err(e) if e.status() == Some(409) => {
                let now = client.folders_in(parent).await?;
                let found = find(&now);
                children.insert(parent.to_string(), now);
                match found {
                    Some(uid) => Place::Existing(uid),
                    None => Place::Failed(e.to_string()),
                }
            }
            Err(e) => Place::Failed(e.to_string()),
        },
    )
}

/// The path of each folder uid, from its ancestors in Grafana, `concurrency`
/// at a time. A folder deleted meanwhile keeps the title `titles` gives it,
/// at the root; the root (uid "") is the empty path.
pub async fn paths_of(
    client: &Client,
    titles: &BTreeMap<String, String>,
    concurrency: usize,
) -> Result<BTreeMap<String, FolderPath>, ApiError> {
    let read = titles.iter().map(|(uid, title)| async move {
        if uid.is_empty() {
            return Ok::<_, ApiError>((uid.clone(), FolderPath::root()));
        }
        let path = match client.folder(uid).await? {
            Some(info) => {
                let mut titles: Vec<String> = info.parents.into_iter().map(|p| p.title).collect();
                titles.push(info.title);
                FolderPath(titles)
            }
            None => FolderPath(vec![title.clone()]),
        };
        Ok((uid.clone(), path))
    });
    stream::iter(read)
        .buffered(concurrency.max(1))
        .try_collect()
        .await
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

    #[test]
    fn nested_folders_of_one_title_get_different_uids() {
        let path = |t: &[&str]| FolderPath(t.iter().map(|s| s.to_string()).collect());
        assert_eq!(uid_for_path(&path(&["Team A"])), uid_for("Team A"));
        let a = uid_for_path(&path(&["A", "Shared"]));
        let b = uid_for_path(&path(&["B", "Shared"]));
        assert_ne!(a, b);
        assert!(a.starts_with("obsctl-shared-") && a.len() <= 40, "{a}");
        assert_ne!(uid_for_path(&path(&["A", "Shared"])), uid_for("Shared"));
    }
}
