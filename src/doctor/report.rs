//! Printing a doctor report: grouped lines for people, the same facts as JSON
//! for machines.

use serde::Serialize;

use super::check::{Check, Status};

#[derive(Debug, Serialize)]
pub struct Report {
    pub healthy: bool,
    pub summary: Summary,
    pub checks: Vec<Check>,
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub ok: usize,
    pub warn: usize,
    pub fail: usize,
    pub skip: usize,
}

impl Report {
    /// `strict` makes warnings count as failures.
    pub fn new(checks: Vec<Check>, strict: bool) -> Self {
        let mut summary = Summary::default();
        for c in &checks {
            match c.status {
                Status::Ok => summary.ok += 1,
                Status::Warn => summary.warn += 1,
                Status::Fail => summary.fail += 1,
                Status::Skip => summary.skip += 1,
            }
        }
        let healthy = summary.fail == 0 && (!strict || summary.warn == 0);
        Self {
            healthy,
            summary,
            checks,
        }
    }

    /// Human view: one line per check, grouped, details and hints for
    /// problems, and a final summary line.
    pub fn human(&self) -> String {
        let mut out = String::new();
        let mut group = "";
        for c in &self.checks {
            if c.group != group {
                group = c.group;
                out.push_str(&format!("{group}\n"));
            }
            let mark = match c.status {
                Status::Ok => "ok  ",
                Status::Warn => "WARN",
                Status::Fail => "FAIL",
                Status::Skip => "skip",
            };
            out.push_str(&format!("  {mark} {}: {}\n", c.name, c.detail));
            if c.status >= Status::Warn {
                if let Some(h) = &c.hint {
                    out.push_str(&format!("       hint: {h}\n"));
                }
            }
        }
        let s = &self.summary;
        out.push_str(&format!(
            "{}: {} ok, {} warning{}, {} failed, {} skipped\n",
            if self.healthy {
                "healthy"
            } else {
                "NOT healthy"
            },
            s.ok,
            s.warn,
            if s.warn == 1 { "" } else { "s" },
            s.fail,
            s.skip
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_fail_only_when_strict() {
        let checks = vec![
            Check::ok("a", "x", "fine"),
            Check::warn("a", "y", "meh").hint("do z"),
        ];
        assert!(Report::new(checks.clone(), false).healthy);
        assert!(!Report::new(checks.clone(), true).healthy);
        let text = Report::new(checks, false).human();
        assert_eq!(text, "a\n  ok   x: fine\n  WARN y: meh\n       hint: do z\nhealthy: 1 ok, 1 warning, 0 failed, 0 skipped\n");
    }
}
