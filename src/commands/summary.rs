//! The reports `up` and `status` end with: a short table on stderr for people,
//! or the same facts as JSON on stdout with `--output json`.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::cli::OutputFormat;
use crate::runtime::apply::{Action, Outcome};

/// Where and how to log in to Grafana.
#[derive(Debug, Serialize)]
pub struct GrafanaAccess {
    pub url: String,
    pub user: String,
    pub password_file: PathBuf,
    /// True when `up` generated the password in this run.
    pub generated: bool,
}

/// What `up` did and how the stack looks now.
#[derive(Debug, Serialize)]
pub struct UpReport {
    pub stack: String,
    pub dir: PathBuf,
    /// False when the run created, recreated, started and reloaded nothing.
    pub changed: bool,
    pub outcomes: Vec<Outcome>,
    pub grafana: Option<GrafanaAccess>,
}

pub fn print_up(report: &UpReport, elapsed: Duration, output: OutputFormat) {
    match output {
        OutputFormat::Json => {
            let mut value = serde_json::to_value(report).expect("the report serialises");
            value["elapsed_ms"] = serde_json::json!(elapsed.as_millis() as u64);
            if let Some(services) = value.get_mut("outcomes").map(serde_json::Value::take) {
                value["services"] = services;
                value.as_object_mut().map(|o| o.remove("outcomes"));
            }
            println!("{value}");
        }
        OutputFormat::Human => {
            let count = |a: Action| report.outcomes.iter().filter(|o| o.action == a).count();
            let mut did: Vec<String> = [
                (Action::Created, "created"),
                (Action::Recreated, "recreated"),
                (Action::Started, "started"),
                (Action::Restarted, "restarted"),
                (Action::Reloaded, "reloaded"),
            ]
            .iter()
            .filter(|(a, _)| count(*a) > 0)
            .map(|(a, word)| format!("{} {word}", count(*a)))
            .collect();
            if did.is_empty() {
                did.push("nothing to change".into());
            }
            eprintln!(
                "stack `{}` is up ({}, {:.1}s)",
                report.stack,
                did.join(", "),
                elapsed.as_secs_f64()
            );
            let rows: Vec<[String; 4]> = report
                .outcomes
                .iter()
                .map(|o| {
                    [
                        o.service.clone(),
                        o.health.as_str().into(),
                        format!("{:?}", o.action).to_lowercase(),
                        o.url.clone().unwrap_or_else(|| "(not published)".into()),
                    ]
                })
                .collect();
            print_table(&["SERVICE", "HEALTH", "ACTION", "URL"], &rows);
            for o in report.outcomes.iter().filter(|o| o.note.is_some()) {
                eprintln!(
                    "note: {}: {}",
                    o.service,
                    o.note.as_deref().unwrap_or_default()
                );
            }
            if let Some(g) = &report.grafana {
                eprintln!(
                    "Grafana login: user `{}`, password in {}{}",
                    g.user,
                    g.password_file.display(),
                    if g.generated { " (generated now)" } else { "" }
                );
            }
        }
    }
}

/// Prints an aligned table to stderr, two spaces between columns.
pub fn print_table<const N: usize>(header: &[&str; N], rows: &[[String; N]]) {
    let mut widths = header.map(str::len);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::from(" ");
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            out.push(' ');
            if i + 1 == N {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:w$} "));
            }
        }
        eprintln!("{}", out.trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}
