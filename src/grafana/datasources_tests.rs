//! Unit tests of datasource mapping: every form a dashboard refers to a
//! datasource in, and the choice of the Prometheus datasource to map to.

use serde_json::json;

use super::*;
use crate::grafana::client::Datasource;

fn ds(uid: &str, name: &str, kind: &str, is_default: bool) -> Datasource {
    Datasource {
        uid: uid.into(),
        name: name.into(),
        kind: kind.into(),
        is_default,
    }
}

fn catalog() -> Catalog {
    Catalog(Some(vec![
        ds("prom-main", "Prometheus", "prometheus", true),
        ds("prom-old", "Old Prometheus", "prometheus", false),
        ds("loki-1", "Loki", "loki", false),
    ]))
}

fn target() -> Target {
    Target {
        uid: "prom-main".into(),
        name: "Prometheus".into(),
    }
}

fn mapped(mut dash: Value) -> Value {
    map(&mut dash, &target(), &catalog()).unwrap();
    dash
}

const PROM: &str = r#"{"type":"prometheus","uid":"prom-main"}"#;

fn prom() -> Value {
    serde_json::from_str(PROM).unwrap()
}

#[test]
fn exported_inputs_are_filled_everywhere_and_dropped() {
    let d = mapped(json!({
        "__inputs": [
            {"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"},
            {"name": "DS_LOKI", "type": "datasource", "pluginId": "loki"},
            {"name": "VAR_ENV", "type": "constant", "value": "prod"}
        ],
        "panels": [
            {"id": 1, "title": "p", "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"},
             "targets": [{"expr": "up{env=\"${VAR_ENV}\"}", "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}}]},
            {"id": 2, "title": "logs", "datasource": {"type": "loki", "uid": "${DS_LOKI}"}}
        ]
    }));
    assert!(d.get("__inputs").is_none());
    assert_eq!(d["panels"][0]["datasource"], prom());
    assert_eq!(d["panels"][0]["targets"][0]["datasource"], prom());
    assert_eq!(d["panels"][0]["targets"][0]["expr"], "up{env=\"prod\"}");
    assert_eq!(d["panels"][1]["datasource"]["uid"], "loki-1");
}

#[test]
fn foreign_uids_names_strings_and_null_map_to_the_target() {
    let d = mapped(json!({"panels": [
        {"title": "foreign", "datasource": {"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}, "targets": [{"expr": "up"}]},
        {"title": "other prometheus", "datasource": "Old Prometheus", "targets": [{"expr": "up"}]},
        {"title": "old string", "datasource": "Prometheus", "targets": [{"expr": "up"}]},
        {"title": "unknown name", "datasource": "prom-prod-eu", "targets": [{"expr": "up"}]},
        {"title": "default", "datasource": null, "targets": [{"expr": "up"}]},
        {"title": "absent", "targets": [{"expr": "up", "datasource": null}]},
        {"title": "uid only", "datasource": {"uid": "prom-old"}, "targets": [{"expr": "up"}]}
    ]}));
    for panel in d["panels"].as_array().unwrap() {
        assert_eq!(panel["datasource"], prom(), "{}", panel["title"]);
    }
    // A query without a datasource inherits its panel's; it stays so.
    assert!(d["panels"][5]["targets"][0]["datasource"].is_null());
}

#[test]
fn datasource_variables_are_kept_and_point_at_the_target() {
    let d = mapped(json!({
        "templating": {"list": [
            {"name": "ds", "type": "datasource", "query": "prometheus", "current": {"text": "X", "value": "x"}},
            {"name": "job", "type": "query", "datasource": {"type": "prometheus", "uid": "${ds}"}, "query": "label_values(up, job)"},
            {"name": "instance", "type": "query", "query": "label_values(up, instance)"}
        ]},
        "panels": [{"title": "p", "datasource": "$ds", "targets": [{"expr": "up", "datasource": {"uid": "${ds}"}}]}]
    }));
    let list = &d["templating"]["list"];
    assert_eq!(
        list[0]["current"],
        json!({"selected": false, "text": "Prometheus", "value": "prom-main"})
    );
    assert_eq!(list[1]["datasource"]["uid"], "${ds}");
    assert_eq!(list[2]["datasource"], prom());
    assert_eq!(d["panels"][0]["datasource"], "$ds");
    assert_eq!(d["panels"][0]["targets"][0]["datasource"]["uid"], "${ds}");
}

#[test]
fn grafana_builtins_rows_and_text_panels_are_left_alone() {
    let input = json!({
        "annotations": {"list": [{"name": "Annotations & Alerts", "datasource": {"type": "grafana", "uid": "-- Grafana --"}}]},
        "panels": [
            {"type": "text", "title": "notes"},
            {"type": "row", "title": "r", "collapsed": true, "panels": [
                {"title": "nested", "datasource": "-- Mixed --", "targets": [{"expr": "up", "datasource": {"type": "prometheus", "uid": "abc"}}]}
            ]}
        ]
    });
    let d = mapped(input.clone());
    assert_eq!(d["annotations"], input["annotations"]);
    assert!(d["panels"][0].get("datasource").is_none());
    assert_eq!(d["panels"][1]["panels"][0]["datasource"], "-- Mixed --");
    assert_eq!(
        d["panels"][1]["panels"][0]["targets"][0]["datasource"],
        prom()
    );
}

#[test]
fn a_missing_non_prometheus_datasource_names_the_panel() {
    let mut d = json!({"panels": [{"id": 4, "title": "Traces", "datasource": {"type": "tempo", "uid": "tempo-x"}}]});
    let err = map(&mut d, &target(), &catalog()).unwrap_err();
    assert_eq!(err.place, "panel `Traces` (id 4)");
    assert!(
        err.message
            .contains("`tempo-x` (type `tempo`) does not exist"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("no `tempo` datasource"),
        "{}",
        err.message
    );
}

#[test]
fn an_unknown_name_that_is_not_promql_is_an_error() {
    let mut d = json!({"panels": [{"title": "Logs", "datasource": "Elastic", "targets": [{"query": "*"}]}]});
    let err = map(&mut d, &target(), &catalog()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "panel `Logs`: unknown datasource `Elastic`: Grafana has no datasource of that name or uid"
    );
}

#[test]
fn mapping_twice_changes_nothing() {
    let once = mapped(json!({
        "__inputs": [{"name": "DS_P", "type": "datasource", "pluginId": "prometheus"}],
        "templating": {"list": [{"name": "ds", "type": "datasource", "query": "prometheus"}]},
        "panels": [{"title": "p", "datasource": "${DS_P}", "targets": [{"expr": "up"}]}, {"title": "q", "targets": [{"expr": "up"}]}]
    }));
    assert_eq!(mapped(once.clone()), once);
}

#[test]
fn the_target_is_the_named_one_the_default_or_the_only_one() {
    let c = catalog();
    assert_eq!(c.choose(None, None).unwrap().uid, "prom-main");
    assert_eq!(
        c.choose(Some("Old Prometheus"), None).unwrap().uid,
        "prom-old"
    );
    assert_eq!(c.choose(Some("prom-old"), None).unwrap().uid, "prom-old");
    assert_eq!(
        c.choose(None, Some("obsctl-prometheus")).unwrap().uid,
        "obsctl-prometheus"
    );
    let e = c.choose(Some("Loki"), None).unwrap_err().to_string();
    assert!(e.contains("type `loki`, not Prometheus"), "{e}");
    let hint = c.choose(Some("nope"), None).unwrap_err().hint().unwrap();
    assert!(hint.contains("`Old Prometheus` (uid prom-old)"), "{hint}");
    let two = Catalog(Some(vec![
        ds("a", "A", "prometheus", false),
        ds("b", "B", "prometheus", false),
    ]));
    let e = two.choose(None, None).unwrap_err().to_string();
    assert!(e.contains("several Prometheus datasources"), "{e}");
    let none = Catalog(Some(vec![ds("l", "L", "loki", true)]));
    assert!(none.choose(None, None).is_err());
}

#[test]
fn without_the_list_prometheus_still_maps_and_others_are_kept() {
    let unknown = Catalog(None);
    assert!(unknown.choose(None, None).is_err());
    let t = unknown.choose(Some("prom-x"), None).unwrap();
    let mut d = json!({"panels": [
        {"title": "p", "datasource": {"type": "prometheus", "uid": "abc"}, "targets": [{"expr": "up"}]},
        {"title": "l", "datasource": {"type": "loki", "uid": "loki-9"}}
    ]});
    map(&mut d, &t, &unknown).unwrap();
    assert_eq!(d["panels"][0]["datasource"]["uid"], "prom-x");
    assert_eq!(d["panels"][1]["datasource"]["uid"], "loki-9");
}

#[test]
fn library_panel_models_in_elements_are_mapped_too() {
    let d = mapped(json!({
        "__inputs": [{"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}],
        "__elements": {
            "lp": {"uid": "lp", "name": "Shared", "kind": 1, "model": {"type": "timeseries",
                "datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"},
                "targets": [{"expr": "up", "datasource": {"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}}]}},
            "old": {"uid": "old", "name": "Old", "kind": 1, "model": {"datasource": null, "targets": [{"expr": "up"}]}}
        },
        "panels": [{"id": 1, "libraryPanel": {"uid": "lp", "name": "Shared"}}]
    }));
    let model = &d["__elements"]["lp"]["model"];
    assert_eq!(model["datasource"], prom());
    assert_eq!(model["targets"][0]["datasource"], prom());
    assert_eq!(d["__elements"]["old"]["model"]["datasource"], prom());
}
