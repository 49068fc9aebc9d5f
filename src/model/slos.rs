//! Service level objectives (`slos:`) as the spec writes them, validated:
//! an objective in (0, 100), a window Prometheus keeps data for, selectors
//! that parse, and the SLI of each (availability from two counters, or
//! latency from a histogram's bucket). Their rules come from
//! [`super::slo_rules`].

use promql_parser::parser::{Expr, VectorSelector};

use super::fields::duration;
use super::Prometheus;
use crate::diagnostic::Problems;
use crate::duration::parse_duration;
use crate::promql;
use crate::spec::{SloSpec, Spec};

/// How an SLO counts bad events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sli {
    /// Failed events out of all events, from two counters.
    Availability { errors: String, total: String },
    /// Events slower than a bucket bound, from a histogram: `bucket` is
    /// `<histogram>_bucket{..., le="0.5"}`, `count` is `<histogram>_count{...}`.
    Latency {
        histogram: String,
        le: String,
        bucket: String,
        count: String,
    },
}

/// One validated SLO.
#[derive(Debug, Clone, PartialEq)]
pub struct Slo {
    pub name: String,
    /// In percent (99.9).
    pub objective: f64,
    pub window: String,
    pub sli: Sli,
}

impl Slo {
    /// The objective as a ratio, written as PromQL reads it (`0.999`).
    pub fn objective_ratio(&self) -> String {
        decimal(self.objective / 100.0)
    }

    /// The error budget as a ratio (`0.001` for 99.9%).
    pub fn budget(&self) -> String {
        decimal((100.0 - self.objective) / 100.0)
    }

    /// Failed events per second over `window`, summed over every series.
    pub(super) fn errors_rate(&self, window: &str) -> String {
        match &self.sli {
            // No failure yet often means no series at all: count it as 0.
            Sli::Availability { errors, .. } => {
                format!("(sum(rate({errors}[{window}])) or vector(0))")
            }
            Sli::Latency { bucket, count, .. } => {
                format!("(sum(rate({count}[{window}])) - sum(rate({bucket}[{window}])))")
            }
        }
    }

    pub(super) fn total_rate(&self, window: &str) -> String {
        match &self.sli {
            Sli::Availability { total, .. } => format!("sum(rate({total}[{window}]))"),
            Sli::Latency { count, .. } => format!("sum(rate({count}[{window}]))"),
        }
    }
}

