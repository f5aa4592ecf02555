//! Progress on long runs: a bar on standard error while many documents are
//! linted, only when standard error is a terminal, so a pipe, a file or a
//! CI log never receives it. It is cleared before any result is printed.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Runs of fewer documents end before a bar would tell anything.
pub const MIN_DOCUMENTS: usize = 50;

/// A bar counting `count` documents, or a hidden one.
pub fn documents(count: usize, verb: &'static str) -> ProgressBar {
    let dumb = std::env::var_os("TERM").is_some_and(|term| term == "dumb");
    if count < MIN_DOCUMENTS || dumb || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(count as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{prefix} {wide_bar} {pos}/{len} documents {eta}") {
        bar.set_style(style);
    }
    bar.set_prefix(verb);
    // Drawn at once: a run shorter than the bar's refresh still shows it.
    bar.tick();
    bar
}
