//! The rules of the SLOs: the Google SRE workbook's multi-window,
//! multi-burn-rate alerting, as Sloth and pyrra generate it.
//!
//! For each SLO, the error ratio is recorded over every window an alert
//! reads (5m, 30m, 1h, 2h, 6h, 1d, 3d) and over the SLO's own window (the
//! budget); the page fires at 14.4x the sustainable burn over 1h and 5m, or
//! 6x over 6h and 30m, the ticket at 3x over 1d and 2h, or 1x over 3d and
//! 6h. Every rule carries `slo: <name>`.

use std::collections::BTreeMap;

use super::slos::{decimal, Sli, Slo};
use super::{RulesContent, RulesOut};
use crate::rulefile::{Rule, RuleFile, RuleGroup};

/// The windows the burn-rate alerts read.
pub const WINDOWS: [&str; 7] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

/// One burn-rate condition: the error ratio above `factor` times the budget
/// over both windows.
struct Burn {
    factor: &'static str,
    long: &'static str,
    short: &'static str,
}

/// An alert and the two conditions either of which fires it.
struct BurnAlert {
    name: &'static str,
    severity: &'static str,
    burns: [Burn; 2],
}

const ALERTS: [BurnAlert; 2] = [
    BurnAlert {
        name: "SLOErrorBudgetFastBurn",
        severity: "critical",
        burns: [
            Burn {
                factor: "14.4",
                long: "1h",
                short: "5m",
            },
            Burn {
                factor: "6",
                long: "6h",
                short: "30m",
            },
        ],
    },
    BurnAlert {
        name: "SLOErrorBudgetSlowBurn",
        severity: "warning",
        burns: [
            Burn {
                factor: "3",
                long: "1d",
                short: "2h",
            },
            Burn {
                factor: "1",
                long: "3d",
                short: "6h",
            },
        ],
    },
];

/// The rule file of every SLO: one group each, recording rules first (rules
/// of a group run in order, so the alerts read this evaluation's ratios).
pub fn rules(slos: &[Slo]) -> Option<RulesOut> {
    if slos.is_empty() {
        return None;
    }
    let groups = slos.iter().map(group).collect();
    Some(RulesOut {
        file: "slos.rules.yml".into(),
        content: RulesContent::Generated(RuleFile { groups }),
    })
}

fn record(name: &str, expr: String, labels: &BTreeMap<String, String>) -> Rule {
    Rule {
        record: Some(name.into()),
        alert: None,
        expr,
        for_: None,
        keep_firing_for: None,
        labels: labels.clone(),
        annotations: BTreeMap::new(),
    }
}

fn group(slo: &Slo) -> RuleGroup {
    let labels = BTreeMap::from([("slo".to_string(), slo.name.clone())]);
    let sel = |metric: &str| format!("{metric}{{slo=\"{}\"}}", slo.name);
    let mut rules = Vec::new();
    for w in WINDOWS {
        rules.push(record(
            &format!("slo:sli_error:ratio_rate{w}"),
            format!("{} / {}", slo.errors_rate(w), slo.total_rate(w)),
            &labels,
        ));
    }
    // The budget window from the 5m rates recorded at every evaluation:
    // their sums weigh each moment by its traffic, at the cost of reading
    // two recorded series rather than every raw one over the whole window.
    rules.push(record(
        "slo:sli_errors:rate5m",
        slo.errors_rate("5m"),
        &labels,
    ));
    rules.push(record(
        "slo:sli_total:rate5m",
        slo.total_rate("5m"),
        &labels,
    ));
    let w = &slo.window;
    rules.push(record(
        "slo:sli_error:ratio_window",
        format!(
            "sum_over_time({}[{w}]) / sum_over_time({}[{w}])",
            sel("slo:sli_errors:rate5m"),
            sel("slo:sli_total:rate5m")
        ),
        &labels,
    ));
    rules.push(record(
        "slo:objective:ratio",
        format!("vector({})", slo.objective_ratio()),
        &labels,
    ));
    rules.push(record(
        "slo:error_budget:remaining",
        format!(
            "1 - {} / {}",
            sel("slo:sli_error:ratio_window"),
            slo.budget()
        ),
        &labels,
    ));
    let budget = slo.budget();
    let what = match &slo.sli {
        Sli::Availability { .. } => "events failed".to_string(),
        Sli::Latency { histogram, le, .. } => {
            format!("events were slower than the le=\"{le}\" bucket of {histogram}")
        }
    };
    for BurnAlert {
        name: alert,
        severity,
        burns,
    } in ALERTS
    {
        let expr = burns
            .iter()
            .map(|b| {
                format!(
                    "(\n  {} > ({f} * {budget})\nand\n  {} > ({f} * {budget})\n)",
                    sel(&format!("slo:sli_error:ratio_rate{}", b.long)),
                    sel(&format!("slo:sli_error:ratio_rate{}", b.short)),
                    f = b.factor,
                )
            })
            .collect::<Vec<_>>()
            .join("\nor\n");
        let mut alert_labels = labels.clone();
        alert_labels.insert("severity".into(), severity.into());
        let (speed, windows, act) = if severity == "critical" {
            (
                "fast",
                "1h (or 6h)",
                "At this pace the budget is gone within days: act now",
            )
        } else {
            (
                "steadily",
                "1d (or 3d)",
                "At this pace the budget runs out before the window ends: plan a fix",
            )
        };
        rules.push(Rule {
            record: None,
            alert: Some(alert.into()),
            expr,
            for_: None,
            keep_firing_for: None,
            labels: alert_labels,
            annotations: BTreeMap::from([
                (
                    "summary".into(),
                    format!("SLO {} burns its error budget {speed}", slo.name),
                ),
                (
                    "description".into(),
                    format!(
                        "{{{{ $value | humanizePercentage }}}} of {what} over the last {windows}; SLO {} allows {} over {} (objective {}%). {act}.",
                        slo.name,
                        percent(&budget),
                        slo.window,
                        crate::promql::format_number(slo.objective),
                    ),
                ),
            ]),
        });
    }
    RuleGroup {
        name: format!("obsctl-slo-{}", slo.name),
        interval: None,
        limit: None,
        rules,
    }
}

/// A ratio as a percentage for people (`0.001` -> `0.1%`).
fn percent(ratio: &str) -> String {
    let value: f64 = ratio.parse().unwrap_or(0.0);
    format!("{}%", decimal(value * 100.0))
}
