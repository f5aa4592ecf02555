//! The `keyward` command. All of it lives in `cli`; the library knows nothing
//! of arguments, terminals or exit codes.

#![forbid(unsafe_code)]

mod cli;

// A server call allocates and frees many small buffers on several threads;
// mimalloc took the server's CPU per call back to the level before the
// `Service` path (docs/store.md, "Audit durability"). The library keeps the
// allocator of the program that embeds it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
