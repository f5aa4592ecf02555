//! The command line on a real pseudo-terminal (rexpect) and in a pipe:
//! colour on a terminal only, none with `NO_COLOR` (https://no-color.org),
//! `--color` over both; the progress bar of a large lint run on a terminal
//! only. Nothing is timed: each run is read to its end.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rexpect::reader::Options;
use rexpect::session::spawn_with_options;

/// A policy with one structural problem (`Efect`), which `check` and
/// `lint` underline.
const BROKEN: &str =
    r#"{"Version": "2012-10-17", "Statement": [{"Efect": "Allow", "Action": "kms:*", "Resource": "*"}]}"#;

/// A folder of its own for one test.
fn folder(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-terminal").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a folder");
    dir
}

fn keyward(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_keyward"));
    command
        .args(args)
        .env_remove("NO_COLOR")
        .env("TERM", "xterm")
        .envs(env.iter().copied());
    command
}

/// Everything the command wrote to the terminal (stdout and stderr), escape
/// sequences kept.
fn on_a_terminal(args: &[&str], env: &[(&str, &str)]) -> String {
    let options = Options::new().timeout_ms(Some(120_000)).strip_ansi_escape_codes(false);
    let mut session = spawn_with_options(keyward(args, env), options).expect("keyward starts on a terminal");
    session.exp_eof().expect("the command ends")
}

/// What the command wrote to a pipe: stdout, stderr.
fn in_a_pipe(args: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let out = keyward(args, env).stdin(Stdio::null()).output().expect("keyward runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Whether `text` holds a colour (SGR) escape sequence.
fn coloured(text: &str) -> bool {
    regex::Regex::new("\x1b\\[[0-9;]*m").expect("a pattern").is_match(text)
}

fn broken_policy(name: &str) -> String {
    let path = folder(name).join("broken.json");
    std::fs::write(&path, BROKEN).expect("write");
    path.display().to_string()
}

#[test]
fn diagnostics_are_coloured_on_a_terminal() {
    let policy = broken_policy("colour-terminal");
    let shown = on_a_terminal(&["check", &policy], &[]);
    assert!(shown.contains("Efect"), "{shown}");
    assert!(coloured(&shown), "no colour on a terminal: {shown:?}");
}

#[test]
fn no_color_turns_colour_off_on_a_terminal() {
    let policy = broken_policy("colour-no-color");
    let shown = on_a_terminal(&["check", &policy], &[("NO_COLOR", "1")]);
    assert!(shown.contains("Efect"), "{shown}");
    assert!(!coloured(&shown), "colour despite NO_COLOR: {shown:?}");
}

#[test]
fn a_pipe_gets_no_colour() {
    let policy = broken_policy("colour-pipe");
    let (stdout, stderr) = in_a_pipe(&["check", &policy], &[]);
    assert!(stdout.contains("Efect"), "{stdout}");
    assert!(
        !coloured(&stdout) && !coloured(&stderr),
        "colour in a pipe: {stdout:?} {stderr:?}"
    );
}

#[test]
fn the_color_flag_overrides_the_terminal_and_no_color() {
    let policy = broken_policy("colour-flag");
    let never = on_a_terminal(&["check", "--color", "never", &policy], &[]);
    assert!(never.contains("Efect") && !coloured(&never), "{never:?}");
    let (always, _) = in_a_pipe(&["check", "--color", "always", &policy], &[("NO_COLOR", "1")]);
    assert!(coloured(&always), "no colour with --color always: {always:?}");
    // The AWS CLI's spelling.
    let (off, _) = in_a_pipe(&["--color", "off", "check", &policy], &[]);
    assert!(off.contains("Efect") && !coloured(&off), "{off:?}");
}

/// 60 policies, each with a finding.
fn many_policies(name: &str) -> String {
    let dir = folder(name);
    for i in 0..60 {
        std::fs::write(dir.join(format!("policy-{i:02}.json")), BROKEN).expect("write");
    }
    dir.display().to_string()
}

#[test]
fn a_large_lint_run_shows_a_progress_bar_on_a_terminal_and_clears_it() {
    let dir = many_policies("progress-terminal");
    let shown = on_a_terminal(&["lint", &dir], &[("NO_COLOR", "1")]);
    assert!(shown.contains("/60 documents"), "no progress bar: {shown:?}");
    assert!(shown.contains("linted 60 documents"), "{shown}");
    // The bar is gone before the first finding is printed.
    let bar = shown.rfind("/60 documents").expect("the bar");
    let finding = shown.find("Efect").expect("a finding");
    assert!(bar < finding, "the bar was drawn over the findings: {shown:?}");
}

#[test]
fn a_lint_run_in_a_pipe_shows_no_progress_bar() {
    let dir = many_policies("progress-pipe");
    let (stdout, stderr) = in_a_pipe(&["lint", &dir], &[]);
    assert!(stderr.contains("linted 60 documents"), "{stderr}");
    assert!(
        !stderr.contains("/60 documents") && !stdout.contains("/60 documents"),
        "{stderr:?}"
    );
    let (json, stderr) = in_a_pipe(&["lint", "--format", "json", &dir], &[]);
    assert!(!stderr.contains("/60 documents"), "{stderr:?}");
    assert!(
        !json.is_empty() && json.lines().all(|line| line.starts_with('{')),
        "{json}"
    );
}
