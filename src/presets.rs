//! Built-in starting points for `obsctl init`, and the default stack used when
//! there is no spec file. Each preset is a set of answers rendered through the
//! same template as an interactive `init`, so every path yields the same file.

use serde::Serialize;

use crate::model::defaults::STACK_NAME;
use crate::model::{Service, DISCOVERED_JOB, METRICS_PATH};

#[derive(Debug, Clone, Default, Serialize)]
pub struct Answers {
    pub name: String,
    pub scrape: Vec<ScrapeAnswer>,
    pub exporters: ExporterAnswers,
    pub packs: Vec<String>,
    pub receivers: Vec<ReceiverAnswer>,
    pub default_receiver: Option<String>,
    pub routes: Vec<RouteAnswer>,
    /// Point the spec at `rules/` and `dashboards/` folders beside it (written by `init`).
    pub user_folders: bool,
    /// The application's networks to join (`networks:`).
    pub networks: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScrapeAnswer {
    pub job: String,
    pub targets: Vec<String>,
    pub metrics_path: String,
    /// Set when the target answers with a Content-Type Prometheus 3 refuses.
    pub fallback_scrape_protocol: Option<String>,
    /// The user named this service (a flag or a prompt), so `init` looks at
    /// it; a preset's placeholder is not looked at.
    #[serde(skip)]
    pub probe: bool,
}

impl ScrapeAnswer {
    /// A job scraping `targets` at `metrics_path`.
    pub fn new(job: &str, targets: &[&str], metrics_path: &str) -> ScrapeAnswer {
        ScrapeAnswer {
            job: job.into(),
            targets: targets.iter().map(|t| t.to_string()).collect(),
            metrics_path: metrics_path.into(),
            fallback_scrape_protocol: None,
            probe: false,
        }
    }
}

/// The jobs obsctl gives the stack itself (whether or not a spec enables
/// the service), which no job of the user's may take.
pub fn reserved_jobs() -> Vec<&'static str> {
    Service::ALL
        .iter()
        .map(|s| s.job())
        .chain([DISCOVERED_JOB])
        .collect()
}

impl Answers {
    /// True when a job of that name is in the answers or is one of the stack's own.
    pub fn job_taken(&self, job: &str) -> bool {
        reserved_jobs().contains(&job) || self.scrape.iter().any(|s| s.job == job)
    }

    /// `wanted` if no job has that name yet, else the first of `wanted-2`,
    /// `wanted-3`... that is free: a spec never names a job twice.
    pub fn free_job(&self, wanted: &str) -> String {
        if !self.job_taken(wanted) {
            return wanted.to_string();
        }
        (2..)
            .map(|n| format!("{wanted}-{n}"))
            .find(|name| !self.job_taken(name))
            .expect("some suffix is free")
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ExporterAnswers {
    pub any: bool,
    pub node: bool,
    pub postgres: Option<PostgresAnswer>,
    pub redis: Option<RedisAnswer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostgresAnswer {
    pub address: String,
    pub user: String,
    pub password_env: String,
    pub database: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedisAnswer {
    pub address: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ReceiverAnswer {
    pub name: String,
    pub slack_env: Option<String>,
    pub pagerduty_env: Option<String>,
    pub email: Option<EmailAnswer>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EmailAnswer {
    pub to: String,
    pub from: String,
    pub smarthost: String,
    pub password_env: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RouteAnswer {
    pub severity: String,
    pub receiver: String,
}

/// Preset names, with a line describing each.
pub const PRESETS: &[(&str, &str)] = &[
    (
        "minimal",
        "Prometheus, Alertmanager, Grafana and node metrics; no application targets",
    ),
    (
        "fastapi",
        "a FastAPI service with Postgres, Redis and Celery workers, alerts to Slack and PagerDuty",
    ),
];

/// The answers a preset stands for, or `None` for an unknown name.
pub fn preset(name: &str, stack: &str) -> Option<Answers> {
    let mut a = Answers {
        name: stack.to_string(),
        ..Default::default()
    };
    a.exporters.node = true;
    a.user_folders = true;
    a.packs = vec!["stack".into(), "node".into()];
    match name {
        "minimal" => {}
        "fastapi" => {
            a.scrape = vec![
                ScrapeAnswer::new("api", &["host.docker.internal:8000"], METRICS_PATH),
                ScrapeAnswer::new("celery", &["host.docker.internal:9808"], METRICS_PATH),
            ];
            a.exporters.postgres = Some(PostgresAnswer {
                address: "host.docker.internal:5432".into(),
                user: "postgres".into(),
                password_env: "POSTGRES_PASSWORD".into(),
                database: "app".into(),
            });
            a.exporters.redis = Some(RedisAnswer {
                address: "host.docker.internal:6379".into(),
            });
            a.packs.extend(
                ["http", "database", "cache", "workers", "postgres", "redis"].map(String::from),
            );
            a.receivers = vec![
                ReceiverAnswer {
                    name: "slack".into(),
                    slack_env: Some("SLACK_WEBHOOK_URL".into()),
                    ..Default::default()
                },
                ReceiverAnswer {
                    name: "pagerduty".into(),
                    pagerduty_env: Some("PAGERDUTY_ROUTING_KEY".into()),
                    ..Default::default()
                },
            ];
            a.default_receiver = Some("slack".into());
            a.routes = vec![RouteAnswer {
                severity: "critical".into(),
                receiver: "pagerduty".into(),
            }];
        }
        _ => return None,
    }
    Some(a)
}

/// Renders answers as an annotated `obsctl.yaml`.
pub fn render_spec(answers: &Answers) -> String {
    let mut a = answers.clone();
    a.exporters.any =
        a.exporters.node || a.exporters.postgres.is_some() || a.exporters.redis.is_some();
    let mut context = serde_json::to_value(&a).expect("answers serialise");
    let packs: Vec<String> = crate::packs::all().into_iter().map(|p| p.name).collect();
    context["all_packs"] = packs.join(", ").into();
    crate::render::render_template("obsctl.yaml", &context).expect("the init template renders")
}

/// The spec used when no file is given: the `minimal` preset.
pub fn default_spec_text() -> String {
    let mut answers = preset("minimal", STACK_NAME).expect("minimal preset exists");
    answers.user_folders = false;
    render_spec(&answers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_renders_a_spec_that_parses() {
        for (name, _) in PRESETS {
            let text = render_spec(&preset(name, "demo").unwrap());
            let spec: crate::spec::Spec = serde_yaml::from_str(&text)
                .unwrap_or_else(|e| panic!("preset {name}: {e}\n{text}"));
            assert_eq!(spec.name.as_deref(), Some("demo"));
        }
    }

    #[test]
    fn a_taken_job_name_gets_the_first_free_suffix() {
        let a = preset("fastapi", "shop").unwrap();
        assert!(a.job_taken("api") && a.job_taken("node") && a.job_taken("discovered"));
        assert_eq!(a.free_job("api"), "api-2");
        assert_eq!(a.free_job("prometheus"), "prometheus-2");
        assert_eq!(a.free_job("web"), "web");
    }

    #[test]
    fn unknown_presets_are_none() {
        assert!(preset("django", "x").is_none());
    }
}
