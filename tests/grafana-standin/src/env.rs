//! Settings of the `grafana-standin` binary, taken from the environment variables
//! Grafana's container reads, including the `GF_<X>__FILE` convention of its
//! `run.sh` (the file's content, without trailing newlines, becomes `GF_<X>`).

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::log::LogLevel;
use crate::running::{Builder, StandIn};
use crate::store::Role;

/// What the binary runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvSettings {
    pub addr: SocketAddr,
    pub admin_user: String,
    pub admin_password: String,
    pub provisioning_dir: PathBuf,
    /// `GF_PATHS_DATA`; Grafana's default is `data` below its home path
    /// (`GF_PATHS_HOME`, else the working directory).
    pub data_dir: PathBuf,
    pub anonymous: Option<Role>,
    pub hide_version: bool,
    pub datasource_timeout: Duration,
    pub min_refresh_interval: Option<String>,
    pub log_level: LogLevel,
    /// `STANDIN_SAVE_DELAY_MS`: see [`Builder::save_delay`].
    pub save_delay: Duration,
}

fn parse_bool(key: &str, value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" | "" => Ok(false),
        _ => Err(format!("{key}={value:?} is not a boolean")),
    }
}

/// Resolves `GF_<X>__FILE` into `GF_<X>`; both set at once is an error, as in `run.sh`.
fn resolve_files(mut vars: BTreeMap<String, String>) -> Result<BTreeMap<String, String>, String> {
    let file_keys: Vec<String> = vars
        .keys()
        .filter(|k| k.starts_with("GF_") && k.ends_with("__FILE"))
        .cloned()
        .collect();
    for key in file_keys {
        let base = key.trim_end_matches("__FILE").to_string();
        if vars.contains_key(&base) {
            return Err(format!("Both {base} and {key} are set (but are exclusive)"));
        }
        let path = vars[&key].clone();
        let content = std::fs::read_to_string(&path)
            .map_err(|e| format!("{key}: cannot read {path}: {e}"))?;
        vars.insert(base, content.trim_end_matches(['\n', '\r']).to_string());
    }
    Ok(vars)
}

impl EnvSettings {
    /// Reads the settings from `(name, value)` pairs such as `std::env::vars()`.
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<EnvSettings, String> {
        let vars = resolve_files(vars.into_iter().collect())?;
        let get = |key: &str| vars.get(key).map(String::as_str).filter(|v| !v.is_empty());
        let ip: IpAddr = match get("GF_SERVER_HTTP_ADDR") {
            Some(v) => v
                .parse()
                .map_err(|_| format!("GF_SERVER_HTTP_ADDR={v:?} is not an IP address"))?,
            None => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        };
        let port: u16 = match get("GF_SERVER_HTTP_PORT") {
            Some(v) => v
                .parse()
                .map_err(|_| format!("GF_SERVER_HTTP_PORT={v:?} is not a port"))?,
            None => 3000,
        };
        let anonymous = if parse_bool(
            "GF_AUTH_ANONYMOUS_ENABLED",
            get("GF_AUTH_ANONYMOUS_ENABLED").unwrap_or(""),
        )? {
            let role = get("GF_AUTH_ANONYMOUS_ORG_ROLE").unwrap_or("Viewer");
            Some(Role::parse(role).ok_or_else(|| {
                format!("GF_AUTH_ANONYMOUS_ORG_ROLE={role:?} is not Viewer, Editor or Admin")
            })?)
        } else {
            None
        };
        let timeout = match get("GF_DATAPROXY_TIMEOUT") {
            Some(v) => v
                .parse()
                .map_err(|_| format!("GF_DATAPROXY_TIMEOUT={v:?} is not a number of seconds"))?,
            None => 30,
        };
        // Not a Grafana setting: the stand-in's own, for benchmarks.
        let save_delay = match get("STANDIN_SAVE_DELAY_MS") {
            Some(v) => Duration::from_millis(v.parse().map_err(|_| {
                format!("STANDIN_SAVE_DELAY_MS={v:?} is not a number of milliseconds")
            })?),
            None => Duration::ZERO,
        };
        let log_level = match get("GF_LOG_LEVEL") {
            Some(v) => LogLevel::parse(v)
                .ok_or_else(|| format!("GF_LOG_LEVEL={v:?} is not a log level"))?,
            None => LogLevel::Info,
        };
        Ok(EnvSettings {
            addr: SocketAddr::new(ip, port),
            admin_user: get("GF_SECURITY_ADMIN_USER").unwrap_or("admin").to_string(),
            admin_password: vars
                .get("GF_SECURITY_ADMIN_PASSWORD")
                .cloned()
                .unwrap_or_else(|| "admin".into()),
            provisioning_dir: PathBuf::from(
                get("GF_PATHS_PROVISIONING").unwrap_or("/etc/grafana/provisioning"),
            ),
            data_dir: match get("GF_PATHS_DATA") {
                Some(d) => PathBuf::from(d),
                None => PathBuf::from(get("GF_PATHS_HOME").unwrap_or(".")).join("data"),
            },
            anonymous,
            hide_version: parse_bool(
                "GF_AUTH_ANONYMOUS_HIDE_VERSION",
                get("GF_AUTH_ANONYMOUS_HIDE_VERSION").unwrap_or(""),
            )?,
            datasource_timeout: Duration::from_secs(timeout),
            min_refresh_interval: Some(
                get("GF_DASHBOARDS_MIN_REFRESH_INTERVAL")
                    .unwrap_or("5s")
                    .to_string(),
            ),
            log_level,
            save_delay,
        })
    }

