//! Library elements (library panels): create, read, search, patch and delete with
//! the checks and error texts of Grafana's library elements service, the
//! connection rule (an element used by a dashboard cannot be deleted), the check
//! Grafana runs after every `POST /api/dashboards/db` (every `libraryPanel` must
//! name an existing element) and the creation of missing elements from an
//! imported dashboard's `__elements`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::Store;
use crate::error::{ApiError, ApiResult};
use crate::ident;

/// One library element; `folder_uid` is empty at the root.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LibraryElement {
    pub id: i64,
    pub uid: String,
    pub folder_uid: String,
    pub name: String,
    pub kind: i64,
    pub element_type: String,
    pub description: String,
    pub model: Value,
    pub version: i64,
    pub created: String,
    pub updated: String,
    pub created_by: (i64, String),
    pub updated_by: (i64, String),
}

/// Who is acting: user id and login, for the `createdBy`/`updatedBy` fields.
pub type Actor<'a> = (i64, &'a str);

/// What `POST /api/library-elements` asks for, after the folder was resolved.
#[derive(Debug, Clone, Default)]
pub struct NewElement {
    pub uid: String,
    pub name: String,
    pub folder_uid: String,
    pub kind: i64,
    pub model: Option<Value>,
}

/// Which endpoint a DTO is for: Grafana fills the folder fields differently in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtoFor {
    /// Create and patch: a root element has empty folder fields.
    Write,
    /// Get by uid or name: the root is `general` / `General`.
    Read,
    /// Search: `folderUid` as stored, `folderName` `General` at the root.
    Search,
}

pub fn element_not_found() -> ApiError {
    ApiError::message(404, "library element could not be found")
}

fn already_exists() -> ApiError {
    ApiError::message(400, "library element with that name or UID already exists")
}

/// A panel's `libraryPanel` reference: `(uid, name)`, empty when absent.
pub type PanelRef = (String, String);

