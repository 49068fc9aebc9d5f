//! Timestamps in the RFC 3339 form Grafana's JSON uses (`2024-05-01T10:00:00Z`).

use std::time::SystemTime;

/// The current time as an RFC 3339 string with second precision.
pub fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// Seconds since the Unix epoch of a file modification time (0 when unknown).
pub fn unix_seconds(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
