//! PromQL checks on top of the `promql-parser` crate: syntax, the metric names
//! an expression reads, and the trailing threshold of an alert expression.

use std::collections::BTreeSet;

use promql_parser::parser::{self, Expr, VectorSelector};
use promql_parser::util::{walk_expr, ExprVisitor};

/// How many brackets and operators an expression may hold. The parser, and
/// every walk over and drop of its tree, recurse once per level of nesting,
/// so a query nested tens of thousands deep would exhaust the stack; real
/// queries hold a few dozen.
pub const MAX_NESTING: usize = 1000;

/// Parses `expr`, returning the parser's message on failure.
pub fn parse(expr: &str) -> Result<Expr, String> {
    let nesting = nesting(expr);
    if nesting > MAX_NESTING {
        return Err(format!(
            "the expression holds {nesting} brackets and operators; obsctl parses at most {MAX_NESTING}"
        ));
    }
    parser::parse(expr).map_err(|e| e.trim().to_string())
}

/// An upper bound of the depth of `expr`'s syntax tree: its opening
/// brackets and operators outside strings and comments.
fn nesting(expr: &str) -> usize {
    let mut count = 0;
    let mut chars = expr.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' | '`' => {
                while let Some(d) = chars.next() {
                    if d == '\\' && c != '`' {
                        chars.next();
                    } else if d == c {
                        break;
                    }
                }
            }
            '#' => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
            }
            '(' | '[' | '{' | '+' | '-' | '*' | '/' | '%' | '^' | '<' | '>' | '=' | '!' => {
                count += 1
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut word = String::from(c);
                while let Some(&d) = chars.peek() {
                    if !(d.is_ascii_alphanumeric() || d == '_' || d == ':') {
                        break;
                    }
                    word.push(d);
                    chars.next();
                }
                if ["and", "or", "unless", "atan2"].contains(&word.to_ascii_lowercase().as_str()) {
                    count += 1;
                }
            }
            _ => {}
        }
    }
    count
}

/// Every selector in `expr`, a range selector's as its vector selector.
pub fn selectors(expr: &Expr) -> Vec<VectorSelector> {
    struct Selectors(Vec<VectorSelector>);
    impl ExprVisitor for Selectors {
        type Error = ();
        fn pre_visit(&mut self, e: &Expr) -> Result<bool, ()> {
            match e {
                Expr::VectorSelector(v) => self.0.push(v.clone()),
                Expr::MatrixSelector(m) => self.0.push(m.vs.clone()),
                _ => {}
            }
            Ok(true)
        }
    }
    let mut found = Selectors(Vec::new());
    let _ = walk_expr(&mut found, expr);
    found.0
}

/// Metric names selected anywhere in `expr` (`rate(x_total[5m]) / y` -> x_total, y).
pub fn metric_names(expr: &Expr) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for vs in selectors(expr) {
        names.extend(vs.name.clone());
        for m in &vs.matchers.matchers {
            if m.name == "__name__" {
                names.insert(m.value.clone());
            }
        }
    }
    names
}

/// Metric names `expr` needs to exist to return anything: those of
/// [`metric_names`] except the ones only on the right of `unless`, which
/// filter results out and are expected to be absent (`x < 1 unless agent`).
pub fn required_metric_names(expr: &Expr) -> BTreeSet<String> {
    // A hand walk: `walk_expr` stops the whole walk where a visitor declines a
    // node, and only the right side of `unless` is to be skipped.
    match expr {
        Expr::Binary(b) if b.op.to_string() == "unless" => required_metric_names(&b.lhs),
        Expr::Binary(b) => {
            let mut names = required_metric_names(&b.lhs);
            names.extend(required_metric_names(&b.rhs));
            names
        }
        Expr::Aggregate(a) => required_metric_names(&a.expr),
        Expr::Unary(u) => required_metric_names(&u.expr),
        Expr::Paren(p) => required_metric_names(&p.expr),
        Expr::Subquery(s) => required_metric_names(&s.expr),
        Expr::Call(c) => c
            .args
            .args
            .iter()
            .flat_map(|a| required_metric_names(a))
            .collect(),
        _ => metric_names(expr),
    }
}

