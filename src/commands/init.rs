//! `obsctl init`: write an annotated `obsctl.yaml`, asking with prompts on a
//! terminal or taking flags and defaults with `--yes`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Confirm, Input, MultiSelect, Select};
use futures_util::future::join_all;

use super::init_survey;
use crate::cli::InitArgs;
use crate::error::{Error, EXIT_OK};
use crate::fs::atomic_write;
use crate::model::METRICS_PATH;
use crate::packs;
use crate::presets::{self, Answers, ReceiverAnswer, RouteAnswer, ScrapeAnswer, PRESETS};
use crate::printer::Printer;
use crate::probes::{scrape, Http, ProbeError};
use crate::scrape_protocol::TEXT_FALLBACK;
use crate::stack::SPEC_FILE;
use crate::{task, timeouts};

/// Writes the spec (default `./obsctl.yaml`) and `rules/` and `dashboards/`
/// folders beside it. Never overwrites without `--force`.
pub fn run(printer: &Printer, file: Option<&Path>, args: &InitArgs) -> Result<u8> {
    let path = file
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(SPEC_FILE));
    if path.exists() && !args.force {
        return Err(Error::SpecExists { path }.into());
    }
    let interactive = !args.yes;
    if interactive && !std::io::stdin().is_terminal() {
        return Err(Error::NotATerminal.into());
    }

    let base = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let default_name = args.name.clone().unwrap_or_else(|| folder_name(base));
    let mut answers = if interactive {
        ask(printer, args, default_name)?
    } else {
        let mut a = from_flags(args, default_name)?;
        if args.discover {
            init_survey::propose(printer, &a, &args.projects)?.apply(&mut a);
        }
        a
    };
    for note in probe_scrape_targets(&mut answers.scrape)? {
        printer.say(note);
    }

    let text = presets::render_spec(&answers);
    atomic_write(&path, text.as_bytes(), 0o644)
        .with_context(|| format!("writing {}", path.display()))?;
    for (folder, readme) in [("rules", RULES_README), ("dashboards", DASHBOARDS_README)] {
        let dir = base.join(folder);
        if !dir.exists() {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            atomic_write(&dir.join("README.md"), readme.as_bytes(), 0o644)?;
        }
    }
    printer.say(format!(
        "wrote {} for stack `{}`",
        path.display(),
        answers.name
    ));
    let envs = secret_variables(&answers);
    if !envs.is_empty() {
        printer.say(format!("before `obsctl up`, set: {}", envs.join(", ")));
    }
    printer
        .say("next: `obsctl up` starts the stack; `obsctl render` only writes its configuration");
    Ok(EXIT_OK)
}

const RULES_README: &str = "# Your own Prometheus rule files\n\nAdd rule files here and list them in obsctl.yaml:\n\n    prometheus:\n      rule_files: [\"rules/*.yml\"]\n\nobsctl validates them (PromQL, durations) and loads them next to the built-in packs.\n";
const DASHBOARDS_README: &str = "# Your own Grafana dashboards\n\nPut dashboard JSON files here (exported ones included); each sub-folder becomes a\nGrafana folder. obsctl maps their datasource to the stack's Prometheus.\n";

/// A stack name derived from a folder name (`My App` -> `my-app`).
fn folder_name(dir: &Path) -> String {
    let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let raw = abs
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    name = name.trim_matches('-').chars().take(40).collect();
    let name = name.trim_end_matches('-').to_string();
    if name.is_empty() {
        crate::model::defaults::STACK_NAME.into()
    } else {
        name
    }
}

fn start(preset: Option<&str>, name: &str) -> Result<Answers> {
    let preset = preset.unwrap_or("minimal");
    presets::preset(preset, name).ok_or_else(|| {
        Error::UnknownPreset {
            name: preset.into(),
            known: PRESETS.iter().map(|(n, _)| n.to_string()).collect(),
        }
        .into()
    })
}

fn from_flags(args: &InitArgs, name: String) -> Result<Answers> {
    let mut a = start(args.preset.as_deref(), &name)?;
    let mut flagged = Vec::new();
    for s in &args.scrape {
        add_flag_job(
            &mut a,
            ScrapeAnswer {
                probe: true,
                ..parse_scrape(s)?
            },
            &mut flagged,
        )?;
    }
    let known: Vec<String> = packs::all().into_iter().map(|p| p.name).collect();
    for p in &args.packs {
        if !known.contains(p) {
            return Err(Error::UnknownPack {
                name: p.clone(),
                known,
            }
            .into());
        }
        if !a.packs.contains(p) {
            a.packs.push(p.clone());
        }
    }
    apply_alert_flags(&mut a, args.slack_env.clone(), args.pagerduty_env.clone());
    Ok(a)
}

