//! Where a scrape job's targets run in Kubernetes (`scrape[].kubernetes`),
//! checked, and the Kubernetes name rules those checks (and `render --target
//! kubernetes`) rely on: DNS-1123 labels, Service port names, label keys and
//! values.

use std::collections::BTreeMap;

use crate::diagnostic::Problems;
use crate::spec::{KubernetesScrapeSpec, PortSpec};

/// The longest DNS-1123 label (and label value) Kubernetes accepts.
pub const MAX_LABEL: usize = 63;

/// A job's targets in Kubernetes: a Service by name (a ServiceMonitor) or
/// Pods by labels (a PodMonitor), in a namespace, on a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubernetesTarget {
    pub selects: Selects,
    /// `None`: the namespace the manifests are rendered for.
    pub namespace: Option<String>,
    pub port: Port,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selects {
    Service(String),
    Pods(BTreeMap<String, String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Port {
    Name(String),
    Number(u16),
}

/// Checks `scrape[i].kubernetes` (`field`); `None` when it is unusable.
pub fn target(s: &KubernetesScrapeSpec, field: &str, p: &mut Problems) -> Option<KubernetesTarget> {
    let selects = match (&s.service, &s.pod_selector) {
        (Some(name), None) => {
            if !is_dns1035_label(name) {
                p.error(
                    &format!("{field}.service"),
                    format!("`{name}` is not a Kubernetes Service name"),
                    Some("Service names are 1-63 lower-case letters, digits and dashes, starting with a letter".into()),
                );
            }
            Selects::Service(name.clone())
        }
        (None, Some(labels)) => {
            if labels.is_empty() {
                p.error(
                    &format!("{field}.pod_selector"),
                    "the selector is empty, so it would select every Pod",
                    Some("give the labels the Pods carry, e.g. {app: worker}".into()),
                );
            }
            for (key, value) in labels {
                let at = format!("{field}.pod_selector.{key}");
                if let Err(e) = label_key(key) {
                    p.error(&at, e, None);
                }
                if !is_label_value(value) {
                    p.error(
                        &at,
                        format!("`{value}` is not a Kubernetes label value"),
                        Some("label values are at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit".into()),
                    );
                }
            }
            Selects::Pods(labels.clone())
        }
        _ => {
            p.error(
                field,
                "set exactly one of `service` (a Service by name) or `pod_selector` (Pods by labels)",
                Some("e.g. `kubernetes: {service: api, port: http}`".into()),
            );
            return None;
        }
    };
    if let Some(ns) = &s.namespace {
        if !is_dns1123_label(ns) {
            p.error(
                &format!("{field}.namespace"),
                format!("`{ns}` is not a Kubernetes namespace name"),
                Some("namespaces are 1-63 lower-case letters, digits and dashes, starting and ending with a letter or digit".into()),
            );
        }
    }
    let port = match &s.port {
        None => {
            p.error(
                &format!("{field}.port"),
                "no port",
                Some("name the port (`port: http`) or give its number (`port: 8000`)".into()),
            );
            return None;
        }
        Some(PortSpec::Number(n)) => match u16::try_from(*n) {
            Ok(n) if n > 0 => Port::Number(n),
            _ => {
                p.error(
                    &format!("{field}.port"),
                    format!("{n} is not a port number"),
                    Some("use 1-65535, or the port's name".into()),
                );
                return None;
            }
        },
        Some(PortSpec::Name(name)) => {
            if !is_port_name(name) {
                let hint = if name.parse::<u16>().is_ok() {
                    "write a port number without quotes".to_string()
                } else {
                    "port names are 1-15 lower-case letters, digits and dashes, with at least one letter".to_string()
                };
                p.error(
                    &format!("{field}.port"),
                    format!("`{name}` is not a Kubernetes port name"),
                    Some(hint),
                );
            }
            Port::Name(name.clone())
        }
    };
    Some(KubernetesTarget {
        selects,
        namespace: s.namespace.clone(),
        port,
    })
}

fn alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// A DNS-1123 label: 1-63 of `[a-z0-9-]`, starting and ending alphanumeric
/// (namespaces, and the names obsctl gives its resources).
pub fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_LABEL
        && s.chars().all(|c| alnum(c) || c == '-')
        && s.starts_with(alnum)
        && s.ends_with(alnum)
}

/// A DNS-1035 label: a DNS-1123 label starting with a letter (Service names).
pub fn is_dns1035_label(s: &str) -> bool {
    is_dns1123_label(s) && s.starts_with(|c: char| c.is_ascii_lowercase())
}

/// An IANA service name, as a port name: 1-15 of `[a-z0-9-]` with a letter,
/// no leading, trailing or double dash.
pub fn is_port_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 15
        && s.chars().all(|c| alnum(c) || c == '-')
        && s.chars().any(|c| c.is_ascii_lowercase())
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

/// A label value: empty, or at most 63 of `[A-Za-z0-9._-]` starting and
/// ending alphanumeric.
pub fn is_label_value(s: &str) -> bool {
    let edge = |c: char| c.is_ascii_alphanumeric();
    s.is_empty()
        || (s.len() <= MAX_LABEL
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && s.starts_with(edge)
            && s.ends_with(edge))
}

/// A label key: an optional DNS-subdomain prefix and `/`, then a name that
/// follows the label-value rules and is not empty.
pub fn label_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if name.is_empty() || !is_label_value(name) {
        return Err(format!(
            "`{key}` is not a Kubernetes label key: the name after any `prefix/` is 1-63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit"
        ));
    }
    if let Some(prefix) = prefix {
        let ok =
            !prefix.is_empty() && prefix.len() <= 253 && prefix.split('.').all(is_dns1123_label);
        if !ok {
            return Err(format!(
                "`{key}` is not a Kubernetes label key: its prefix `{prefix}` is not a DNS subdomain"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_labels_follow_the_kubernetes_rules() {
        for ok in ["monitoring", "a", "shop-2", "0ab", &"a".repeat(63)] {
            assert!(is_dns1123_label(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "A", "a_b", "a.b", &"a".repeat(64)] {
            assert!(!is_dns1123_label(bad), "{bad}");
        }
        assert!(is_dns1035_label("api"));
        assert!(!is_dns1035_label("2api"));
    }

    #[test]
    fn port_names_are_iana_service_names() {
        for ok in ["http", "http-metrics", "h2c", "metrics9"] {
            assert!(is_port_name(ok), "{ok}");
        }
        for bad in [
            "",
            "8080",
            "-http",
            "http-",
            "ht--tp",
            "HTTP",
            "a-very-long-port-name",
        ] {
            assert!(!is_port_name(bad), "{bad}");
        }
    }

    #[test]
    fn label_keys_and_values_follow_the_kubernetes_rules() {
        assert!(label_key("app").is_ok());
        assert!(label_key("app.kubernetes.io/name").is_ok());
        assert!(label_key("App_Name.v1").is_ok());
        assert!(label_key("/name").is_err());
        assert!(label_key("Bad_Prefix/name").is_err());
        assert!(label_key("app/").is_err());
        assert!(is_label_value(""));
        assert!(is_label_value("worker.v2"));
        assert!(!is_label_value("-worker"));
        assert!(!is_label_value("a b"));
    }
}
