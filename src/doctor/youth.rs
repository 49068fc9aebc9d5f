//! How young the Prometheus doctor looks at is: right after it loaded its
//! configuration it has not discovered or scraped everything yet, and that
//! is not a fault. Past [`crate::timeouts::DISCOVERY_GRACE`] (plus two
//! scrape or evaluation intervals for what happens once per interval) it is.

use std::time::Duration;

use serde_json::Value;

use crate::timeouts::DISCOVERY_GRACE;

/// Time since Prometheus last loaded its configuration, when known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Youth {
    pub config_age: Option<Duration>,
}

impl Youth {
    /// From `/api/v1/status/runtimeinfo`'s `lastConfigTime`, at Unix time `now`.
    pub fn from_runtime_info(body: &Value, now: chrono::DateTime<chrono::Utc>) -> Self {
        let loaded = body
            .pointer("/data/lastConfigTime")
            .and_then(Value::as_str)
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
        Self {
            config_age: loaded.map(|t| {
                (now - t.with_timezone(&chrono::Utc))
                    .to_std()
                    .unwrap_or_default()
            }),
        }
    }

    /// Still within the time Prometheus takes to list targets and Alertmanagers.
    pub fn discovering(&self) -> bool {
        self.config_age.is_some_and(|age| age < DISCOVERY_GRACE)
    }

    /// Still within the time something done once per `interval` may take to
    /// happen for the first time.
    pub fn within(&self, interval: Duration) -> bool {
        self.config_age
            .is_some_and(|age| age < DISCOVERY_GRACE + interval * 2)
    }

    /// `configuration loaded 3s ago`, for details.
    pub fn describe(&self) -> String {
        match self.config_age {
            Some(age) => format!("Prometheus loaded its configuration {}s ago", age.as_secs()),
            None => "Prometheus just started".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_age_is_read_from_the_last_config_time() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:10Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let body = serde_json::json!({"data": {"lastConfigTime": "2026-01-01T00:00:04Z"}});
        let y = Youth::from_runtime_info(&body, now);
        assert_eq!(y.config_age, Some(Duration::from_secs(6)));
        assert!(y.discovering());
        assert!(y.within(Duration::from_secs(15)));
        let old = Youth {
            config_age: Some(DISCOVERY_GRACE + Duration::from_secs(31)),
        };
        assert!(!old.discovering() && !old.within(Duration::from_secs(15)));
        assert!(old.within(Duration::from_secs(60)), "a 1m interval");
        // Unknown age: never young, so nothing is excused.
        let unknown = Youth::from_runtime_info(&serde_json::json!({}), now);
        assert!(!unknown.discovering() && !unknown.within(Duration::from_secs(60)));
    }
}