/// Writes a ratio the way a person would, rounding away binary noise
/// (`(100 - 99.9) / 100` is 0.000999...9432 in floating point).
pub(super) fn decimal(x: f64) -> String {
    let text = format!("{x:.12}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-" {
        "0".into()
    } else {
        text.to_string()
    }
}

/// The `le` label value Prometheus 3 stores for a bucket bound: classic
/// histogram bounds are normalised to Go's shortest float form with `.0`
/// for whole numbers (`0.5`, `1.0`, `10.0`, `1e+06`).
pub fn le_label(le: f64) -> String {
    if le.is_infinite() {
        return if le > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    // Shortest round-trip digits and the decimal exponent, from Rust's `{:e}`.
    let sci = format!("{le:e}");
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` has an exponent");
    let exp: i32 = exp.parse().expect("`{:e}` exponents are integers");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    // Go's strconv 'g' with the shortest precision switches to an exponent
    // below 1e-4 and from 1e+06 (its precision 6).
    let text = if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        format!(
            "{sign}{first}{rest}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        )
    } else if exp < 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize))
    } else {
        let point = exp as usize + 1;
        if digits.len() <= point {
            format!("{sign}{digits}{}", "0".repeat(point - digits.len()))
        } else {
            format!("{sign}{}.{}", &digits[..point], &digits[point..])
        }
    };
    if text.contains(['.', 'e']) {
        text
    } else {
        format!("{text}.0")
    }
}

/// Validates `slos:`.
pub fn slos(spec: &Spec, prometheus: Option<&Prometheus>, p: &mut Problems) -> Vec<Slo> {
    let mut out = Vec::new();
    for (i, s) in spec.slos.iter().enumerate() {
        let field = format!("slos[{i}]");
        check_name(p, &field, s, &spec.slos[..i]);
        if !(s.objective > 0.0 && s.objective < 100.0) {
            p.error(
                &format!("{field}.objective"),
                format!("{} is not a percentage between 0 and 100 (both excluded)", s.objective),
                Some("write the share of good events in percent, e.g. 99.9; 100 would leave no error budget".into()),
            );
        }
        let window = duration(p, &format!("{field}.window"), Some(&s.window), &s.window);
        check_window(p, &field, &window, prometheus);
        let Some(sli) = sli(p, &field, s) else {
            continue;
        };
        out.push(Slo {
            name: s.name.clone(),
            objective: s.objective,
            window,
            sli,
        });
    }
    out
}

fn check_name(p: &mut Problems, field: &str, s: &SloSpec, before: &[SloSpec]) {
    let ok = s.name.starts_with(|c: char| c.is_ascii_lowercase())
        && s.name.len() <= 63
        && s.name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !ok {
        p.error(
            &format!("{field}.name"),
            format!("`{}` is not a valid SLO name", s.name),
            Some("use up to 63 lower-case letters, digits, `-` and `_`, starting with a letter (it is the `slo` label of its rules)".into()),
        );
    } else if let Some(first) = before.iter().position(|o| o.name == s.name) {
        p.error(
            &format!("{field}.name"),
            format!("SLO `{}` is defined twice (first at slos[{first}])", s.name),
            None,
        );
    }
}

/// The budget is counted over the window: Prometheus must keep that long.
fn check_window(p: &mut Problems, field: &str, window: &str, prometheus: Option<&Prometheus>) {
    let Ok(w) = parse_duration(window) else {
        return;
    };
    if let Some(prom) = prometheus {
        if parse_duration(&prom.retention).is_ok_and(|r| w > r) {
            p.error(
                &format!("{field}.window"),
                format!(
                    "the SLO window {window} is longer than prometheus.retention {}",
                    prom.retention
                ),
                Some(format!("a {window} error budget needs {window} of data: set prometheus.retention to at least {window}, or shorten the window")),
            );
        }
    }
    if w < parse_duration("3d").expect("3d is a duration") {
        p.warning(
            &format!("{field}.window"),
            format!("a {window} window is shorter than the 3d the slow-burn alert reads"),
            Some(
                "the burn-rate thresholds assume a window of about 30d; 28d or 30d are usual"
                    .into(),
            ),
        );
    }
}

/// The SLI of one SLO: exactly one of the two forms, its selectors valid.
fn sli(p: &mut Problems, field: &str, s: &SloSpec) -> Option<Sli> {
    let availability = s.errors.is_some() || s.total.is_some();
    let latency = s.histogram.is_some() || s.le.is_some();
    match (availability, latency) {
        (true, true) => {
            p.error(
                field,
                "an SLO is either availability (`errors`, `total`) or latency (`histogram`, `le`), not both",
                Some("split it into two SLOs".into()),
            );
            None
        }
        (false, false) => {
            p.error(
                field,
                "an SLO needs `errors` and `total` (availability) or `histogram` and `le` (latency)",
                Some("e.g. errors: 'http_requests_total{status=~\"5..\"}', total: http_requests_total".into()),
            );
            None
        }
        (true, false) => {
            let errors = required(p, field, "errors", s.errors.as_deref())
                .and_then(|e| selector(p, &format!("{field}.errors"), e));
            let total = required(p, field, "total", s.total.as_deref())
                .and_then(|t| selector(p, &format!("{field}.total"), t));
            Some(Sli::Availability {
                errors: errors?.to_string(),
                total: total?.to_string(),
            })
        }
        (false, true) => {
            let le = match s.le {
                Some(le) if le.is_finite() && le > 0.0 => Some(le_label(le)),
                Some(le) => {
                    p.error(
                        &format!("{field}.le"),
                        format!("{le} is not a bucket bound"),
                        Some("give the upper bound of the bucket good requests fall into, in the histogram's unit (0.5 for 500ms)".into()),
                    );
                    None
                }
                None => required(p, field, "le", None).map(str::to_string),
            };
            let histogram = required(p, field, "histogram", s.histogram.as_deref())
                .and_then(|h| histogram(p, &format!("{field}.histogram"), h));
            let (name, matchers) = histogram?;
            let le = le?;
            let with = |extra: Option<String>| {
                let all: Vec<String> = matchers.iter().cloned().chain(extra).collect();
                format!("{{{}}}", all.join(", "))
            };
            Some(Sli::Latency {
                bucket: format!("{name}_bucket{}", with(Some(format!("le=\"{le}\"")))),
                count: format!("{name}_count{}", with(None)),
                histogram: name,
                le,
            })
        }
    }
}

fn required<'a>(
    p: &mut Problems,
    field: &str,
    key: &str,
    value: Option<&'a str>,
) -> Option<&'a str> {
    if value.is_none() {
        p.error(field, format!("`{key}` is missing"), None);
    }
    value
}

/// `text` parsed as a plain selector: a metric and its matchers, without a
/// range, an offset or `@`; problems reported on `field` with `hint`.
fn plain_selector(p: &mut Problems, field: &str, text: &str, hint: &str) -> Option<VectorSelector> {
    match promql::parse(text) {
        Ok(Expr::VectorSelector(vs))
            if vs.offset.is_none() && vs.at.is_none() && vs.matchers.or_matchers.is_empty() =>
        {
            Some(vs)
        }
        Ok(_) => {
            p.error(
                field,
                format!("`{text}` is not a plain selector"),
                Some(hint.into()),
            );
            None
        }
        Err(e) => {
            p.error(
                field,
                format!("`{text}` does not parse: {e}"),
                Some(hint.into()),
            );
            None
        }
    }
}

/// A counter's selector, as written.
fn selector<'a>(p: &mut Problems, field: &str, text: &'a str) -> Option<&'a str> {
    let hint = "write a selector of a counter, e.g. http_requests_total{status=~\"5..\"}; obsctl wraps it in rate() and sum()";
    plain_selector(p, field, text, hint).map(|_| text.trim())
}

/// A histogram's base name and its matchers, rendered.
fn histogram(p: &mut Problems, field: &str, text: &str) -> Option<(String, Vec<String>)> {
    let hint = || {
        Some("name the histogram without its suffix, with any matchers, e.g. http_request_duration_seconds{job=\"api\"}".to_string())
    };
    let vs = plain_selector(p, field, text, &hint().unwrap_or_default())?;
    let Some(name) = vs.name.clone() else {
        p.error(field, format!("`{text}` names no metric"), hint());
        return None;
    };
    if let Some(suffix) = ["_bucket", "_count", "_sum"]
        .iter()
        .find(|s| name.ends_with(*s))
    {
        p.error(
            field,
            format!("`{name}` ends in `{suffix}`"),
            Some(format!(
                "give the histogram's base name, `{}`: obsctl reads its _bucket and _count series",
                name.trim_end_matches(suffix)
            )),
        );
        return None;
    }
    let matchers: Vec<String> = vs
        .matchers
        .matchers
        .iter()
        .filter(|m| m.name != "__name__")
        .map(|m| m.to_string())
        .collect();
    if vs.matchers.matchers.iter().any(|m| m.name == "le") {
        p.error(
            field,
            format!("`{text}` sets `le`"),
            Some("give the bound as the SLO's `le`".into()),
        );
        return None;
    }
    Some((name, matchers))
}

#[cfg(test)]
#[path = "slos_tests.rs"]
mod tests;