    /// A builder carrying these settings.
    pub fn builder(&self) -> Builder {
        let mut b = StandIn::builder()
            .admin(&self.admin_user, &self.admin_password)
            .bind(self.addr)
            .provisioning_dir(self.provisioning_dir.clone())
            .data_dir(self.data_dir.clone())
            .hide_version(self.hide_version)
            .datasource_timeout(self.datasource_timeout)
            .min_refresh_interval(self.min_refresh_interval.as_deref())
            .log_level(self.log_level)
            .save_delay(self.save_delay);
        if let Some(role) = self.anonymous {
            b = b.anonymous(role);
        }
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_match_the_grafana_image() {
        let s = EnvSettings::from_vars(vars(&[])).unwrap();
        assert_eq!(s.addr, "0.0.0.0:3000".parse().unwrap());
        assert_eq!(
            (s.admin_user.as_str(), s.admin_password.as_str()),
            ("admin", "admin")
        );
        assert_eq!(
            s.provisioning_dir,
            PathBuf::from("/etc/grafana/provisioning")
        );
        assert_eq!(s.anonymous, None);
        assert_eq!(s.save_delay, Duration::ZERO);
        assert_eq!(s.data_dir, PathBuf::from("./data"));
        let s = EnvSettings::from_vars(vars(&[("GF_PATHS_HOME", "/usr/share/grafana")])).unwrap();
        assert_eq!(s.data_dir, PathBuf::from("/usr/share/grafana/data"));
        let s = EnvSettings::from_vars(vars(&[("GF_PATHS_DATA", "/var/lib/grafana")])).unwrap();
        assert_eq!(s.data_dir, PathBuf::from("/var/lib/grafana"));
    }

    #[test]
    fn the_save_delay_is_read_in_milliseconds() {
        let s = EnvSettings::from_vars(vars(&[("STANDIN_SAVE_DELAY_MS", "20")])).unwrap();
        assert_eq!(s.save_delay, Duration::from_millis(20));
        assert!(EnvSettings::from_vars(vars(&[("STANDIN_SAVE_DELAY_MS", "1s")])).is_err());
    }

    #[test]
    fn password_file_is_read_without_trailing_newline() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "s3cret\n").unwrap();
        let s = EnvSettings::from_vars(vars(&[
            ("GF_SECURITY_ADMIN_PASSWORD__FILE", file.to_str().unwrap()),
            ("GF_SERVER_HTTP_PORT", "3300"),
            ("GF_AUTH_ANONYMOUS_ENABLED", "true"),
        ]))
        .unwrap();
        assert_eq!(s.admin_password, "s3cret");
        assert_eq!(s.addr.port(), 3300);
        assert_eq!(s.anonymous, Some(Role::Viewer));
    }

    #[test]
    fn plain_and_file_forms_together_are_refused() {
        let err = EnvSettings::from_vars(vars(&[
            ("GF_SECURITY_ADMIN_PASSWORD", "a"),
            ("GF_SECURITY_ADMIN_PASSWORD__FILE", "/nonexistent"),
        ]))
        .unwrap_err();
        assert!(err.contains("are exclusive"), "{err}");
    }
}
