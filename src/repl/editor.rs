//! The interactive front end, and the only file that knows of the terminal
//! (rustyline): the prompt names who you act as; Tab completes commands,
//! key ids, aliases, principal names, actions, condition keys, `$names` and
//! file paths; a grey hint shows a command's usage; the command word is
//! highlighted; a statement whose JSON is open goes on on the next line;
//! history is kept in the user's data directory. Ctrl-C cancels the line,
//! Ctrl-D leaves.

use std::borrow::Cow;
use std::io::IsTerminal;
use std::path::PathBuf;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};

use super::help::{command_names, TOPICS};
use super::script::render_error;
use super::session::{Session, Step};
use super::ReplError;

/// How the editor starts.
#[derive(Clone, Debug, Default)]
pub struct EditorOptions {
    /// The history file; none keeps no history.
    pub history: Option<PathBuf>,
    pub colour: bool,
}

/// Subcommands, by the command they follow.
const SUBCOMMANDS: &[(&str, &[&str])] = &[
    (
        "key",
        &[
            "create",
            "list",
            "describe",
            "enable",
            "disable",
            "schedule-deletion",
            "cancel-deletion",
            "rotate",
            "enable-rotation",
            "disable-rotation",
            "rotations",
        ],
    ),
    ("alias", &["create", "update", "delete", "list"]),
    ("policy", &["get", "put"]),
    ("grant", &["create", "list", "revoke", "retire"]),
    ("clock", &["show", "set", "advance"]),
    ("expect", &["allow", "deny", "error"]),
];

/// Condition keys every KMS request or key carries, for completion after
/// `aws:` or `kms:`; the keys particular operations set come from
/// [`crate::kms::op::DECLARED`] ([`condition_keys`]).
const CONDITION_KEYS: &[&str] = &[
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalTag/",
    "aws:PrincipalType",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
    "aws:SecureTransport",
    "aws:SourceIp",
    "aws:ViaAWSService",
    "kms:CallerAccount",
    "kms:EncryptionContext:",
    "kms:EncryptionContextKeys",
    "kms:GrantConstraintType",
    "kms:GrantIsForAWSResource",
    "kms:GrantOperations",
    "kms:GranteePrincipal",
    "kms:KeySpec",
    "kms:KeyUsage",
    "kms:RequestAlias",
    "kms:ResourceAliases",
    "kms:RetiringPrincipal",
    "kms:ViaService",
];

/// Every condition key to complete: [`CONDITION_KEYS`] and those the KMS
/// operations declare, a template such as `aws:RequestTag/${TagKey}` given
/// as its prefix (`aws:RequestTag/`).
fn condition_keys() -> impl Iterator<Item = String> {
    let declared = crate::kms::op::DECLARED
        .iter()
        .flat_map(|op| op.condition_keys)
        .map(|key| key.split_once("${").map_or(*key, |(prefix, _)| prefix));
    CONDITION_KEYS.iter().copied().chain(declared).map(str::to_owned)
}

struct KeywardHelper {
    /// Key ids, aliases, principal names and `$names`, refreshed before each line.
    words: Vec<String>,
    files: FilenameCompleter,
    colour: bool,
}

/// What the word under the cursor can be, from the words before it.
#[derive(Debug, PartialEq, Eq)]
enum Slot {
    Command,
    Subcommand(&'static [&'static str]),
    File,
    /// An action or condition key (`kms:…`, `aws:…`).
    Action,
    /// An operation of the JSON API, for `call`.
    Operation,
    /// A key id, alias, principal name or `$name`.
    Name,
}

fn slot(before: &[&str], word: &str) -> Slot {
    // The command's own words, after any `let NAME =`.
    let words = match before {
        ["let", _, "=", rest @ ..] => rest,
        _ => before,
    };
    let previous = words.last().copied().unwrap_or("");
    if words.is_empty() {
        return Slot::Command;
    }
    if let [command] = words {
        if let Some((_, subs)) = SUBCOMMANDS.iter().find(|(c, _)| c == command) {
            return Slot::Subcommand(subs);
        }
    }
    let path_like = word.starts_with('.') || word.starts_with('/') || word.starts_with('~');
    match (words, previous) {
        (_, "lint" | "accounts") | (["key", "create", ..], "policy") | (["policy", "put", _], _) => Slot::File,
        (_, "simulate") => Slot::Action,
        (_, "call") => Slot::Operation,
        _ if word.starts_with("kms:") || word.starts_with("aws:") => Slot::Action,
        _ if path_like => Slot::File,
        _ => Slot::Name,
    }
}

