//! The names of the resources obsctl writes, derived from the stack, pack,
//! job and dashboard names: always valid DNS-1123 labels (the strictest rule
//! the kinds share), stable from one render to the next, and distinct for
//! distinct sources.
//!
//! A name that is already a valid label is kept as it is. Any other is
//! lower-cased, has every run of other characters turned into one `-`, is
//! cut to fit, and gets `-` and eight hex digits of the SHA-256 of the
//! original: so `api_v1` and `api-v1`, or `API` and `api`, never share a
//! name, and adding a job never renames another.

use sha2::{Digest, Sha256};

use crate::model::kubernetes::{is_dns1035_label, is_dns1123_label, MAX_LABEL};

const HASH_LEN: usize = 8;

/// The resource name for `parts` (joined with `-`).
pub fn resource_name(parts: &[&str]) -> String {
    let raw = parts.join("-");
    if is_dns1123_label(&raw) {
        return raw;
    }
    let mut clean = String::new();
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            clean.push(c.to_ascii_lowercase());
        } else if !clean.ends_with('-') {
            clean.push('-');
        }
    }
    let hash: String = Sha256::digest(raw.as_bytes())
        .iter()
        .take(HASH_LEN / 2)
        .map(|b| format!("{b:02x}"))
        .collect();
    let keep = MAX_LABEL - HASH_LEN - 1;
    let stem = clean.trim_matches('-');
    let stem = stem[..stem.len().min(keep)].trim_end_matches('-');
    if stem.is_empty() {
        hash
    } else {
        format!("{stem}-{hash}")
    }
}

/// A Service's name: a resource name that also starts with a letter
/// (DNS-1035), as Services require.
pub fn service_name(parts: &[&str]) -> String {
    let name = resource_name(parts);
    if is_dns1035_label(&name) {
        name
    } else {
        let mut prefixed = vec!["svc"];
        prefixed.extend_from_slice(parts);
        resource_name(&prefixed)
    }
}

/// A key of a ConfigMap or Secret (`[-._a-zA-Z0-9]+`): other characters
/// become `-`.
pub fn data_key(name: &str) -> String {
    let key: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if key.is_empty() || key == "." || key == ".." {
        format!("x{key}")
    } else {
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names_are_kept_as_they_are() {
        assert_eq!(resource_name(&["shop", "http"]), "shop-http");
        assert_eq!(resource_name(&["shop", "api-v1"]), "shop-api-v1");
    }

    #[test]
    fn other_names_are_cleaned_and_marked_with_a_hash_of_the_original() {
        let name = resource_name(&["shop", "API v1"]);
        assert!(name.starts_with("shop-api-v1-"), "{name}");
        assert!(is_dns1123_label(&name), "{name}");
        assert_eq!(name.len(), "shop-api-v1-".len() + HASH_LEN);
        // Stable from one render to the next.
        assert_eq!(resource_name(&["shop", "API v1"]), name);
    }

    #[test]
    fn names_that_clean_to_the_same_text_stay_distinct() {
        let names = [
            resource_name(&["shop", "api_v1"]),
            resource_name(&["shop", "api-v1"]),
            resource_name(&["shop", "api.v1"]),
            resource_name(&["shop", "API-v1"]),
            resource_name(&["shop", "api--v1"]),
        ];
        for (i, a) in names.iter().enumerate() {
            assert!(is_dns1123_label(a), "{a}");
            for b in &names[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn long_names_are_cut_to_63_characters_and_stay_distinct() {
        let long = "a".repeat(80);
        let a = resource_name(&["shop", &long, "x"]);
        let b = resource_name(&["shop", &long, "y"]);
        assert!(a.len() <= 63 && is_dns1123_label(&a), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn names_with_nothing_usable_become_the_hash() {
        let name = resource_name(&["__", "**"]);
        assert_eq!(name.len(), HASH_LEN);
        assert!(is_dns1123_label(&name), "{name}");
    }

    #[test]
    fn service_names_start_with_a_letter() {
        assert_eq!(
            service_name(&["shop", "redis-exporter"]),
            "shop-redis-exporter"
        );
        let name = service_name(&["1shop", "redis-exporter"]);
        assert!(is_dns1035_label(&name), "{name}");
    }

    #[test]
    fn data_keys_keep_allowed_characters() {
        assert_eq!(data_key("system-overview.json"), "system-overview.json");
        assert_eq!(data_key("My Board (v2).json"), "My-Board--v2-.json");
        assert_eq!(data_key(".."), "x..");
    }
}
