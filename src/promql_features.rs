//! PromQL that Prometheus 3.5 loads only behind a feature flag, the
//! functions it knows at all, and its `--enable-feature` names.
//!
//! The lists are read from Prometheus' source at v3.5 (identical in 3.5.0
//! to 3.5.5): `promql/parser/functions.go` (every function, and those
//! marked `Experimental: true`), `promql/parser/lex.go`
//! (`IsExperimentalAggregator`) and `cmd/prometheus/main.go`
//! (`setFeatureListOptions`). Prometheus refuses a rule file that calls an
//! experimental function ("function ... is not enabled") or an unknown one
//! unless the flag is on, so checking the parser's view of a function is not
//! enough: promql-parser knows functions of later Prometheus versions too.

use promql_parser::parser::Expr;
use promql_parser::util::{walk_expr, ExprVisitor};

use crate::promql;

/// The feature that enables [`EXPERIMENTAL_FUNCTIONS`] and [`EXPERIMENTAL_AGGREGATORS`].
pub const EXPERIMENTAL_FUNCTIONS_FEATURE: &str = "promql-experimental-functions";

/// Functions Prometheus 3.5 marks experimental.
pub const EXPERIMENTAL_FUNCTIONS: &[&str] = &[
    "double_exponential_smoothing",
    "info",
    "mad_over_time",
    "sort_by_label",
    "sort_by_label_desc",
    "ts_of_last_over_time",
    "ts_of_max_over_time",
    "ts_of_min_over_time",
];

/// Aggregators Prometheus 3.5 marks experimental.
pub const EXPERIMENTAL_AGGREGATORS: &[&str] = &["limit_ratio", "limitk"];

/// Every function Prometheus 3.5 knows, experimental ones included.
pub const FUNCTIONS: &[&str] = &[
    "abs",
    "absent",
    "absent_over_time",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "avg_over_time",
    "ceil",
    "changes",
    "clamp",
    "clamp_max",
    "clamp_min",
    "cos",
    "cosh",
    "count_over_time",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "days_in_month",
    "deg",
    "delta",
    "deriv",
    "double_exponential_smoothing",
    "exp",
    "floor",
    "histogram_avg",
    "histogram_count",
    "histogram_fraction",
    "histogram_quantile",
    "histogram_stddev",
    "histogram_stdvar",
    "histogram_sum",
    "hour",
    "idelta",
    "increase",
    "info",
    "irate",
    "label_join",
    "label_replace",
    "last_over_time",
    "ln",
    "log10",
    "log2",
    "mad_over_time",
    "max_over_time",
    "min_over_time",
    "minute",
    "month",
    "pi",
    "predict_linear",
    "present_over_time",
    "quantile_over_time",
    "rad",
    "rate",
    "resets",
    "round",
    "scalar",
    "sgn",
    "sin",
    "sinh",
    "sort",
    "sort_by_label",
    "sort_by_label_desc",
    "sort_desc",
    "sqrt",
    "stddev_over_time",
    "stdvar_over_time",
    "sum_over_time",
    "tan",
    "tanh",
    "time",
    "timestamp",
    "ts_of_last_over_time",
    "ts_of_max_over_time",
    "ts_of_min_over_time",
    "vector",
    "year",
];

/// The `--enable-feature` values Prometheus 3.5 acts on.
pub const FEATURES: &[&str] = &[
    "auto-reload-config",
    "concurrent-rule-eval",
    "created-timestamp-zero-ingestion",
    "delayed-compaction",
    "exemplar-storage",
    "extra-scrape-metrics",
    "memory-snapshot-on-shutdown",
    "metadata-wal-records",
    "native-histograms",
    "old-ui",
    "ooo-native-histograms",
    "otlp-deltatocumulative",
    "otlp-native-delta-ingestion",
    "promql-delayed-name-removal",
    "promql-duration-expr",
    "promql-experimental-functions",
    "promql-per-step-stats",
    "type-and-unit-labels",
    "use-uncached-io",
];

/// Feature flags of Prometheus 2 that 3.x no longer has (it only logs a
/// warning for them): their behaviour is the default now, or a flag of its own.
pub const REMOVED_FEATURES: &[&str] = &[
    "agent",
    "auto-gomaxprocs",
    "auto-gomemlimit",
    "expand-external-labels",
    "no-default-scrape-port",
    "remote-write-receiver",
];

/// What an expression calls that Prometheus 3.5 may refuse.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Calls {
    /// Experimental functions and aggregators, in order of first use.
    pub experimental: Vec<String>,
    /// Functions Prometheus 3.5 does not know (found only when the
    /// expression parses).
    pub unknown: Vec<String>,
}

/// The experimental and unknown functions `expr` calls. When the parser
/// understands `expr`, its syntax tree is read; otherwise (a syntax error, a
/// function the parser does not know) the text is scanned for calls of the
/// experimental names, so an experimental call is found either way.
pub fn calls(expr: &str) -> Calls {
    calls_in(expr, promql::parse(expr).ok().as_ref())
}

