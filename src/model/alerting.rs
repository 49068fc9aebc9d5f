//! Alertmanager: the routing tree and receivers, with every reference checked.

use super::defaults as d;
use super::fields::{duration, image, port, slug};
use super::matchers::{self, Matcher};
use super::secrets::Resolver;
use super::SecretFile;
use crate::diagnostic::Problems;
use crate::spec::{nearest_word, ReceiverSpec, RouteSpec, Spec};

#[derive(Debug, Clone)]
pub struct Alertmanager {
    pub image: String,
    pub port: u16,
    pub resolve_timeout: String,
    pub route: Route,
    pub receivers: Vec<Receiver>,
    pub inhibit_rules: Vec<Inhibit>,
}

#[derive(Debug, Clone)]
pub struct Route {
    pub receiver: Option<String>,
    pub matchers: Vec<String>,
    pub group_by: Option<Vec<String>>,
    pub group_wait: Option<String>,
    pub group_interval: Option<String>,
    pub repeat_interval: Option<String>,
    pub continue_matching: bool,
    pub routes: Vec<Route>,
}

#[derive(Debug, Clone)]
pub struct Inhibit {
    pub source_matchers: Vec<String>,
    pub target_matchers: Vec<String>,
    pub equal: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Receiver {
    pub name: String,
    pub slack: Option<Slack>,
    pub pagerduty: Option<PagerDuty>,
    pub email: Option<Email>,
    pub webhook: Option<Webhook>,
}

#[derive(Debug, Clone)]
pub struct Slack {
    pub webhook_url: SecretFile,
    pub channel: Option<String>,
    pub title: Option<String>,
    pub text: Option<String>,
    pub send_resolved: bool,
}

#[derive(Debug, Clone)]
pub struct PagerDuty {
    /// `routing_key` (Events API v2) when true, `service_key` otherwise.
    pub events_v2: bool,
    pub key: SecretFile,
    pub severity: Option<String>,
    pub send_resolved: bool,
}

#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub from: String,
    pub smarthost: String,
    pub username: Option<String>,
    pub password: Option<SecretFile>,
    pub require_tls: bool,
    pub send_resolved: bool,
}

#[derive(Debug, Clone)]
pub struct Webhook {
    pub url: Option<String>,
    pub url_file: Option<SecretFile>,
    pub send_resolved: bool,
    pub max_alerts: u32,
}