impl KeywardHelper {
    fn candidates(&self, slot: Slot, word: &str) -> Vec<String> {
        let mut all: Vec<String> = match slot {
            Slot::Command => command_names().chain(["let"]).map(str::to_owned).collect(),
            Slot::Subcommand(subs) => subs.iter().map(|s| (*s).to_owned()).collect(),
            Slot::Action => crate::kms::wire::OPERATIONS
                .iter()
                .chain(&["ReEncryptFrom", "ReEncryptTo"])
                .map(|op| format!("kms:{op}"))
                .chain(condition_keys())
                .collect(),
            Slot::Operation => crate::kms::wire::OPERATIONS.iter().map(|op| (*op).to_owned()).collect(),
            Slot::Name => self.words.clone(),
            Slot::File => Vec::new(),
        };
        all.retain(|c| c.starts_with(word));
        all.sort();
        all.dedup();
        all
    }
}

impl Completer for KeywardHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let head = &line[..pos];
        let start = head.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let word = &head[start..];
        let before: Vec<&str> = head[..start].split_whitespace().collect();
        let slot = slot(&before, word);
        if slot == Slot::File {
            return self.files.complete(line, pos, ctx);
        }
        let pairs = self
            .candidates(slot, word)
            .into_iter()
            .map(|c| Pair {
                display: c.clone(),
                replacement: c,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for KeywardHelper {
    type Hint = String;

    /// The rest of a command word being typed, then the command's usage.
    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<String> {
        if pos < line.len() || line.is_empty() {
            return None;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [one] if !line.ends_with(' ') => command_names()
                .find(|c| c.starts_with(one) && c != one)
                .map(|c| c[one.len()..].to_owned()),
            [one] => TOPICS.iter().find(|t| t.name == *one).map(|t| {
                t.usage
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches(t.name)
                    .trim_start()
                    .to_owned()
            }),
            _ => None,
        }
    }
}

impl Highlighter for KeywardHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if !self.colour {
            return Cow::Borrowed(line);
        }
        let start = line.len() - line.trim_start().len();
        let end = line[start..]
            .find(char::is_whitespace)
            .map_or(line.len(), |i| start + i);
        let word = &line[start..end];
        if word.is_empty() {
            return Cow::Borrowed(line);
        }
        // Green when known, red when no command starts so; a word still
        // being typed is left alone.
        let colour = if command_names().any(|c| c == word) || word == "let" {
            "1;32"
        } else if command_names().chain(["let"]).any(|c| c.starts_with(word)) {
            return Cow::Borrowed(line);
        } else {
            "31"
        };
        Cow::Owned(format!("{}\x1b[{colour}m{word}\x1b[0m{}", &line[..start], &line[end..]))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.colour {
            Cow::Owned(format!("\x1b[90m{hint}\x1b[0m"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.colour
    }
}

impl Validator for KeywardHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if super::command::is_incomplete(ctx.input()) {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Valid(None)
        })
    }
}

impl Helper for KeywardHelper {}