/// [`calls`] of `expr` already parsed into `tree` (`None` when it does not
/// parse), so a caller that parsed it need not parse it again.
pub fn calls_in(expr: &str, tree: Option<&Expr>) -> Calls {
    let mut out = Calls::default();
    let names = match tree {
        Some(tree) => tree_calls(tree),
        None => text_calls(expr),
    };
    for (name, is_function) in names {
        let experimental = EXPERIMENTAL_FUNCTIONS.contains(&name.as_str())
            || EXPERIMENTAL_AGGREGATORS.contains(&name.as_str());
        let list = if experimental {
            &mut out.experimental
        } else if is_function && !FUNCTIONS.contains(&name.as_str()) {
            &mut out.unknown
        } else {
            continue;
        };
        if !list.contains(&name) {
            list.push(name);
        }
    }
    out
}

/// (name, is a function rather than an aggregator) of every call in the tree.
fn tree_calls(tree: &Expr) -> Vec<(String, bool)> {
    struct Names(Vec<(String, bool)>);
    impl ExprVisitor for Names {
        type Error = ();
        fn pre_visit(&mut self, e: &Expr) -> Result<bool, ()> {
            match e {
                Expr::Call(call) => self.0.push((call.func.name.to_string(), true)),
                Expr::Aggregate(agg) => self.0.push((agg.op.to_string(), false)),
                _ => {}
            }
            Ok(true)
        }
    }
    let mut names = Names(Vec::new());
    let _ = walk_expr(&mut names, tree);
    names.0
}

/// Experimental names written as calls (`name (`) in PromQL text, outside
/// strings and comments. Only the experimental names are looked for: in text,
/// a keyword such as `by (` looks like a call too.
fn text_calls(text: &str) -> Vec<(String, bool)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' || c == '\'' || c == '`' {
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' && c != '`' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c.is_ascii_alphanumeric() || c == '_' || c == ':' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == ':')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            let called = chars.get(j) == Some(&'(');
            if called && EXPERIMENTAL_FUNCTIONS.contains(&word.as_str()) {
                out.push((word, true));
            } else if called && EXPERIMENTAL_AGGREGATORS.contains(&word.as_str()) {
                out.push((word, false));
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The hint for an experimental call: how to enable it in the spec.
pub fn enable_hint() -> String {
    format!("Prometheus 3.5 runs experimental functions only with --enable-feature={EXPERIMENTAL_FUNCTIONS_FEATURE}: set `prometheus: {{enable_features: [{EXPERIMENTAL_FUNCTIONS_FEATURE}]}}` in the spec, or write the expression without it")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_experimental_name_is_a_function_or_an_aggregator_of_3_5() {
        assert_eq!(FUNCTIONS.len(), 80, "functions.go at v3.5 defines 80");
        for f in EXPERIMENTAL_FUNCTIONS {
            assert!(FUNCTIONS.contains(f), "{f}");
        }
        assert!(!FUNCTIONS.contains(&"limitk"));
        assert!(FEATURES.contains(&EXPERIMENTAL_FUNCTIONS_FEATURE));
    }

    #[test]
    fn experimental_functions_and_aggregators_are_found_in_the_tree() {
        let expr = r#"sort_by_label(sum by (job) (rate(x[5m])), "job") > 0 or limitk(2, up) or mad_over_time(x[5m])"#;
        // promql-parser 0.11 parses them, so this reads the syntax tree.
        assert!(promql::parse(expr).is_ok());
        let c = calls(expr);
        assert_eq!(
            c.experimental,
            ["sort_by_label", "limitk", "mad_over_time"],
            "{c:?}"
        );
        assert!(c.unknown.is_empty(), "{c:?}");
        let c = calls("limit_ratio(0.5, up) + info(up) + sort_by_label_desc(up) + double_exponential_smoothing(x[5m], 0.5, 0.5)");
        assert_eq!(
            c.experimental,
            [
                "limit_ratio",
                "info",
                "sort_by_label_desc",
                "double_exponential_smoothing"
            ]
        );
        for f in [
            "ts_of_last_over_time",
            "ts_of_max_over_time",
            "ts_of_min_over_time",
        ] {
            assert_eq!(calls(&format!("{f}(x[5m])")).experimental, [f]);
        }
    }

    #[test]
    fn stable_functions_and_names_that_only_look_alike_are_not_experimental() {
        for expr in [
            "sort(up) + sort_desc(up) + topk(3, up) + quantile(0.9, up)",
            r#"info_metric{info="sort_by_label(x)"} + sum by (info) (up)"#,
            "histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))",
        ] {
            assert_eq!(calls(expr), Calls::default(), "{expr}");
        }
    }

    #[test]
    fn calls_are_found_in_text_the_parser_refuses() {
        // A syntax error elsewhere: the text is scanned instead.
        let c = calls(r#"sort_by_label(up, "job" + limitk (1, up"#);
        assert_eq!(c.experimental, ["sort_by_label", "limitk"]);
        // Strings and comments do not count.
        let c = calls("label_replace(up, \"a\", \"sort_by_label(\", \"b\", \"c\") # info(\n ) +");
        assert!(c.experimental.is_empty(), "{c:?}");
    }

    #[test]
    fn functions_of_later_prometheus_versions_are_unknown_to_3_5() {
        // promql-parser parses these; Prometheus 3.5 has no such functions.
        for f in ["first_over_time", "ts_of_first_over_time"] {
            let expr = format!("{f}(x[5m])");
            assert!(promql::parse(&expr).is_ok(), "the parser knows {f}");
            assert_eq!(calls(&expr).unknown, [f]);
        }
        assert!(calls("rate(x[5m])").unknown.is_empty());
    }
}
