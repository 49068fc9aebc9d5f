//! Bad input, fuzzed: the spec loader (YAML in, problems out), `dashboards
//! lint` and the dashboard import mapping (JSON in) never panic, and every
//! error they return is a diagnostic: a message, located where the format
//! allows it.
//!
//! Every suite run makes a short bounded pass (a fixed number of cases per
//! target, from a fixed seed) and replays the saved regression inputs in
//! tests/fuzz-regressions; scripts/fuzz.sh runs the same targets for as long
//! as asked, from a random seed (see tests/fuzz_support for the knobs).

mod fuzz_support;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use obsctl::diagnostic::{Problems, Severity};
use obsctl::grafana::client::Datasource;
use obsctl::grafana::datasources::{Catalog, Target};
use obsctl::grafana::source::{prepare_text, SourceFile};
use obsctl::spec::Source;
use obsctl::{dashboard_lint, dashjson, model, render, spec};
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::Value;

use fuzz_support::generate::{self, Deep, Mutated};
use fuzz_support::{fuzz, replay, DEFAULT_CASES};

// ---- the targets ---------------------------------------------------------

/// Where fuzzed specs pretend to live: an example's folder, so the rule
/// files and dashboard folders they name can be read (never written).
fn spec_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pybase/obsctl.yaml")
}

/// `spec::load` then model validation (and rendering, when the model builds).
fn check_spec(text: &str) -> Result<(), String> {
    let source = Source::new(Some(spec_path()), text.to_string());
    let name = source.display_name();
    let spec = match spec::load(&source) {
        Ok(spec) => spec,
        Err(e) => {
            if e.message.trim().is_empty() || e.file != name {
                return Err(format!("a spec error without a message or file: {e:?}"));
            }
            return Ok(());
        }
    };
    let env = |var: &str| {
        var.len()
            .is_multiple_of(2)
            .then(|| format!("value-of-{var}"))
    };
    match model::build(&spec, &source, &env) {
        Ok(built) => {
            for w in &built.warnings {
                well_formed(w, &name)?;
            }
            render::render(&built.model).map(drop).or_else(|e| {
                if e.to_string().trim().is_empty() {
                    Err(format!("a render error without a message: {e:?}"))
                } else {
                    Ok(())
                }
            })
        }
        Err(problems) => {
            if !problems.iter().any(|p| p.severity == Severity::Error) {
                return Err(format!("validation failed without an error: {problems:?}"));
            }
            problems.iter().try_for_each(|p| well_formed(p, &name))
        }
    }
}

/// A problem has a message; one in the spec itself names its line.
fn well_formed(p: &obsctl::diagnostic::Problem, spec_name: &str) -> Result<(), String> {
    if p.message.trim().is_empty() || p.file.is_empty() {
        return Err(format!("a problem without a message or file: {p:?}"));
    }
    if p.file == spec_name && p.line.is_none() {
        return Err(format!("a problem in the spec without a line: {p:?}"));
    }
    Ok(())
}

/// `dashboards lint` of one file's text.
fn check_lint(text: &str) -> Result<(), String> {
    let source = Source::new(None, String::new());
    let mut problems = Problems::new(&source);
    match dashjson::parse(text, "fuzz.json", &mut problems) {
        None => match problems.list.as_slice() {
            [one] if !one.message.trim().is_empty() => Ok(()),
            other => Err(format!("an unreadable dashboard gave {other:?}")),
        },
        Some(json) => {
            for f in dashboard_lint::lint(&dashjson::unwrap(json)) {
                if f.message.trim().is_empty() {
                    return Err(format!("a finding without a message: {f:?}"));
                }
            }
            Ok(())
        }
    }
}

fn catalogs() -> &'static [Catalog] {
    static CATALOGS: OnceLock<Vec<Catalog>> = OnceLock::new();
    CATALOGS.get_or_init(|| {
        let ds = |uid: &str, name: &str, kind: &str, is_default: bool| Datasource {
            uid: uid.into(),
            name: name.into(),
            kind: kind.into(),
            is_default,
        };
        vec![
            // Credentials that may not list datasources.
            Catalog(None),
            Catalog(Some(vec![
                ds("obsctl-prometheus", "Prometheus", "prometheus", true),
                ds("obsctl-alertmanager", "Alertmanager", "alertmanager", false),
                ds("loki-1", "Loki", "loki", false),
            ])),
            // Two Prometheus and two Loki, no default among the Lokis.
            Catalog(Some(vec![
                ds("p1", "Prom A", "prometheus", false),
                ds("p2", "Prom B", "prometheus", true),
                ds("l1", "Loki A", "loki", false),
                ds("l2", "Loki B", "loki", false),
            ])),
        ]
    })
}

/// The import mapping (`dashboards import` before the API call), into each
/// kind of Grafana; what it prepares, prepared again, is unchanged.
fn check_import(text: &str) -> Result<(), String> {
    let file = SourceFile {
        path: PathBuf::from("fuzz.json"),
        display: "fuzz.json".into(),
        relative: "fuzz.json".into(),
        folder: obsctl::grafana::folder_path::FolderPath::root(),
    };
    let target = Target {
        uid: "obsctl-prometheus".into(),
        name: "Prometheus".into(),
    };
    for catalog in catalogs() {
        match prepare_text(&file, text, &target, catalog) {
            Err(u) if u.detail.trim().is_empty() => {
                return Err(format!("an unusable dashboard without a reason: {u:?}"))
            }
            Err(_) => {}
            Ok(p) => {
                if p.uid.is_empty() || p.title.is_empty() || p.dashboard["id"] != Value::Null {
                    return Err(format!("prepared without uid, title or null id: {p:?}"));
                }
                let again = serde_json::to_string(&p.dashboard).unwrap();
                match prepare_text(&file, &again, &target, catalog) {
                    Ok(q) if q.dashboard == p.dashboard => {}
                    Ok(q) => {
                        return Err(format!(
                            "a second import changes the dashboard at {}",
                            difference(&p.dashboard, &q.dashboard, String::new())
                        ))
                    }
                    Err(u) => return Err(format!("a prepared dashboard is refused: {u:?}")),
                }
            }
        }
    }
    Ok(())
}

