//! `obsctl doctor` against a real stack on the Docker engine: healthy, a
//! stopped service, and scrape jobs that fail in the ways users' do.

#[path = "e2e_support/mod.rs"]
mod e2e;

use std::time::Duration;

use e2e::{docker, poll, require_engine, Stack};
use serde_json::Value;

/// Runs `smoke --pull never --timeout 90s` with `args`.
fn smoke(stack: &Stack, args: &[&str]) -> std::process::Output {
    let mut all = vec!["smoke", "--pull", "never", "--timeout", "90s"];
    all.extend_from_slice(args);
    stack.obsctl(&all)
}

fn checks<'a>(report: &'a Value, group: &str) -> Vec<&'a Value> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["group"] == group)
        .collect()
}

/// Waits until every target has been scraped once (none `unknown`).
fn wait_for_scrapes(stack: &Stack, expected_up: usize) {
    poll("every target scraped", Duration::from_secs(60), || {
        let t = stack.prometheus("/api/v1/targets");
        let targets = t["data"]["activeTargets"].as_array()?;
        let up = targets.iter().filter(|t| t["health"] == "up").count();
        (targets.iter().all(|t| t["health"] != "unknown") && up >= expected_up).then_some(())
    });
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn a_healthy_stack_passes_and_a_stopped_alertmanager_is_named() {
    require_engine();
    let stack = Stack::new("doctor");
    stack.write_spec(&stack.spec(&format!(
        "exporters:\n  node: {{image: {}}}\n",
        stack.images.node_exporter
    )));
    stack.up();
    wait_for_scrapes(&stack, 4);

    let (code, report) = stack.doctor();
    let failed: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .collect();
    assert_eq!(
        code, 0,
        "doctor should pass on a healthy stack; failures: {failed:#?}"
    );
    assert_eq!(report["healthy"], true);
    for group in [
        "docker",
        "containers",
        "ports",
        "prometheus",
        "targets",
        "rules",
        "alertmanager",
        "grafana",
    ] {
        assert!(
            !checks(&report, group).is_empty(),
            "no {group} checks in {report}"
        );
    }
    let summary = checks(&report, "targets")[0];
    assert_eq!(summary["detail"], "4 of 4 targets up", "{summary}");
    // Grafana (the stand-in) exposes the series the stack pack's Grafana
    // alert reads, so doctor does not call that alert one that can never fire.
    let stack_pack = checks(&report, "metrics")
        .into_iter()
        .find(|c| c["name"] == "pack stack")
        .unwrap_or_else(|| panic!("no metrics check of the stack pack: {report}"));
    assert_eq!(stack_pack["status"], "ok", "{stack_pack}");

    let stop = docker(&["stop", "-t", "2", &format!("{}-alertmanager", stack.name)]);
    assert!(
        stop.status.success(),
        "docker stop: {}",
        String::from_utf8_lossy(&stop.stderr)
    );
    let (code, report) = stack.doctor();
    assert_eq!(code, 1, "{report}");
    let container = checks(&report, "containers")
        .into_iter()
        .find(|c| c["name"] == "alertmanager")
        .unwrap();
    assert_eq!(container["status"], "fail", "{container}");
    assert!(
        container["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("{}-alertmanager is exited", stack.name)),
        "{container}"
    );
    let ready = checks(&report, "alertmanager")
        .into_iter()
        .find(|c| c["name"] == "ready")
        .unwrap();
    assert_eq!(ready["status"], "fail", "{ready}");
    assert!(
        ready["hint"].as_str().unwrap().contains("obsctl up"),
        "{ready}"
    );
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn failing_scrape_jobs_are_classified_with_hints() {
    require_engine();
    let stack = Stack::new("doctor-targets");
    let am = format!("{}-alertmanager:9093", stack.name);
    stack.write_spec(&stack.spec(&format!(
        "scrape:\n  - {{job: wrong-path, targets: ['{am}'], metrics_path: /api/v1/metrics}}\n  - {{job: no-host, targets: ['backend:9090']}}\n  - {{job: closed-port, targets: ['{}-prometheus:9999']}}\n",
        stack.name
    )));
    stack.up();
    wait_for_scrapes(&stack, 3);

    let (code, report) = stack.doctor();
    assert_eq!(code, 1, "{report}");
    let targets = checks(&report, "targets");
    let find = |job: &str| {
        *targets
            .iter()
            .find(|c| c["name"].as_str().unwrap().starts_with(&format!("{job} ")))
            .unwrap_or_else(|| panic!("no check for {job}: {targets:#?}"))
    };
    let wrong_path = find("wrong-path");
    assert!(
        wrong_path["detail"]
            .as_str()
            .unwrap()
            .starts_with("down (not_found)"),
        "{wrong_path}"
    );
    assert!(
        wrong_path["hint"]
            .as_str()
            .unwrap()
            .contains("has no `/api/v1/metrics`"),
        "{wrong_path}"
    );
    let no_host = find("no-host");
    assert!(
        no_host["detail"]
            .as_str()
            .unwrap()
            .starts_with("down (dns)"),
        "{no_host}"
    );
    assert!(
        no_host["hint"]
            .as_str()
            .unwrap()
            .contains("`backend` does not resolve"),
        "{no_host}"
    );
    let closed = find("closed-port");
    assert!(
        closed["detail"]
            .as_str()
            .unwrap()
            .starts_with("down (refused)"),
        "{closed}"
    );
}

/// Counts JUnit elements by name, checking the document is well-formed XML.
fn junit_counts(xml: &str) -> std::collections::BTreeMap<String, usize> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut counts = std::collections::BTreeMap::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                *counts
                    .entry(String::from_utf8_lossy(e.name().as_ref()).into_owned())
                    .or_insert(0) += 1;
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("the JUnit file is not well-formed XML: {e}\n{xml}"),
        }
    }
    counts
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn smoke_with_an_alert_passes_writes_junit_and_tears_down() {
    require_engine();
    let stack = Stack::new("smoke");
    // Route critical alerts to a `pager` webhook receiver on this machine
    // (smoke listens for it), the rest to `team`.
    let hook = e2e::free_port();
    let hook_port = hook.port;
    let spec = stack.spec("").replace(
        &format!("alertmanager:\n  image: {}\n  port: {}\n", stack.images.alertmanager, stack.alertmanager_port),
        &format!(
            "alertmanager:\n  image: {}\n  port: {}\n  route:\n    receiver: team\n    group_wait: 1s\n    routes:\n      - match: {{severity: critical}}\n        receiver: pager\n  receivers:\n    - name: team\n      webhook: {{url: 'http://team.invalid:8080/hook'}}\n    - name: pager\n      webhook: {{url: 'http://host.docker.internal:{}/hook'}}\n",
            stack.images.alertmanager, stack.alertmanager_port, hook_port
        ),
    );
    assert!(spec.contains("receiver: pager"), "{spec}");
    stack.write_spec(&spec);

    let out = smoke(
        &stack,
        &[
            "--alert",
            "--alert-label",
            "severity=critical",
            "--expect-receiver",
            "pager",
            "--junit",
            "smoke.xml",
            "--output",
            "json",
        ],
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "smoke printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let failed: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .collect();
    assert_eq!(
        out.status.code(),
        Some(0),
        "failures: {failed:#?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let routing = checks(&report, "alert")
        .into_iter()
        .find(|c| c["name"] == "routing")
        .expect("a routing check");
    assert_eq!(routing["detail"], "reached receiver `pager`");
    let delivered = checks(&report, "alert")
        .into_iter()
        .find(|c| c["name"] == "webhook pager")
        .expect("a webhook delivery check");
    assert_eq!(delivered["status"], "ok", "{delivered}");

    let xml = std::fs::read_to_string(stack.dir.path().join("smoke.xml")).unwrap();
    let counts = junit_counts(&xml);
    assert_eq!(counts.get("testsuite"), Some(&1), "{xml}");
    assert_eq!(
        counts.get("testcase"),
        Some(&report["checks"].as_array().unwrap().len()),
        "{xml}"
    );
    assert_eq!(counts.get("failure"), None, "{xml}");

    assert!(
        stack.labelled("container").is_empty(),
        "smoke must remove the stack it created"
    );
    assert!(stack.labelled("volume").is_empty(), "and its volumes");
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn smoke_fails_when_the_alert_is_routed_elsewhere() {
    require_engine();
    let stack = Stack::new("smoke-route");
    stack.write_spec(&stack.spec(""));
    let out = smoke(
        &stack,
        &[
            "--alert",
            "--expect-receiver",
            "pager",
            "--junit",
            "smoke.xml",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("FAIL routing: routed to default instead of `pager`"),
        "{text}"
    );
    let xml = std::fs::read_to_string(stack.dir.path().join("smoke.xml")).unwrap();
    assert_eq!(junit_counts(&xml).get("failure"), Some(&1), "{xml}");
    assert!(stack.labelled("container").is_empty());
}

#[test]
#[ignore = "end-to-end: needs a Docker engine and the test images; scripts/test.sh runs it"]
fn smoke_loads_the_spec_once_and_prints_its_warnings_once() {
    // Regression: smoke ran `up` as a command of its own, which loaded the
    // spec again and printed every warning a second time.
    require_engine();
    let stack = Stack::new("smoke-warn");
    let warning = "severity `page` is not one of critical, warning, info";
    stack.write_spec(&stack.spec(
        "rules:\n  alerts:\n    - {alert: NeverFires, expr: 'vector(0) > 1', severity: page}\n",
    ));
    let out = smoke(&stack, &["--output", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.matches(warning).count(), 1, "{stderr}");
    assert!(stderr.contains("warning: "), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("smoke prints JSON");
    assert_eq!(report["healthy"], true, "{report}");
    assert!(stack.labelled("container").is_empty());
}
