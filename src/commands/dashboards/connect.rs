//! Which Grafana a dashboards command talks to, with which credentials, and
//! where obsctl keeps what it saved there; and the hints for the errors that
//! stop a command.
//!
//! Without `--url` it is the stack's own Grafana: the address it is
//! published on, its admin user, and the password `obsctl up` generated into
//! the stack directory. With `--url` it is any Grafana, and no spec is read.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cli::GrafanaArgs;
use crate::credentials::GRAFANA_PASSWORD_FILE;
use crate::error::{Error, Hinted};
use crate::grafana::state::{self, STACK_STATE_FILE};
use crate::grafana::{ApiError, Auth, Client};
use crate::model::defaults::{self, GRAFANA_ADMIN_USER, PROMETHEUS_DATASOURCE_UID};
use crate::probes::Http;
use crate::{spec, stack};

/// A Grafana to work with.
pub struct Connection {
    pub client: Client,
    /// Where the versions obsctl saved into this Grafana are kept.
    pub state_path: PathBuf,
    /// The stack's Prometheus datasource uid, for the stack's own Grafana.
    pub own_datasource: Option<&'static str>,
    credentials: Credentials,
}

/// Where the credentials came from, for hints when they are refused.
enum Credentials {
    PasswordFile(PathBuf),
    Flags,
    Token,
    None,
}

/// What the command needs to be allowed, for the hint on a 403.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    Read,
    Write,
}

/// Resolves the Grafana arguments (and, without `--url`, the spec).
pub fn connect(file: Option<&Path>, args: &GrafanaArgs) -> Result<Connection> {
    let given = |default_user: &str| -> Result<Option<(Auth, Credentials)>> {
        Ok(match (&args.token, &args.user, &args.password) {
            (Some(token), _, _) => Some((Auth::Token(token.clone()), Credentials::Token)),
            (None, user, Some(password)) => Some((
                Auth::Basic {
                    user: user.clone().unwrap_or_else(|| default_user.to_string()),
                    password: password.clone(),
                },
                Credentials::Flags,
            )),
            (None, Some(_), None) => {
                return Err(Error::usage(
                    "--user needs a password",
                    Some("pass --password, or set OBSCTL_GRAFANA_PASSWORD".to_string()),
                )
                .into())
            }
            (None, None, None) => None,
        })
    };
    if let Some(url) = &args.url {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Error::usage(
                format!("--url `{url}` is not an http:// or https:// URL"),
                Some("for example --url http://grafana.internal:3000".to_string()),
            )
            .into());
        }
        let (auth, credentials) =
            given(GRAFANA_ADMIN_USER)?.unwrap_or((Auth::None, Credentials::None));
        let env = |k: &str| std::env::var(k).ok();
        let state_path = state::path_for_url(url, &env).ok_or_else(|| {
            Error::usage(
                "cannot tell where to keep what obsctl saved in Grafana: neither XDG_STATE_HOME nor HOME is set",
                Some("set XDG_STATE_HOME to a directory obsctl may write to".to_string()),
            )
        })?;
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
            let password = std::fs::read_to_string(&path).map_err(|e| {
                Error::usage(
                    format!(
                        "cannot read the Grafana admin password from {}: {e}",
                        path.display()
                    ),
                    Some("run `obsctl up` first (it writes that file), or pass --user/--password or --token".to_string()),
                )
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
fn own_grafana(file: Option<&Path>) -> Result<OwnGrafana> {
    let source = stack::source(file)?;
    let spec = spec::load(&source).map_err(Error::Parse)?;
    if !spec.grafana.enabled.unwrap_or(true) {
        return Err(Error::usage(
            "the stack has no Grafana (grafana.enabled is false)",
            Some("pass --url to work with another Grafana".to_string()),
        )
        .into());
    }
    let bind = spec.bind.as_deref().unwrap_or(defaults::BIND);
    let bind: IpAddr = bind.parse().map_err(|_| {
        Error::usage(
            format!("the spec's bind `{bind}` is not an IP address"),
            Some("`obsctl validate` checks the whole spec".to_string()),
        )
    })?;
    // Grafana is published on the stack's bind address; "every address" is
    // reached on loopback.
    let host = match bind {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let port = spec.grafana.port.unwrap_or(defaults::GRAFANA_PORT);
    Ok(OwnGrafana {
        url: format!("http://{}", SocketAddr::new(host, port)),
        admin_user: spec
            .grafana
            .admin_user
            .clone()
            .unwrap_or_else(|| defaults::GRAFANA_ADMIN_USER.to_string()),
        dir: source.base_dir().join(stack::STACK_DIR),
    })
}

impl Connection {
    /// An error that ends the command, with a hint on what to do about it.
    pub fn stopped(&self, e: ApiError, need: Need) -> anyhow::Error {
        match self.hint(&e, need) {
            Some(hint) => Hinted {
                message: e.to_string(),
                hint,
            }
            .into(),
            None => e.into(),
        }
    }

    fn hint(&self, e: &ApiError, need: Need) -> Option<String> {
        let own = self.own_datasource.is_some();
        if let ApiError::Unreachable { .. } = e {
            return Some(if own {
                "is the stack running? `obsctl up` starts it; or pass --url to use another Grafana"
                    .into()
            } else {
                "check --url, and that Grafana is running there and reachable from this machine"
                    .into()
            });
        }
        match (e.status()?, need) {
            (401, _) => Some(match &self.credentials {
                Credentials::PasswordFile(path) => format!(
                    "obsctl used the admin password in {}; if it was changed in Grafana, pass --user/--password or --token",
                    path.display()
                ),
                Credentials::Flags => "check --user and --password (or OBSCTL_GRAFANA_USER and OBSCTL_GRAFANA_PASSWORD)".into(),
                Credentials::Token => "check --token (or OBSCTL_GRAFANA_TOKEN): it may be mistyped, expired, or its service account deleted".into(),
                Credentials::None => "this Grafana wants credentials: pass --user/--password or --token".into(),
            }),
            (403, Need::Write) => Some("these credentials may not save dashboards or create folders: use a service account token with the Editor or Admin role".into()),
            (403, Need::Read) => Some("these credentials may not read dashboards: use a user or token with at least the Viewer role".into()),
            _ => None,
        }
    }
}

/// The runtime the HTTP calls run on. One thread is enough: the work is
/// waiting for Grafana, and concurrency comes from many requests in flight.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}
