//! The `keyward` command. All of it lives in `cli`; the library knows nothing
//! of arguments, terminals or exit codes.

#![forbid(unsafe_code)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
