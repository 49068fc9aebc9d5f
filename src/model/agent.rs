//! Prometheus in agent mode (`prometheus.mode: agent`): it scrapes and
//! remote-writes, and nothing else. It keeps no data to query, evaluates no
//! rules and sends no alerts, so the settings for those are refused here,
//! each on its own field, with where they belong instead: on the stack the
//! agent writes to, whose rules and dashboards see the agent's series (with
//! its external labels).

use crate::diagnostic::Problems;
use crate::spec::{PackSetting, PrometheusSpec, Spec};

const ON_THE_RECEIVER: &str = "the stack this agent writes to";

/// The `prometheus:` settings an agent cannot use.
pub fn check_prometheus(s: &PrometheusSpec, p: &mut Problems) {
    if s.remote_write.is_empty() {
        p.error(
            "prometheus.mode",
            "an agent keeps no data to query: it needs at least one `remote_write`",
            Some("add `remote_write: [{url: http://central.example.com:9090/api/v1/write}]`, or remove `mode: agent`".into()),
        );
    }
    for field in ["retention", "retention_size"] {
        let field = format!("prometheus.{field}");
        if p.is_written(&field) {
            p.error(
                &field,
                "an agent keeps samples only until they are sent, so it has no retention",
                Some(format!("set retention on {ON_THE_RECEIVER}; to give up on samples the receiver could not take for too long, set `remote_write[].queue.sample_age_limit`")),
            );
        }
    }
    if s.remote_write_receiver == Some(true) {
        p.error(
            "prometheus.remote_write_receiver",
            "an agent does not receive remote write",
            Some("run the receiving stack in server mode (the default)".into()),
        );
    }
    for field in ["evaluation_interval", "edge_labels"] {
        let field = format!("prometheus.{field}");
        if p.is_written(&field) {
            p.warning(
                &field,
                "an agent evaluates no rules, so this is not used",
                Some(format!("set it on {ON_THE_RECEIVER}")),
            );
        }
    }
}

/// Alertmanager and Grafana are off on an agent; asking for them is an error.
pub fn refuse_alerting_and_grafana(spec: &Spec, p: &mut Problems) {
    let am = &spec.alertmanager;
    if am.enabled == Some(true) {
        p.error(
            "alertmanager.enabled",
            "an agent evaluates no rules, so it sends no alerts to an Alertmanager",
            Some(format!(
                "run Alertmanager on {ON_THE_RECEIVER}, where the alerts are evaluated"
            )),
        );
    } else if am.route.is_some() || !am.receivers.is_empty() || !am.inhibit_rules.is_empty() {
        p.error(
            "alertmanager",
            "an agent sends no alerts, so its routes and receivers would never be used",
            Some(format!(
                "move the `alertmanager:` section to the spec of {ON_THE_RECEIVER}"
            )),
        );
    } else if p.is_written("alertmanager") && am.enabled != Some(false) {
        p.warning(
            "alertmanager",
            "Alertmanager is off on an agent, so these settings are not used",
            None,
        );
    }
    let g = &spec.grafana;
    if g.enabled == Some(true) {
        p.error(
            "grafana.enabled",
            "an agent answers no queries, so Grafana would have nothing to show",
            Some(format!(
                "run Grafana on {ON_THE_RECEIVER}: it has this agent's series"
            )),
        );
    } else if p.is_written("grafana") && g.enabled != Some(false) {
        p.warning(
            "grafana",
            "Grafana is off on an agent, so these settings are not used",
            None,
        );
    }
}

/// Rule packs, inline alerts and rule files need rule evaluation. Packs on by
/// default (`stack`, `node`) are simply off; asking for one is an error.
pub fn refuse_rules(spec: &Spec, p: &mut Problems) {
    let why = "its rules see this agent's series, with its external labels";
    for (name, setting) in &spec.rules.packs {
        if !matches!(setting, PackSetting::Toggle(false)) {
            p.error(
                &format!("rules.packs.{name}"),
                format!("an agent evaluates no rules, so pack `{name}` cannot run here"),
                Some(format!("enable the pack on {ON_THE_RECEIVER}: {why}")),
            );
        }
    }
    let elsewhere = Some(format!("move them to the spec of {ON_THE_RECEIVER}: {why}"));
    if !spec.rules.alerts.is_empty() {
        p.error(
            "rules.alerts",
            "an agent evaluates no rules, so these alerts cannot run here",
            elsewhere.clone(),
        );
    }
    if !spec.prometheus.rule_files.is_empty() {
        p.error(
            "prometheus.rule_files",
            "an agent evaluates no rules, so these files cannot be loaded",
            elsewhere.clone(),
        );
    }
    if !spec.slos.is_empty() {
        p.error(
            "slos",
            "an agent evaluates no rules, so its SLOs' recording rules and burn-rate alerts cannot run here",
            elsewhere.clone(),
        );
    }
    if spec
        .exporters
        .pushgateway
        .as_ref()
        .is_some_and(|pg| !pg.jobs.is_empty())
    {
        p.error(
            "exporters.pushgateway.jobs",
            "an agent evaluates no rules, so it cannot watch these jobs' pushes",
            elsewhere,
        );
    }
}
