//! `keyward completions SHELL` and `keyward man`: generated from the clap
//! definition, so they list every command and flag (`keyward kms`'s
//! operations included) without a copy to keep up to date.

use std::io::Write;

use clap::CommandFactory as _;

use super::{args::Cli, Exit};

pub fn completions(shell: clap_complete::Shell) -> Exit {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "keyward", &mut out);
    write(&out)
}

pub fn man() -> Exit {
    let mut out = Vec::new();
    match clap_mangen::Man::new(Cli::command()).render(&mut out) {
        Ok(()) => write(&out),
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Failure
        }
    }
}

/// Writes to stdout; a closed pipe is no failure.
fn write(bytes: &[u8]) -> Exit {
    let _ = std::io::stdout().lock().write_all(bytes);
    Exit::Success
}
