//! Command-line front end: clap arguments → the library → rendered output and
//! an [`Exit`] that becomes the exit code.

#[macro_use]
mod pipe;

mod args;
mod aws;
mod check;
mod completions;
mod envelope;
mod explain;
mod format;
mod import_wrap;
mod inputs;
mod key_kinds;
mod kms;
mod kms_args;
mod lint;
mod progress;
mod raw_keys;
mod render;
mod repl;
#[cfg(feature = "serve")]
mod serve;
mod simulate;
mod test;
mod verbs;
#[cfg(feature = "serve")]
mod xks_args;
#[cfg(feature = "serve")]
mod xks_proxy;

use clap::Parser as _;

/// How a run ended; the discriminant is the process exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// Everything was valid (or formatted).
    Success = 0,
    /// Some document has problems (or, for `fmt --check`, would change).
    Problems = 1,
    /// Bad arguments, or a file could not be read or written.
    Failure = 2,
}

pub fn main() -> std::process::ExitCode {
    let args = match args::Cli::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            return std::process::ExitCode::from(if e.use_stderr() { Exit::Failure as u8 } else { 0 });
        }
    };
    render::choose_colour(args.colour);
    for &(kind, bytes) in &args.input_limit {
        kind.set_limit(bytes);
    }
    let outcome = match args.command {
        args::Command::Check(check) => check::run(&check),
        args::Command::Fmt(fmt) => format::run(&fmt),
        args::Command::Lint(lint) => lint::run(&lint),
        args::Command::Simulate(simulate) => simulate::run(&args.session, &simulate),
        args::Command::Test(test) => test::run(&test),
        args::Command::Repl(repl) => repl::repl(&args.session, &repl),
        args::Command::Run(run) => repl::run(&args.session, &run),
        args::Command::Kms(command) => kms::run(&args.session, &command),
        args::Command::ImportWrap(wrap) => import_wrap::run(&wrap),
        args::Command::Aws(call) => aws::run(&args.session, &call),
        args::Command::Completions { shell } => completions::completions(shell),
        args::Command::Man => completions::man(),
        #[cfg(feature = "serve")]
        args::Command::Serve(serve) => serve::run(&args.session, &serve),
        #[cfg(feature = "serve")]
        args::Command::XksProxy(proxy) => xks_proxy::run(&proxy),
    };
    std::process::ExitCode::from(outcome as u8)
}
