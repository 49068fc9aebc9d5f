//! Alertmanager matchers: the spec's `matchers:` strings (`label=value`,
//! `label=~"regex"`) checked, and they and the `match:`/inhibit label maps
//! rendered the way Alertmanager 0.28's UTF-8 matcher parser reads them even
//! in `utf8-strict-mode`: every value double-quoted with Go's escapes, and a
//! label name quoted when it is not a plain identifier. (In the default
//! fallback mode an unquoted value with spaces or symbols is a warning on
//! every load; in strict mode it is refused.)

/// One matcher: `name op value`, with the value as Alertmanager reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    pub name: String,
    pub op: &'static str,
    pub value: String,
}

impl Matcher {
    /// An equality matcher (`match:` shorthand, inhibit rules).
    pub fn equal(name: &str, value: &str) -> Self {
        Self {
            name: name.into(),
            op: "=",
            value: value.into(),
        }
    }

    /// As Alertmanager's configuration takes it: `severity="critical"`.
    pub fn render(&self) -> String {
        let plain_name = self
            .name
            .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        let name = if plain_name {
            self.name.clone()
        } else {
            quote(&self.name)
        };
        format!("{name}{}{}", self.op, quote(&self.value))
    }
}

/// `value` as a double-quoted Go string literal, which Alertmanager unquotes
/// with `strconv.Unquote`: backslash, quote and control characters escaped,
/// everything else (unicode included) as it is.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Parses one matcher string as the spec writes it: a label name, an
/// operator (`=`, `!=`, `=~`, `!~`) and a value, quoted or not.
pub fn parse(text: &str) -> Result<Matcher, String> {
    let m = text.trim();
    let name_end = m
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(m.len());
    let (name, rest) = m.split_at(name_end);
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(format!("`{m}` does not start with a label name"));
    }
    let rest = rest.trim_start();
    let (op, value) = ["=~", "!~", "!=", "="]
        .iter()
        .find_map(|op| rest.strip_prefix(op).map(|v| (*op, v.trim())))
        .ok_or_else(|| format!("`{m}` has no operator (=, !=, =~, !~)"))?;
    let value = match value.strip_prefix('"') {
        Some(_) => unquote(value).map_err(|e| format!("`{m}`: {e}"))?,
        None => value.to_string(),
    };
    Ok(Matcher {
        name: name.into(),
        op,
        value,
    })
}

/// Reads a double-quoted Go string literal (all of `text`), as
/// `strconv.Unquote` does.
fn unquote(text: &str) -> Result<String, String> {
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .ok_or("the quoted value is not terminated")?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Err("a quote inside the value is not escaped (write \\\")".into()),
            '\n' => return Err("the quoted value spans lines".into()),
            '\\' => {
                let e = chars.next().ok_or("the quoted value ends in a backslash")?;
                let simple = match e {
                    'a' => Some('\u{7}'),
                    'b' => Some('\u{8}'),
                    'f' => Some('\u{c}'),
                    'n' => Some('\n'),
                    'r' => Some('\r'),
                    't' => Some('\t'),
                    'v' => Some('\u{b}'),
                    '\\' => Some('\\'),
                    '"' => Some('"'),
                    _ => None,
                };
                if let Some(s) = simple {
                    out.push(s);
                    continue;
                }
                let (digits, radix) = match e {
                    'x' => (2, 16),
                    'u' => (4, 16),
                    'U' => (8, 16),
                    '0'..='7' => (2, 8),
                    _ => return Err(format!("`\\{e}` is not an escape Alertmanager reads")),
                };
                let mut code: String = if radix == 8 {
                    e.to_string()
                } else {
                    String::new()
                };
                for _ in 0..digits {
                    code.push(chars.next().ok_or("an escape is cut short")?);
                }
                let n = u32::from_str_radix(&code, radix)
                    .map_err(|_| format!("`\\{e}{}` is not a valid escape", &code))?;
                out.push(char::from_u32(n).ok_or(format!("`{code}` is not a character"))?);
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_quoted_and_escaped_as_go_reads_it() {
        assert_eq!(
            Matcher::equal("severity", "critical").render(),
            r#"severity="critical""#
        );
        assert_eq!(
            Matcher::equal("alertname", "Disk Full").render(),
            r#"alertname="Disk Full""#
        );
        assert_eq!(quote(r#"say "hi""#), r#""say \"hi\"""#);
        assert_eq!(quote(r"C:\dir"), r#""C:\\dir""#);
        assert_eq!(quote("a=b{c}"), r#""a=b{c}""#);
        assert_eq!(quote("Straße ⚠"), "\"Straße ⚠\"");
        assert_eq!(quote("two\nlines\u{1}"), r#""two\nlines\u0001""#);
        assert_eq!(quote(""), r#""""#);
    }

    #[test]
    fn quoting_round_trips_through_unquote() {
        for v in [
            "Disk Full",
            "say \"hi\"",
            r"back\slash",
            "a=b",
            "{x}",
            "ü ✓",
            "tab\there",
            "",
        ] {
            assert_eq!(unquote(&quote(v)).unwrap(), v, "{v}");
        }
    }

    #[test]
    fn label_names_are_quoted_only_when_not_identifiers() {
        assert_eq!(
            Matcher::equal("team name", "db").render(),
            r#""team name"="db""#
        );
        assert_eq!(Matcher::equal("_team1", "db").render(), r#"_team1="db""#);
        assert_eq!(Matcher::equal("1team", "db").render(), r#""1team"="db""#);
    }

    #[test]
    fn spec_matchers_are_read_quoted_or_not_and_rendered_quoted() {
        let cases = [
            ("severity=critical", r#"severity="critical""#),
            (r#"severity="critical""#, r#"severity="critical""#),
            ("team =~ db|infra", r#"team=~"db|infra""#),
            (r#"alertname != "Disk Full""#, r#"alertname!="Disk Full""#),
            ("alertname=Disk Full", r#"alertname="Disk Full""#),
            (r#"path=~/api/.*\.json"#, r#"path=~"/api/.*\\.json""#),
            (r#"msg="say \"hi\"""#, r#"msg="say \"hi\"""#),
            (r#"city="M\u00fcnchen""#, "city=\"München\""),
        ];
        for (spec, rendered) in cases {
            assert_eq!(parse(spec).unwrap().render(), rendered, "{spec}");
        }
    }

    #[test]
    fn malformed_matchers_are_refused_with_the_reason() {
        assert!(parse("=critical").unwrap_err().contains("label name"));
        assert!(parse("severity critical")
            .unwrap_err()
            .contains("no operator"));
        assert!(parse("severity=\"critical")
            .unwrap_err()
            .contains("not terminated"));
        assert!(parse(r#"a="x"y""#).unwrap_err().contains("not escaped"));
        assert!(parse(r#"a="\q""#).unwrap_err().contains("`\\q`"));
    }
}
