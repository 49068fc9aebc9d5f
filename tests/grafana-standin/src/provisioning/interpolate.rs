//! `$VAR` / `${VAR}` expansion in provisioning YAML values (not keys), with `$$` for a
//! literal `$` — Go's `os.Expand` rules, as Grafana applies them.

use serde_yaml::Value;

fn is_special(b: u8) -> bool {
    matches!(b, b'*' | b'#' | b'$' | b'@' | b'!' | b'?' | b'-') || b.is_ascii_digit()
}

fn is_name_char(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphanumeric()
}

/// The variable name after a `$` and how many bytes it spans (Go's `getShellName`).
fn shell_name(s: &str) -> (Option<&str>, usize) {
    let b = s.as_bytes();
    if b[0] == b'{' {
        if b.len() > 2 && is_special(b[1]) && b[2] == b'}' {
            return (Some(&s[1..2]), 3);
        }
        for i in 1..b.len() {
            if b[i] == b'}' {
                return if i == 1 {
                    (None, 2)
                } else {
                    (Some(&s[1..i]), i + 1)
                };
            }
        }
        return (None, 1);
    }
    if is_special(b[0]) {
        return (Some(&s[0..1]), 1);
    }
    let len = b.iter().take_while(|c| is_name_char(**c)).count();
    (if len == 0 { None } else { Some(&s[..len]) }, len)
}

/// Expands variables in one string; `$$` gives `$`, unset variables give "".
pub fn expand(s: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let (mut i, mut last) = (0, 0);
    while i < bytes.len() {
        if bytes[i] == b'$' && i + 1 < bytes.len() {
            out.push_str(&s[last..i]);
            let (name, width) = shell_name(&s[i + 1..]);
            match name {
                None if width > 0 => {}
                None => out.push('$'),
                Some("$") => out.push('$'),
                Some(n) => out.push_str(&lookup(n).unwrap_or_default()),
            }
            i += 1 + width;
            last = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[last..]);
    out
}

/// Expands every string value of a YAML document in place, using the process
/// environment.
pub fn expand_values(v: &mut Value) {
    let env = |name: &str| std::env::var(name).ok();
    match v {
        Value::String(s) => *s = expand(s, &env),
        Value::Sequence(items) => items.iter_mut().for_each(expand_values),
        Value::Mapping(map) => map.iter_mut().for_each(|(_, v)| expand_values(v)),
        Value::Tagged(t) => expand_values(&mut t.value),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "PW" => Some("s3cret".into()),
            "HOST" => Some("prometheus".into()),
            _ => None,
        }
    }

    #[test]
    fn expands_like_go() {
        assert_eq!(expand("$PW", &env), "s3cret");
        assert_eq!(
            expand("http://${HOST}:9090", &env),
            "http://prometheus:9090"
        );
        assert_eq!(expand("a$$b", &env), "a$b");
        assert_eq!(expand("$$PW", &env), "$PW");
        assert_eq!(expand("cost: 5$", &env), "cost: 5$");
        assert_eq!(expand("$UNSET-x", &env), "-x");
        assert_eq!(expand("${}x", &env), "x");
        assert_eq!(expand("%$/", &env), "%$/");
    }
}
