//! `keyward repl` on a real pseudo-terminal: the prompt, a command, Tab
//! completing a key alias, history recalled with the Up arrow, Ctrl-C
//! cancelling a line, and Ctrl-D leaving. Timeouts are generous and nothing
//! is timed: each step waits for the text it expects.

use std::process::Command;

use rexpect::reader::Options;
use rexpect::session::spawn_with_options;

const UP: &str = "\x1b[A";

/// Waits for a fresh prompt, on a line of its own (a redrawn line starts
/// with `\r` only): rustyline drops what is typed before it.
fn prompt(repl: &mut rexpect::session::PtySession) {
    repl.exp_regex("\n\r?root> ").expect("a prompt");
}

/// Types keys without a line end; rexpect buffers them until flushed.
fn send(repl: &mut rexpect::session::PtySession, keys: &str, what: &str) {
    repl.send(keys).expect(what);
    repl.flush().expect(what);
}

#[test]
fn the_repl_completes_recalls_and_leaves_on_a_terminal() {
    let home = std::env::temp_dir().join(format!("keyward-repl-terminal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).expect("a temporary folder");
    let mut command = Command::new(env!("CARGO_BIN_EXE_keyward"));
    command
        .args(["--ephemeral", "repl"])
        .env("KEYWARD_STATE", &home)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let options = Options::new().timeout_ms(Some(60_000)).strip_ansi_escape_codes(true);
    let mut repl = spawn_with_options(command, options).expect("keyward repl starts on a terminal");

    prompt(&mut repl);
    repl.send_line("let k = key create").expect("typed");
    repl.exp_string("$k = key").expect("the key is kept");
    prompt(&mut repl);
    repl.send_line("alias create alias/orders $k").expect("typed");
    repl.exp_string("alias/orders -> key").expect("the alias is made");

    // Tab completes `alias/or` to the only alias; the encryption then finds it.
    prompt(&mut repl);
    send(&mut repl, "encrypt alias/or", "typed");
    send(&mut repl, "\t", "Tab");
    repl.exp_string("alias/orders").expect("the alias completed");
    repl.send_line(" hello").expect("typed");
    repl.exp_string("ciphertext: ")
        .expect("encrypted under the completed alias");

    // Up recalls the last line.
    prompt(&mut repl);
    repl.send_line("help whoami").expect("typed");
    repl.exp_string("The principal you are acting as.")
        .expect("help for a command");
    prompt(&mut repl);
    send(&mut repl, UP, "Up");
    send(&mut repl, "\r", "Enter");
    repl.exp_string("The principal you are acting as.")
        .expect("the recalled line ran again");

    // Ctrl-C drops a half-typed line; the next line runs alone.
    prompt(&mut repl);
    send(&mut repl, "key describe alias/nothing-here", "typed");
    repl.exp_string("alias/nothing-here").expect("the line typed");
    repl.send_control('c').expect("Ctrl-C");
    prompt(&mut repl);
    repl.send_line("whoami").expect("typed");
    repl.exp_string("arn:aws:iam::111122223333:root")
        .expect("whoami answers");

    prompt(&mut repl);
    repl.send_control('d').expect("Ctrl-D");
    repl.exp_eof().expect("the repl leaves on Ctrl-D");
    let status = repl.process().wait().expect("the exit status");
    assert_eq!(format!("{status:?}").rsplit(", ").next(), Some("0)"), "{status:?}");

    let history = std::fs::read_to_string(home.join("repl-history")).expect("a history file");
    assert!(history.contains("help whoami"), "{history}");
    let _ = std::fs::remove_dir_all(&home);
}
