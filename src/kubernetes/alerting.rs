//! The Alertmanager routes, receivers and inhibit rules as one
//! AlertmanagerConfig (v1alpha1). Its secrets (Slack URLs, PagerDuty keys,
//! SMTP passwords, secret webhook URLs) are `{name, key}` references to the
//! stack's Alertmanager Secret, which must live in the same namespace.

use serde_json::{json, Map, Value};

use super::names::resource_name;
use super::{Meta, Out};
use crate::model::{Alertmanager, Receiver, Route};

const CONSUMER: &str = "alertmanager";

pub(super) fn add(out: &mut Out, am: &Alertmanager) {
    let receivers: Vec<Value> = am.receivers.iter().map(|r| receiver(out, r)).collect();
    let mut spec = Map::new();
    spec.insert("route".into(), route(&am.route));
    spec.insert("receivers".into(), json!(receivers));
    if !am.inhibit_rules.is_empty() {
        let rules: Vec<Value> = am
            .inhibit_rules
            .iter()
            .map(|i| {
                let mut rule = json!({
                    "sourceMatch": matchers(&i.source_matchers),
                    "targetMatch": matchers(&i.target_matchers),
                });
                if !i.equal.is_empty() {
                    rule["equal"] = json!(i.equal);
                }
                rule
            })
            .collect();
        spec.insert("inhibitRules".into(), json!(rules));
    }
    let mut body = Map::new();
    body.insert("spec".into(), Value::Object(spec));
    let name = resource_name(&[&out.model.name]);
    out.add(
        "AlertmanagerConfig",
        "monitoring.coreos.com/v1alpha1",
        name,
        Meta::default(),
        body,
    );
}

fn route(r: &Route) -> Value {
    let mut m = Map::new();
    if let Some(v) = &r.receiver {
        m.insert("receiver".into(), json!(v));
    }
    if !r.matchers.is_empty() {
        m.insert("matchers".into(), json!(matchers(&r.matchers)));
    }
    if let Some(v) = &r.group_by {
        m.insert("groupBy".into(), json!(v));
    }
    for (k, v) in [
        ("groupWait", &r.group_wait),
        ("groupInterval", &r.group_interval),
        ("repeatInterval", &r.repeat_interval),
    ] {
        if let Some(v) = v {
            m.insert(k.into(), json!(v));
        }
    }
    if r.continue_matching {
        m.insert("continue".into(), json!(true));
    }
    if !r.routes.is_empty() {
        m.insert("routes".into(), r.routes.iter().map(route).collect());
    }
    Value::Object(m)
}

fn matchers(list: &[String]) -> Vec<Value> {
    list.iter()
        .map(|m| {
            let (name, op, value) = split_matcher(m);
            json!({"name": name, "value": value, "matchType": op})
        })
        .collect()
}

/// `name op value` (checked while the model was built) as its three parts,
/// the value unquoted.
pub fn split_matcher(m: &str) -> (String, &'static str, String) {
    let m = m.trim();
    let end = m
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(m.len());
    let (name, rest) = m.split_at(end);
    let rest = rest.trim_start();
    let (op, value) = ["=~", "!~", "!=", "="]
        .iter()
        .find_map(|op| rest.strip_prefix(op).map(|v| (*op, v.trim())))
        .unwrap_or(("=", rest));
    let value = if value.starts_with('"') {
        serde_json::from_str::<String>(value)
            .unwrap_or_else(|_| value.trim_matches('"').to_string())
    } else {
        value.to_string()
    };
    (name.to_string(), op, value)
}

fn receiver(out: &mut Out, r: &Receiver) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(r.name));
    let purpose = |what: &str| format!("receiver `{}`: {what}", r.name);
    if let Some(s) = &r.slack {
        let mut c = Map::new();
        c.insert(
            "apiURL".into(),
            out.secrets
                .secret(CONSUMER, &s.webhook_url, purpose("Slack webhook URL")),
        );
        for (k, v) in [
            ("channel", &s.channel),
            ("title", &s.title),
            ("text", &s.text),
        ] {
            if let Some(v) = v {
                c.insert(k.into(), json!(v));
            }
        }
        c.insert("sendResolved".into(), json!(s.send_resolved));
        m.insert("slackConfigs".into(), json!([c]));
    }
    if let Some(p) = &r.pagerduty {
        let (field, what) = if p.events_v2 {
            ("routingKey", "PagerDuty routing key")
        } else {
            ("serviceKey", "PagerDuty service key")
        };
        let mut c = Map::new();
        c.insert(
            field.into(),
            out.secrets.secret(CONSUMER, &p.key, purpose(what)),
        );
        if let Some(s) = &p.severity {
            c.insert("severity".into(), json!(s));
        }
        c.insert("sendResolved".into(), json!(p.send_resolved));
        m.insert("pagerdutyConfigs".into(), json!([c]));
    }
    if let Some(e) = &r.email {
        let mut c = Map::new();
        c.insert("to".into(), json!(e.to));
        c.insert("from".into(), json!(e.from));
        c.insert("smarthost".into(), json!(e.smarthost));
        if let Some(u) = &e.username {
            c.insert("authUsername".into(), json!(u));
        }
        if let Some(pw) = &e.password {
            c.insert(
                "authPassword".into(),
                out.secrets.secret(CONSUMER, pw, purpose("SMTP password")),
            );
        }
        c.insert("requireTLS".into(), json!(e.require_tls));
        c.insert("sendResolved".into(), json!(e.send_resolved));
        m.insert("emailConfigs".into(), json!([c]));
    }
    if let Some(w) = &r.webhook {
        let mut c = Map::new();
        match (&w.url, &w.url_file) {
            (_, Some(secret)) => {
                c.insert(
                    "urlSecret".into(),
                    out.secrets.secret(CONSUMER, secret, purpose("webhook URL")),
                );
            }
            (Some(url), None) => {
                c.insert("url".into(), json!(url));
            }
            (None, None) => {}
        }
        c.insert("sendResolved".into(), json!(w.send_resolved));
        c.insert("maxAlerts".into(), json!(w.max_alerts));
        m.insert("webhookConfigs".into(), json!([c]));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::split_matcher;

    #[test]
    fn matchers_split_into_name_operator_and_unquoted_value() {
        assert_eq!(
            split_matcher("severity=\"critical\""),
            ("severity".into(), "=", "critical".into())
        );
        assert_eq!(
            split_matcher("team =~ \"db|infra\""),
            ("team".into(), "=~", "db|infra".into())
        );
        assert_eq!(
            split_matcher("severity!=info"),
            ("severity".into(), "!=", "info".into())
        );
        assert_eq!(
            split_matcher(r#"alertname!~"Disk \"Full\"""#),
            ("alertname".into(), "!~", "Disk \"Full\"".into())
        );
    }
}