pub fn alertmanager(spec: &Spec, p: &mut Problems, secrets: &mut Resolver) -> Option<Alertmanager> {
    let s = &spec.alertmanager;
    if !s.enabled.unwrap_or(true) {
        if s.route.is_some() || !s.receivers.is_empty() {
            p.warning(
                "alertmanager",
                "alertmanager is disabled, so its routes and receivers are not used",
                None,
            );
        }
        return None;
    }
    let mut receivers = Vec::new();
    for (i, r) in s.receivers.iter().enumerate() {
        let field = format!("alertmanager.receivers[{i}]");
        if r.name.trim().is_empty() {
            p.error(&format!("{field}.name"), "the receiver name is empty", None);
        } else if s.receivers[..i].iter().any(|o| o.name == r.name) {
            p.error(
                &format!("{field}.name"),
                format!("receiver `{}` is defined twice", r.name),
                None,
            );
        }
        receivers.push(receiver(r, &field, p, secrets));
    }

    let route = match &s.route {
        None => Route {
            receiver: Some(
                receivers
                    .first()
                    .map(|r| r.name.clone())
                    .unwrap_or_else(|| d::NULL_RECEIVER.into()),
            ),
            matchers: Vec::new(),
            group_by: Some(d::GROUP_BY.iter().map(|s| s.to_string()).collect()),
            group_wait: Some(d::GROUP_WAIT.into()),
            group_interval: Some(d::GROUP_INTERVAL.into()),
            repeat_interval: Some(d::REPEAT_INTERVAL.into()),
            continue_matching: false,
            routes: Vec::new(),
        },
        Some(root) => {
            let mut route = route(root, "alertmanager.route", p);
            if !root.match_labels.is_empty() || !root.matchers.is_empty() {
                p.error(
                    "alertmanager.route",
                    "the root route matches every alert and cannot have `match` or `matchers`",
                    Some("put matchers on child routes under `routes`".into()),
                );
            }
            if route.receiver.is_none() {
                let default = receivers.first().map(|r| r.name.clone());
                match default {
                    Some(name) if receivers.len() == 1 => route.receiver = Some(name),
                    _ => p.error(
                        "alertmanager.route",
                        "the root route has no receiver",
                        Some("set `receiver:` on the root route; it gets every alert no child route matches".into()),
                    ),
                }
            }
            route
                .group_by
                .get_or_insert_with(|| d::GROUP_BY.iter().map(|s| s.to_string()).collect());
            route.group_wait.get_or_insert_with(|| d::GROUP_WAIT.into());
            route
                .group_interval
                .get_or_insert_with(|| d::GROUP_INTERVAL.into());
            route
                .repeat_interval
                .get_or_insert_with(|| d::REPEAT_INTERVAL.into());
            route
        }
    };
    if receivers.is_empty() {
        receivers.push(Receiver {
            name: d::NULL_RECEIVER.into(),
            ..Default::default()
        });
    }

    // Every route's receiver exists; every receiver is used.
    let names: Vec<&str> = receivers.iter().map(|r| r.name.as_str()).collect();
    let mut used = Vec::new();
    check_receivers(&route, "alertmanager.route", &names, &mut used, p);
    for (i, r) in receivers.iter().enumerate() {
        if !used.contains(&r.name) {
            p.warning(
                &format!("alertmanager.receivers[{i}].name"),
                format!("receiver `{}` is not used by any route", r.name),
                Some("route alerts to it under `alertmanager.route.routes`, or remove it".into()),
            );
        }
    }

    let inhibit_rules = s
        .inhibit_rules
        .iter()
        .map(|rule| Inhibit {
            source_matchers: equality_matchers(&rule.source),
            target_matchers: equality_matchers(&rule.target),
            equal: rule.equal.clone(),
        })
        .collect();
    for (i, rule) in s.inhibit_rules.iter().enumerate() {
        if rule.source.is_empty() || rule.target.is_empty() {
            p.error(&format!("alertmanager.inhibit_rules[{i}]"), "an inhibit rule needs both `source` and `target` labels", Some("e.g. {source: {severity: critical}, target: {severity: warning}, equal: [alertname]}".into()));
        }
    }

    Some(Alertmanager {
        image: image(
            p,
            "alertmanager.image",
            s.image.as_ref(),
            d::ALERTMANAGER_IMAGE,
        ),
        port: port(p, "alertmanager.port", s.port, d::ALERTMANAGER_PORT),
        resolve_timeout: duration(
            p,
            "alertmanager.resolve_timeout",
            s.resolve_timeout.as_ref(),
            d::RESOLVE_TIMEOUT,
        ),
        route,
        receivers,
        inhibit_rules,
    })
}

fn equality_matchers(labels: &std::collections::BTreeMap<String, String>) -> Vec<String> {
    labels
        .iter()
        .map(|(k, v)| Matcher::equal(k, v).render())
        .collect()
}

fn route(s: &RouteSpec, field: &str, p: &mut Problems) -> Route {
    let mut rendered = equality_matchers(&s.match_labels);
    for (i, m) in s.matchers.iter().enumerate() {
        match matchers::parse(m) {
            Ok(parsed) => rendered.push(parsed.render()),
            Err(e) => p.error(&format!("{field}.matchers[{i}]"), e, Some("write `label=\"value\"`, `label=~\"regex\"`, `label!=\"value\"` or `label!~\"regex\"`".into())),
        }
    }
    let opt = |p: &mut Problems, name: &str, v: &Option<String>| {
        v.as_ref()
            .map(|v| duration(p, &format!("{field}.{name}"), Some(v), v))
    };
    Route {
        receiver: s.receiver.clone(),
        matchers: rendered,
        group_by: s.group_by.clone(),
        group_wait: opt(p, "group_wait", &s.group_wait),
        group_interval: opt(p, "group_interval", &s.group_interval),
        repeat_interval: opt(p, "repeat_interval", &s.repeat_interval),
        continue_matching: s.continue_matching.unwrap_or(false),
        routes: s
            .routes
            .iter()
            .enumerate()
            .map(|(i, child)| {
                let child_field = format!("{field}.routes[{i}]");
                if child.match_labels.is_empty() && child.matchers.is_empty() {
                    p.warning(
                        &child_field,
                        "this route has no `match` or `matchers`, so it takes every alert",
                        Some("add e.g. `match: {severity: critical}`".into()),
                    );
                }
                route(child, &child_field, p)
            })
            .collect(),
    }
}

