//! Which Content-Type Prometheus 3 accepts from a scrape target, and the
//! `fallback_scrape_protocol` values that make it accept the others.
//!
//! Prometheus 3 parses a scrape only when the answer's Content-Type is one of
//! its exposition formats; a blank, unparsable or other Content-Type fails the
//! scrape unless the job names a fallback protocol (Prometheus 3.5's
//! `model/textparse.extractMediaType`). [`judge`] makes that decision for an
//! answer obsctl saw itself, so `init` (and anything that looks at a target
//! before Prometheus does) never writes a job Prometheus would refuse.

/// The values Prometheus 3.5 accepts for `fallback_scrape_protocol`
/// (`config.ScrapeProtocolsHeaders`), sorted as Prometheus lists them.
pub const PROTOCOLS: &[&str] = &[
    "OpenMetricsText0.0.1",
    "OpenMetricsText1.0.0",
    "PrometheusProto",
    "PrometheusText0.0.4",
    "PrometheusText1.0.0",
];

/// The fallback for targets that serve the classic text format without
/// saying so: what every Prometheus 2 read such an answer as.
pub const TEXT_FALLBACK: &str = "PrometheusText0.0.4";

/// The media types Prometheus 3.5 parses.
const ACCEPTED: &[&str] = &[
    "text/plain",
    "application/openmetrics-text",
    "application/vnd.google.protobuf",
];

/// The `Accept` header Prometheus 3.5 sends with its default scrape
/// protocols, so a target that negotiates answers a probe as it answers
/// Prometheus.
pub const ACCEPT: &str = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

/// What Prometheus 3 makes of a target's Content-Type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// One of the exposition formats (the media type, lower-case).
    Accepted(String),
    /// No Content-Type, or an empty one.
    Blank,
    /// Not a media type at all.
    Unparsable(String),
    /// A media type, but not an exposition format (`text/html`, ...).
    Unsupported(String),
}

impl Verdict {
    /// True when Prometheus 3 fails the scrape unless the job sets
    /// `fallback_scrape_protocol`.
    pub fn needs_fallback(&self) -> bool {
        !matches!(self, Verdict::Accepted(_))
    }

    /// How the Content-Type is described to users.
    pub fn describe(&self) -> String {
        match self {
            Verdict::Accepted(m) => format!("Content-Type {m}"),
            Verdict::Blank => "no Content-Type".into(),
            Verdict::Unparsable(v) => format!("an unparsable Content-Type `{v}`"),
            Verdict::Unsupported(v) => format!("an unsupported Content-Type `{v}`"),
        }
    }
}

/// Judges the Content-Type header of a scrape answer (`None` when absent).
pub fn judge(content_type: Option<&str>) -> Verdict {
    let value = content_type.unwrap_or("");
    if value.is_empty() {
        return Verdict::Blank;
    }
    match media_type(value) {
        None => Verdict::Unparsable(value.to_string()),
        Some(m) if ACCEPTED.contains(&m.as_str()) => Verdict::Accepted(m),
        Some(_) => Verdict::Unsupported(value.to_string()),
    }
}

/// The media type of a Content-Type, lower-case, or `None` when Go's
/// `mime.ParseMediaType` (which Prometheus calls) refuses it. Written out
/// rather than taken from a crate because the verdict must be Go's: the
/// common Rust parsers accept values Go refuses (`text/`), and a refused
/// value fails the scrape.
fn media_type(value: &str) -> Option<String> {
    let (base, mut rest) = value
        .split_once(';')
        .map_or((value, ""), |(b, _)| (b, &value[b.len()..]));
    let media = base.trim().to_ascii_lowercase();
    let (kind, after) = token(&media);
    if kind.is_empty() {
        return None;
    }
    if !after.is_empty() {
        let (subtype, after) = token(after.strip_prefix('/')?);
        if subtype.is_empty() || !after.is_empty() {
            return None;
        }
    }
    let mut params: Vec<(String, String)> = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        match parameter(rest) {
            Some((key, value, after)) => {
                if params.iter().any(|(k, v)| *k == key && *v != value) {
                    return None;
                }
                params.push((key, value));
                rest = after;
            }
            // A trailing `;` is allowed; anything else is a parse error.
            None if rest.trim() == ";" => break,
            None => return None,
        }
    }
    Some(media)
}

