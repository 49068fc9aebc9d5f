//! The public entry points: [`StandIn::builder`] to configure, [`Builder::start`] to
//! bind and serve, and [`Running`] with the hooks tests use (fault injection,
//! request counts, user edits of stored dashboards).

use serde_json::Value;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::{self, AppState, Config, Shared, VersionsList};
use crate::faults::{Fault, Hooks, RecordedRequest};
use crate::log::{LogLevel, Logger};
use crate::persist::Persister;
use crate::store::{Accounts, Role, Settings, Store};

/// The Grafana stand-in. Start one with [`StandIn::builder`].
pub struct StandIn;

impl StandIn {
    pub fn builder() -> Builder {
        Builder::default()
    }
}

/// Why a stand-in did not start.
#[derive(Debug)]
pub enum StartError {
    /// The listening socket could not be bound.
    Bind(std::io::Error),
    /// A provisioning file was malformed or a provider path does not exist.
    Provisioning(String),
    /// The data directory or the state file in it cannot be used.
    Data(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Bind(e) => write!(f, "cannot listen: {e}"),
            StartError::Provisioning(e) => write!(f, "provisioning failed: {e}"),
            StartError::Data(e) => write!(f, "cannot use the data directory: {e}"),
        }
    }
}

impl std::error::Error for StartError {}

/// Settings of a stand-in before it starts.
#[derive(Debug, Clone)]
pub struct Builder {
    admin_user: String,
    admin_password: String,
    tokens: Vec<(String, Role)>,
    provisioning_dir: Option<PathBuf>,
    data_dir: Option<PathBuf>,
    bind: SocketAddr,
    anonymous: Option<Role>,
    hide_version: bool,
    datasource_timeout: Duration,
    min_refresh_interval: Option<String>,
    versions_list: VersionsList,
    reject_duplicate_titles: bool,
    log_level: LogLevel,
    poll_provisioning: bool,
    save_delay: Duration,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            admin_user: "admin".into(),
            admin_password: "admin".into(),
            tokens: Vec::new(),
            provisioning_dir: None,
            data_dir: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            anonymous: None,
            hide_version: false,
            datasource_timeout: Duration::from_secs(30),
            min_refresh_interval: Some("5s".into()),
            versions_list: VersionsList::Paged,
            reject_duplicate_titles: false,
            log_level: LogLevel::Warn,
            poll_provisioning: true,
            save_delay: Duration::ZERO,
        }
    }
}

impl Builder {
    /// The admin login and password (default `admin`/`admin`).
    pub fn admin(mut self, user: &str, password: &str) -> Self {
        self.admin_user = user.into();
        self.admin_password = password.into();
        self
    }

    /// Accepts `token` as a Bearer token of an Admin service account.
    pub fn token(self, token: &str) -> Self {
        self.token_with_role(token, Role::Admin)
    }

    /// Accepts `token` as a Bearer token of a service account with `role`.
    pub fn token_with_role(mut self, token: &str, role: Role) -> Self {
        self.tokens.push((token.into(), role));
        self
    }

