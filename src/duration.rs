//! Prometheus-style durations (`30s`, `1h30m`, `15d`) and sizes (`10GB`).

use std::time::Duration;

/// Parses a Prometheus duration; errors say what is expected.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    const UNITS: &[(&str, u64)] = &[
        ("ms", 1),
        ("s", 1_000),
        ("m", 60_000),
        ("h", 3_600_000),
        ("d", 86_400_000),
        ("w", 604_800_000),
        ("y", 31_536_000_000),
    ];
    let bad = || {
        format!("`{text}` is not a duration; use a number and a unit such as `30s`, `5m`, `1h30m` or `15d` (units: ms, s, m, h, d, w, y)")
    };
    if text.is_empty() {
        return Err(bad());
    }
    let mut rest = text;
    let mut total: u64 = 0;
    let mut last_rank: Option<usize> = None;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        if digits == 0 {
            return Err(bad());
        }
        let value: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let (rank, (unit, ms)) = UNITS
            .iter()
            .enumerate()
            .filter(|(_, (u, _))| rest.starts_with(u))
            // `ms` must win over `m`.
            .max_by_key(|(_, (u, _))| u.len())
            .ok_or_else(bad)?;
        // Units must go from largest to smallest, each once (`1h30m`, not `30m1h`).
        if last_rank.is_some_and(|last| rank >= last) {
            return Err(bad());
        }
        last_rank = Some(rank);
        rest = &rest[unit.len()..];
        total = total
            .checked_add(value.checked_mul(*ms).ok_or_else(bad)?)
            .ok_or_else(bad)?;
    }
    Ok(Duration::from_millis(total))
}

/// Parses a TSDB size limit such as `512MB` or `10GB`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    const UNITS: &[(&str, u64)] = &[
        ("KB", 1 << 10),
        ("MB", 1 << 20),
        ("GB", 1 << 30),
        ("TB", 1 << 40),
        ("PB", 1 << 50),
        ("EB", 1 << 60),
        ("B", 1),
    ];
    let bad =
        || format!("`{text}` is not a size; use a number and a unit such as `512MB` or `10GB`");
    let digits = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let value: u64 = text[..digits].parse().map_err(|_| bad())?;
    let unit = &text[digits..];
    let (_, mult) = UNITS.iter().find(|(u, _)| *u == unit).ok_or_else(bad)?;
    value.checked_mul(*mult).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_simple_and_compound_durations() {
        assert_eq!(parse_duration("15s"), Ok(Duration::from_secs(15)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("15d"), Ok(Duration::from_secs(15 * 86400)));
    }

    #[test]
    fn rejects_what_prometheus_rejects() {
        for bad in ["", "15", "5 m", "1.5h", "30m1h", "1x", "m5", "5mm"] {
            assert!(parse_duration(bad).is_err(), "{bad} should be refused");
        }
        assert!(parse_duration("fivem")
            .unwrap_err()
            .contains("not a duration"));
    }

    #[test]
    fn parses_sizes() {
        assert_eq!(parse_size("10GB"), Ok(10 << 30));
        assert!(parse_size("10G").is_err());
        assert!(parse_size("GB").is_err());
    }
}
