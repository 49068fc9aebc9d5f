//! Folders: create, update with the version rule, move, delete with their contents
//! (dashboards, subfolders and library elements),
//! list, and the lookup-or-create used by dashboard providers. Folders nest (as in
//! Grafana 12, where nested folders are on by default) up to [`MAX_DEPTH`] levels;
//! titles need not be unique, not even under one parent, but no folder may be
//! titled `General` in any case, since that is the name of the root.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::Store;
use crate::error::{ApiError, ApiResult};
use crate::ident;

/// One folder. Folders take ids from the same sequence as dashboards.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Folder {
    pub id: i64,
    pub uid: String,
    pub title: String,
    pub description: String,
    pub parent_uid: String,
    pub version: i64,
    pub created: String,
    pub updated: String,
    pub created_by: String,
    pub updated_by: String,
}

impl Folder {
    pub fn slug(&self) -> String {
        ident::slugify(&self.title)
    }

    /// `/dashboards/f/<uid>/<slug>`.
    pub fn url(&self) -> String {
        format!("/dashboards/f/{}/{}", self.uid, self.slug())
    }
}

/// How deep folders nest: a folder directly at the root has depth 1.
pub const MAX_DEPTH: usize = 4;

/// Whether a title is the root's name, which no folder may take.
pub fn is_root_title(title: &str) -> bool {
    title.trim().eq_ignore_ascii_case("general")
}

/// The answer to a folder titled `General` (any case), on create and on update.
pub fn root_title_taken() -> ApiError {
    ApiError::message(409, "a folder with that name already exists")
}

fn max_depth_reached() -> ApiError {
    ApiError::new_json(
        400,
        json!({
            "messageId": "folder.maximum-depth-reached",
            "message": "Maximum nested folder depth reached",
        }),
    )
}

/// The 404 the folder API answers for an unknown uid.
pub fn folder_not_found() -> ApiError {
    ApiError::status(404, "not-found", "folder not found")
}

impl Store {
    /// `POST /api/folders`.
    pub fn create_folder(
        &mut self,
        uid: &str,
        title: &str,
        parent_uid: &str,
        description: &str,
        actor: &str,
    ) -> ApiResult<Folder> {
        let title = title.trim();
        if title.is_empty() {
            return Err(ApiError::message(400, "folder title cannot be empty"));
        }
        if is_root_title(title) {
            return Err(root_title_taken());
        }
        let mut uid = uid.trim().to_string();
        if !ident::is_valid_uid(&uid) {
            return Err(ApiError::message(400, "uid contains illegal characters"));
        }
        if ident::uid_too_long(&uid) {
            return Err(ApiError::message(400, "uid too long, max 40 characters"));
        }
        if uid == "general" {
            return Err(ApiError::message(400, "invalid uid for folder provided"));
        }
        if !parent_uid.is_empty() {
            let parent = self.folders.get(parent_uid).ok_or_else(folder_not_found)?;
            if self.depth(parent) + 1 > MAX_DEPTH {
                return Err(max_depth_reached());
            }
        }
        if uid.is_empty() {
            uid = self.unused_uid();
        } else if self.object_by_uid(&uid).is_some() {
            return Err(ApiError::message(
                409,
                "a folder/dashboard with the same uid already exists",
            ));
        }
        let now = crate::clock::now();
        let folder = Folder {
            id: self.allocate_object_id(),
            uid: uid.clone(),
            title: title.to_string(),
            description: description.to_string(),
            parent_uid: parent_uid.to_string(),
            version: 1,
            created: now.clone(),
            updated: now,
            created_by: actor.to_string(),
            updated_by: actor.to_string(),
        };
        self.folders.insert(uid, folder.clone());
        Ok(folder)
    }

    /// `PUT /api/folders/:uid`: a stale `version` without `overwrite` is a 412.
    pub fn update_folder(
        &mut self,
        uid: &str,
        title: Option<&str>,
        description: Option<&str>,
        version: i64,
        overwrite: bool,
        actor: &str,
    ) -> ApiResult<Folder> {
        let folder = self.folders.get_mut(uid).ok_or_else(folder_not_found)?;
        if !overwrite && version != folder.version {
            return Err(ApiError::status(
                412,
                "version-mismatch",
                "the folder has been changed by someone else",
            ));
        }
        if let Some(title) = title {
            let title = title.trim();
            if title.is_empty() {
                return Err(ApiError::message(400, "folder title cannot be empty"));
            }
            if is_root_title(title) {
                return Err(root_title_taken());
            }
            folder.title = title.to_string();
        }
        if let Some(description) = description {
            folder.description = description.to_string();
        }
        folder.version += 1;
        folder.updated = crate::clock::now();
        folder.updated_by = actor.to_string();
        Ok(folder.clone())
    }

