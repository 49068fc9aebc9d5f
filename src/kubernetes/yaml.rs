//! Writing manifests as YAML that every reader takes the same way.
//!
//! `kubectl` (go-yaml) still reads some YAML 1.1 forms: an unquoted `yes`,
//! `on` or `no` is a boolean there, `1:30` a number. So only strings that no
//! reader can take for anything else stay plain (a letter, `_` or `/` first,
//! then letters, digits, `_`, `.`, `/` and `-`, and not a YAML 1.1 word; or
//! a quantity such as `30s`, `1h30m` or `20GB`);
//! multi-line text is a literal block (rule expressions, dashboard JSON); all
//! else is double-quoted. Maps keep their order, so output is as
//! deterministic as the value given.

use serde_json::Value;

/// The YAML text of `value` (a mapping or a list), ending with a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_list(&mut out, items, 0),
        other => {
            out.push_str(&scalar(other, 0));
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn write_map(out: &mut String, map: &serde_json::Map<String, Value>, indent: usize) {
    for (key, value) in map {
        pad(out, indent);
        out.push_str(&string(key, indent, false));
        out.push(':');
        write_value(out, value, indent);
    }
}

fn write_list(out: &mut String, items: &[Value], indent: usize) {
    for item in items {
        // Write the item as if it were indented past the dash, then put the
        // dash in place of the first line's indentation.
        let mut body = String::new();
        match item {
            Value::Object(map) if !map.is_empty() => write_map(&mut body, map, indent + 2),
            Value::Array(inner) if !inner.is_empty() => write_list(&mut body, inner, indent + 2),
            other => {
                pad(&mut body, indent + 2);
                body.push_str(&scalar(other, indent));
                body.push('\n');
            }
        }
        pad(out, indent);
        out.push_str("- ");
        out.push_str(&body[indent + 2..]);
    }
}

/// The value after `key:` (the key written at `indent`).
fn write_value(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(out, map, indent + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_list(out, items, indent + 2);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other, indent));
            out.push('\n');
        }
    }
}

/// A scalar (or an empty collection) whose key or dash is at `indent`.
fn scalar(value: &Value, indent: usize) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s, indent, true),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// YAML 1.1 words that are booleans or null somewhere.
const WORDS: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
];

fn is_plain(s: &str) -> bool {
    let word = s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-'))
        && !WORDS.contains(&s.to_ascii_lowercase().as_str());
    word || is_quantity(s)
}

/// Groups of digits then letters (`30s`, `1h30m`, `20GB`, `32Mi`): ending
/// with a letter, no YAML reads that as a number, except one with a radix
/// prefix (`0xff`).
fn is_quantity(s: &str) -> bool {
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let letters = rest[digits..]
            .find(|c: char| !c.is_ascii_alphabetic())
            .map_or(rest.len(), |n| digits + n);
        if digits == 0 || letters == digits {
            return false;
        }
        rest = &rest[letters..];
    }
    // Not `0x1f`, `0o17`, `0b1`, whatever the letters.
    let radix_prefix = s.starts_with('0') && s[1..].starts_with(|c: char| c.is_ascii_alphabetic());
    !s.is_empty() && !radix_prefix
}

/// Text a literal block (`|` or `|-`) holds exactly: several lines, the
/// first not indented, no control characters but newlines, at most one
/// trailing newline.
fn fits_block(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\n'])
        && !s.ends_with("\n\n")
        && !s.chars().any(|c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
        })
}

fn string(s: &str, indent: usize, block_ok: bool) -> String {
    if is_plain(s) {
        return s.to_string();
    }
    if block_ok && fits_block(s) {
        let (header, body) = match s.strip_suffix('\n') {
            Some(body) => ("|", body),
            None => ("|-", s),
        };
        let mut out = header.to_string();
        for line in body.split('\n') {
            out.push('\n');
            if !line.is_empty() {
                pad(&mut out, indent + 2);
                out.push_str(line);
            }
        }
        return out;
    }
    // JSON's escapes are YAML's too; YAML 1.1 also breaks lines at these.
    serde_json::to_string(s)
        .expect("strings serialise")
        .replace('\u{85}', "\\N")
        .replace('\u{2028}', "\\L")
        .replace('\u{2029}', "\\P")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(v: &Value) {
        let text = to_yaml(v);
        let back: Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{e}:\n{text}"));
        assert_eq!(&back, v, "{text}");
    }

    #[test]
    fn yaml_1_1_words_numbers_and_times_are_quoted() {
        let v = json!({"a": "yes", "b": "On", "c": "1:30", "d": "0755", "e": "1e3", "f": "~",
                       "g": ".inf", "h": "", "i": "-x", "j": "a b", "k": "x: y", "l": "#c",
                       "m": "0xff", "n": "0b", "o": "1_000", "p": "12"});
        let text = to_yaml(&v);
        for line in text.lines() {
            let value = line.split_once(": ").unwrap().1;
            assert!(value.starts_with('"'), "{line}");
        }
        round_trip(&v);
    }

    #[test]
    fn plain_strings_stay_plain_and_keys_with_dots_and_slashes_too() {
        let v = json!({"app.kubernetes.io/name": "grafana", "path": "/metrics", "v": "monitoring.coreos.com/v1",
                       "for": "1h30m", "size": "20GB"});
        assert_eq!(
            to_yaml(&v),
            "app.kubernetes.io/name: grafana\npath: /metrics\nv: monitoring.coreos.com/v1\nfor: 1h30m\nsize: 20GB\n"
        );
        round_trip(&v);
    }

    #[test]
    fn multi_line_text_is_a_literal_block_that_reads_back_exactly() {
        let v = json!({"rules": [{"expr": "sum(rate(x[5m]))\n  / sum(rate(y[5m]))", "d": "{\n  \"a\": 1\n}\n"}]});
        let text = to_yaml(&v);
        assert!(
            text.contains("  - expr: |-\n      sum(rate(x[5m]))\n        / sum(rate(y[5m]))\n"),
            "{text}"
        );
        assert!(
            text.contains("    d: |\n      {\n        \"a\": 1\n      }\n"),
            "{text}"
        );
        round_trip(&v);
    }

    #[test]
    fn awkward_text_is_quoted_and_still_reads_back() {
        for s in [
            " leading",
            "a\n\n",
            "tab\tx\ny",
            "a\r\nb",
            "\nfirst empty",
            "sep\u{2028}x\ny",
            "ünïcode: ✓",
        ] {
            round_trip(&json!({"k": s, "l": [s]}));
        }
    }

    #[test]
    fn nested_lists_maps_and_empty_collections() {
        let v =
            json!({"a": [[1, 2], {"b": []}, {}, {"c": {"d": null, "e": true, "f": 1.5}}], "g": {}});
        assert_eq!(
            to_yaml(&v),
            "a:\n  - - 1\n    - 2\n  - b: []\n  - {}\n  - c:\n      d: null\n      e: true\n      f: 1.5\ng: {}\n"
        );
        round_trip(&v);
    }
}