/// `; key = value` at the start of `v`: (lower-case key, value, rest).
fn parameter(v: &str) -> Option<(String, String, &str)> {
    let rest = v.trim_start().strip_prefix(';')?.trim_start();
    let (key, rest) = token(rest);
    if key.is_empty() {
        return None;
    }
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let (value, after) = param_value(rest)?;
    Some((key.to_ascii_lowercase(), value, after))
}

/// A token or a quoted string (Go's `consumeValue`).
fn param_value(v: &str) -> Option<(String, &str)> {
    let Some(quoted) = v.strip_prefix('"') else {
        let (t, rest) = token(v);
        return (!t.is_empty()).then(|| (t.to_string(), rest));
    };
    let bytes = quoted.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return Some((String::from_utf8_lossy(&out).into_owned(), &quoted[i + 1..])),
            b'\\' if i + 1 < bytes.len() && is_special(bytes[i + 1]) => {
                out.push(bytes[i + 1]);
                i += 2;
                continue;
            }
            b'\r' | b'\n' => return None,
            b => out.push(b),
        }
        i += 1;
    }
    None
}

/// The longest run of token characters at the start of `v`, and the rest.
fn token(v: &str) -> (&str, &str) {
    let end = v
        .bytes()
        .position(|b| !(b > 0x20 && b < 0x7f && !is_special(b)))
        .unwrap_or(v.len());
    v.split_at(end)
}

/// RFC 2045 tspecials.
fn is_special(b: u8) -> bool {
    b"()<>@,;:\\\"/[]?=".contains(&b)
}

/// True when `value` is one of [`PROTOCOLS`].
pub fn is_protocol(value: &str) -> bool {
    PROTOCOLS.contains(&value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_formats_are_accepted_with_their_parameters() {
        for ct in [
            "text/plain; version=0.0.4; charset=utf-8",
            "text/plain;version=1.0.0;escaping=allow-utf-8",
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited",
            "Text/Plain",
        ] {
            assert!(
                matches!(judge(Some(ct)), Verdict::Accepted(_)),
                "{ct}: {:?}",
                judge(Some(ct))
            );
        }
    }

    #[test]
    fn blank_unparsable_and_unsupported_types_need_a_fallback() {
        assert_eq!(judge(None), Verdict::Blank);
        assert_eq!(judge(Some("")), Verdict::Blank);
        assert_eq!(
            judge(Some("text/html; charset=utf-8")),
            Verdict::Unsupported("text/html; charset=utf-8".into())
        );
        assert_eq!(
            judge(Some("application/json")),
            Verdict::Unsupported("application/json".into())
        );
        for unparsable in [
            "plain text",
            "text/",
            "text/plain; version",
            "text/plain; version=0.0.4; version=1.0.0",
            "text/plain; charset=\"utf-8",
            "/plain",
        ] {
            assert_eq!(
                judge(Some(unparsable)),
                Verdict::Unparsable(unparsable.into()),
                "{unparsable}"
            );
        }
        // Go accepts a type without a subtype, a trailing `;`, a repeated
        // parameter with the same value, and quoted values.
        assert_eq!(judge(Some("text")), Verdict::Unsupported("text".into()));
        for ok in [
            "text/plain;",
            "text/plain; version=0.0.4; version=0.0.4",
            "text/plain; charset=\"utf-8\"",
        ] {
            assert!(matches!(judge(Some(ok)), Verdict::Accepted(_)), "{ok}");
        }
        for v in [None, Some("text/html"), Some("plain text")] {
            assert!(judge(v).needs_fallback(), "{v:?}");
        }
        assert!(!judge(Some("text/plain")).needs_fallback());
    }

    #[test]
    fn the_text_fallback_is_a_protocol() {
        assert!(is_protocol(TEXT_FALLBACK));
        assert!(!is_protocol("PrometheusText0.0.5"));
    }

    #[test]
    fn blank_and_unknown_content_types_need_the_fallback() {
        assert!(judge(None).needs_fallback());
        assert!(judge(Some("")).needs_fallback());
        assert!(judge(Some("text/html; charset=utf-8")).needs_fallback());
        assert!(judge(Some("application/json")).needs_fallback());
        assert!(!judge(Some("text/plain; version=0.0.4; charset=utf-8")).needs_fallback());
        assert!(!judge(Some("application/openmetrics-text; version=1.0.0")).needs_fallback());
        assert!(!judge(Some("Text/Plain")).needs_fallback());
    }
}
