//! What Prometheus must be wired to once the stack runs: every target of
//! every scrape job (the stack's own and the user's), and the Alertmanager.
//! `up` waits until Prometheus lists all of it; `doctor` reports what is
//! still missing.

use std::collections::HashSet;

use super::{Model, Service};

/// One target Prometheus must list: its job and its address as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedTarget {
    pub job: String,
    pub address: String,
}

impl std::fmt::Display for ExpectedTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.job, self.address)
    }
}

/// Everything Prometheus must be wired to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Wiring {
    pub targets: Vec<ExpectedTarget>,
    /// `host:port` of the Alertmanager it must send alerts to.
    pub alertmanager: Option<String>,
}

/// What Prometheus does not list yet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Missing {
    pub targets: Vec<ExpectedTarget>,
    pub alertmanager: Option<String>,
}

impl Missing {
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty() && self.alertmanager.is_none()
    }

    /// One line for people: `targets api api:8000, node node:9100 and the Alertmanager shop-alertmanager:9093`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.targets.is_empty() {
            let list: Vec<String> = self.targets.iter().map(ToString::to_string).collect();
            parts.push(format!(
                "target{} {}",
                if list.len() == 1 { "" } else { "s" },
                list.join(", ")
            ));
        }
        if let Some(am) = &self.alertmanager {
            parts.push(format!("the Alertmanager {am}"));
        }
        parts.join(" and ")
    }
}

impl Wiring {
    /// What `model`'s Prometheus must be wired to (nothing without Prometheus).
    pub fn of(model: &Model) -> Self {
        if model.prometheus.is_none() {
            return Self::default();
        }
        Self {
            targets: model
                .scrape_jobs
                .iter()
                .flat_map(|j| {
                    j.targets.iter().map(|t| ExpectedTarget {
                        job: j.job.clone(),
                        address: t.clone(),
                    })
                })
                .collect(),
            alertmanager: model
                .alertmanager
                .as_ref()
                .map(|_| model.address(Service::Alertmanager)),
        }
    }

    /// What is missing from what Prometheus lists: `listed` targets as
    /// (scrape pool, address), `alertmanagers` as the URLs it sends to.
    pub fn missing<'a>(
        &self,
        listed: impl IntoIterator<Item = (&'a str, &'a str)>,
        alertmanagers: &[String],
    ) -> Missing {
        Missing {
            targets: self.missing_targets(listed),
            alertmanager: self
                .alertmanager
                .clone()
                .filter(|am| !alertmanagers.iter().any(|url| url_is_at(url, am))),
        }
    }

    /// The expected targets absent from `listed` (scrape pool, address).
    pub fn missing_targets<'a>(
        &self,
        listed: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Vec<ExpectedTarget> {
        let listed: HashSet<(&str, &str)> = listed.into_iter().collect();
        self.targets
            .iter()
            .filter(|t| !listed.contains(&(t.job.as_str(), t.address.as_str())))
            .cloned()
            .collect()
    }
}

/// True when `url` (`http://shop-alertmanager:9093/api/v2/alerts`) points at
/// `address` (`shop-alertmanager:9093`).
fn url_is_at(url: &str, address: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next() == Some(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wiring() -> Wiring {
        Wiring {
            targets: vec![
                ExpectedTarget {
                    job: "prometheus".into(),
                    address: "shop-prometheus:9090".into(),
                },
                ExpectedTarget {
                    job: "api".into(),
                    address: "api:8000".into(),
                },
            ],
            alertmanager: Some("shop-alertmanager:9093".into()),
        }
    }

    #[test]
    fn nothing_is_missing_once_every_target_and_the_alertmanager_are_listed() {
        let missing = wiring().missing(
            [("api", "api:8000"), ("prometheus", "shop-prometheus:9090")],
            &["http://shop-alertmanager:9093/api/v2/alerts".into()],
        );
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn a_target_of_another_job_or_another_alertmanager_does_not_count() {
        let missing = wiring().missing(
            [("web", "api:8000"), ("prometheus", "shop-prometheus:9090")],
            &["http://shop-alertmanager:90930/api/v2/alerts".into()],
        );
        assert_eq!(
            missing.describe(),
            "target api api:8000 and the Alertmanager shop-alertmanager:9093"
        );
    }

    #[test]
    fn every_job_target_of_the_model_is_expected() {
        let spec: crate::spec::Spec = serde_yaml::from_str(
            "name: shop\nscrape:\n  - {job: api, targets: ['api:8000', 'api-2:8000']}\n",
        )
        .unwrap();
        let source = crate::spec::Source::new(None, String::new());
        let model = crate::model::build(&spec, &source, &|_| None)
            .unwrap()
            .model;
        let w = Wiring::of(&model);
        let shown: Vec<String> = w.targets.iter().map(ToString::to_string).collect();
        assert!(
            shown.contains(&"prometheus shop-prometheus:9090".to_string()),
            "{shown:?}"
        );
        assert!(
            shown.contains(&"api api:8000".to_string())
                && shown.contains(&"api api-2:8000".to_string())
        );
        assert_eq!(w.alertmanager.as_deref(), Some("shop-alertmanager:9093"));
    }
}