/// The first place where `a` and `b` differ: its JSON pointer and both values.
fn difference(a: &Value, b: &Value, at: String) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) if v == w => {}
                    Some(w) => return difference(v, w, format!("{at}/{k}")),
                    None => break,
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                if v != w {
                    return difference(v, w, format!("{at}/{i}"));
                }
            }
        }
        _ => {}
    }
    let short = |v: &Value| v.to_string().chars().take(300).collect::<String>();
    format!("{at}: {} became {}", short(a), short(b))
}

// ---- inputs ----------------------------------------------------------------

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..512)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn yaml_text() -> impl Strategy<Value = String> {
    "([a-z_]{1,10}|[-:{}\\[\\]\"' \n#&*!|>%@,?0-9.]|  |\n  ){0,120}"
}

fn json_text() -> impl Strategy<Value = String> {
    "([a-z_]{1,8}|\"(uid|title|panels|targets|expr|datasource|id|type|__inputs)\"|[{}\\[\\]\":, 0-9.$\\-]|null|true){0,120}"
}

fn spec_seeds() -> &'static [Value] {
    static SEEDS: OnceLock<Vec<Value>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        generate::spec_seeds()
            .iter()
            .map(|t| serde_yaml::from_str(t).expect("a seed spec is YAML"))
            .collect()
    })
}

fn dashboard_seeds() -> &'static [Value] {
    static SEEDS: OnceLock<Vec<Value>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        generate::dashboard_seeds()
            .iter()
            .map(|t| serde_json::from_str(t).expect("a seed dashboard is JSON"))
            .collect()
    })
}

fn print_yaml(v: &Value) -> String {
    serde_yaml::to_string(v).unwrap()
}

fn print_json(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap()
}

// ---- the bounded pass --------------------------------------------------------

/// Mutated real documents run the whole path (a spec through validation and
/// rendering, a dashboard of dozens of panels), about 50 ms a case in a
/// debug build: fewer of them keep the pass to seconds.
const MUTATED_CASES: u32 = 60;

#[test]
fn spec_loader_survives_arbitrary_bytes() {
    fuzz(
        "spec",
        "bytes",
        DEFAULT_CASES,
        bytes(),
        |b: &Vec<u8>| lossy(b),
        check_spec,
    );
}

#[test]
fn spec_loader_survives_yaml_shaped_text() {
    fuzz(
        "spec",
        "yaml-text",
        DEFAULT_CASES,
        yaml_text(),
        String::clone,
        check_spec,
    );
}

#[test]
fn spec_loader_survives_mutated_specs() {
    let seeds = spec_seeds();
    fuzz(
        "spec",
        "mutated",
        MUTATED_CASES,
        generate::mutated(seeds),
        |m: &Mutated| m.text(seeds, print_yaml),
        check_spec,
    );
}

#[test]
fn spec_loader_survives_deep_nesting() {
    fuzz("spec", "deep", 40, generate::deep(), Deep::text, check_spec);
}

#[test]
fn lint_survives_arbitrary_bytes() {
    fuzz(
        "lint",
        "bytes",
        DEFAULT_CASES,
        bytes(),
        |b: &Vec<u8>| lossy(b),
        check_lint,
    );
}

#[test]
fn lint_survives_json_shaped_text() {
    fuzz(
        "lint",
        "json-text",
        DEFAULT_CASES,
        json_text(),
        String::clone,
        check_lint,
    );
}

#[test]
fn lint_survives_mutated_dashboards() {
    let seeds = dashboard_seeds();
    fuzz(
        "lint",
        "mutated",
        MUTATED_CASES,
        generate::mutated(seeds),
        |m: &Mutated| m.text(seeds, print_json),
        check_lint,
    );
}

#[test]
fn lint_survives_deep_nesting() {
    fuzz("lint", "deep", 40, generate::deep(), Deep::text, check_lint);
}

#[test]
fn import_mapping_survives_arbitrary_bytes() {
    fuzz(
        "import",
        "bytes",
        DEFAULT_CASES,
        bytes(),
        |b: &Vec<u8>| lossy(b),
        check_import,
    );
}

#[test]
fn import_mapping_survives_json_shaped_text() {
    fuzz(
        "import",
        "json-text",
        DEFAULT_CASES,
        json_text(),
        String::clone,
        check_import,
    );
}

#[test]
fn import_mapping_survives_mutated_dashboards() {
    let seeds = dashboard_seeds();
    fuzz(
        "import",
        "mutated",
        MUTATED_CASES,
        generate::mutated(seeds),
        |m: &Mutated| m.text(seeds, print_json),
        check_import,
    );
}

#[test]
fn import_mapping_survives_deep_nesting() {
    fuzz(
        "import",
        "deep",
        40,
        generate::deep(),
        Deep::text,
        check_import,
    );
}

#[test]
fn saved_regression_inputs_still_pass() {
    let replayed =
        replay("spec", check_spec) + replay("lint", check_lint) + replay("import", check_import);
    eprintln!("replayed {replayed} saved regression inputs");
}

#[test]
fn the_seeds_themselves_pass() {
    for s in generate::spec_seeds() {
        check_spec(&s).unwrap();
    }
    for d in generate::dashboard_seeds() {
        check_lint(&d).unwrap();
        check_import(&d).unwrap();
    }
}
