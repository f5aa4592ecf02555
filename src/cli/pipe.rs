//! Standard output that a closed pipe ends quietly: `keyward test --format
//! json | head` stops writing when `head` exits, with status 0 and no
//! panic (`println!` panics on a broken pipe). `outln!`/`out!` replace
//! `println!`/`print!` throughout the CLI.

use std::io::Write;

/// Writes `text` to stdout; when the reader has gone, ends the process
/// quietly (everything it changed was committed before it printed).
pub fn write(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        closed(&e);
    }
}

/// Ends the process if `error` says the reader closed the pipe.
pub fn closed(error: &std::io::Error) {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
}

macro_rules! outln {
    () => {
        $crate::cli::pipe::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::pipe::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::pipe::write(format_args!($($arg)*))
    };
}