/// Reads statements from the terminal until `exit` or Ctrl-D.
/// Statements piped in (not a terminal) are read by `super::piped`.
pub fn interact(session: &mut Session, options: &EditorOptions) -> Result<(), ReplError> {
    let banner = || {
        println!(
            "keyward {}: `help` lists the commands, Ctrl-D leaves",
            env!("CARGO_PKG_VERSION")
        );
    };
    if !std::io::stdin().is_terminal() {
        banner();
        return super::piped::piped(session, std::io::stdin().lock(), options.colour);
    }
    let failed = |e: ReadlineError| ReplError::Failed(format!("the terminal: {e}"));
    let mut editor: Editor<KeywardHelper, DefaultHistory> = Editor::new().map_err(failed)?;
    editor.set_helper(Some(KeywardHelper {
        words: session.completions(),
        files: FilenameCompleter::new(),
        colour: options.colour,
    }));
    if let Some(path) = &options.history {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        // A missing history file is a first run; either way it is the
        // owner's alone.
        let _ = editor.load_history(path);
        owner_only(path);
    }
    banner();
    loop {
        if let Some(helper) = editor.helper_mut() {
            helper.words = session.completions();
        }
        let prompt = format!("{}> ", session.prompt_name());
        let line = match editor.readline(&prompt) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(failed(e)),
        };
        if line.trim().is_empty() {
            continue;
        }
        if !holds_plaintext(&line) {
            let _ = editor.add_history_entry(line.as_str());
            if let Some(path) = &options.history {
                let _ = editor.append_history(path);
            }
        }
        let mut out = std::io::stdout().lock();
        match session.run_line(&line, &mut out) {
            Ok(Step::Exit) => break,
            Ok(_) => {}
            Err(error) => eprint!("{}", render_error(&error, options.colour)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slot_under_the_cursor_follows_the_words_before_it() {
        assert_eq!(slot(&[], "enc"), Slot::Command);
        assert_eq!(slot(&["let", "k", "="], "key"), Slot::Command);
        assert!(matches!(slot(&["key"], "cr"), Slot::Subcommand(subs) if subs.contains(&"create")));
        assert_eq!(slot(&["let", "k", "=", "key", "create", "policy"], "pol"), Slot::File);
        assert_eq!(slot(&["policy", "put", "alias/app"], "p"), Slot::File);
        assert_eq!(slot(&["lint"], ""), Slot::File);
        assert_eq!(slot(&["simulate"], "kms:De"), Slot::Action);
        assert_eq!(slot(&["simulate", "kms:Decrypt", "on"], "alias/"), Slot::Name);
        assert_eq!(slot(&["call"], "Desc"), Slot::Operation);
        assert_eq!(slot(&["encrypt"], "alias/a"), Slot::Name);
    }

    #[test]
    fn names_complete_from_the_session_and_actions_from_the_api() {
        let helper = KeywardHelper {
            words: vec!["alias/app".into(), "alias/archive".into(), "analyst".into()],
            files: FilenameCompleter::new(),
            colour: false,
        };
        assert_eq!(helper.candidates(Slot::Name, "alias/ar"), ["alias/archive"]);
        assert_eq!(
            helper.candidates(Slot::Action, "kms:ReEn"),
            // Actions, and ReEncrypt's condition key.
            [
                "kms:ReEncrypt",
                "kms:ReEncryptFrom",
                "kms:ReEncryptOnSameKey",
                "kms:ReEncryptTo"
            ]
        );
        assert!(helper
            .candidates(Slot::Action, "kms:Encrypt")
            .contains(&"kms:EncryptionContext:".to_owned()));
    }

    #[test]
    fn condition_keys_of_every_operation_complete_and_templates_as_their_prefix() {
        let helper = KeywardHelper {
            words: Vec::new(),
            files: FilenameCompleter::new(),
            colour: false,
        };
        assert_eq!(
            helper.candidates(Slot::Action, "kms:EncapsulationA"),
            ["kms:EncapsulationAlgorithm"]
        );
        assert_eq!(helper.candidates(Slot::Action, "kms:ReplicaR"), ["kms:ReplicaRegion"]);
        assert_eq!(helper.candidates(Slot::Action, "kms:Signi"), ["kms:SigningAlgorithm"]);
        assert_eq!(helper.candidates(Slot::Action, "aws:RequestT"), ["aws:RequestTag/"]);
    }
}

/// Whether a line carries a plaintext: an `encrypt` or `seal` of a quoted
/// literal, or a `call` with a `Plaintext` member. Such lines are kept out
/// of the history, in memory and on disk.
fn holds_plaintext(line: &str) -> bool {
    let mut rest = line.trim_start();
    if let Some(after_let) = rest.strip_prefix("let ") {
        rest = after_let.split_once('=').map_or(after_let, |(_, r)| r).trim_start();
    }
    let word = rest.split_whitespace().next().unwrap_or("");
    match word {
        "encrypt" | "seal" => rest.contains('"'),
        "call" => rest.to_ascii_lowercase().contains("plaintext"),
        _ => false,
    }
}

/// Creates the history file if need be, readable and writable by its owner only.
fn owner_only(path: &std::path::Path) {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let _ = options.open(path);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}

#[cfg(test)]
mod history_tests {
    use super::holds_plaintext;

    #[test]
    fn lines_with_a_plaintext_stay_out_of_the_history() {
        for line in [
            r#"encrypt alias/app "db-password""#,
            r#"let ct = encrypt alias/app "secret" context a=b"#,
            r#"seal alias/app "x""#,
            r#"call Encrypt {"KeyId": "k", "Plaintext": "c2VjcmV0"}"#,
        ] {
            assert!(holds_plaintext(line), "{line}");
        }
        for line in [
            "encrypt alias/app $data",
            "decrypt $ct",
            "key list",
            r#"call ListKeys {}"#,
        ] {
            assert!(!holds_plaintext(line), "{line}");
        }
    }
}