    /// Reads `datasources/` and `dashboards/` below this directory at start.
    pub fn provisioning_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.provisioning_dir = Some(dir.into());
        self
    }

    /// Keeps the state in this directory (Grafana's `paths.data`) across restarts;
    /// without one the state lives in memory only. The admin user and password
    /// apply only when the directory holds no state yet, as in Grafana.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Where to listen (default `127.0.0.1:0`, an ephemeral port).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Lets requests without credentials in with `role` (`[auth.anonymous]`).
    pub fn anonymous(mut self, role: Role) -> Self {
        self.anonymous = Some(role);
        self
    }

    /// Leaves `version` and `commit` out of `/api/health`.
    pub fn hide_version(mut self, hide: bool) -> Self {
        self.hide_version = hide;
        self
    }

    /// Timeout of data source health checks (Grafana's `[dataproxy] timeout`, 30 s).
    pub fn datasource_timeout(mut self, timeout: Duration) -> Self {
        self.datasource_timeout = timeout;
        self
    }

    /// `[dashboards] min_refresh_interval` (default `5s`; `None` disables it).
    pub fn min_refresh_interval(mut self, interval: Option<&str>) -> Self {
        self.min_refresh_interval = interval.map(str::to_string);
        self
    }

    /// The shape of the versions list (default: the newer paged shape).
    pub fn versions_list(mut self, shape: VersionsList) -> Self {
        self.versions_list = shape;
        self
    }

    /// Answer 412 `name-exists` for a duplicate title in a folder, as older Grafana did.
    pub fn reject_duplicate_titles(mut self, reject: bool) -> Self {
        self.reject_duplicate_titles = reject;
        self
    }

    /// Stderr log level (default: warnings and errors only).
    pub fn log_level(mut self, level: LogLevel) -> Self {
        self.log_level = level;
        self
    }

    /// Re-read provider paths every `updateIntervalSeconds` (default on).
    pub fn poll_provisioning(mut self, poll: bool) -> Self {
        self.poll_provisioning = poll;
        self
    }

    /// Makes every dashboard save (`POST /api/dashboards/db` and
    /// `/api/dashboards/import`) take this long before it is stored, standing
    /// for the database write a real Grafana does (default: none). The wait
    /// holds no lock, so concurrent saves overlap, as on a server database;
    /// Grafana on SQLite serialises its writes instead. For benchmarks: the
    /// stand-in otherwise answers faster than any Grafana can.
    pub fn save_delay(mut self, delay: Duration) -> Self {
        self.save_delay = delay;
        self
    }

    /// Binds, provisions and starts serving.
    pub async fn start(self) -> Result<Running, StartError> {
        let logger = Logger {
            level: self.log_level,
        };
        let settings = Settings {
            min_refresh_interval: self.min_refresh_interval.clone(),
            reject_duplicate_titles: self.reject_duplicate_titles,
        };
        let (persist, stored) = match &self.data_dir {
            Some(dir) => {
                let (p, stored) = Persister::open(dir).map_err(|e| {
                    logger.error("cannot use the data directory", &[("error", &e)]);
                    StartError::Data(e)
                })?;
                (Some(p), stored)
            }
            None => (None, None),
        };
        let mut store = match stored {
            Some(mut store) => {
                store.settings = settings;
                if store.accounts.admin.password != self.admin_password {
                    logger.info(
                        "the admin password from the environment is not applied: it applies only when the database is created",
                        &[("user", &store.accounts.admin.login)],
                    );
                }
                store
            }
            None => Store::new(
                settings,
                Accounts::new(&self.admin_user, &self.admin_password),
            ),
        };
        for (i, (token, role)) in self.tokens.iter().enumerate() {
            let name = format!("stand-in token {}", i + 1);
            if store
                .accounts
                .service_accounts
                .iter()
                .any(|sa| sa.name == name)
            {
                continue;
            }
            let sa = store
                .accounts
                .create_service_account(&name, *role, false)
                .expect("distinct names");
            store
                .accounts
                .add_token(sa.id, "preset", Some(token.clone()), None)
                .expect("new account");
        }
        let state: AppState = Arc::new(Shared {
            store: Mutex::new(store),
            hooks: Mutex::new(Hooks::default()),
            providers: Mutex::new(Vec::new()),
            config: Config {
                anonymous: self.anonymous,
                hide_version: self.hide_version,
                datasource_timeout: self.datasource_timeout,
                versions_list: self.versions_list,
                provisioning_dir: self.provisioning_dir.clone(),
                save_delay: self.save_delay,
            },
            logger,
            persist,
            metrics: Mutex::new(Default::default()),
        });
        if let Some(p) = &state.persist {
            p.save(&state.store).map_err(|e| {
                logger.error("cannot save the state", &[("error", &e)]);
                StartError::Data(e)
            })?;
            logger.info("state kept in", &[("file", &p.file().display())]);
        }
        crate::provisioning::provision_at_start(&state)
            .await
            .map_err(|e| {
                logger.error("provisioning failed", &[("error", &e)]);
                StartError::Provisioning(e)
            })?;
        let listener = tokio::net::TcpListener::bind(self.bind)
            .await
            .map_err(StartError::Bind)?;
        let addr = listener.local_addr().map_err(StartError::Bind)?;
        let (tx, mut rx) = watch::channel(false);
        let app = api::router(state.clone());
        let server = tokio::spawn(async move {
            let stop = async move {
                let _ = rx.wait_for(|stop| *stop).await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(stop)
                .await
            {
                logger.error("server stopped", &[("error", &e)]);
            }
        });
        let poller = self
            .poll_provisioning
            .then(|| crate::provisioning::spawn_poller(state.clone()));
        logger.info(
            "grafana stand-in listening",
            &[
                ("address", &addr),
                ("version", &env!("CARGO_PKG_VERSION")),
                ("imitates", &crate::metrics::GRAFANA_VERSION),
            ],
        );
        Ok(Running {
            addr,
            state,
            stop: tx,
            server: Some(server),
            poller,
        })
    }
}

