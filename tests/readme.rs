//! The shell transcripts of the README and docs (` ```console ` blocks), run as they are written.
//!
//! Each `$ ` line (joined with the lines its trailing `\` continues) runs in one bash, in a fresh
//! folder that holds `policies/` (a link to the repository's) and the files of
//! `tests/data/readme/`, with `keyward` this build's binary and the state in that folder. The lines
//! after a command are what it prints, standard output and error together; `…` stands for any run
//! of characters within a line. The lines of a REPL session (`name> statement`) go to the standard
//! input of the `keyward … repl` above them, and the other lines are its output.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A block that is not run: its document, the start of its first command, and why.
struct Skip {
    doc: &'static str,
    command: &'static str,
    why: &'static str,
}

const SKIPPED: &[Skip] = &[
    Skip {
        doc: "README.md",
        command: "keyward encrypt-file",
        why: "needs report.pdf and two aliases; tests/envelope_cli.rs runs these commands",
    },
    Skip {
        doc: "README.md",
        command: "keyward serve",
        why: "needs the AWS CLI; tests/aws_cli/against.rs drives the same calls",
    },
];

#[test]
fn the_readmes_transcripts_print_what_they_show() {
    run_transcripts("README.md");
}

#[test]
fn the_aws_cli_pages_transcript_prints_what_it_shows() {
    run_transcripts("docs/aws-cli.md");
}

/// Does `pattern`, in which `…` matches any run of characters, match the whole of `line`?
fn matches(pattern: &str, line: &str) -> bool {
    let mut parts = pattern.split('…');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = line.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

#[test]
fn an_ellipsis_matches_any_run_of_characters_within_a_line() {
    assert!(matches("key …  Enabled", "key 5c0c-12  Enabled"));
    assert!(matches("…Z\tDecrypt", "2026-12-07T05:48:55Z\tDecrypt"));
    assert!(matches("a…b…c", "abc"));
    assert!(!matches("a…b…c", "acb"));
    assert!(!matches("key …  Enabled", "key 5c0c  Disabled"));
    assert!(!matches("hello", "hello world"));
    assert!(!matches("ab…ba", "aba"));
}

/// The ` ```console ` blocks of a document, each line without the block's indentation.
fn console_blocks(text: &str) -> Vec<Vec<&str>> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, Vec<&str>)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match open.as_mut() {
            None if trimmed == "```console" => open = Some((indent, Vec::new())),
            None => {}
            Some(_) if trimmed == "```" => blocks.extend(open.take().map(|(_, lines)| lines)),
            Some((at, lines)) => lines.push(line.get(*at..).unwrap_or(trimmed)),
        }
    }
    blocks
}

/// A block as a bash script, one command per entry, and the lines it is expected to print.
fn script(block: &[&str]) -> (Vec<String>, Vec<String>) {
    let prompt = regex::Regex::new(r"^[a-z0-9][a-z0-9-]*> ").expect("regex");
    let (mut commands, mut expected) = (Vec::new(), Vec::new());
    let mut lines = block.iter().peekable();
    while let Some(line) = lines.next() {
        let Some(command) = line.strip_prefix("$ ") else {
            expected.push(line.trim_end().to_owned());
            continue;
        };
        let mut command = command.to_owned();
        while let Some(continued) = command.strip_suffix('\\') {
            command = format!("{continued} {}", lines.next().map_or("", |l| l.trim()));
        }
        if command.trim_end().ends_with(" repl") {
            let mut input = Vec::new();
            while let Some(line) = lines.next_if(|l| !l.starts_with("$ ")) {
                match prompt.find(line) {
                    Some(p) => input.push(&line[p.end()..]),
                    None => expected.push(line.trim_end().to_owned()),
                }
            }
            command = format!("{command} <<'KEYWARD_REPL'\n{}\nKEYWARD_REPL", input.join("\n"));
        }
        commands.push(command);
    }
    (commands, expected)
}

/// A fresh folder for one block: `bin/keyward`, `policies/` and the fixtures.
fn folder(doc: &str, index: usize) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let name = format!("readme-{}-{index}", doc.replace(['/', '.'], "-"));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("bin")).expect("scratch folder");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_keyward"), dir.join("bin/keyward")).expect("link the binary");
    std::os::unix::fs::symlink(root.join("policies"), dir.join("policies")).expect("link policies/");
    for entry in std::fs::read_dir(root.join("tests/data/readme")).expect("tests/data/readme") {
        let path = entry.expect("fixture").path();
        std::fs::copy(&path, dir.join(path.file_name().expect("file name"))).expect("copy a fixture");
    }
    dir
}

/// Runs the commands in one bash, each one's output kept apart; a command's output that does not
/// end its last line is ended, as the next prompt would be on a terminal.
fn run(dir: &Path, commands: &[String]) -> Vec<String> {
    let out = dir.join("out");
    std::fs::create_dir_all(&out).expect("output folder");
    let body: Vec<String> = commands
        .iter()
        .enumerate()
        .map(|(i, command)| format!("{{ {command}\n}} > '{}/{i}' 2>&1", out.display()))
        .collect();
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = Command::new("bash")
        .arg("-c")
        .arg(body.join("\n"))
        .current_dir(dir)
        .env("PATH", path)
        .env("HOME", dir)
        .env("TMPDIR", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("KEYWARD_STATE", dir.join("state"))
        .env("NO_COLOR", "1")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .status()
        .expect("bash runs");
    assert!(status.code().is_some(), "bash was killed");
    let mut printed = String::new();
    for i in 0..commands.len() {
        let text = std::fs::read_to_string(out.join(i.to_string())).expect("a command's output");
        printed.push_str(&text);
        if !text.is_empty() && !text.ends_with('\n') {
            printed.push('\n');
        }
    }
    printed.lines().map(|l| l.trim_end().to_owned()).collect()
}

fn run_transcripts(doc: &str) {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(doc)).expect("the document");
    let blocks = console_blocks(&text);
    assert!(!blocks.is_empty(), "{doc} has no console block");
    let mut skips_used = 0;
    for (index, block) in blocks.iter().enumerate() {
        let first = block.iter().find_map(|l| l.strip_prefix("$ ")).unwrap_or_default();
        if SKIPPED.iter().any(|s| s.doc == doc && first.starts_with(s.command)) {
            skips_used += 1;
            continue;
        }
        let (commands, expected) = script(block);
        let mut actual = run(&folder(doc, index), &commands);
        while actual.last().is_some_and(String::is_empty) {
            actual.pop();
        }
        let same = expected.len() == actual.len() && expected.iter().zip(&actual).all(|(e, a)| matches(e, a));
        assert!(
            same,
            "{doc}: the transcript that starts with `$ {first}` prints something else\n--- shown:\n{}\n--- printed:\n{}",
            expected.join("\n"),
            actual.join("\n")
        );
    }
    let skips = SKIPPED.iter().filter(|s| s.doc == doc).count();
    assert_eq!(
        skips_used,
        skips,
        "a skipped transcript of {doc} is gone: {:?}",
        SKIPPED.iter().map(|s| s.why).collect::<Vec<_>>()
    );
}
