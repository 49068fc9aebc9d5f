//! A doctor report as JUnit XML, the format CI systems show as test results:
//! one test case per check; failures as `<failure>`, skipped checks as
//! `<skipped>`, warnings as passing cases that carry their detail.

use crate::doctor::check::Status;
use crate::doctor::report::Report;

/// Renders `report` as a JUnit document named after the stack.
pub fn render(report: &Report, stack: &str, seconds: f64) -> String {
    let s = &report.summary;
    let tests = report.checks.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"obsctl smoke\" tests=\"{tests}\" failures=\"{}\" skipped=\"{}\" time=\"{seconds:.3}\">\n",
        s.fail, s.skip
    ));
    out.push_str(&format!(
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{seconds:.3}\">\n",
        escape(&format!("obsctl smoke: {stack}")),
        s.fail,
        s.skip
    ));
    for c in &report.checks {
        out.push_str(&format!(
            "    <testcase classname=\"obsctl.{}\" name=\"{}\" time=\"0\">",
            escape(c.group),
            escape(&c.name)
        ));
        match c.status {
            Status::Fail => {
                out.push_str(&format!(
                    "\n      <failure message=\"{}\" type=\"fail\">{}</failure>\n    ",
                    escape(&c.detail),
                    escape(c.hint.as_deref().unwrap_or(""))
                ));
            }
            Status::Skip => out.push_str(&format!(
                "\n      <skipped message=\"{}\"/>\n    ",
                escape(&c.detail)
            )),
            Status::Warn => out.push_str(&format!(
                "\n      <system-out>WARN: {}{}</system-out>\n    ",
                escape(&c.detail),
                c.hint
                    .as_deref()
                    .map(|h| format!(" (hint: {})", escape(h)))
                    .unwrap_or_default()
            )),
            Status::Ok => {}
        }
        out.push_str("</testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::check::Check;

    #[test]
    fn checks_become_test_cases_with_escaped_text() {
        let report = Report::new(
            vec![
                Check::ok("prometheus", "ready", "ok"),
                Check::fail(
                    "targets",
                    "api <api:8000>",
                    "down (dns): lookup \"api\" & more",
                )
                .hint("use a container name"),
                Check::skip("grafana", "admin login", "no password"),
                Check::warn("metrics", "pack redis", "no redis_up"),
            ],
            false,
        );
        let xml = render(&report, "shop", 1.5);
        assert!(xml.contains("<testsuites name=\"obsctl smoke\" tests=\"4\" failures=\"1\" skipped=\"1\" time=\"1.500\">"), "{xml}");
        assert!(
            xml.contains(
                "<testcase classname=\"obsctl.targets\" name=\"api &lt;api:8000&gt;\" time=\"0\">"
            ),
            "{xml}"
        );
        assert!(xml.contains("<failure message=\"down (dns): lookup &quot;api&quot; &amp; more\" type=\"fail\">use a container name</failure>"), "{xml}");
        assert!(xml.contains("<skipped message=\"no password\"/>"), "{xml}");
        assert!(
            xml.contains("<system-out>WARN: no redis_up</system-out>"),
            "{xml}"
        );
    }
}
