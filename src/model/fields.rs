//! Checks shared by every part of the spec: durations, image references,
//! ports, `host:port` addresses and label names. Each reports a problem on
//! the field it was given and returns the value (or its default) to go on
//! with, so every problem of a spec is found in one pass.

use super::defaults as d;
use crate::diagnostic::Problems;
use crate::duration::parse_duration;

/// True unless the spec turned the part off (`enabled: false`).
pub fn enabled(flag: Option<bool>) -> bool {
    flag.unwrap_or(true)
}

/// Checks a duration field; returns it (or the default) as text.
pub fn duration(p: &mut Problems, field: &str, value: Option<&String>, default: &str) -> String {
    let text = value.map(String::as_str).unwrap_or(default);
    if let Err(e) = parse_duration(text) {
        p.error(field, e, None);
    }
    text.to_string()
}

/// Checks an image reference; a `latest` tag is a warning (not pinned).
pub fn image(p: &mut Problems, field: &str, value: Option<&String>, default: &str) -> String {
    let image = value.map(String::as_str).unwrap_or(default).to_string();
    if image.trim().is_empty() || image.contains(char::is_whitespace) {
        p.error(field, format!("`{image}` is not an image reference"), None);
    } else if image.ends_with(":latest") {
        p.warning(
            field,
            "`latest` is not a pinned version: `up` cannot tell when it changes",
            Some(format!("pin a version tag, e.g. {}", d::PROMETHEUS_IMAGE)),
        );
    }
    image
}

/// Checks a host port (0 is not one).
pub fn port(p: &mut Problems, field: &str, value: Option<u16>, default: u16) -> u16 {
    let port = value.unwrap_or(default);
    if port == 0 {
        p.error(
            field,
            "port 0 is not a usable host port",
            Some("use a port between 1 and 65535".into()),
        );
    }
    port
}

/// Checks a `host:port` address.
pub fn host_port(p: &mut Problems, field: &str, address: &str) -> bool {
    let hint = || {
        Some("write `host:port`, e.g. `api:8000` or `host.docker.internal:8000`; the scheme and path are separate fields".into())
    };
    if address.contains("://") || address.contains('/') {
        p.error(field, format!("`{address}` is not host:port"), hint());
        return false;
    }
    let Some((host, port)) = address.rsplit_once(':') else {
        p.error(field, format!("`{address}` has no port"), hint());
        return false;
    };
    let port_ok = port.parse::<u16>().map(|v| v > 0).unwrap_or(false);
    if host.is_empty() || !port_ok {
        p.error(field, format!("`{address}` is not host:port"), hint());
        return false;
    }
    true
}

/// Checks a Prometheus label name.
pub fn label_name(p: &mut Problems, field: &str, name: &str) {
    let ok = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with("__");
    if !ok {
        p.error(
            field,
            format!("`{name}` is not a valid label name"),
            Some("use letters, digits and underscores, not starting with a digit or `__`".into()),
        );
    }
}

/// A file-name-safe form of a name.
pub fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}
