//! Input generators for the fuzz targets.
//!
//! Three kinds, from blind to informed: arbitrary bytes; text over the
//! characters that make YAML or JSON structure; and real documents (the
//! examples' specs, the built-in and example dashboards) mutated as trees
//! (a value replaced by a random one of any type, a child removed, a key
//! renamed, a subtree nested hundreds deep) and then as text (characters
//! inserted, lines duplicated, the end cut off). Nesting far beyond any
//! parser's limit has its own generator, since a stack overflow kills the
//! test process instead of failing one case.

use std::path::Path;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value};

/// Strings worth more than random ones: the references, variables and
/// queries the code looks into.
const WORDS: &[&str] = &[
    "",
    " ",
    "prometheus",
    "alertmanager",
    "grafana",
    "loki",
    "datasource",
    "query",
    "adhoc",
    "row",
    "constant",
    "timeseries",
    "obsctl-prometheus",
    "obsctl-alertmanager",
    "${DS_PROMETHEUS}",
    "${DS_LOKI}",
    "DS_PROMETHEUS",
    "$datasource",
    "${datasource}",
    "${datasource:text}",
    "[[datasource]]",
    "$",
    "${",
    "[[",
    "-- Grafana --",
    "-- Mixed --",
    "-- Dashboard --",
    "up",
    "up == 0",
    "rate(http_requests_total{job=\"$job\"}[$__rate_interval])",
    "sum by (job) (rate(x_total{instance=~\"$instance\"}[5m])) > 0.5",
    "histogram_quantile(0.95, sum by (le) (rate(h_bucket[5m])))",
    "count(up) > 100",
    "x{job=\"api\", cluster=\"eu\"}",
    "sum(",
    "1 +",
    "{__name__=~\".+\"}",
    "label_values(up, job)",
    "15s",
    "0s",
    "-1s",
    "1m30s",
    "99999999999999999999d",
    "5y",
    "1.5h",
    "127.0.0.1",
    "0.0.0.0",
    "::1",
    "localhost:9090",
    "api:8000",
    "http://example.invalid/hook",
    "https://hooks.slack.com/services/T/B/X",
    "env",
    "file",
    "SECRET_VAR",
    "critical",
    "warning",
    "dashboards",
    "rules",
    "rules/*.yml",
    "secrets/token",
    "team",
    "General",
    "null",
    "~",
    "yes",
    "no",
    "0x1F",
    "1e309",
    "NaN",
    "\u{0}",
    "\u{feff}",
    "é",
    "\u{1F525}",
];

/// Keys worth trying anywhere, on top of those harvested from the seeds.
const EXTRA_KEYS: &[&str] = &[
    "__inputs",
    "dashboard",
    "panels",
    "targets",
    "expr",
    "datasource",
    "uid",
    "type",
    "id",
    "title",
    "templating",
    "list",
    "annotations",
    "rows",
    "gridPos",
    "x",
    "y",
    "w",
    "h",
    "name",
    "pluginId",
    "value",
    "version",
    "<<",
    "?",
];

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn repo(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The specs users write: every example's, the full fixture, the default.
pub fn spec_seeds() -> Vec<String> {
    let mut out = vec![
        obsctl::presets::default_spec_text(),
        read(&repo("tests/fixtures/full/obsctl.yaml")),
    ];
    let mut examples: Vec<_> = std::fs::read_dir(repo("examples"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path().join("obsctl.yaml"))
        .filter(|p| p.is_file())
        .collect();
    examples.sort();
    out.extend(examples.iter().map(|p| read(p)));
    out
}

/// Real dashboards: the built-in ones, the examples', the fixtures'.
pub fn dashboard_seeds() -> Vec<String> {
    let mut files = obsctl::dashjson::json_files(&repo("dashboards"));
    files.extend(obsctl::dashjson::json_files(&repo("examples")));
    files.extend(obsctl::dashjson::json_files(&repo("tests/fixtures")));
    files.iter().map(|p| read(p)).collect()
}

fn keys_of(v: &Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                out.insert(k.clone());
                keys_of(child, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| keys_of(c, out)),
        _ => {}
    }
}

/// A random scalar: edge numbers, vocabulary, random short strings.
pub fn leaf() -> impl Strategy<Value = Value> + Clone {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        select(vec![
            0i64,
            1,
            -1,
            80,
            9090,
            65535,
            65536,
            i64::MAX,
            i64::MIN
        ])
        .prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(Value::from),
        select(WORDS).prop_map(Value::from),
        "[a-zA-Z0-9_:${}()\\[\\] =~!\",*+<>|@-]{0,24}".prop_map(Value::from),
    ]
}

