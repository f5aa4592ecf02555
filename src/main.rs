//! The `keyward` command. All of it lives in `cli`; the library knows nothing
//! of arguments, terminals or exit codes.

#![forbid(unsafe_code)]

mod cli;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
