//! `init`'s look at what runs here (`--discover`, or its question on a
//! terminal): the survey ([`survey::look`]), the proposal made from it, and
//! how both are told, before the proposal joins the answers.

use anyhow::Result;

use crate::presets::Answers;
use crate::printer::Printer;
use crate::probes::Http;
use crate::survey::{self, Proposal};
use crate::{runtime, task};

/// Looks at the running containers (of `projects` only, when given) and
/// proposes what to monitor, given the answers so far; tells what it found.
pub fn propose(printer: &Printer, answers: &Answers, projects: &[String]) -> Result<Proposal> {
    let look = task::block_on(async {
        let engine = runtime::connect().await?;
        survey::look::look(&engine, &Http::new(), projects).await
    })??;
    let proposal = survey::propose(&look.running, &look.endpoints, answers);
    tell(printer, &proposal);
    Ok(proposal)
}

fn tell(printer: &Printer, p: &Proposal) {
    if p.seen.is_empty() {
        printer.say("found no running container to monitor");
        return;
    }
    printer.say("found on this machine:");
    let mut project: Option<&str> = None;
    for s in &p.seen {
        if project != Some(s.project.as_str()) {
            project = Some(s.project.as_str());
            printer.say(if s.project.is_empty() {
                "  containers of no Compose project:".to_string()
            } else {
                format!("  Compose project `{}`:", s.project)
            });
        }
        printer.say(format!("    {}: {}", s.container, s.what));
    }
    let mut parts = Vec::new();
    if !p.networks.is_empty() {
        parts.push(format!("join {}", p.networks.join(", ")));
    }
    if !p.scrape.is_empty() {
        let jobs: Vec<&str> = p.scrape.iter().map(|s| s.job.as_str()).collect();
        parts.push(format!("scrape {}", jobs.join(", ")));
    }
    let exporters: Vec<String> = p
        .postgres
        .iter()
        .map(|e| format!("postgres_exporter ({})", e.address))
        .chain(
            p.redis
                .iter()
                .map(|e| format!("redis_exporter ({})", e.address)),
        )
        .collect();
    if !exporters.is_empty() {
        parts.push(format!("run {}", exporters.join(", ")));
    }
    if !p.packs.is_empty() {
        parts.push(format!("rule packs {}", p.packs.join(", ")));
    }
    if !parts.is_empty() {
        printer.say(format!("proposed: {}", parts.join("; ")));
    }
    for note in &p.notes {
        printer.say(format!("note: {note}"));
    }
}
