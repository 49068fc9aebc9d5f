//! Gathering the HTTP checks of Prometheus, Alertmanager and the probes:
//! each answer is fetched once, under a timeout, and judged by the pure
//! functions beside this module.

use std::time::Duration;

use super::check::Check;
use futures_util::future::join_all;

use super::dns::Networks;
use super::youth::Youth;
use super::{alertmanager, probes, prometheus, remote_write, slos, targets};
use crate::duration::parse_duration;
use crate::model::defaults::{EVALUATION_INTERVAL, SCRAPE_INTERVAL, SCRAPE_TIMEOUT};
use crate::model::{Model, Service, Wiring, METRICS_PATH};
use crate::probes::{blackbox, get_bytes, get_json, Check as Probe, Http};
use crate::timeouts;

/// Every Prometheus check. `base` is `http://127.0.0.1:9090`; `networks`
/// says where names that do not resolve from Prometheus live.
pub async fn prometheus_checks(
    http: &Http,
    base: &str,
    model: &Model,
    networks: &Networks,
    timeout: Duration,
) -> Vec<Check> {
    let ready = http
        .check(&ready_url(base, Service::Prometheus), timeout)
        .await;
    if !ready.is_up() {
        return vec![
            unreachable(Service::Prometheus, base, &ready).hint(match ready {
                Probe::Status(503) => {
                    "Prometheus is starting (replaying its WAL): wait and run doctor again"
                        .to_string()
                }
                _ => "is the Prometheus container running? `obsctl status` shows it".to_string(),
            }),
        ];
    }
    let mut out = vec![Check::ok("prometheus", "ready", format!("{base} ready"))];
    let expected_groups = rule_groups(model);
    let (scrape_timeout, scrape_interval, evaluation_interval) = match &model.prometheus {
        Some(p) => (
            p.scrape_timeout.clone(),
            p.scrape_interval.clone(),
            p.evaluation_interval.clone(),
        ),
        None => (
            SCRAPE_TIMEOUT.into(),
            SCRAPE_INTERVAL.into(),
            EVALUATION_INTERVAL.into(),
        ),
    };
    let agent = model.prometheus.as_ref().is_some_and(|p| p.is_agent());
    let urls = [
        "status/runtimeinfo",
        "targets?state=active",
        "rules",
        "alerts",
        "alertmanagers",
        "label/__name__/values",
    ]
    .map(|p| format!("{base}/api/v1/{p}"));
    // An agent answers 422 to the query, rules and alerts APIs.
    let server = |url: &str| {
        let url = url.to_string();
        async move {
            if agent {
                None
            } else {
                Some(get_json(http, &url).await)
            }
        }
    };
    let (runtime, targets_body, rules, alerts, ams, names, remote_write) = tokio::join!(
        get_json(http, &urls[0]),
        get_bytes(http, &urls[1]),
        server(&urls[2]),
        server(&urls[3]),
        server(&urls[4]),
        server(&urls[5]),
        remote_write_checks(http, base, model),
    );
    let mut youth = Youth::default();
    match runtime {
        Ok(body) => {
            youth = Youth::from_runtime_info(&body, chrono::Utc::now());
            out.push(prometheus::reload_state(&body));
        }
        Err(e) => out.push(Check::fail("prometheus", "configuration", e.to_string())),
    }
    if model.alertmanager.is_some() {
        match ams {
            Some(Ok(body)) => out.push(prometheus::alertmanagers(&body, &youth)),
            Some(Err(e)) => out.push(Check::fail(
                "prometheus",
                "alertmanager connection",
                e.to_string(),
            )),
            None => {}
        }
    }
    let expect = targets::Expectations {
        default_timeout: &scrape_timeout,
        default_interval: &scrape_interval,
        wiring: Wiring::of(model),
        youth,
        networks: networks.clone(),
    };
    let mut unscraped = 0;
    match targets_body
        .map_err(|e| e.to_string())
        .and_then(|b| targets::checks(&b, &expect))
    {
        Ok(t) => {
            unscraped = t.unscraped;
            out.extend(t.checks);
        }
        Err(e) => out.push(Check::fail("targets", "scrape targets", e)),
    }
    out.extend(remote_write);
    if agent {
        out.push(Check::skip(
            "rules",
            "rules",
            "Prometheus runs as an agent: rules and alerts are evaluated where it writes to",
        ));
        return out;
    }
    match rules {
        Some(Ok(body)) => out.extend(prometheus::rules(&body, &expected_groups)),
        Some(Err(e)) => out.push(Check::fail("rules", "rules", e.to_string())),
        None => {}
    }
    let watchdog = model.packs.contains_key("stack");
    let evaluated = parse_duration(&evaluation_interval).is_ok_and(|i| !youth.within(i));
    match alerts {
        Some(Ok(body)) => out.extend(prometheus::alerts(&body, watchdog, evaluated)),
        Some(Err(e)) => out.push(Check::fail("alerts", "alerts", e.to_string())),
        None => {}
    }
    if unscraped > 0 {
        out.push(Check::skip(
            "metrics",
            "pack metrics",
            format!("not judged until every target has been scraped once ({unscraped} not yet)"),
        ));
    } else {
        match names {
            Some(Ok(body)) => out.extend(prometheus::missing_metrics(&body, &model.packs)),
            Some(Err(e)) => out.push(Check::fail("metrics", "metric names", e.to_string())),
            None => {}
        }
    }
    let slo_checks = model.slos.iter().map(|slo| async move {
        match crate::probes::prometheus::query(http, base, &slos::query(slo)).await {
            Ok(answer) => slos::check(slo, &answer),
            Err(e) => Check::fail("slos", format!("slo {}", slo.name), e.to_string()),
        }
    });
    out.extend(join_all(slo_checks).await);
    out
}

