//! The unit of a doctor report: one check with its status, what it found, and
//! what to do about it.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Skip,
    Warn,
    Fail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The area: docker, spec, containers, ports, prometheus, targets, rules,
    /// alertmanager, grafana, metrics.
    pub group: &'static str,
    pub name: String,
    pub status: Status,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Check {
    pub fn new(
        group: &'static str,
        name: impl Into<String>,
        status: Status,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            group,
            name: name.into(),
            status,
            detail: detail.into(),
            hint: None,
        }
    }

    pub fn ok(group: &'static str, name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(group, name, Status::Ok, detail)
    }

    pub fn warn(group: &'static str, name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(group, name, Status::Warn, detail)
    }

    pub fn fail(group: &'static str, name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(group, name, Status::Fail, detail)
    }

    pub fn skip(group: &'static str, name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(group, name, Status::Skip, detail)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}