fn field(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The `libraryPanel` references of a dashboard's panels, rows' panels included.
/// As in Grafana, a panel with a `libraryPanel` is a library panel whatever its type.
pub fn panel_refs(panels: Option<&Value>) -> Vec<PanelRef> {
    let mut out = Vec::new();
    for panel in panels.and_then(Value::as_array).into_iter().flatten() {
        match panel.get("libraryPanel").filter(|l| !l.is_null()) {
            Some(lib) => out.push((field(lib, "uid"), field(lib, "name"))),
            None if field(panel, "type") == "row" => out.extend(panel_refs(panel.get("panels"))),
            None => {}
        }
    }
    out
}

/// `type` and `description` come from the model; the model gets them when missing.
fn sync_with_model(model: &mut Map<String, Value>) -> (String, String) {
    let mut take = |key: &str| {
        let text = model
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        model.insert(key.into(), Value::String(text.clone()));
        text
    };
    (take("type"), take("description"))
}

impl Store {
    fn folder_title(&self, uid: &str) -> Option<String> {
        self.folders.get(uid).map(|f| f.title.clone())
    }

    /// The element's DTO as the given endpoint answers it.
    pub fn element_json(&self, e: &LibraryElement, dto: DtoFor) -> Value {
        let title = self.folder_title(&e.folder_uid);
        let (folder_uid, folder_name) = match (dto, title) {
            (_, Some(t)) => (e.folder_uid.clone(), t),
            (DtoFor::Write, None) => (String::new(), String::new()),
            (DtoFor::Read, None) => ("general".to_string(), "General".to_string()),
            (DtoFor::Search, None) => (e.folder_uid.clone(), "General".to_string()),
        };
        let folder_id = self.folders.get(&e.folder_uid).map(|f| f.id).unwrap_or(0);
        let user = |(id, login): &(i64, String)| json!({"id": id, "name": login, "avatarUrl": ""});
        json!({
            "id": e.id, "orgId": 1, "folderId": folder_id, "folderUid": folder_uid,
            "uid": e.uid, "name": e.name, "kind": e.kind, "type": e.element_type,
            "description": e.description, "model": e.model, "version": e.version,
            "meta": {
                "folderName": folder_name, "folderUid": folder_uid,
                "connectedDashboards": self.connected_dashboards(&e.uid).len(),
                "created": e.created, "updated": e.updated,
                "createdBy": user(&e.created_by), "updatedBy": user(&e.updated_by),
            },
        })
    }

    /// The uids of the dashboards whose panels use this element.
    pub fn connected_dashboards(&self, element_uid: &str) -> Vec<String> {
        self.dashboards
            .values()
            .filter(|d| {
                panel_refs(d.data.get("panels"))
                    .iter()
                    .any(|(uid, _)| uid == element_uid)
            })
            .map(|d| d.uid.clone())
            .collect()
    }

    fn name_taken(&self, folder_uid: &str, name: &str, kind: i64, except: &str) -> bool {
        self.library_elements.values().any(|e| {
            e.uid != except && e.folder_uid == folder_uid && e.name == name && e.kind == kind
        })
    }

    /// `POST /api/library-elements`.
    pub fn create_element(&mut self, cmd: NewElement, actor: Actor) -> ApiResult<LibraryElement> {
        let failed = || ApiError::message(500, "Failed to create library element");
        if !matches!(cmd.kind, 1 | 2) {
            return Err(failed());
        }
        let uid = if cmd.uid.is_empty() {
            self.unused_element_uid()
        } else if !ident::is_valid_uid(&cmd.uid) {
            return Err(ApiError::message(400, "uid contains illegal characters"));
        } else if ident::uid_too_long(&cmd.uid) {
            return Err(ApiError::message(400, "uid too long, max 40 characters"));
        } else {
            cmd.uid.clone()
        };
        let mut model = match cmd.model {
            Some(Value::Object(m)) => m,
            Some(Value::Null) => Map::new(),
            _ => return Err(failed()),
        };
        if cmd.kind == 1 {
            if let Some(Value::Object(lib)) = model.get_mut("libraryPanel") {
                if lib.get("uid") == Some(&json!("")) {
                    lib.insert("uid".into(), json!(uid));
                }
            }
        }
        let (element_type, description) = sync_with_model(&mut model);
        if self.library_elements.contains_key(&uid)
            || self.name_taken(&cmd.folder_uid, &cmd.name, cmd.kind, "")
        {
            return Err(already_exists());
        }
        let now = crate::clock::now();
        let element = LibraryElement {
            id: self.allocate_library_id(),
            uid: uid.clone(),
            folder_uid: cmd.folder_uid,
            name: cmd.name,
            kind: cmd.kind,
            element_type,
            description,
            model: Value::Object(model),
            version: 1,
            created: now.clone(),
            updated: now,
            created_by: (actor.0, actor.1.to_string()),
            updated_by: (actor.0, actor.1.to_string()),
        };
        self.library_elements.insert(uid, element.clone());
        Ok(element)
    }

    fn unused_element_uid(&self) -> String {
        loop {
            let uid = ident::generate_uid();
            if !self.library_elements.contains_key(&uid) {
                return uid;
            }
        }
    }

    /// `PATCH /api/library-elements/:uid`: `version` must match; an empty name or a
    /// missing model keeps the stored one; `folder_uid` `None` keeps the folder.
    pub fn patch_element(
        &mut self,
        uid: &str,
        cmd: NewElement,
        folder_uid: Option<String>,
        version: i64,
        actor: Actor,
    ) -> ApiResult<LibraryElement> {
        if !matches!(cmd.kind, 1 | 2) {
            return Err(ApiError::message(500, "Failed to update library element"));
        }
        let current = self
            .library_elements
            .get(uid)
            .cloned()
            .ok_or_else(element_not_found)?;
        if current.version != version {
            return Err(ApiError::message(
                412,
                "the library element has been changed by someone else",
            ));
        }
        let new_uid = if cmd.uid.is_empty() {
            uid.to_string()
        } else {
            cmd.uid.clone()
        };
        if new_uid != uid {
            if !ident::is_valid_uid(&new_uid) {
                return Err(ApiError::message(400, "uid contains illegal characters"));
            }
            if ident::uid_too_long(&new_uid) {
                return Err(ApiError::message(400, "uid too long, max 40 characters"));
            }
            if self.library_elements.contains_key(&new_uid) {
                return Err(already_exists());
            }
        }
        let mut next = current.clone();
        next.uid = new_uid.clone();
        if !cmd.name.is_empty() {
            next.name = cmd.name;
        }
        if let Some(f) = folder_uid {
            next.folder_uid = f;
        }
        if let Some(model) = cmd.model {
            let mut model = match model {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            let (t, d) = sync_with_model(&mut model);
            (next.element_type, next.description, next.model) = (t, d, Value::Object(model));
        }
        if self.name_taken(&next.folder_uid, &next.name, next.kind, uid) {
            return Err(already_exists());
        }
        next.version += 1;
        next.updated = crate::clock::now();
        next.updated_by = (actor.0, actor.1.to_string());
        self.library_elements.remove(uid);
        self.library_elements.insert(new_uid, next.clone());
        Ok(next)
    }

    /// `DELETE /api/library-elements/:uid`: refused while a dashboard uses it.
    pub fn delete_element(&mut self, uid: &str) -> ApiResult<LibraryElement> {
        if !self.library_elements.contains_key(uid) {
            return Err(element_not_found());
        }
        if !self.connected_dashboards(uid).is_empty() {
            return Err(ApiError::message(
                403,
                "the library element has connections",
            ));
        }
        Ok(self.library_elements.remove(uid).expect("checked above"))
    }

    /// What Grafana checks after saving a dashboard ("connecting" its library
    /// panels): every reference has a uid and names an existing element.
    pub fn check_library_panels(&self, dashboard: &Value) -> Result<(), String> {
        for (uid, _) in panel_refs(dashboard.get("panels")) {
            if uid.is_empty() {
                return Err("library panel uid is missing".into());
            }
            if !self.library_elements.contains_key(&uid) {
                return Err(format!("library element {uid:?} could not be found"));
            }
        }
        Ok(())
    }

    /// Creates the library panels an imported dashboard references but this
    /// instance lacks, from its `__elements` (an object by uid, or an array), in the
    /// import's folder. Existing elements are left as they are. `Err` says why the
    /// import fails (Grafana answers it with a bare 500 "Failed to save dashboard").
    pub fn import_library_panels(
        &mut self,
        elements: &Value,
        panels: Option<&Value>,
        folder_uid: &str,
        actor: Actor,
    ) -> Result<(), String> {
        let by_uid = |uid: &str| -> Option<Value> {
            match elements {
                Value::Object(m) => m.get(uid).cloned(),
                Value::Array(a) => a.iter().find(|e| field(e, "uid") == uid).cloned(),
                _ => None,
            }
        };
        for (uid, name) in panel_refs(panels) {
            if uid.is_empty() {
                return Err("library panel uid is missing".into());
            }
            if self.library_elements.contains_key(&uid) {
                continue;
            }
            if name.is_empty() {
                return Err(format!("library panel {uid:?} has no name"));
            }
            // A uid missing from __elements still gets an element, with an empty
            // model, as Grafana's importer does.
            let model = match by_uid(&uid).and_then(|e| e.get("model").cloned()) {
                Some(Value::Object(mut m)) => {
                    m.insert("libraryPanel".into(), json!({ "uid": uid }));
                    Value::Object(m)
                }
                _ => Value::Null,
            };
            let cmd = NewElement {
                uid: uid.clone(),
                name,
                folder_uid: folder_uid.to_string(),
                kind: 1,
                model: Some(model),
            };
            self.create_element(cmd, actor)
                .map_err(|e| format!("library panel {uid:?}: {}", e.text()))?;
        }
        Ok(())
    }

    /// `GET /api/library-elements`: filters, sorts by name and pages.
    pub fn search_elements(&self, q: &ElementQuery) -> Value {
        let needle = q.search.to_lowercase();
        let mut hits: Vec<&LibraryElement> = self
            .library_elements
            .values()
            .filter(|e| {
                let folder = self.folder_title(&e.folder_uid).unwrap_or_default();
                needle.is_empty()
                    || [&e.name, &e.description, &folder]
                        .iter()
                        .any(|t| t.to_lowercase().contains(&needle))
            })
            .filter(|e| q.kind == 0 || e.kind == q.kind)
            .filter(|e| q.types.is_empty() || q.types.contains(&e.element_type))
            .filter(|e| e.uid != q.exclude)
            .filter(|e| {
                q.folders.as_ref().is_none_or(|wanted| {
                    wanted.iter().any(|w| match w.as_str() {
                        "" | "general" => e.folder_uid.is_empty(),
                        uid => e.folder_uid == uid,
                    })
                })
            })
            .collect();
        hits.sort_by(|a, b| a.name.cmp(&b.name));
        if q.desc {
            hits.reverse();
        }
        let total = hits.len();
        let elements: Vec<Value> = hits
            .into_iter()
            .skip(q.per_page * (q.page - 1))
            .take(q.per_page)
            .map(|e| self.element_json(e, DtoFor::Search))
            .collect();
        json!({"result": {
            "totalCount": total, "elements": elements, "page": q.page, "perPage": q.per_page,
        }})
    }
}

/// The query of a library element search; `page` starts at 1.
#[derive(Debug, Clone)]
pub struct ElementQuery {
    pub search: String,
    pub kind: i64,
    pub types: Vec<String>,
    pub exclude: String,
    /// `None`: every folder; `""` or `general` stands for the root.
    pub folders: Option<Vec<String>>,
    pub per_page: usize,
    pub page: usize,
    pub desc: bool,
}
