//! Rewrites of PromQL text for data from several edges, keeping the rest of
//! the text as written (line breaks, Grafana variables such as
//! `$__rate_interval`, which no PromQL parser accepts).
//!
//! - [`keep_labels`]: every aggregation groups by the given labels too, and
//!   every `on (...)` matches on them, so series of two edges (`site="a"`,
//!   `site="b"`) are never summed or matched together.
//! - [`add_matcher`]: every selector gets one more matcher (`site=~"$site"`),
//!   so a dashboard can be filtered to one edge.
//!
//! Both work on tokens from a small lexer, not on raw text: label names
//! inside `{...}`, strings, durations in `[...]` and grouping lists are never
//! mistaken for metric names. Tests check the results with the real parser.

/// PromQL's aggregation operators.
const AGGREGATIONS: &[&str] = &[
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
    "limitk",
    "limit_ratio",
];

/// Keywords followed by a list of label names.
const LABEL_LISTS: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

/// Other words that are never a metric name where they stand.
const OPERATORS: &[&str] = &[
    "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A name: metric, label, function, keyword.
    Ident,
    /// A string literal.
    Str,
    /// One character of punctuation or an operator.
    Punct(char),
    /// Numbers, durations, Grafana variables and anything else.
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

fn lex(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let ident_start = |c: u8| c.is_ascii_alphabetic() || c == b'_' || c == b':';
    let ident_char = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b':';
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let kind = if c.is_ascii_whitespace() {
            i += 1;
            continue;
        } else if c == b'#' {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        } else if c == b'"' || c == b'\'' || c == b'`' {
            i += 1;
            while i < bytes.len() && bytes[i] != c {
                if bytes[i] == b'\\' && c != b'`' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(bytes.len());
            Kind::Str
        } else if ident_start(c) {
            while i < bytes.len() && ident_char(bytes[i]) {
                i += 1;
            }
            Kind::Ident
        } else if c == b'$' {
            // A Grafana variable: `$name` or `${name...}`.
            i += 1;
            if bytes.get(i) == Some(&b'{') {
                while i < bytes.len() && bytes[i] != b'}' {
                    i += 1;
                }
                i = (i + 1).min(bytes.len());
            } else {
                while i < bytes.len() && ident_char(bytes[i]) {
                    i += 1;
                }
            }
            Kind::Other
        } else if c.is_ascii_digit() || c == b'.' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                i += 1;
            }
            Kind::Other
        } else {
            i += 1;
            Kind::Punct(c as char)
        };
        out.push(Token {
            kind,
            start,
            end: i,
        });
    }
    out
}

/// Insertions into `text`, applied from the end so positions stay valid.
fn apply(text: &str, mut inserts: Vec<(usize, String)>) -> String {
    let mut out = text.to_string();
    inserts.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    for (at, s) in inserts {
        out.insert_str(at, &s);
    }
    out
}

/// Index of the token closing the bracket opened at `open`.
fn closing(tokens: &[Token], open: usize) -> Option<usize> {
    let Kind::Punct(o) = tokens[open].kind else {
        return None;
    };
    let c = match o {
        '(' => ')',
        '{' => '}',
        '[' => ']',
        _ => return None,
    };
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        if t.kind == Kind::Punct(o) {
            depth += 1;
        } else if t.kind == Kind::Punct(c) {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

fn word<'a>(text: &'a str, t: &Token) -> &'a str {
    &text[t.start..t.end]
}

fn is(text: &str, t: Option<&Token>, words: &[&str]) -> bool {
    t.is_some_and(|t| t.kind == Kind::Ident && words.contains(&word(text, t)))
}

