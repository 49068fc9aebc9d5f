//! `obsctl smoke` as a library call: bring the stack up, wait until every
//! target was scraped once, run every doctor check, and optionally fire a
//! synthetic alert; each step's result is a check of one report. Writing
//! JUnit/JSON and tearing down are left to the command.

pub mod alert;
pub mod junit;
pub mod listener;
mod scrapes;

use std::path::Path;

use crate::doctor::check::Check;
use crate::doctor::run;
use crate::model::Model;
use crate::printer::Progress;
use crate::probes::{probe_host, Http};
use crate::render::RenderedFile;
use crate::runtime::{self, Engine, UpReport, UpSettings};
use crate::timeouts;

/// How smoke works, resolved from its flags.
#[derive(Debug, Clone)]
pub struct SmokeSettings {
    pub up: UpSettings,
    /// Fire a synthetic alert, when set.
    pub alert: Option<AlertSettings>,
    /// Count warnings as failures.
    pub strict: bool,
    /// Leave the stack running afterwards.
    pub keep: bool,
}

/// The synthetic alert: its extra labels, and the receiver it must reach.
#[derive(Debug, Clone, Default)]
pub struct AlertSettings {
    pub labels: Vec<(String, String)>,
    pub expect_receiver: Option<String>,
}

/// Runs every step against the stack of `model` (rendered to `files`, in
/// `dir`); returns the checks, and what `up` did when it succeeded. A failed
/// `up` is a failed check, not an error: the report still gets written.
pub async fn checks(
    engine: &Engine,
    model: &Model,
    files: &[RenderedFile],
    dir: &Path,
    settings: &SmokeSettings,
    progress: &Progress,
) -> (Vec<Check>, Option<UpReport>) {
    let mut checks = Vec::new();
    let up = runtime::up(engine, model, files, dir, &settings.up, progress);
    let report = match crate::task::interruptible(up).await {
        Ok(report) => report,
        Err(e) => {
            let hint = e
                .hint()
                .unwrap_or_else(|| "the lines above show what `up` reported".into());
            checks.push(Check::fail("smoke", "up", e.to_string()).hint(hint));
            return (checks, None);
        }
    };
    checks.push(Check::ok("smoke", "up", "every service ready"));
    checks.push(scrapes::first_scrapes(model, settings.up.timeout).await);
    checks.extend(run::run(model, files, dir).await);
    if let Some(alert) = &settings.alert {
        checks.extend(fire(model, alert).await);
    }
    (checks, Some(report))
}

async fn fire(model: &Model, settings: &AlertSettings) -> Vec<Check> {
    let Some(am) = &model.alertmanager else {
        return vec![Check::fail(
            "alert",
            "accepted",
            "--alert needs Alertmanager, which the spec disables",
        )];
    };
    let base = format!("http://{}:{}", probe_host(model.bind), am.port);
    // Webhook receivers that point at this machine get a listener, so
    // delivery is proven too.
    let webhooks: Vec<(String, u16)> = am
        .receivers
        .iter()
        .filter_map(|r| {
            let url = r.webhook.as_ref()?.url.as_deref()?;
            Some((r.name.clone(), listener::host_port(url)?))
        })
        .collect();
    alert::fire(
        &Http::new(),
        &base,
        &settings.labels,
        settings.expect_receiver.as_deref(),
        &webhooks,
        timeouts::ALERT_LISTED,
    )
    .await
}
