//! Host ports for tests that run in parallel, in one test binary or in
//! several at once (two checkouts' suites on one machine).
//!
//! Binding port 0 and closing the socket again ("bind and release") races:
//! the kernel hands the same ephemeral ports to any other socket, and a
//! parallel test can be given the port before Docker binds it. Ports here
//! come instead from a range below the kernel's ephemeral range (so the
//! kernel never picks them by itself), each reserved with an exclusive
//! `flock` on a file named after it in a directory all test processes share,
//! held until the [`Lease`] is dropped, and checked free with a bind when
//! taken (another program may use a port of the range on purpose).

use std::fs::{File, OpenOptions};
use std::net::TcpListener;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU16, Ordering};

/// The range leased from: below Linux's default ephemeral range
/// (32768-60999), above the well-known services a machine usually runs.
const FIRST: u16 = 21_000;
const COUNT: u16 = 8_000;

/// A port reserved for this test until dropped.
#[derive(Debug)]
pub struct Lease {
    pub port: u16,
    _lock: File,
}

fn lock_dir() -> PathBuf {
    let dir = std::env::temp_dir().join("obsctl-test-ports");
    std::fs::create_dir_all(&dir).expect("the port lock directory");
    dir
}

/// Leases a port nothing listens on, that no other test holds.
pub fn lease() -> Lease {
    // Each process starts at its own place in the range, so parallel
    // processes rarely even try the same locks.
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let start = (std::process::id() % u32::from(COUNT)) as u16;
    let dir = lock_dir();
    for _ in 0..COUNT {
        let offset = (start + NEXT.fetch_add(1, Ordering::Relaxed)) % COUNT;
        let port = FIRST + offset;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(port.to_string()))
            .expect("a port lock file");
        // SAFETY: flock(2) on a file descriptor this function owns.
        let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
        if locked && TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Lease { port, _lock: file };
        }
    }
    panic!("no free port left in {FIRST}..{}", FIRST + COUNT);
}

impl std::fmt::Display for Lease {
    /// The port's number, so a lease can stand where a port is written.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.port.fmt(f)
    }
}
