//! Batch jobs that push to the Pushgateway (`exporters.pushgateway.jobs`):
//! each is expected to push at least every `max_age`, and gets an alert when
//! it has not (its `push_time_seconds` is older, or it never pushed).

use std::collections::BTreeMap;

use super::fields::duration;
use super::{RulesContent, RulesOut};
use crate::diagnostic::Problems;
use crate::duration::parse_duration;
use crate::rulefile::{Rule, RuleFile, RuleGroup};
use crate::spec::Spec;

/// The rule group of the Pushgateway's alerts.
pub const GROUP: &str = "obsctl-pushgateway";

/// A batch job and the longest it may go without pushing, in seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushJob {
    pub job: String,
    pub max_age: String,
    pub max_age_secs: u64,
}

/// Validates `exporters.pushgateway.jobs`.
pub fn jobs(spec: &Spec, p: &mut Problems) -> Vec<PushJob> {
    let Some(pg) = &spec.exporters.pushgateway else {
        return Vec::new();
    };
    let mut out: Vec<PushJob> = Vec::new();
    for (i, j) in pg.jobs.iter().enumerate() {
        let field = format!("exporters.pushgateway.jobs[{i}]");
        if j.job.trim().is_empty() || j.job.contains('/') {
            p.error(
                &format!("{field}.job"),
                format!("`{}` is not a job name a push can use", j.job),
                Some("the job is a segment of the push URL (/metrics/job/<job>): non-empty, without `/`".into()),
            );
        } else if out.iter().any(|o| o.job == j.job) {
            p.error(
                &format!("{field}.job"),
                format!("job `{}` is listed twice", j.job),
                None,
            );
        }
        let max_age = duration(p, &format!("{field}.max_age"), Some(&j.max_age), &j.max_age);
        let secs = parse_duration(&max_age).map(|d| d.as_secs()).unwrap_or(0);
        if parse_duration(&max_age).is_ok() && secs == 0 {
            p.error(
                &format!("{field}.max_age"),
                "a job cannot be expected to push more often than every second",
                Some(
                    "give the longest normal time between two runs, e.g. 2h for an hourly job"
                        .into(),
                ),
            );
        }
        out.push(PushJob {
            job: j.job.clone(),
            max_age,
            max_age_secs: secs,
        });
    }
    out
}

/// The Pushgateway's rule file: a push refused, and every listed job's
/// overdue push.
pub fn rules(jobs: &[PushJob]) -> RulesOut {
    let mut rules = vec![Rule {
        record: None,
        alert: Some("BatchJobPushFailed".into()),
        expr: "push_failure_time_seconds > push_time_seconds".into(),
        for_: None,
        keep_firing_for: None,
        labels: BTreeMap::from([("severity".into(), "warning".into())]),
        annotations: BTreeMap::from([
            ("summary".into(), "The last push of {{ $labels.job }} was refused".into()),
            ("description".into(), "The Pushgateway refused the last push of job {{ $labels.job }} (instance {{ $labels.instance }}) after an earlier one succeeded, so Prometheus still sees the old values. The job's log shows the Pushgateway's answer: usually metrics whose type or labels differ from what the group already holds.".into()),
        ]),
    }];
    for j in jobs {
        let selector = format!("push_time_seconds{{job={}}}", quote(&j.job));
        let labels = BTreeMap::from([
            ("severity".to_string(), "warning".to_string()),
            ("job".to_string(), j.job.clone()),
        ]);
        let summary = format!("Batch job {} has not pushed for {}", j.job, j.max_age);
        rules.push(Rule {
            record: None,
            alert: Some("BatchJobStale".into()),
            expr: format!("time() - max by (job) ({selector}) > {}", j.max_age_secs),
            for_: None,
            keep_firing_for: None,
            labels: labels.clone(),
            annotations: BTreeMap::from([
                ("summary".into(), summary.clone()),
                ("description".into(), format!("Job {} last pushed to the Pushgateway {{{{ $value | humanizeDuration }}}} ago; it is expected at least every {}. Check that its schedule (cron, Celery beat) still runs it and that its last runs succeeded: a job pushes only when it completes.", j.job, j.max_age)),
            ]),
        });
        // A job that never pushed (or whose group was deleted) has no
        // series: it counts as stale once it has had `max_age` to push.
        rules.push(Rule {
            record: None,
            alert: Some("BatchJobStale".into()),
            expr: format!("absent({selector})"),
            for_: Some(j.max_age.clone()),
            keep_firing_for: None,
            labels,
            annotations: BTreeMap::from([
                ("summary".into(), summary),
                ("description".into(), format!("The Pushgateway holds no push of job {} since at least {} ago. Check that the job runs and pushes to the Pushgateway under `job={}`.", j.job, j.max_age, j.job)),
            ]),
        });
    }
    RulesOut {
        file: "pushgateway.rules.yml".into(),
        content: RulesContent::Generated(RuleFile {
            groups: vec![RuleGroup {
                name: GROUP.into(),
                interval: None,
                limit: None,
                rules,
            }],
        }),
    }
}

/// A PromQL string literal.
pub(super) fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;
    use crate::spec::{load, Source};

    fn problems(spec: &str) -> (Vec<PushJob>, Vec<(String, String)>) {
        let source = Source::new(Some("obsctl.yaml".into()), spec.to_string());
        let spec = load(&source).unwrap();
        let mut p = Problems::new(&source);
        let jobs = jobs(&spec, &mut p);
        let errors = p
            .list
            .into_iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| (p.field.unwrap_or_default(), p.message))
            .collect();
        (jobs, errors)
    }

    #[test]
    fn jobs_are_checked() {
        let (_, e) = problems(
            "exporters:\n  pushgateway:\n    jobs:\n      - {job: a/b, max_age: 1h}\n      - {job: nightly, max_age: 1h}\n      - {job: nightly, max_age: 2h}\n      - {job: fast, max_age: 0s}\n      - {job: x, max_age: soon}\n",
        );
        let fields: Vec<&str> = e.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "exporters.pushgateway.jobs[0].job",
                "exporters.pushgateway.jobs[2].job",
                "exporters.pushgateway.jobs[3].max_age",
                "exporters.pushgateway.jobs[4].max_age"
            ],
            "{e:?}"
        );
    }

    #[test]
    fn each_job_gets_a_stale_alert_in_seconds_and_one_for_never_pushing() {
        let (jobs, e) = problems(
            "exporters:\n  pushgateway:\n    jobs: [{job: cad-extraction, max_age: 2h}]\n",
        );
        assert!(e.is_empty());
        let RulesContent::Generated(file) = rules(&jobs).content else {
            panic!("generated")
        };
        let exprs: Vec<&str> = file.groups[0]
            .rules
            .iter()
            .map(|r| r.expr.as_str())
            .collect();
        assert_eq!(
            exprs,
            [
                "push_failure_time_seconds > push_time_seconds",
                "time() - max by (job) (push_time_seconds{job=\"cad-extraction\"}) > 7200",
                "absent(push_time_seconds{job=\"cad-extraction\"})",
            ]
        );
        assert_eq!(file.groups[0].rules[2].for_.as_deref(), Some("2h"));
        for r in &file.groups[0].rules {
            crate::promql::parse(&r.expr).unwrap();
        }
    }
}
