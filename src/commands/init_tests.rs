//! Tests of `obsctl init`: the scrape flag's parsing, a job named once when
//! flags and a preset meet, the address probed for this machine, and stack
//! names from folder names.

use super::*;

#[test]
fn scrape_flags_parse_with_and_without_a_path() {
    let s = parse_scrape("api=localhost:8000/api/v1/metrics").unwrap();
    assert_eq!(
        (
            s.job.as_str(),
            s.targets[0].as_str(),
            s.metrics_path.as_str()
        ),
        ("api", "localhost:8000", "/api/v1/metrics")
    );
    assert_eq!(parse_scrape("w=h:1").unwrap().metrics_path, "/metrics");
    assert!(parse_scrape("api").is_err());
    assert!(parse_scrape("api=host").is_err());
}

fn init_args(preset: &str, scrape: &[&str]) -> InitArgs {
    InitArgs {
        preset: Some(preset.into()),
        name: None,
        yes: true,
        force: false,
        scrape: scrape.iter().map(|s| s.to_string()).collect(),
        packs: Vec::new(),
        slack_env: None,
        pagerduty_env: None,
        discover: false,
        projects: Vec::new(),
    }
}

fn jobs(a: &Answers) -> Vec<(String, Vec<String>)> {
    a.scrape
        .iter()
        .map(|s| (s.job.clone(), s.targets.clone()))
        .collect()
}

#[test]
fn a_scrape_flag_names_a_job_once_replacing_the_presets_of_that_name() {
    // Regression: the fastapi preset's `api` plus `--scrape api=...` wrote
    // the job twice, and the spec did not validate.
    let a = from_flags(
        &init_args("fastapi", &["api=backend:8000/api/v1/metrics"]),
        "shop".into(),
    )
    .unwrap();
    assert_eq!(
        jobs(&a),
        [
            ("api".to_string(), vec!["backend:8000".to_string()]),
            (
                "celery".to_string(),
                vec!["host.docker.internal:9808".to_string()]
            ),
        ]
    );
    let a = from_flags(
        &init_args("minimal", &["web=a:1", "web=b:1"]),
        "shop".into(),
    )
    .unwrap();
    assert_eq!(
        jobs(&a),
        [(
            "web".to_string(),
            vec!["a:1".to_string(), "b:1".to_string()]
        )]
    );
    let twice = from_flags(
        &init_args("minimal", &["web=a:1", "web=b:1/other"]),
        "shop".into(),
    );
    assert!(twice
        .unwrap_err()
        .to_string()
        .contains("job `web` is given twice"));
    let own = from_flags(&init_args("minimal", &["node=a:1"]), "shop".into());
    assert!(own
        .unwrap_err()
        .to_string()
        .contains("job `node` is one obsctl scrapes"));
}

#[test]
fn the_stack_s_name_for_this_machine_is_probed_on_localhost() {
    assert_eq!(
        reachable_from_here("host.docker.internal:8000"),
        "127.0.0.1:8000"
    );
    assert_eq!(reachable_from_here("api:8000"), "api:8000");
}

#[test]
fn folder_names_become_stack_names() {
    assert_eq!(folder_name(Path::new("/tmp/My App_2")), "my-app-2");
}