fn apply_alert_flags(a: &mut Answers, slack: Option<String>, pagerduty: Option<String>) {
    if slack.is_none() && pagerduty.is_none() {
        return;
    }
    a.receivers.clear();
    a.routes.clear();
    if let Some(var) = slack {
        a.receivers.push(ReceiverAnswer {
            name: "slack".into(),
            slack_env: Some(var),
            ..Default::default()
        });
    }
    if let Some(var) = pagerduty {
        a.receivers.push(ReceiverAnswer {
            name: "pagerduty".into(),
            pagerduty_env: Some(var),
            ..Default::default()
        });
    }
    a.default_receiver = a.receivers.first().map(|r| r.name.clone());
    if a.receivers.len() == 2 {
        a.routes.push(RouteAnswer {
            severity: "critical".into(),
            receiver: "pagerduty".into(),
        });
    }
}

/// Adds the job of a `--scrape` flag: it replaces the preset's job of the
/// same name (the flag says where that service is); a job given by two flags
/// with the same path gets both targets. The spec never names a job twice.
/// `flagged` holds the jobs earlier flags gave.
fn add_flag_job(a: &mut Answers, job: ScrapeAnswer, flagged: &mut Vec<String>) -> Result<()> {
    let name = job.job.clone();
    if presets::reserved_jobs().contains(&name.as_str()) {
        return Err(Error::InitJob {
            job: name,
            reason: "is one obsctl scrapes for the stack itself".into(),
        }
        .into());
    }
    let existing = a.scrape.iter().position(|s| s.job == name);
    match existing {
        None => a.scrape.push(job),
        Some(i) if !flagged.contains(&name) => a.scrape[i] = job,
        Some(i) if a.scrape[i].metrics_path == job.metrics_path => {
            a.scrape[i].targets.extend(job.targets);
        }
        Some(_) => {
            return Err(Error::InitJob {
                job: name,
                reason: "is given twice with different metrics paths".into(),
            }
            .into())
        }
    }
    flagged.push(name);
    Ok(())
}

/// Parses `JOB=HOST:PORT[/PATH]`.
fn parse_scrape(s: &str) -> Result<ScrapeAnswer> {
    let bad = || Error::BadScrapeFlag { value: s.into() };
    let (job, rest) = s.split_once('=').ok_or_else(bad)?;
    let (target, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, METRICS_PATH),
    };
    let port_ok = target
        .rsplit_once(':')
        .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok_and(|p| p > 0));
    if job.is_empty() || !port_ok {
        return Err(bad().into());
    }
    Ok(ScrapeAnswer::new(job, &[target], path))
}

/// Looks at every target the user named, from this machine, the way
/// Prometheus 3 will: a job whose target answers with a Content-Type
/// Prometheus refuses gets `fallback_scrape_protocol`. A target that cannot
/// be reached from here (a container name, a service not running yet) is
/// left as it is. Returns what to tell the user.
fn probe_scrape_targets(jobs: &mut [ScrapeAnswer]) -> Result<Vec<String>> {
    let http = Http::new();
    let wanted: Vec<(usize, String, String)> = jobs
        .iter()
        .enumerate()
        .filter(|(_, j)| j.probe && j.fallback_scrape_protocol.is_none())
        .flat_map(|(i, j)| {
            j.targets.iter().map(move |t| {
                let shown = format!("{t}{}", j.metrics_path);
                (
                    i,
                    shown,
                    format!("http://{}{}", reachable_from_here(t), j.metrics_path),
                )
            })
        })
        .collect();
    let verdicts = task::block_on(join_all(
        wanted
            .iter()
            .map(|(_, _, url)| scrape::verdict(&http, url, timeouts::INIT_PROBE)),
    ))?;
    let mut notes = Vec::new();
    for ((i, shown, url), verdict) in wanted.into_iter().zip(verdicts) {
        let job = &mut jobs[i];
        match verdict {
            Ok(v) if v.needs_fallback() => {
                if job.fallback_scrape_protocol.is_none() {
                    job.fallback_scrape_protocol = Some(TEXT_FALLBACK.into());
                    notes.push(format!(
                        "job `{}`: {shown} answers with {}, which Prometheus 3 refuses; the job gets `fallback_scrape_protocol: {TEXT_FALLBACK}`",
                        job.job,
                        v.describe()
                    ));
                }
            }
            Ok(_) => {}
            Err(e) => notes.push(format!(
                "job `{}`: could not look at {url} from here ({}); `obsctl doctor` checks the target once the stack runs",
                job.job,
                probe_failure(&e)
            )),
        }
    }
    Ok(notes)
}

/// The address of a target as seen from this machine: the stack's
/// containers reach this machine as `host.docker.internal`.
fn reachable_from_here(target: &str) -> String {
    match target.strip_prefix("host.docker.internal:") {
        Some(port) => format!("127.0.0.1:{port}"),
        None => target.to_string(),
    }
}

fn probe_failure(e: &ProbeError) -> String {
    match e {
        ProbeError::Request { reason, .. } => reason.clone(),
        ProbeError::Status { status, .. } => format!("it answered HTTP {status}"),
        ProbeError::Decode { reason, .. } => reason.clone(),
    }
}

