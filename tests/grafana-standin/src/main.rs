//! `grafana-standin`: the stand-in for Grafana's HTTP API as a process, for
//! container-based tests. Configured by the same environment variables as Grafana's
//! image (see the library documentation); keeps its state in `GF_PATHS_DATA`; logs
//! to stderr; exits non-zero when a provisioning file is malformed, a provider path
//! does not exist or the data directory cannot be used. `--version` (or `-v`) says
//! what it is: a stand-in, and which Grafana release it follows.

use grafana_standin::{EnvSettings, LogLevel, Logger};
use std::process::ExitCode;

async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    if std::env::args()
        .skip(1)
        .any(|a| a == "--version" || a == "-v")
    {
        println!(
            "grafana-standin {} (a stand-in for Grafana's HTTP API, following Grafana {}; not Grafana)",
            env!("CARGO_PKG_VERSION"),
            grafana_standin::GRAFANA_VERSION
        );
        return ExitCode::SUCCESS;
    }
    let fallback = Logger {
        level: LogLevel::Info,
    };
    let settings = match EnvSettings::from_vars(std::env::vars()) {
        Ok(s) => s,
        Err(e) => {
            fallback.error("invalid settings", &[("error", &e)]);
            return ExitCode::from(1);
        }
    };
    let running = match settings.builder().start().await {
        Ok(r) => r,
        Err(e) => {
            fallback.error("grafana stand-in did not start", &[("error", &e)]);
            return ExitCode::from(1);
        }
    };
    let stop = running.stopper();
    tokio::spawn(async move {
        wait_for_signal().await;
        Logger {
            level: settings.log_level,
        }
        .info("shutting down", &[]);
        stop();
    });
    running.wait().await;
    ExitCode::SUCCESS
}
