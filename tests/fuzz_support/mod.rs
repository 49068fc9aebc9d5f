//! The fuzzing harness: runs a property over generated inputs under a budget
//! (a case count, or a time limit for long runs on demand), shrinks a failing
//! input to a small one, and can save it as a regression case that every later
//! run of the suite replays.
//!
//! Budget and seed come from the environment, so the same tests serve the
//! short bounded pass of every suite run and the long runs of scripts/fuzz.sh:
//! - `OBSCTL_FUZZ_CASES`   cases per generator (default: each test's own);
//! - `OBSCTL_FUZZ_SECONDS` keep generating until this many seconds have passed
//!   (the case count then only sizes the batches);
//! - `OBSCTL_FUZZ_SEED`    a 64-bit seed (default: a fixed one, so a suite run
//!   is reproducible; scripts/fuzz.sh passes a random one and prints it);
//! - `OBSCTL_FUZZ_SAVE=1`  write a failing input, shrunk, into
//!   `tests/fuzz-regressions/<target>/`.

// Each test binary compiles this module on its own.
#![allow(dead_code)]

pub mod generate;

use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};

/// Cases per generator in a suite run, for generators whose cases take
/// about a millisecond; those that run the whole spec-to-files path take
/// fewer (see each test).
pub const DEFAULT_CASES: u32 = 200;

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    Some(
        text.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a number")),
    )
}

/// Where failing inputs of `target` are saved and replayed from.
pub fn regressions_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target)
}

/// Every saved regression input of `target` (file name, text).
pub fn regressions(target: &str) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(regressions_dir(target)) else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

fn save(target: &str, text: &str) -> PathBuf {
    use sha2::Digest;
    let dir = regressions_dir(target);
    std::fs::create_dir_all(&dir).unwrap();
    let digest = sha2::Sha256::digest(text.as_bytes());
    let name: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let path = dir.join(format!("{name}.txt"));
    std::fs::write(&path, text).unwrap();
    path
}

/// With `OBSCTL_FUZZ_SAVE`, the file each input is written to before it runs.
/// It is removed once the generator finishes, so only a crash leaves one.
fn last_input(target: &str, generator: &str) -> Option<PathBuf> {
    std::env::var_os("OBSCTL_FUZZ_SAVE")?;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz");
    std::fs::create_dir_all(&dir).unwrap();
    Some(dir.join(format!("{target}.{generator}.last")))
}

/// Runs `check` on inputs drawn from `strategy` (turned into text by
/// `text`) within the budget; panics with the shrunk failing input.
pub fn fuzz<S>(
    target: &str,
    generator: &str,
    default_cases: u32,
    strategy: S,
    text: impl Fn(&S::Value) -> String,
    check: impl Fn(&str) -> Result<(), String>,
) where
    S: Strategy,
    S::Value: Debug,
{
    let cases = env_number("OBSCTL_FUZZ_CASES").map_or(default_cases, |n| n as u32);
    let deadline =
        env_number("OBSCTL_FUZZ_SECONDS").map(|s| Instant::now() + Duration::from_secs(s));
    let seed = env_number("OBSCTL_FUZZ_SEED").unwrap_or(0x0b5c_71f0_2250_0001);
    let started = Instant::now();
    let mut ran: u64 = 0;
    let mut batch: u64 = 0;
    loop {
        // Each batch has its own seed, derived from the run's, so a long run
        // keeps drawing new inputs and any batch can be replayed.
        let batch_seed = seed.wrapping_add(batch.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&batch_seed.to_le_bytes());
        let config = Config {
            cases,
            failure_persistence: None,
            // Shrinking a failure is worth a while, not forever.
            max_shrink_time: 60_000,
            ..Config::default()
        };
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
        let mut runner = TestRunner::new_with_rng(config, rng);
        let last = last_input(target, generator);
        let result = runner.run(&strategy, |value| {
            let input = text(&value);
            // A crash that kills the process (a stack overflow, an abort)
            // leaves the input it died on behind for scripts/fuzz.sh.
            if let Some(last) = &last {
                std::fs::write(last, &input).unwrap();
            }
            check(&input).map_err(TestCaseError::fail)
        });
        match result {
            Ok(()) => ran += u64::from(cases),
            Err(TestError::Fail(reason, value)) => {
                let input = text(&value);
                let saved = if std::env::var_os("OBSCTL_FUZZ_SAVE").is_some() {
                    format!("\nsaved as {}", save(target, &input).display())
                } else {
                    String::new()
                };
                eprintln!(
                    "fuzz {target}/{generator}: FAILED within {} cases (seed {seed:#x}, batch {batch})",
                    ran + u64::from(cases)
                );
                let shown: String = input.chars().take(2_000).collect();
                let more = if shown.len() < input.len() {
                    " ..."
                } else {
                    ""
                };
                panic!(
                    "fuzz {target}/{generator}: {reason}\nshrunk input ({} bytes):\n{shown:?}{more}{saved}",
                    input.len()
                );
            }
            Err(TestError::Abort(reason)) => {
                panic!("fuzz {target}/{generator}: aborted: {reason}")
            }
        }
        batch += 1;
        if deadline.is_none_or(|d| Instant::now() >= d) {
            break;
        }
    }
    if let Some(last) = last_input(target, generator) {
        let _ = std::fs::remove_file(last);
    }
    eprintln!(
        "fuzz {target}/{generator}: {ran} cases in {:.1}s, 0 failures (seed {seed:#x})",
        started.elapsed().as_secs_f64()
    );
}

/// Runs `check` on every saved regression input of `target`.
pub fn replay(target: &str, check: impl Fn(&str) -> Result<(), String>) -> usize {
    let saved = regressions(target);
    for (name, text) in &saved {
        if let Err(e) = check(text) {
            panic!("fuzz regression {target}/{name}: {e}");
        }
    }
    saved.len()
}