fn check_receivers(
    route: &Route,
    field: &str,
    names: &[&str],
    used: &mut Vec<String>,
    p: &mut Problems,
) {
    if let Some(r) = &route.receiver {
        if names.contains(&r.as_str()) {
            used.push(r.clone());
        } else {
            let hint = nearest_word(r, names)
                .map(|n| {
                    format!(
                        "did you mean `{n}`? defined receivers: {}",
                        names.join(", ")
                    )
                })
                .unwrap_or_else(|| format!("defined receivers: {}", names.join(", ")));
            p.error(
                &format!("{field}.receiver"),
                format!("route sends alerts to receiver `{r}`, which is not defined"),
                Some(hint),
            );
        }
    }
    for (i, child) in route.routes.iter().enumerate() {
        check_receivers(child, &format!("{field}.routes[{i}]"), names, used, p);
    }
}

fn receiver(r: &ReceiverSpec, field: &str, p: &mut Problems, secrets: &mut Resolver) -> Receiver {
    let slug = slug(&r.name);
    let slack = r.slack.as_ref().and_then(|s| {
        let url = secrets.resolve(p, &format!("{field}.slack.webhook_url"), &s.webhook_url, format!("slack-{slug}"))?;
        // Empty when the secrets are only referred to, not read.
        let value = url.value.expose();
        if !value.is_empty() && !value.starts_with("https://") && !value.starts_with("http://") {
            p.error(&format!("{field}.slack.webhook_url"), "the Slack webhook URL does not start with https://", Some("use the incoming-webhook URL Slack gives you (https://hooks.slack.com/services/...)".into()));
        }
        Some(Slack {
            webhook_url: url,
            channel: s.channel.clone(),
            title: s.title.clone(),
            text: s.text.clone(),
            send_resolved: s.send_resolved.unwrap_or(true),
        })
    });
    let pagerduty = r.pagerduty.as_ref().and_then(|s| {
        let (events_v2, key) = match (&s.routing_key, &s.service_key) {
            (Some(k), None) => (true, k),
            (None, Some(k)) => (false, k),
            _ => {
                p.error(&format!("{field}.pagerduty"), "set exactly one of `routing_key` (Events API v2) or `service_key` (Prometheus integration)", None);
                return None;
            }
        };
        let which = if events_v2 { "routing_key" } else { "service_key" };
        let key = secrets.resolve(p, &format!("{field}.pagerduty.{which}"), key, format!("pagerduty-{slug}"))?;
        Some(PagerDuty {
            events_v2,
            key,
            severity: s.severity.clone(),
            send_resolved: s.send_resolved.unwrap_or(true),
        })
    });
    let email = r.email.as_ref().map(|s| {
        if !s.to.contains('@') {
            p.error(
                &format!("{field}.email.to"),
                format!("`{}` is not an email address", s.to),
                None,
            );
        }
        if !s.from.contains('@') {
            p.error(
                &format!("{field}.email.from"),
                format!("`{}` is not an email address", s.from),
                None,
            );
        }
        if !s.smarthost.contains(':') {
            p.error(
                &format!("{field}.email.smarthost"),
                format!("`{}` has no port", s.smarthost),
                Some("write host:port, e.g. smtp.example.com:587".into()),
            );
        }
        Email {
            to: s.to.clone(),
            from: s.from.clone(),
            smarthost: s.smarthost.clone(),
            username: s.username.clone(),
            password: s.password.as_ref().and_then(|pw| {
                secrets.resolve(
                    p,
                    &format!("{field}.email.password"),
                    pw,
                    format!("smtp-{slug}"),
                )
            }),
            require_tls: s.require_tls.unwrap_or(true),
            send_resolved: s.send_resolved.unwrap_or(false),
        }
    });
    let webhook = r.webhook.as_ref().and_then(|s| {
        let url_file = match (&s.url, &s.url_secret) {
            (Some(url), None) => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    p.error(
                        &format!("{field}.webhook.url"),
                        format!("`{url}` is not an http(s) URL"),
                        None,
                    );
                }
                None
            }
            (None, Some(secret)) => Some(secrets.resolve(
                p,
                &format!("{field}.webhook.url_secret"),
                secret,
                format!("webhook-{slug}"),
            )?),
            _ => {
                p.error(
                    &format!("{field}.webhook"),
                    "set exactly one of `url` or `url_secret`",
                    None,
                );
                return None;
            }
        };
        Some(Webhook {
            url: s.url.clone(),
            url_file,
            send_resolved: s.send_resolved.unwrap_or(true),
            max_alerts: s.max_alerts.unwrap_or(0),
        })
    });
    Receiver {
        name: r.name.clone(),
        slack,
        pagerduty,
        email,
        webhook,
    }
}
