//! The synthetic alert of `obsctl smoke --alert`: posted to Alertmanager's
//! API, then read back to see that Alertmanager accepted it and which
//! receivers its routing tree chose.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::doctor::check::Check;
use crate::probes::{get_json, reason, Http};
use crate::timeouts;

/// The alert name smoke alerts carry.
pub const ALERT_NAME: &str = "ObsctlSmokeTest";

/// Posts the alert with `labels` (plus its name and a run id), waits for
/// Alertmanager to list it, and checks the receivers it was routed to. For
/// each `(receiver, port)` in `webhooks` (webhook receivers pointing at this
/// machine), a listener is started first, and a routed receiver's delivery
/// is awaited.
pub async fn fire(
    http: &Http,
    base: &str,
    labels: &[(String, String)],
    expect: Option<&str>,
    webhooks: &[(String, u16)],
    deadline: Duration,
) -> Vec<Check> {
    let run = format!(
        "{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_millis()
    );
    let marker = format!("\"smoke_run\":\"{run}\"");
    let mut listeners = Vec::new();
    for (receiver, port) in webhooks {
        match super::listener::Listener::start(*port, marker.clone()).await {
            Ok(l) => listeners.push((receiver.clone(), l)),
            Err(e) => {
                return vec![Check::fail(
                    "alert",
                    format!("webhook {receiver}"),
                    format!("cannot listen on port {port} for the webhook: {e}"),
                )
                .hint("another process holds the port the webhook receiver points at")]
            }
        }
    }
    let mut all = serde_json::Map::new();
    all.insert("alertname".into(), json!(ALERT_NAME));
    all.insert("smoke_run".into(), json!(run));
    for (k, v) in labels {
        all.insert(k.clone(), json!(v));
    }
    let now = chrono::Utc::now();
    let body = json!([{
        "labels": all,
        "annotations": {"summary": "Synthetic alert from `obsctl smoke`; it resolves by itself in 5 minutes."},
        "startsAt": now.to_rfc3339(),
        "endsAt": (now + chrono::Duration::minutes(5)).to_rfc3339(),
        "generatorURL": "https://obsctl.invalid/smoke"
    }]);
    let url = format!("{base}/api/v2/alerts");
    match http.client().post(&url).json(&body).send().await {
        Ok(r) if r.status().is_success() => {}
        Ok(r) => {
            let status = r.status().as_u16();
            let text = r.text().await.unwrap_or_default();
            return vec![Check::fail(
                "alert",
                "accepted",
                format!("POST {url} answered HTTP {status}: {text}"),
            )];
        }
        Err(e) => {
            return vec![
                Check::fail("alert", "accepted", format!("POST {url}: {}", reason(&e)))
                    .hint("is Alertmanager running? `obsctl status` shows it"),
            ]
        }
    }
    let filter = format!("{base}/api/v2/alerts?filter=smoke_run%3D%22{run}%22");
    let started = Instant::now();
    let found = loop {
        if let Ok(Value::Array(alerts)) = get_json(http, &filter).await {
            if let Some(a) = alerts.into_iter().next() {
                break Some(a);
            }
        }
        if started.elapsed() > deadline {
            break None;
        }
        tokio::time::sleep(timeouts::ALERT_POLL).await;
    };
    let Some(alert) = found else {
        return vec![Check::fail(
            "alert",
            "accepted",
            format!(
                "Alertmanager did not list the alert within {}s",
                deadline.as_secs()
            ),
        )];
    };
    let receivers: Vec<String> = alert["receivers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["name"].as_str().map(str::to_string))
        .collect();
    let mut out = vec![Check::ok(
        "alert",
        "accepted",
        format!(
            "Alertmanager accepted {ALERT_NAME} and routed it to {}",
            receivers.join(", ")
        ),
    )];
    if let Some(want) = expect {
        if receivers.iter().any(|r| r == want) {
            out.push(Check::ok(
                "alert",
                "routing",
                format!("reached receiver `{want}`"),
            ));
        } else {
            out.push(
                Check::fail("alert", "routing", format!("routed to {} instead of `{want}`", receivers.join(", ")))
                    .hint("check the route's `match`/`matchers` against the alert's labels (`--alert-label`), and their order: the first matching route wins unless `continue: true`"),
            );
        }
    }
    for (receiver, listener) in listeners {
        if !receivers.contains(&receiver) {
            continue;
        }
        let port = listener.port;
        if listener.wait(timeouts::WEBHOOK_DELIVERY).await {
            out.push(Check::ok(
                "alert",
                format!("webhook {receiver}"),
                format!("the notification reached the listener on port {port}"),
            ));
        } else {
            out.push(
                Check::fail("alert", format!("webhook {receiver}"), format!("no notification reached port {port} within {}s", timeouts::WEBHOOK_DELIVERY.as_secs()))
                    .hint("check the route's group_wait, and that Alertmanager can reach host.docker.internal (a firewall between Docker's bridge and this machine?)"),
            );
        }
    }
    out
}
