//! The `obsctl` binary: runs the command line and exits with its code.

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(obsctl::run())
}
