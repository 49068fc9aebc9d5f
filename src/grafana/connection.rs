//! Which Grafana the dashboards commands talk to, with which credentials,
//! and where obsctl keeps what it saved there; and turning a failed call into
//! the error that says what to do about it.
//!
//! Without `--url` it is the stack's own Grafana: the address it is
//! published on, its admin user, and the password `obsctl up` generated into
//! the stack directory. With `--url` it is any Grafana, and no spec is read.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use super::state::{self, STACK_STATE_FILE};
use super::{ApiError, Auth, Client};
use crate::credentials::GRAFANA_PASSWORD_FILE;
use crate::error::{Access, Error, GrafanaCredentials as Credentials};
use crate::model::defaults::{self, GRAFANA_ADMIN_USER, PROMETHEUS_DATASOURCE_UID};
use crate::probes::{probe_host, Http};
use crate::{spec, stack};

/// Which Grafana, as the command line names it: `url` (none for the
/// stack's own), and the credentials given, if any.
#[derive(Debug, Clone, Default)]
pub struct Login {
    pub url: Option<String>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub token: Option<String>,
}

/// A Grafana to work with.
pub struct Connection {
    pub client: Client,
    /// Where the versions obsctl saved into this Grafana are kept.
    pub state_path: PathBuf,
    /// The stack's Prometheus datasource uid, for the stack's own Grafana.
    pub own_datasource: Option<&'static str>,
    credentials: Credentials,
}

/// The Grafana `login` names (without a URL, the stack of spec `file`).
pub fn connect(file: Option<&Path>, login: &Login) -> Result<Connection, Error> {
    let given = |default_user: &str| -> Result<Option<(Auth, Credentials)>, Error> {
        Ok(match (&login.token, &login.user, &login.password) {
            (Some(token), _, _) => Some((Auth::Token(token.clone()), Credentials::Token)),
            (None, user, Some(password)) => Some((
                Auth::Basic {
                    user: user.clone().unwrap_or_else(|| default_user.to_string()),
                    password: password.clone(),
                },
                Credentials::Flags,
            )),
            (None, Some(_), None) => return Err(Error::UserWithoutPassword),
            (None, None, None) => None,
        })
    };
    if let Some(url) = &login.url {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Error::BadGrafanaUrl { url: url.clone() });
        }
        let (auth, credentials) =
            given(GRAFANA_ADMIN_USER)?.unwrap_or((Auth::None, Credentials::None));
        let env = |k: &str| std::env::var(k).ok();
        let state_path = state::path_for_url(url, &env).ok_or(Error::NoStateDir)?;
        return Ok(Connection {
            client: Client::new(Http::new(), url, auth),
            state_path,
            own_datasource: None,
            credentials,
        });
    }

    let own = own_grafana(file)?;
    let (auth, credentials) = match given(&own.admin_user)? {
        Some(given) => given,
        None => {
            let path = own.dir.join(GRAFANA_PASSWORD_FILE);
            let password =
                std::fs::read_to_string(&path).map_err(|e| Error::GrafanaPasswordUnreadable {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
            let auth = Auth::Basic {
                user: own.admin_user.clone(),
                password: password.trim_end_matches(['\n', '\r']).to_string(),
            };
            (auth, Credentials::PasswordFile(path))
        }
    };
    Ok(Connection {
        client: Client::new(Http::new(), &own.url, auth),
        state_path: own.dir.join(STACK_STATE_FILE),
        own_datasource: Some(PROMETHEUS_DATASOURCE_UID),
        credentials,
    })
}

/// How to reach the stack's own Grafana.
struct OwnGrafana {
    url: String,
    admin_user: String,
    /// The stack directory.
    dir: PathBuf,
}

/// Reads the few spec fields that say where the stack's Grafana is, with the
/// model's defaults. Not the whole model: exporting or listing dashboards
/// must work in a shell where the spec's secrets (environment variables for
/// webhooks and passwords) are not set, as `down` and `status` do.
fn own_grafana(file: Option<&Path>) -> Result<OwnGrafana, Error> {
    let source = stack::source(file)?;
    let spec = spec::load(&source).map_err(Error::SpecSyntax)?;
    if !spec.grafana.enabled.unwrap_or(true) {
        return Err(Error::NoGrafana);
    }
    let bind = spec.bind.as_deref().unwrap_or(defaults::BIND);
    let bind: IpAddr = bind
        .parse()
        .map_err(|_| Error::BadBind { bind: bind.into() })?;
    // Grafana is published on the stack's bind address.
    let port = spec.grafana.port.unwrap_or(defaults::GRAFANA_PORT);
    Ok(OwnGrafana {
        url: format!("http://{}:{port}", probe_host(bind)),
        admin_user: spec
            .grafana
            .admin_user
            .clone()
            .unwrap_or_else(|| defaults::GRAFANA_ADMIN_USER.to_string()),
        dir: source.base_dir().join(stack::STACK_DIR),
    })
}

impl Connection {
    /// The error a failed call ends the command with; `access` is what the
    /// command needed to be allowed, for the hint on a 403.
    pub fn stopped(&self, e: ApiError, access: Access) -> Error {
        let call = e.to_string();
        if let ApiError::Unreachable { .. } = e {
            return Error::GrafanaUnreachable {
                call,
                own_stack: self.own_datasource.is_some(),
            };
        }
        match e.status() {
            Some(401) => Error::GrafanaUnauthorized {
                call,
                credentials: self.credentials.clone(),
            },
            Some(403) => Error::GrafanaForbidden { call, access },
            _ => Error::Grafana { call },
        }
    }
}