/// For an alert expression of the form `<query> <cmp> <number>`, returns the
/// expression with that final number replaced by `threshold`.
///
/// The parser proves the shape; the replacement is textual so the user's
/// formatting is kept.
pub fn replace_threshold(expr_text: &str, threshold: f64) -> Result<String, String> {
    let expr = parse(expr_text)?;
    let Expr::Binary(binary) = &expr else {
        return Err("the expression is not a comparison with a number".into());
    };
    if !binary.op.is_comparison_operator() || !matches!(*binary.rhs, Expr::NumberLiteral(_)) {
        return Err("the expression does not end in `<comparison> <number>`".into());
    }
    let trimmed = expr_text.trim_end();
    let start = trimmed
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '+'))
        .map(|i| i + 1)
        .unwrap_or(0);
    let (head, number) = trimmed.split_at(start);
    if number.is_empty() || number.parse::<f64>().is_err() {
        return Err("the expression does not end in a plain number".into());
    }
    let replaced = format!("{head}{}", format_number(threshold));
    parse(&replaced)?;
    Ok(replaced)
}

/// The final number of `<query> <cmp> <number>`, if the expression has that shape.
pub fn threshold_of(expr_text: &str) -> Option<f64> {
    match parse(expr_text).ok()? {
        Expr::Binary(b) if b.op.is_comparison_operator() => match *b.rhs {
            Expr::NumberLiteral(n) => Some(n.val),
            _ => None,
        },
        _ => None,
    }
}

/// Formats a number the way a person writes it in PromQL (`0.05`, `80`).
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_metric_names_in_nested_expressions() {
        let e = parse(r#"sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05 or {__name__="up"}"#).unwrap();
        let names: Vec<_> = metric_names(&e).into_iter().collect();
        assert_eq!(names, ["http_requests_total", "up"]);
    }

    #[test]
    fn metrics_only_right_of_unless_are_not_required() {
        let e = parse("max_over_time(discovered[5m]) < 1 unless (agent_series or other) and up")
            .unwrap();
        let names: Vec<_> = required_metric_names(&e).into_iter().collect();
        // `and` and `unless` bind alike, from the left: `(a unless b) and up`.
        assert_eq!(names, ["discovered", "up"]);
        let e = parse("(x unless y) + z").unwrap();
        let names: Vec<_> = required_metric_names(&e).into_iter().collect();
        assert_eq!(names, ["x", "z"]);
    }

    #[test]
    fn replaces_the_trailing_threshold_keeping_the_text() {
        let out = replace_threshold("rate(errors_total[5m]) > 0.1", 0.25).unwrap();
        assert_eq!(out, "rate(errors_total[5m]) > 0.25");
        let out = replace_threshold("100 * (1 - x / y) >= 85\n", 90.0).unwrap();
        assert_eq!(out, "100 * (1 - x / y) >= 90");
    }

    #[test]
    fn refuses_expressions_without_a_trailing_threshold() {
        assert!(replace_threshold("vector(1)", 2.0).is_err());
        assert!(replace_threshold("up == on(job) other", 2.0).is_err());
        assert!(replace_threshold("rate(x[5m]) + 1", 2.0).is_err());
    }

    #[test]
    fn a_query_nested_fifty_thousand_deep_is_refused_instead_of_overflowing_the_stack() {
        for deep in [
            format!("{}1{}", "(".repeat(50_000), ")".repeat(50_000)),
            format!("{}up", "-".repeat(50_000)),
            format!("up{}", " or up".repeat(50_000)),
            format!("{}up{}", "sum(".repeat(3_000), ")".repeat(3_000)),
        ] {
            let e = parse(&deep).unwrap_err();
            assert!(e.contains("obsctl parses at most 1000"), "{e}");
        }
        // Strings and comments do not count; a long but flat query parses.
        let labels = format!(
            "up{{job=\"{}\"}} # {}\n",
            "(".repeat(5_000),
            "+".repeat(5_000)
        );
        assert!(parse(&labels).is_ok());
        let flat = format!("up{}", " + up".repeat(400));
        assert!(parse(&flat).is_ok());
    }

    #[test]
    fn reports_syntax_errors() {
        assert!(parse("rate(x[5m]").is_err());
        assert_eq!(threshold_of("up == 0"), Some(0.0));
        assert_eq!(threshold_of("up"), None);
    }
}
