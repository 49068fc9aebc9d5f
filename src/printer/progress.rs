//! Progress while obsctl works: narration lines, a byte bar per layer while
//! pulling, a spinner per service while waiting, a counting bar while
//! importing dashboards. Bars and spinners are drawn only when the printer
//! says so (stderr is a terminal and the output is for people); narration
//! always goes to stderr, so stdout stays data only.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::timeouts::SPINNER_TICK;

pub struct Progress {
    multi: MultiProgress,
    visible: bool,
}

impl Progress {
    /// `visible`: stderr is a terminal and the output is for people.
    pub fn new(visible: bool) -> Self {
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Self {
            multi: MultiProgress::with_draw_target(target),
            visible,
        }
    }

    /// No bars, narration only (for tests and library callers without a terminal).
    pub fn hidden() -> Self {
        Self::new(false)
    }

    /// Prints one narration line to stderr without tearing the bars.
    pub fn say(&self, line: impl AsRef<str>) {
        if self.visible {
            let _ = self.multi.println(line.as_ref());
        } else {
            eprintln!("{}", line.as_ref());
        }
    }

    /// A spinner with `message`, ticking on its own.
    pub fn spinner(&self, message: String) -> ProgressBar {
        let bar = self.multi.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed:.dim}")
                .expect("the template is valid"),
        );
        bar.set_message(message);
        if self.visible {
            bar.enable_steady_tick(SPINNER_TICK);
        }
        bar
    }

    /// A byte-counting bar labelled `prefix` (an image and one of its layers).
    pub fn bytes(&self, prefix: String) -> ProgressBar {
        let bar = self.multi.add(ProgressBar::new(0));
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} {msg:12} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
            )
            .expect("the template is valid")
            .progress_chars("=> "),
        );
        bar.set_prefix(prefix);
        bar
    }

    /// A bar counting `len` items of `what` (e.g. dashboards).
    pub fn count(&self, len: usize, what: &str) -> ProgressBar {
        let bar = self.multi.add(ProgressBar::new(len as u64));
        bar.set_style(
            ProgressStyle::with_template(&format!("{{bar:30}} {{pos}}/{{len}} {what} {{elapsed}}"))
                .expect("the template is valid"),
        );
        bar
    }
}