/// Remote-write health from Prometheus' own `/metrics`, when the spec has
/// `remote_write`.
async fn remote_write_checks(http: &Http, base: &str, model: &Model) -> Vec<Check> {
    let Some(prom) = model
        .prometheus
        .as_ref()
        .filter(|p| !p.remote_write.is_empty())
    else {
        return Vec::new();
    };
    let url = format!("{base}{METRICS_PATH}");
    match get_bytes(http, &url).await {
        Ok(body) => remote_write::checks(
            &String::from_utf8_lossy(&body),
            remote_write::lag_limit(prom),
        ),
        Err(e) => vec![Check::fail("remote_write", "metrics", e.to_string())],
    }
}

/// Names of every rule group the rendered rule files define.
fn rule_groups(model: &Model) -> Vec<String> {
    use crate::model::RulesContent;
    use crate::rulefile::RuleFile;
    model
        .rules
        .iter()
        .filter_map(|r| match &r.content {
            RulesContent::Generated(f) => Some(f.clone()),
            RulesContent::Verbatim(text) => serde_yaml::from_str::<RuleFile>(text).ok(),
        })
        .flat_map(|f| f.groups.into_iter().map(|g| g.name))
        .collect()
}

/// Every Alertmanager check. `base` is `http://127.0.0.1:9093`.
pub async fn alertmanager_checks(
    http: &Http,
    base: &str,
    model: &Model,
    stack_dir: &std::path::Path,
    timeout: Duration,
) -> Vec<Check> {
    let ready = http
        .check(&ready_url(base, Service::Alertmanager), timeout)
        .await;
    if !ready.is_up() {
        return vec![unreachable(Service::Alertmanager, base, &ready).hint("is the Alertmanager container running? `obsctl status` shows it; `obsctl up` starts it")];
    }
    let mut out = vec![Check::ok("alertmanager", "ready", format!("{base} ready"))];
    match get_json(http, &format!("{base}/api/v2/status")).await {
        Ok(body) => out.extend(alertmanager::status(&body)),
        Err(e) => out.push(Check::fail("alertmanager", "configuration", e.to_string())),
    }
    if let Some(am) = &model.alertmanager {
        out.extend(alertmanager::receiver_secrets(am, stack_dir));
    }
    out
}

/// Runs every probe once on the blackbox exporter at `base` with
/// `debug=true` and explains those that fail.
pub async fn probe_checks(http: &Http, base: &str, model: &Model) -> Vec<Check> {
    let runs = model.probes.iter().map(|p| async move {
        let result = blackbox::debug_probe(
            http,
            base,
            &p.target,
            &p.blackbox_module,
            timeouts::DOCTOR_PROBE,
        )
        .await
        .map(|page| probes::explain(&page, p))
        .map_err(|e| e.to_string());
        (p.clone(), result)
    });
    probes::checks(&join_all(runs).await)
}

fn ready_url(base: &str, service: Service) -> String {
    format!("{base}{}", service.ready_path())
}

fn unreachable(service: Service, base: &str, probe: &Probe) -> Check {
    Check::fail(
        service.name(),
        "ready",
        format!("{}: {}", ready_url(base, service), probe.describe()),
    )
}