    /// How deep a folder sits: 1 at the root, one more per ancestor.
    pub fn depth(&self, folder: &Folder) -> usize {
        self.folder_parents(folder).len() + 1
    }

    /// `POST /api/folders/:uid/move`: `parent_uid` empty moves to the root.
    pub fn move_folder(&mut self, uid: &str, parent_uid: &str, actor: &str) -> ApiResult<Folder> {
        let folder = self
            .folders
            .get(uid)
            .cloned()
            .ok_or_else(folder_not_found)?;
        let subtree = self.folder_subtree(uid);
        if !parent_uid.is_empty() {
            let parent = self.folders.get(parent_uid).ok_or_else(folder_not_found)?;
            if parent_uid == uid {
                return Err(ApiError::message(400, "folder cannot be parent of itself"));
            }
            if subtree.iter().any(|f| f == parent_uid) {
                return Err(ApiError::message(
                    400,
                    "cannot move folder under its own descendant, this would create a circular reference",
                ));
            }
            let below = subtree
                .iter()
                .filter_map(|f| self.folders.get(f))
                .map(|f| self.depth(f) + 1 - self.depth(&folder))
                .max()
                .unwrap_or(1);
            if self.depth(parent) + below > MAX_DEPTH {
                return Err(max_depth_reached());
            }
        }
        let folder = self.folders.get_mut(uid).expect("checked above");
        folder.parent_uid = parent_uid.to_string();
        folder.version += 1;
        folder.updated = crate::clock::now();
        folder.updated_by = actor.to_string();
        Ok(folder.clone())
    }

    /// The uids of a folder and all folders below it.
    fn folder_subtree(&self, uid: &str) -> Vec<String> {
        let mut out = vec![uid.to_string()];
        let mut i = 0;
        while i < out.len() {
            let parent = out[i].clone();
            out.extend(
                self.folders
                    .values()
                    .filter(|f| f.parent_uid == parent)
                    .map(|f| f.uid.clone()),
            );
            i += 1;
        }
        out
    }

    /// `DELETE /api/folders/:uid`: removes the folder, its subfolders and their dashboards.
    pub fn delete_folder(&mut self, uid: &str) -> ApiResult<Folder> {
        let folder = self
            .folders
            .get(uid)
            .cloned()
            .ok_or_else(folder_not_found)?;
        for f in self.folder_subtree(uid) {
            let inside: Vec<String> = self
                .dashboards
                .values()
                .filter(|d| d.folder_uid == f)
                .map(|d| d.uid.clone())
                .collect();
            for d in inside {
                self.remove_dashboard(&d);
            }
            self.library_elements.retain(|_, e| e.folder_uid != f);
            self.folders.remove(&f);
        }
        Ok(folder)
    }

    /// The chain of ancestors of a folder, root first.
    pub fn folder_parents(&self, folder: &Folder) -> Vec<Folder> {
        let mut chain = Vec::new();
        let mut parent = folder.parent_uid.clone();
        while let Some(p) = self.folders.get(&parent) {
            if chain.iter().any(|f: &Folder| f.uid == p.uid) {
                break;
            }
            chain.push(p.clone());
            parent = p.parent_uid.clone();
        }
        chain.reverse();
        chain
    }

    /// `GET /api/folders`: the children of `parent_uid` (root when empty), by title.
    pub fn list_folders(&self, parent_uid: &str, limit: usize, page: usize) -> Vec<Value> {
        let mut children: Vec<&Folder> = self
            .folders
            .values()
            .filter(|f| f.parent_uid == parent_uid)
            .collect();
        children.sort_by_key(|f| f.title.to_lowercase());
        children
            .into_iter()
            .skip(limit * page.saturating_sub(1))
            .take(limit)
            .map(|f| {
                let mut hit = json!({ "id": f.id, "uid": f.uid, "title": f.title });
                if !f.parent_uid.is_empty() {
                    hit["parentUid"] = Value::String(f.parent_uid.clone());
                }
                hit
            })
            .collect()
    }

    /// A provider's folder: found by uid when one is given, otherwise by title under
    /// any parent (Grafana's file provisioner looks a title up without a parent, so a
    /// nested folder of that title is taken; of several, the stand-in takes the
    /// oldest); created at the root when missing. A title of `General` fails here,
    /// at creation, as it does in Grafana.
    pub fn folder_for_provider(&mut self, title: &str, uid: &str) -> ApiResult<String> {
        if !uid.is_empty() {
            if let Some(f) = self.folders.get(uid) {
                return Ok(f.uid.clone());
            }
        } else if let Some(f) = self
            .folders
            .values()
            .filter(|f| f.title == title)
            .min_by_key(|f| f.id)
        {
            return Ok(f.uid.clone());
        }
        Ok(self.create_folder(uid, title, "", "", "provisioning")?.uid)
    }
}
