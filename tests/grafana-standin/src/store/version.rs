//! Dashboard version history: one record per save, listed newest first.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{Dashboard, Store};

/// One saved version of a dashboard.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VersionRecord {
    pub id: i64,
    pub dashboard_id: i64,
    pub dashboard_uid: String,
    pub parent_version: i64,
    pub restored_from: i64,
    pub version: i64,
    pub created: String,
    pub created_by: String,
    pub message: String,
    pub data: Value,
}

impl VersionRecord {
    /// The list-item shape (without `data`).
    pub fn meta_json(&self) -> Value {
        json!({
            "id": self.id,
            "dashboardId": self.dashboard_id,
            "uid": self.dashboard_uid,
            "parentVersion": self.parent_version,
            "restoredFrom": self.restored_from,
            "version": self.version,
            "created": self.created,
            "createdBy": self.created_by,
            "message": self.message,
        })
    }

    /// The single-version shape, with the dashboard JSON under `data`.
    pub fn full_json(&self) -> Value {
        let mut v = self.meta_json();
        v["data"] = self.data.clone();
        v
    }
}

impl Store {
    pub(crate) fn record_version(
        &mut self,
        dash: &Dashboard,
        parent_version: i64,
        restored_from: i64,
        message: &str,
    ) {
        let id = self.allocate_version_id();
        let message = if restored_from > 0 {
            format!("Restored from version {restored_from}")
        } else if parent_version == 0 && dash.version == 1 {
            "Initial save".to_string()
        } else {
            message.to_string()
        };
        self.versions.push(VersionRecord {
            id,
            dashboard_id: dash.id,
            dashboard_uid: dash.uid.clone(),
            parent_version,
            restored_from,
            version: dash.version,
            created: dash.updated.clone(),
            created_by: dash.updated_by.clone(),
            message,
            data: dash.data.clone(),
        });
    }

    /// Versions of a dashboard, newest first, after `start` and at most `limit`.
    pub fn list_versions(
        &self,
        dashboard_id: i64,
        limit: usize,
        start: usize,
    ) -> Vec<&VersionRecord> {
        let mut list: Vec<&VersionRecord> = self
            .versions
            .iter()
            .filter(|v| v.dashboard_id == dashboard_id)
            .collect();
        list.sort_by_key(|v| std::cmp::Reverse(v.version));
        list.into_iter().skip(start).take(limit).collect()
    }

    pub fn find_version(&self, dashboard_id: i64, version: i64) -> Option<&VersionRecord> {
        self.versions
            .iter()
            .find(|v| v.dashboard_id == dashboard_id && v.version == version)
    }
}
