//! The synthetic alert of `obsctl smoke --alert`: posted to Alertmanager's
//! API, then read back to see that Alertmanager accepted it and which
//! receivers its routing tree chose.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::doctor::check::Check;
use crate::probes::{get_json, reason, Http};

/// The alert name smoke alerts carry.
pub const ALERT_NAME: &str = "ObsctlSmokeTest";

/// Posts the alert with `labels` (plus its name and a run id), waits for
/// Alertmanager to list it, and checks the receivers it was routed to.
pub async fn fire(
    http: &Http,
    base: &str,
    labels: &[(String, String)],
    expect: Option<&str>,
    deadline: Duration,
) -> Vec<Check> {
    let run = format!("{}", std::process::id());
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
        tokio::time::sleep(Duration::from_millis(200)).await;
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
    out
}
