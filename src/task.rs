//! Running the async library calls from the synchronous commands. The one
//! place a tokio runtime is built: a current-thread runtime is enough, since
//! the work is waiting for Docker and HTTP answers and concurrency comes from
//! many requests in flight.

use std::future::Future;

use anyhow::{Context, Result};

use crate::error::Error;

/// Runs `future` to completion.
pub fn block_on<F: Future>(future: F) -> Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(runtime.block_on(future))
}

/// `future`, or [`Error::Interrupted`] as soon as Ctrl-C is pressed. Work
/// that creates labelled Docker objects is safe to stop anywhere: a re-run
/// finds them by label and finishes the job.
pub async fn interruptible<T>(future: impl Future<Output = Result<T, Error>>) -> Result<T, Error> {
    tokio::select! {
        result = future => result,
        _ = tokio::signal::ctrl_c() => Err(Error::Interrupted),
    }
}

/// Completes when the user or the service manager asks to stop: Ctrl-C
/// (SIGINT) or SIGTERM (what `systemctl stop` and `docker stop` send).
pub async fn stop_requested() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let terminated = async {
        match term.as_mut() {
            Some(t) => {
                t.recv().await;
            }
            None => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminated => {}
    }
}