/// A started stand-in. Dropping it stops the server.
pub struct Running {
    addr: SocketAddr,
    state: AppState,
    stop: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    poller: Option<JoinHandle<()>>,
}

impl Running {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>` without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Adds a fault; see [`Fault`].
    pub fn inject(&self, fault: Fault) {
        self.state
            .hooks
            .lock()
            .expect("hooks lock")
            .faults
            .push(fault);
    }

    /// The next `times` requests to `path` (any method) answer `status`.
    pub fn fail_next(&self, path: &str, times: usize, status: u16) {
        self.inject(Fault::new(path, status).times(times));
    }

    /// Drops all pending faults.
    pub fn clear_faults(&self) {
        self.state.hooks.lock().expect("hooks lock").faults.clear();
    }

    /// How many requests with this method and exact path arrived (faulted ones too).
    pub fn request_count(&self, method: &str, path: &str) -> usize {
        let hooks = self.state.hooks.lock().expect("hooks lock");
        let key = (method.to_ascii_uppercase(), path.to_string());
        hooks.counts.get(&key).copied().unwrap_or(0)
    }

    /// The most recent requests (up to 10 000), in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        let hooks = self.state.hooks.lock().expect("hooks lock");
        hooks.requests.iter().cloned().collect()
    }

    /// Forgets the recorded requests and resets the counts.
    pub fn clear_requests(&self) {
        self.state
            .hooks
            .lock()
            .expect("hooks lock")
            .clear_requests();
    }

    /// Changes a stored dashboard as a person saving in the UI would: `edit` gets the
    /// JSON model, and the version goes up by one. Returns the new version.
    pub fn edit_dashboard(&self, uid: &str, edit: impl FnOnce(&mut Value)) -> Option<i64> {
        let version = self.state.store().edit_as_user(uid, edit);
        self.state.persist();
        version
    }

    /// A user edit that changes nothing but the version.
    pub fn bump_dashboard_version(&self, uid: &str) -> Option<i64> {
        self.edit_dashboard(uid, |_| {})
    }

    /// The stored JSON model of a dashboard.
    pub fn dashboard(&self, uid: &str) -> Option<Value> {
        self.state
            .store()
            .dashboards
            .get(uid)
            .map(|d| d.data.clone())
    }

    /// The stored JSON model of a library element.
    pub fn library_element(&self, uid: &str) -> Option<Value> {
        self.state
            .store()
            .library_elements
            .get(uid)
            .map(|e| e.model.clone())
    }

    /// The uids and titles of the folders directly below `parent_uid` (the root
    /// when empty), by title.
    pub fn folders_in(&self, parent_uid: &str) -> Vec<(String, String)> {
        let store = self.state.store();
        let mut list: Vec<(String, String)> = store
            .folders
            .values()
            .filter(|f| f.parent_uid == parent_uid)
            .map(|f| (f.uid.clone(), f.title.clone()))
            .collect();
        list.sort_by(|a, b| a.1.cmp(&b.1));
        list
    }

    /// The uid of the folder a dashboard is in (empty at the root).
    pub fn dashboard_folder(&self, uid: &str) -> Option<String> {
        self.state
            .store()
            .dashboards
            .get(uid)
            .map(|d| d.folder_uid.clone())
    }

    /// The stored version of a dashboard.
    pub fn dashboard_version(&self, uid: &str) -> Option<i64> {
        self.state.store().dashboards.get(uid).map(|d| d.version)
    }

    /// Re-reads data source and dashboard provisioning now (as the admin reload
    /// endpoints do).
    pub async fn reload_provisioning(&self) -> Result<(), String> {
        crate::provisioning::reload_datasources(&self.state).await?;
        crate::provisioning::reload_dashboards(&self.state).await
    }

    /// Serves until [`Running::shutdown`] is called elsewhere or the task ends.
    pub async fn wait(mut self) {
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }

    /// Stops accepting requests and waits for open ones to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }

    /// A handle that stops the server from another task.
    pub fn stopper(&self) -> impl Fn() + Send + Sync + 'static {
        let tx = self.stop.clone();
        move || {
            let _ = tx.send(true);
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(poller) = self.poller.take() {
            poller.abort();
        }
    }
}
