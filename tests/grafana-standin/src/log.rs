//! Log lines on stderr in logfmt, under the logger name `grafana-standin` so they are
//! never mistaken for Grafana's own output.

use std::fmt::Display;
use std::io::Write;

/// How much to log; each level includes the ones after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

impl LogLevel {
    /// Reads `debug`, `info`, `warn`/`warning` or `error` (case-insensitive).
    pub fn parse(text: &str) -> Option<LogLevel> {
        match text.trim().to_ascii_lowercase().as_str() {
            "debug" | "trace" => Some(LogLevel::Debug),
            "info" => Some(LogLevel::Info),
            "warn" | "warning" => Some(LogLevel::Warn),
            "error" | "critical" => Some(LogLevel::Error),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        }
    }
}

/// Writes logfmt lines to stderr for messages at or above its level.
#[derive(Debug, Clone, Copy)]
pub struct Logger {
    pub level: LogLevel,
}

fn quote(value: &str) -> String {
    if !value.is_empty() && !value.contains([' ', '"', '=']) {
        return value.to_string();
    }
    format!("{value:?}")
}

impl Logger {
    pub fn log(&self, level: LogLevel, msg: &str, fields: &[(&str, &dyn Display)]) {
        if level < self.level {
            return;
        }
        let mut line = format!(
            "logger=grafana-standin t={} level={} msg={}",
            crate::clock::now(),
            level.name(),
            quote(msg)
        );
        for (key, value) in fields {
            line.push_str(&format!(" {key}={}", quote(&value.to_string())));
        }
        let _ = writeln!(std::io::stderr(), "{line}");
    }

    pub fn debug(&self, msg: &str, fields: &[(&str, &dyn Display)]) {
        self.log(LogLevel::Debug, msg, fields);
    }

    pub fn info(&self, msg: &str, fields: &[(&str, &dyn Display)]) {
        self.log(LogLevel::Info, msg, fields);
    }

    pub fn warn(&self, msg: &str, fields: &[(&str, &dyn Display)]) {
        self.log(LogLevel::Warn, msg, fields);
    }

    pub fn error(&self, msg: &str, fields: &[(&str, &dyn Display)]) {
        self.log(LogLevel::Error, msg, fields);
    }
}
