//! How long doctor's target check takes on a large stack: one
//! `/api/v1/targets` answer with 1,000 targets (50 of them down), served from
//! loopback, fetched and classified. Target: well under a second.
//!
//! Run with `cargo bench --bench doctor_targets`.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use obsctl::doctor::targets;
use obsctl::probes::Http;

const TARGETS: usize = 1000;
const DOWN: usize = 50;
const ROUNDS: usize = 30;

fn main() {
    let body = targets::generate(TARGETS, DOWN);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let served = body.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", served.len());
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(served.as_bytes());
        }
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = Http::new();
    let url = format!("http://{addr}/api/v1/targets?state=active");
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let checks = runtime.block_on(async {
            let bytes = obsctl::probes::get_bytes(&http, &url).await.unwrap();
            let expect = targets::Expectations {
                default_timeout: "10s",
                default_interval: "15s",
                ..Default::default()
            };
            // The group of the spec's targets (the discovered ones have their own).
            targets::checks(&bytes, &expect)
                .unwrap()
                .checks
                .into_iter()
                .filter(|c| c.group == "targets")
                .collect::<Vec<_>>()
        });
        times.push(started.elapsed());
        assert_eq!(
            checks.len(),
            DOWN + 1,
            "one summary plus one check per failing target"
        );
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "doctor targets check, {TARGETS} targets ({DOWN} down), {} KiB answer, {ROUNDS} rounds: median {:.1} ms, p90 {:.1} ms, max {:.1} ms (target < 1000 ms)",
        body.len() / 1024,
        ms(times[ROUNDS / 2]),
        ms(times[ROUNDS * 9 / 10]),
        ms(times[ROUNDS - 1])
    );
}
