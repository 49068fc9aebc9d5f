//! How long `render` takes on a large stack, and whether it grows linearly:
//! the spec loaded and validated (every dashboard read and its queries
//! parsed, every alert's PromQL parsed) and every file rendered in memory,
//! for 2,000 scrape targets, 500 inline alerts and 100 dashboards (the
//! built-in ones as templates, each copy with its own uid and title), then
//! twice and four times that. Target: under 150 ms (median) at 1x. The
//! dashboards and alerts are checked in parallel, so the core count is
//! printed with the figures.
//!
//! Run with `cargo bench --bench render`.

use std::path::Path;
use std::time::{Duration, Instant};

const TARGETS: usize = 2_000;
const ALERTS: usize = 500;
const DASHBOARDS: usize = 100;
const ROUNDS: usize = 15;

/// Writes the workload at `scale` into `dir` and returns the spec's path.
fn workload(dir: &Path, scale: usize) -> std::path::PathBuf {
    let templates: Vec<(String, serde_json::Value)> = obsctl::model::dashboards::builtin_names()
        .into_iter()
        .map(|n| {
            let d = obsctl::model::dashboards::builtin(&n);
            (n, d)
        })
        .collect();
    for i in 0..DASHBOARDS * scale {
        let (name, template) = &templates[i % templates.len()];
        let mut d = template.clone();
        d["uid"] = format!("{name}-{i}").into();
        d["title"] = format!("{} #{i}", d["title"].as_str().unwrap_or(name)).into();
        let team = format!("team-{}", i % 10);
        let path = dir
            .join("dashboards")
            .join(team)
            .join(format!("{name}-{i}.json"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, serde_json::to_string_pretty(&d).unwrap()).unwrap();
    }
    let mut spec = String::from("name: bench\ngrafana:\n  dashboards: [dashboards]\nscrape:\n");
    let jobs = 20 * scale;
    let per_job = TARGETS * scale / jobs;
    for j in 0..jobs {
        spec.push_str(&format!("  - job: service-{j}\n    targets: ["));
        let targets: Vec<String> = (0..per_job)
            .map(|t| format!("\"app-{j}-{t}:8000\""))
            .collect();
        spec.push_str(&targets.join(", "));
        spec.push_str("]\n");
    }
    spec.push_str("rules:\n  alerts:\n");
    for a in 0..ALERTS * scale {
        spec.push_str(&format!(
            "    - alert: HighErrorRate{a}\n      expr: sum by (job) (rate(http_requests_total{{job=\"service-{j}\", status=~\"5..\"}}[5m])) / sum by (job) (rate(http_requests_total{{job=\"service-{j}\"}}[5m])) > 0.05\n      for: 5m\n      severity: warning\n      summary: \"{{{{ $labels.job }}}} fails\"\n",
            j = a % jobs
        ));
    }
    let path = dir.join("obsctl.yaml");
    std::fs::write(&path, spec).unwrap();
    path
}

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("render: dashboards and alerts are checked on {cores} core(s)");
    let mut first = None;
    for scale in [1, 2, 4] {
        let dir = tempfile::tempdir().unwrap();
        let spec = workload(dir.path(), scale);
        let mut load = Vec::new();
        let mut total = Vec::new();
        let mut files = 0;
        for _ in 0..ROUNDS {
            let started = Instant::now();
            let stack = obsctl::stack::load(Some(&spec)).expect("the workload is valid");
            load.push(started.elapsed());
            files = obsctl::render::render(&stack.model).expect("renders").len();
            total.push(started.elapsed());
        }
        let (load, total) = (median(load), median(total));
        let base = *first.get_or_insert(total);
        println!(
            "render {scale}x ({} targets, {} alerts, {} dashboards -> {files} files), {ROUNDS} rounds: median {total:.1} ms (load and validate {load:.1} ms, render {:.1} ms), {:.2}x the 1x time{}",
            TARGETS * scale,
            ALERTS * scale,
            DASHBOARDS * scale,
            total - load,
            total / base,
            if scale == 1 { " (target < 150 ms)" } else { "" }
        );
    }
}