/// A random value of any shape, keys taken from `keys`.
pub fn tree(keys: Vec<String>) -> impl Strategy<Value = Value> + Clone {
    leaf().prop_recursive(4, 32, 6, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            vec((select(keys.clone()), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

/// One change to a tree, at the node with the given pre-order number.
#[derive(Debug, Clone)]
pub enum Op {
    Replace(usize, Value),
    RemoveChild(usize, usize),
    RenameKey(usize, usize, String),
    DuplicateChild(usize, usize),
    /// Wraps the node in `depth` arrays (or objects under `key`).
    Nest(usize, u16, Option<String>),
}

fn op(keys: Vec<String>) -> impl Strategy<Value = Op> {
    let node = any::<usize>();
    prop_oneof![
        4 => (node, tree(keys.clone())).prop_map(|(n, v)| Op::Replace(n, v)),
        2 => (node, any::<usize>()).prop_map(|(n, k)| Op::RemoveChild(n, k)),
        1 => (node, any::<usize>(), select(keys.clone())).prop_map(|(n, k, s)| Op::RenameKey(n, k, s)),
        1 => (node, any::<usize>()).prop_map(|(n, k)| Op::DuplicateChild(n, k)),
        1 => (node, prop_oneof![1u16..8, 120u16..140, 250u16..300], proptest::option::of(select(keys)))
            .prop_map(|(n, d, k)| Op::Nest(n, d, k)),
    ]
}

fn count(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count).sum(),
        Value::Object(m) => m.values().map(count).sum(),
        _ => 0,
    }
}

fn nth(v: &mut Value, n: usize) -> Option<&mut Value> {
    if n == 0 {
        return Some(v);
    }
    let mut skip = n - 1;
    let children: Vec<&mut Value> = match v {
        Value::Array(a) => a.iter_mut().collect(),
        Value::Object(m) => m.values_mut().collect(),
        _ => return None,
    };
    for child in children {
        let size = count(child);
        if skip < size {
            return nth(child, skip);
        }
        skip -= size;
    }
    None
}

/// Applies `op` to `root`.
pub fn apply(root: &mut Value, op: &Op) {
    let total = count(root);
    let at = |n: usize| n % total;
    match op {
        Op::Replace(n, v) => *nth(root, at(*n)).unwrap() = v.clone(),
        Op::RemoveChild(n, k) => match nth(root, at(*n)).unwrap() {
            Value::Array(a) if !a.is_empty() => {
                let i = k % a.len();
                a.remove(i);
            }
            Value::Object(m) if !m.is_empty() => {
                let key = m.keys().nth(k % m.len()).unwrap().clone();
                m.shift_remove(&key);
            }
            _ => {}
        },
        Op::RenameKey(n, k, new) => {
            if let Value::Object(m) = nth(root, at(*n)).unwrap() {
                if !m.is_empty() {
                    let key = m.keys().nth(k % m.len()).unwrap().clone();
                    let v = m.shift_remove(&key).unwrap();
                    m.insert(new.clone(), v);
                }
            }
        }
        Op::DuplicateChild(n, k) => match nth(root, at(*n)).unwrap() {
            Value::Array(a) if !a.is_empty() => {
                let v = a[k % a.len()].clone();
                a.push(v);
            }
            Value::Object(m) if !m.is_empty() => {
                let (key, v) = m.iter().nth(k % m.len()).unwrap();
                let (key, v) = (format!("{key}2"), v.clone());
                m.insert(key, v);
            }
            _ => {}
        },
        Op::Nest(n, depth, key) => {
            let node = nth(root, at(*n)).unwrap();
            let mut v = node.take();
            for _ in 0..*depth {
                v = match key {
                    Some(k) => Value::Object(Map::from_iter([(k.clone(), v)])),
                    None => Value::Array(vec![v]),
                };
            }
            *node = v;
        }
    }
}

/// One change to text, at a character position.
#[derive(Debug, Clone)]
pub enum TextOp {
    Insert(usize, String),
    Delete(usize, u8),
    DuplicateLine(usize),
    Truncate(usize),
}

fn text_op() -> impl Strategy<Value = TextOp> {
    let at = any::<usize>();
    prop_oneof![
        (at, "[-:{}\\[\\]\"' \n\t#&*!|>%@`,?]{1,3}").prop_map(|(i, s)| TextOp::Insert(i, s)),
        (at, 1u8..8).prop_map(|(i, n)| TextOp::Delete(i, n)),
        at.prop_map(TextOp::DuplicateLine),
        at.prop_map(TextOp::Truncate),
    ]
}

/// Applies `op` to `text` (positions taken modulo its length in characters).
pub fn apply_text(text: &mut String, op: &TextOp) {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| if chars.is_empty() { 0 } else { i % chars.len() };
    let joined = |v: &[char]| v.iter().collect::<String>();
    *text = match op {
        TextOp::Insert(i, s) => {
            let i = at(*i);
            format!("{}{s}{}", joined(&chars[..i]), joined(&chars[i..]))
        }
        TextOp::Delete(i, n) => {
            let i = at(*i);
            let end = (i + usize::from(*n)).min(chars.len());
            format!("{}{}", joined(&chars[..i]), joined(&chars[end..]))
        }
        TextOp::DuplicateLine(i) => {
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            if lines.is_empty() {
                return;
            }
            let i = i % lines.len();
            let mut out: Vec<&str> = lines.clone();
            out.insert(i, lines[i]);
            out.concat()
        }
        TextOp::Truncate(i) => joined(&chars[..at(*i)]),
    };
}

/// A seed document, mutated as a tree and then as text.
#[derive(Debug, Clone)]
pub struct Mutated {
    pub seed: usize,
    pub ops: Vec<Op>,
    pub text_ops: Vec<TextOp>,
}

/// Mutations of `seeds` (parsed by `parse`, printed back by `print`).
pub fn mutated(seeds: &[Value]) -> impl Strategy<Value = Mutated> {
    let mut keys = std::collections::BTreeSet::new();
    seeds.iter().for_each(|s| keys_of(s, &mut keys));
    keys.extend(EXTRA_KEYS.iter().map(|k| k.to_string()));
    let keys: Vec<String> = keys.into_iter().collect();
    (
        0..seeds.len(),
        vec(op(keys), 0..6),
        prop_oneof![3 => Just(Vec::new()), 1 => vec(text_op(), 1..4)],
    )
        .prop_map(|(seed, ops, text_ops)| Mutated {
            seed,
            ops,
            text_ops,
        })
}

impl Mutated {
    /// The mutated document as text.
    pub fn text(&self, seeds: &[Value], print: fn(&Value) -> String) -> String {
        let mut v = seeds[self.seed].clone();
        for op in &self.ops {
            apply(&mut v, op);
        }
        let mut text = print(&v);
        for op in &self.text_ops {
            apply_text(&mut text, op);
        }
        text
    }
}

/// Nesting far past every parser's limit, in the forms each format has.
#[derive(Debug, Clone)]
pub struct Deep {
    pub form: usize,
    pub depth: usize,
}

pub fn deep() -> impl Strategy<Value = Deep> {
    (
        0..DEEP_FORMS,
        prop_oneof![100usize..300, 1_000usize..5_000, 50_000usize..200_000],
    )
        .prop_map(|(form, depth)| Deep { form, depth })
}

const DEEP_FORMS: usize = 9;

impl Deep {
    pub fn text(&self) -> String {
        let d = self.depth;
        match self.form {
            0 => format!("{}{}", "[".repeat(d), "]".repeat(d)),
            1 => format!("{}1{}", "{\"a\": ".repeat(d), "}".repeat(d)),
            2 => format!("{}x\n", "- ".repeat(d)),
            3 => format!("name: x\nrules:\n  alerts:\n    - alert: Deep\n      expr: '{}1{}'\n", "(".repeat(d), ")".repeat(d)),
            4 => format!("{}x", "? ".repeat(d)),
            5 => format!("a: {}\n", "!t ".repeat(d)),
            6 => format!("{{\"uid\": \"u\", \"title\": \"t\", \"panels\": [{{\"id\": 1, \"targets\": [{{\"expr\": \"{}up\"}}]}}]}}", "-".repeat(d)),
            7 => format!("{{\"uid\": \"u\", \"title\": \"t\", \"panels\": [{{\"id\": 1, \"targets\": [{{\"expr\": \"{}1{}\"}}]}}]}}", "(".repeat(d), ")".repeat(d)),
            _ => (0..d.min(3_000))
                .map(|i| format!("{}a{i}:\n", " ".repeat(i)))
                .collect(),
        }
    }
}
