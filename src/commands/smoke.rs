//! `obsctl smoke`: one command for a CI job. Brings the stack up, waits until
//! every target has been scraped once, runs doctor, optionally fires a
//! synthetic alert, writes JUnit and/or JSON, tears down what it created, and
//! exits non-zero on any failure.
//!
//! Tear-down only removes a stack smoke itself created (with its volumes): a
//! stack that was already running is left as it was, so running smoke next to
//! a real stack never deletes its data.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::cli::{DownArgs, OutputFormat, SmokeArgs, UpArgs};
use crate::doctor::check::Check;
use crate::doctor::report::Report;
use crate::doctor::run;
use crate::error::{EXIT_FAILED, EXIT_OK};
use crate::fs::atomic_write;
use crate::probes::Http;
use crate::runtime::docker::Engine;
use crate::runtime::services::probe_host;
use crate::smoke::{alert, junit, listener};
use crate::timeouts;
use crate::{render, stack};

/// Runs the smoke test; exit 0 when every check passed, 1 otherwise, 2 when
/// it could not start (invalid spec, no Docker).
pub fn run(file: Option<&Path>, args: SmokeArgs, output: OutputFormat) -> Result<u8> {
    let started = Instant::now();
    let stack = stack::load(file)?;
    let model = &stack.model;
    let dir = args.dir.clone().unwrap_or_else(|| stack.default_dir());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let existed = runtime.block_on(async {
        let engine = Engine::connect().await.map_err(|e| {
            crate::error::Error::usage(
                format!("cannot reach Docker at {}: {}", e.endpoint, e.reason),
                Some(e.hint),
            )
        })?;
        let containers = engine
            .stack_containers(&model.name)
            .await
            .map_err(|e| anyhow::anyhow!(e.message()))?;
        anyhow::Ok(!containers.is_empty())
    })?;

    let mut checks = Vec::new();
    let up = super::up::run(
        file,
        UpArgs {
            dir: args.dir.clone(),
            pull: args.pull,
            timeout: args.timeout,
        },
        OutputFormat::Human,
    );
    match up {
        Ok(_) => {
            checks.push(Check::ok("smoke", "up", "every service ready"));
            let files = render::render(model).map_err(anyhow::Error::msg)?;
            runtime.block_on(async {
                checks.push(wait_for_scrapes(model, args.timeout).await);
                checks.extend(run::run(model, &files, &dir).await);
                if args.alert {
                    match &model.alertmanager {
                        Some(am) => {
                            let base = format!("http://{}:{}", probe_host(model.bind), am.port);
                            let labels: Vec<(String, String)> = args
                                .alert_label
                                .iter()
                                .filter_map(|l| {
                                    l.split_once('=')
                                        .map(|(k, v)| (k.to_string(), v.to_string()))
                                })
                                .collect();
                            // Webhook receivers that point at this machine get a
                            // listener, so delivery is proven too.
                            let webhooks: Vec<(String, u16)> = am
                                .receivers
                                .iter()
                                .filter_map(|r| {
                                    let url = r.webhook.as_ref()?.url.as_deref()?;
                                    Some((r.name.clone(), listener::host_port(url)?))
                                })
                                .collect();
                            checks.extend(
                                alert::fire(
                                    &Http::new(),
                                    &base,
                                    &labels,
                                    args.expect_receiver.as_deref(),
                                    &webhooks,
                                    timeouts::ALERT_LISTED,
                                )
                                .await,
                            );
                        }
                        None => checks.push(Check::fail(
                            "alert",
                            "accepted",
                            "--alert needs Alertmanager, which the spec disables",
                        )),
                    }
                }
            });
        }
        Err(e) => {
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            checks.push(
                Check::fail("smoke", "up", chain.join(": "))
                    .hint("the lines above show what `up` reported"),
            );
        }
    }

    let report = Report::new(checks, args.strict);
    if let Some(path) = &args.junit {
        let xml = junit::render(&report, &model.name, started.elapsed().as_secs_f64());
        atomic_write(path, xml.as_bytes(), 0o644)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    match output {
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).context("writing the report")?
        ),
        OutputFormat::Human => print!("{}", report.human()),
    }

    if args.keep {
        eprintln!("smoke: --keep: stack `{}` left running", model.name);
    } else if existed {
        eprintln!(
            "smoke: stack `{}` was already running before smoke, so it is left as it was",
            model.name
        );
    } else {
        super::down::run(file, DownArgs { volumes: true }, OutputFormat::Human)?;
    }
    Ok(if report.healthy { EXIT_OK } else { EXIT_FAILED })
}

/// Waits until Prometheus has scraped every target at least once.
async fn wait_for_scrapes(model: &crate::model::Model, limit: Duration) -> Check {
    let Some(p) = &model.prometheus else {
        return Check::skip("smoke", "first scrape", "prometheus is disabled");
    };
    let url = format!(
        "http://{}:{}/api/v1/targets?state=active",
        probe_host(model.bind),
        p.port
    );
    let http = Http::new();
    let started = Instant::now();
    loop {
        if let Ok(body) = crate::probes::get_json(&http, &url).await {
            let targets = body
                .pointer("/data/activeTargets")
                .and_then(|t| t.as_array())
                .cloned()
                .unwrap_or_default();
            if !targets.is_empty() && targets.iter().all(|t| t["health"] != "unknown") {
                return Check::ok(
                    "smoke",
                    "first scrape",
                    format!(
                        "all {} targets scraped ({:.1}s)",
                        targets.len(),
                        started.elapsed().as_secs_f64()
                    ),
                );
            }
        }
        if started.elapsed() > limit {
            return Check::fail(
                "smoke",
                "first scrape",
                format!("not every target was scraped within {}s", limit.as_secs()),
            )
            .hint("a scrape interval longer than the deadline? raise --timeout");
        }
        tokio::time::sleep(timeouts::SCRAPE_POLL).await;
    }
}