/// Makes every aggregation in `expr` group by `labels` too and every
/// `on (...)` match on them: `sum by (job) (x)` becomes
/// `sum by (job, site) (x)`, `sum(x)` becomes `sum by (site) (x)`.
/// `without (...)` and `ignoring (...)` keep every other label already.
pub fn keep_labels(expr: &str, labels: &[String]) -> String {
    if labels.is_empty() {
        return expr.to_string();
    }
    let tokens = lex(expr);
    let mut inserts = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        let next = tokens.get(i + 1);
        let opens = next.is_some_and(|n| n.kind == Kind::Punct('('));
        match t.kind {
            Kind::Punct('{') | Kind::Punct('[') => {
                i = closing(&tokens, i).unwrap_or(tokens.len());
            }
            Kind::Ident if opens && is(expr, Some(t), &["by", "on"]) => {
                let close = closing(&tokens, i + 1).unwrap_or(tokens.len() - 1);
                let present: Vec<&str> = tokens[i + 2..close]
                    .iter()
                    .filter(|t| t.kind == Kind::Ident)
                    .map(|t| word(expr, t))
                    .collect();
                let missing: Vec<&str> = labels
                    .iter()
                    .map(String::as_str)
                    .filter(|l| !present.contains(l))
                    .collect();
                if !missing.is_empty() {
                    let sep = if present.is_empty() { "" } else { ", " };
                    inserts.push((tokens[close].start, format!("{sep}{}", missing.join(", "))));
                }
                i = close;
            }
            Kind::Ident
                if opens
                    && is(
                        expr,
                        Some(t),
                        &["without", "ignoring", "group_left", "group_right"],
                    ) =>
            {
                i = closing(&tokens, i + 1).unwrap_or(tokens.len());
            }
            Kind::Ident if opens && is(expr, Some(t), AGGREGATIONS) => {
                // `sum (x)` or `sum (x) by (job)`: only the bare form lacks a grouping.
                let close = closing(&tokens, i + 1).unwrap_or(tokens.len() - 1);
                if !is(expr, tokens.get(close + 1), &["by", "without"]) {
                    let space = if tokens[i + 1].start == t.end {
                        " "
                    } else {
                        ""
                    };
                    inserts.push((t.end, format!(" by ({}){space}", labels.join(", "))));
                }
            }
            _ => {}
        }
        i += 1;
    }
    apply(expr, inserts)
}

/// Adds `matcher` (`site=~"$site"`) to every selector of `expr`:
/// `rate(x{job="a"}[5m])` becomes `rate(x{site=~"$site", job="a"}[5m])` and
/// `up` becomes `up{site=~"$site"}`.
pub fn add_matcher(expr: &str, matcher: &str) -> String {
    let tokens = lex(expr);
    let mut inserts = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        let next = tokens.get(i + 1);
        let next_is = |c: char| next.is_some_and(|n| n.kind == Kind::Punct(c));
        match t.kind {
            Kind::Punct('{') => {
                // A selector without a name: `{__name__=~"..."}`.
                inserts.push((t.end, braces_matcher(&tokens, i, matcher)));
                i = closing(&tokens, i).unwrap_or(tokens.len());
            }
            Kind::Punct('[') => {
                i = closing(&tokens, i).unwrap_or(tokens.len());
            }
            Kind::Ident if next_is('(') && is(expr, Some(t), LABEL_LISTS) => {
                i = closing(&tokens, i + 1).unwrap_or(tokens.len());
            }
            // A function or aggregation call: its arguments come next.
            Kind::Ident if next_is('(') => {}
            Kind::Ident if is(expr, Some(t), LABEL_LISTS) || is(expr, Some(t), OPERATORS) => {}
            // `sum by (le) (...)`: the grouping list is skipped next.
            Kind::Ident
                if is(expr, Some(t), AGGREGATIONS) && is(expr, next, &["by", "without"]) => {}
            Kind::Ident if next_is('{') => {
                inserts.push((tokens[i + 1].end, braces_matcher(&tokens, i + 1, matcher)));
                i = closing(&tokens, i + 1).unwrap_or(tokens.len());
            }
            Kind::Ident => inserts.push((t.end, format!("{{{matcher}}}"))),
            _ => {}
        }
        i += 1;
    }
    apply(expr, inserts)
}

/// The text to put after the `{` at `open`: the matcher, and a comma when
/// other matchers follow.
fn braces_matcher(tokens: &[Token], open: usize, matcher: &str) -> String {
    let empty = tokens
        .get(open + 1)
        .is_some_and(|t| t.kind == Kind::Punct('}'));
    if empty {
        matcher.to_string()
    } else {
        format!("{matcher}, ")
    }
}

#[cfg(test)]
#[path = "promql_rewrite_tests.rs"]
mod tests;
