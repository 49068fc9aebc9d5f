//! Identifiers and names: uid validation and generation, dashboard slugs and
//! service-account token keys, following the rules Grafana's `util` and `slugify`
//! packages apply.

use uuid::Uuid;

/// Grafana's legacy uid pattern `^[a-zA-Z0-9\-_]*$` (the empty uid is valid).
pub fn is_valid_uid(uid: &str) -> bool {
    uid.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Uids are limited to 40 bytes.
pub fn uid_too_long(uid: &str) -> bool {
    uid.len() > 40
}

fn random_letter(byte: u8) -> char {
    (b'a' + byte % 26) as char
}

/// A generated uid: a letter, parts of a random UUID, and a letter (26 characters),
/// the layout of Grafana's `GenerateShortUID`.
pub fn generate_uid() -> String {
    let id = Uuid::new_v4().to_string();
    let noise = Uuid::new_v4();
    let bytes = noise.as_bytes();
    format!(
        "{}{}{}{}{}",
        random_letter(bytes[0]),
        &id[0..8],
        &id[19..23],
        &id[24..],
        random_letter(bytes[1])
    )
}

/// A service-account token key: `glsa_` then 32 random characters, `_` and an
/// 8-character hex suffix (the suffix is random here, a checksum in Grafana).
pub fn generate_token() -> String {
    let a = Uuid::new_v4().simple().to_string();
    let b = Uuid::new_v4().simple().to_string();
    format!("glsa_{}_{}", &a[..32], &b[..8])
}

fn replacement(c: char) -> Option<&'static str> {
    Some(match c {
        ' ' => "-",
        '&' => "and",
        '@' => "at",
        '©' => "c",
        '®' => "r",
        'ß' => "ss",
        'à' | 'á' | 'â' | 'ä' | 'å' | 'ã' => "a",
        'æ' => "ae",
        'ç' => "c",
        'è' | 'é' | 'ê' | 'ë' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
        'ù' | 'ú' | 'û' => "u",
        'ü' => "ue",
        'ý' | 'ÿ' => "y",
        'þ' => "p",
        '™' => "tm",
        _ => return None,
    })
}

fn omitted(c: char) -> bool {
    matches!(
        c,
        ',' | '"' | '\'' | '\n' | '\r' | '\0' | '?' | '.' | '(' | ')'
    )
}

/// The URL slug of a title, as Grafana's `slugify.Slugify` makes it: lower case,
/// spaces to `-`, a few characters replaced or dropped, any other character written
/// as the hex of its UTF-8 bytes; a slug over 50 bytes or empty becomes a UUIDv5 of
/// the title. The replacement table here covers Latin-1 letters only.
pub fn slugify(title: &str) -> String {
    let mut out = String::new();
    for c in title.trim().to_lowercase().chars() {
        if let Some(r) = replacement(c) {
            out.push_str(r);
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-' {
            out.push(c);
        } else if omitted(c) {
            continue;
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("{b:x}"));
            }
        }
    }
    if out.is_empty() || out.len() > 50 {
        return Uuid::new_v5(&Uuid::NAMESPACE_OID, title.as_bytes()).to_string();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_follows_grafana_rules() {
        assert_eq!(slugify("Node Exporter (Full)"), "node-exporter-full");
        assert_eq!(slugify("  HTTP & gRPC @ edge "), "http-and-grpc-at-edge");
        assert_eq!(slugify("a:b/c"), "a3ab2fc");
        assert_eq!(slugify("Café"), "cafe");
        assert_eq!(slugify("...").len(), 36);
    }

    #[test]
    fn uid_rules() {
        assert!(is_valid_uid("abc-DEF_123"));
        assert!(is_valid_uid(""));
        assert!(!is_valid_uid("a b"));
        assert!(!is_valid_uid("a/b"));
        assert!(uid_too_long(&"x".repeat(41)));
        assert!(!uid_too_long(&"x".repeat(40)));
        let uid = generate_uid();
        assert_eq!(uid.len(), 26);
        assert!(uid.starts_with(|c: char| c.is_ascii_lowercase()));
        assert!(is_valid_uid(&uid));
    }

    #[test]
    fn token_shape() {
        let t = generate_token();
        assert!(t.starts_with("glsa_"));
        assert_eq!(t.len(), 5 + 32 + 1 + 8);
    }
}