fn secret_variables(a: &Answers) -> Vec<String> {
    let mut out = Vec::new();
    for r in &a.receivers {
        out.extend(r.slack_env.clone());
        out.extend(r.pagerduty_env.clone());
        out.extend(r.email.as_ref().and_then(|e| e.password_env.clone()));
    }
    out.extend(
        a.exporters
            .postgres
            .as_ref()
            .map(|p| p.password_env.clone()),
    );
    out
}

fn ask(printer: &Printer, args: &InitArgs, default_name: String) -> Result<Answers> {
    // Colour only where the printer would use it: a terminal, no NO_COLOR.
    let theme: Box<dyn Theme> = if console::colors_enabled_stderr() {
        Box::new(ColorfulTheme::default())
    } else {
        Box::new(SimpleTheme)
    };
    let theme = theme.as_ref();
    let name: String = Input::with_theme(theme)
        .with_prompt("Stack name")
        .default(default_name)
        .validate_with(|s: &String| {
            let ok = !s.is_empty()
                && s.len() <= 40
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if ok {
                Ok(())
            } else {
                Err("use lower-case letters, digits and dashes")
            }
        })
        .interact_text()?;
    let preset = match &args.preset {
        Some(p) => p.clone(),
        None => {
            let items: Vec<String> = PRESETS.iter().map(|(n, d)| format!("{n}: {d}")).collect();
            let i = Select::with_theme(theme)
                .with_prompt("Start from")
                .items(&items)
                .default(0)
                .interact()?;
            PRESETS[i].0.to_string()
        }
    };
    let mut a = start(Some(&preset), &name)?;
    let discover = args.discover
        || Confirm::with_theme(theme)
            .wait_for_newline(true)
            .with_prompt("Look at the containers running here for services to monitor?")
            .default(true)
            .interact()?;
    if discover {
        match init_survey::propose(printer, &a, &args.projects) {
            Ok(proposal) if proposal.seen.is_empty() => {}
            Ok(proposal) => {
                if Confirm::with_theme(theme)
                    .wait_for_newline(true)
                    .with_prompt("Use what was proposed?")
                    .default(true)
                    .interact()?
                {
                    proposal.apply(&mut a);
                }
            }
            // Without Docker there is nothing to look at; the questions go on.
            Err(e) => printer.say(format!("could not look at the containers: {e}")),
        }
    }
    while Confirm::with_theme(theme)
        .wait_for_newline(true)
        .with_prompt("Add a service of yours to scrape?")
        .default(a.scrape.is_empty())
        .interact()?
    {
        let taken = a.clone();
        let job: String = Input::with_theme(theme)
            .with_prompt("  job name")
            .default(a.free_job("api"))
            .validate_with(move |s: &String| {
                if s.trim().is_empty() {
                    Err("give the job a name".to_string())
                } else if taken.job_taken(s) {
                    Err(format!(
                        "the spec has a job `{s}` already; try `{}`",
                        taken.free_job(s)
                    ))
                } else {
                    Ok(())
                }
            })
            .interact_text()?;
        let target: String = Input::with_theme(theme)
            .with_prompt("  address (host:port as seen from the stack)")
            .default("host.docker.internal:8000".into())
            .validate_with(|s: &String| {
                if parse_scrape(&format!("x={s}")).is_ok() {
                    Ok(())
                } else {
                    Err("write host:port")
                }
            })
            .interact_text()?;
        let path: String = Input::with_theme(theme)
            .with_prompt("  metrics path")
            .default(METRICS_PATH.into())
            .interact_text()?;
        a.scrape.push(ScrapeAnswer {
            probe: true,
            ..ScrapeAnswer::new(&job, &[&target], &path)
        });
    }
    let all = packs::all();
    let items: Vec<String> = all
        .iter()
        .map(|p| format!("{}: {}", p.name, p.title))
        .collect();
    let defaults: Vec<bool> = all.iter().map(|p| a.packs.contains(&p.name)).collect();
    let chosen = MultiSelect::with_theme(theme)
        .with_prompt("Rule packs (space toggles)")
        .items(&items)
        .defaults(&defaults)
        .interact()?;
    a.packs = chosen.into_iter().map(|i| all[i].name.clone()).collect();
    let choices = [
        "keep the preset's choice",
        "nowhere for now",
        "Slack",
        "Slack, and PagerDuty for critical alerts",
    ];
    match Select::with_theme(theme)
        .with_prompt("Where should alerts go?")
        .items(choices)
        .default(0)
        .interact()?
    {
        1 => {
            a.receivers.clear();
            a.routes.clear();
            a.default_receiver = None;
        }
        2 => apply_alert_flags(&mut a, Some("SLACK_WEBHOOK_URL".into()), None),
        3 => apply_alert_flags(
            &mut a,
            Some("SLACK_WEBHOOK_URL".into()),
            Some("PAGERDUTY_ROUTING_KEY".into()),
        ),
        _ => {}
    }
    Ok(a)
}

#[cfg(test)]
#[path = "init_tests.rs"]
mod tests;
