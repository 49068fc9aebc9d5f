//! The state of the stand-in — dashboards, folders, versions, library elements,
//! data sources and accounts — with the id and uid rules Grafana applies. The HTTP
//! layer holds one mutex around a [`Store`]; nothing in here blocks or awaits. The
//! store serialises to JSON, which is how [`crate::persist`] keeps it on disk.

pub mod account;
pub mod dashboard;
pub mod datasource;
pub mod folder;
pub mod library;
pub mod search;
pub mod version;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub use account::{Accounts, Role};
pub use dashboard::{Dashboard, Provisioned, SaveCommand, SaveMode};
pub use datasource::{Datasource, DatasourceInput};
pub use folder::Folder;
pub use library::LibraryElement;
pub use version::VersionRecord;

/// Behaviour switches that real Grafana takes from its configuration.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `[dashboards] min_refresh_interval` (Grafana's default is `5s`).
    pub min_refresh_interval: Option<String>,
    /// Reproduce older Grafana's 412 `name-exists` for a duplicate title in a folder.
    pub reject_duplicate_titles: bool,
}

/// What the stand-in remembers of a dashboard provider from provisioning.
#[derive(Debug, Clone, Default)]
pub struct ProviderInfo {
    pub allow_ui_updates: bool,
    pub path: PathBuf,
}

/// A dashboard or folder row: both share Grafana's dashboard id sequence and uid space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    Dashboard,
    Folder,
}

/// All state of one stand-in instance (one organisation, id 1). Settings and the
/// providers read from provisioning files belong to the running process and are
/// not part of the serialised state.
#[derive(Debug, Serialize, Deserialize)]
pub struct Store {
    #[serde(skip)]
    pub settings: Settings,
    next_object_id: i64,
    pub dashboards: BTreeMap<String, Dashboard>,
    pub folders: BTreeMap<String, Folder>,
    pub versions: Vec<VersionRecord>,
    next_version_id: i64,
    #[serde(default)]
    pub library_elements: BTreeMap<String, LibraryElement>,
    #[serde(default = "first_id")]
    next_library_id: i64,
    pub datasources: Vec<Datasource>,
    next_datasource_id: i64,
    pub accounts: Accounts,
    #[serde(skip)]
    pub providers: BTreeMap<String, ProviderInfo>,
}

fn first_id() -> i64 {
    1
}

impl Store {
    pub fn new(settings: Settings, accounts: Accounts) -> Self {
        Store {
            settings,
            next_object_id: 1,
            dashboards: BTreeMap::new(),
            folders: BTreeMap::new(),
            versions: Vec::new(),
            next_version_id: 1,
            library_elements: BTreeMap::new(),
            next_library_id: 1,
            datasources: Vec::new(),
            next_datasource_id: 1,
            accounts,
            providers: BTreeMap::new(),
        }
    }

    pub(crate) fn allocate_object_id(&mut self) -> i64 {
        let id = self.next_object_id;
        self.next_object_id += 1;
        id
    }

    pub(crate) fn allocate_version_id(&mut self) -> i64 {
        let id = self.next_version_id;
        self.next_version_id += 1;
        id
    }

    pub(crate) fn allocate_library_id(&mut self) -> i64 {
        let id = self.next_library_id;
        self.next_library_id += 1;
        id
    }

    pub(crate) fn allocate_datasource_id(&mut self) -> i64 {
        let id = self.next_datasource_id;
        self.next_datasource_id += 1;
        id
    }

    /// Which kind of object, if any, owns this uid.
    pub fn object_by_uid(&self, uid: &str) -> Option<(ObjectKind, i64)> {
        if let Some(d) = self.dashboards.get(uid) {
            return Some((ObjectKind::Dashboard, d.id));
        }
        self.folders.get(uid).map(|f| (ObjectKind::Folder, f.id))
    }

    /// Which kind of object, and which uid, owns this id.
    pub fn object_by_id(&self, id: i64) -> Option<(ObjectKind, String)> {
        if let Some(d) = self.dashboards.values().find(|d| d.id == id) {
            return Some((ObjectKind::Dashboard, d.uid.clone()));
        }
        self.folders
            .values()
            .find(|f| f.id == id)
            .map(|f| (ObjectKind::Folder, f.uid.clone()))
    }

    /// A generated uid that no dashboard or folder uses yet.
    pub fn unused_uid(&self) -> String {
        loop {
            let uid = crate::ident::generate_uid();
            if self.object_by_uid(&uid).is_none() {
                return uid;
            }
        }
    }

    /// Whether the provider a dashboard came from allows saving it through the API.
    pub fn provider_allows_ui_updates(&self, provider: &str) -> bool {
        self.providers
            .get(provider)
            .map(|p| p.allow_ui_updates)
            .unwrap_or(false)
    }
}
