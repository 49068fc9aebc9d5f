//! Tests of the PromQL rewrites, checked with the real parser where the
//! result must be valid PromQL.

use promql_parser::parser::{self, Expr, LabelModifier};
use promql_parser::util::{walk_expr, ExprVisitor};

use super::*;

fn site() -> Vec<String> {
    vec!["site".to_string()]
}

/// Every aggregation's grouping and every `on (...)` of `expr`, parsed.
fn groupings(expr: &str) -> Vec<(bool, Vec<String>)> {
    struct G(Vec<(bool, Vec<String>)>);
    impl ExprVisitor for G {
        type Error = ();
        fn pre_visit(&mut self, e: &Expr) -> Result<bool, ()> {
            match e {
                Expr::Aggregate(a) => self.0.push(match &a.modifier {
                    Some(LabelModifier::Include(l)) => (true, l.labels.clone()),
                    Some(LabelModifier::Exclude(l)) => (false, l.labels.clone()),
                    None => (true, Vec::new()),
                }),
                Expr::Binary(b) => {
                    if let Some(LabelModifier::Include(l)) =
                        b.modifier.as_ref().and_then(|m| m.matching.as_ref())
                    {
                        self.0.push((true, l.labels.clone()));
                    }
                }
                _ => {}
            }
            Ok(true)
        }
    }
    let parsed = parser::parse(expr).unwrap_or_else(|e| panic!("`{expr}` does not parse: {e}"));
    let mut g = G(Vec::new());
    walk_expr(&mut g, &parsed).unwrap();
    g.0
}

#[test]
fn groupings_gain_the_labels_and_the_text_keeps_its_shape() {
    assert_eq!(
        keep_labels("sum by (job) (rate(x[5m]))", &site()),
        "sum by (job, site) (rate(x[5m]))"
    );
    assert_eq!(
        keep_labels("sum(increase(x[1h])) > 10", &site()),
        "sum by (site) (increase(x[1h])) > 10"
    );
    assert_eq!(
        keep_labels("sum (x) by (job)", &site()),
        "sum (x) by (job, site)"
    );
    assert_eq!(
        keep_labels("sum without (cpu, mode) (x)", &site()),
        "sum without (cpu, mode) (x)"
    );
    assert_eq!(
        keep_labels("a / on (instance) count by (instance) (b)", &site()),
        "a / on (instance, site) count by (instance, site) (b)"
    );
    assert_eq!(
        keep_labels("sum by (job, site) (x)", &site()),
        "sum by (job, site) (x)",
        "a label already kept is not added twice"
    );
    assert_eq!(
        keep_labels("sum by () (x)", &["site".into(), "host".into()]),
        "sum by (site, host) (x)"
    );
}

#[test]
fn names_inside_selectors_strings_and_ranges_are_not_aggregations() {
    let expr = r#"count_values("sum", rate(x{by="sum(", on="max"}[5m:1m]))"#;
    let kept = keep_labels(expr, &site());
    assert_eq!(
        kept,
        r#"count_values by (site) ("sum", rate(x{by="sum(", on="max"}[5m:1m]))"#
    );
    assert_eq!(groupings(&kept), vec![(true, site())]);
}

#[test]
fn nothing_changes_without_labels() {
    assert_eq!(keep_labels("sum(x)", &[]), "sum(x)");
}

#[test]
fn every_selector_gains_the_matcher() {
    let m = r#"site=~"$site""#;
    assert_eq!(
        add_matcher(r#"sum(rate(x{job=~"$job"}[$__rate_interval]))"#, m),
        r#"sum(rate(x{site=~"$site", job=~"$job"}[$__rate_interval]))"#
    );
    assert_eq!(
        add_matcher("count(up == 0) or vector(0)", m),
        r#"count(up{site=~"$site"} == 0) or vector(0)"#
    );
    assert_eq!(
        add_matcher(r#"{__name__=~"a|b"}"#, m),
        r#"{site=~"$site", __name__=~"a|b"}"#
    );
    assert_eq!(add_matcher("x{}", m), r#"x{site=~"$site"}"#);
    assert_eq!(
        add_matcher(
            r#"histogram_quantile(0.95, sum by (le) (rate(b[5m]))) / on (instance) count by (instance) (c offset 5m) > bool 1"#,
            m
        ),
        r#"histogram_quantile(0.95, sum by (le) (rate(b{site=~"$site"}[5m]))) / on (instance) count by (instance) (c{site=~"$site"} offset 5m) > bool 1"#
    );
    assert_eq!(
        add_matcher("max_over_time(sum(w)[$__range:])", m),
        r#"max_over_time(sum(w{site=~"$site"})[$__range:])"#
    );
}

#[test]
fn every_pack_aggregation_keeps_the_edge_labels() {
    let labels = vec!["site".to_string(), "host".to_string()];
    let mut checked = 0;
    for pack in crate::packs::all() {
        for rule in pack.rules.groups.iter().flat_map(|g| &g.rules) {
            let kept = keep_labels(&rule.expr, &labels);
            for (by, grouping) in groupings(&kept) {
                checked += 1;
                if by {
                    for l in &labels {
                        assert!(
                            grouping.contains(l),
                            "pack {}: `{kept}` groups by {grouping:?}, without {l}",
                            pack.name
                        );
                    }
                } else {
                    for l in &labels {
                        assert!(
                            !grouping.contains(l),
                            "pack {}: `{kept}` drops {l}",
                            pack.name
                        );
                    }
                }
            }
        }
    }
    assert!(
        checked > 30,
        "only {checked} aggregations found in the packs"
    );
}
