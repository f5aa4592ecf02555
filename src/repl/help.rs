//! `help` and `help COMMAND`: each command's usage and what it does. The
//! editor completes and hints from the same table.

use crate::policy::suggest;

/// A command: its first word, its usage, and a sentence or two.
pub struct Topic {
    pub name: &'static str,
    pub usage: &'static str,
    pub about: &'static str,
}

pub const TOPICS: &[Topic] = &[
    Topic { name: "key", usage: "key create [spec SPEC usage USAGE] [description TEXT] [policy FILE|{JSON}] [bypass-lockout-check]\nkey list | key describe KEY | key enable KEY | key disable KEY\nkey schedule-deletion KEY [days N] | key cancel-deletion KEY\nkey rotate KEY | key enable-rotation KEY [days N] | key disable-rotation KEY | key rotations KEY", about: "Create and manage keys. A policy is a file or JSON written inline, over several lines if need be. `let k = key create …` keeps the key as `$k`." },
    Topic { name: "alias", usage: "alias create alias/NAME KEY | alias update alias/NAME KEY | alias delete alias/NAME | alias list [KEY]", about: "Name keys. Every command that takes a KEY takes a key id, key ARN, alias name, alias ARN or `$name`." },
    Topic { name: "policy", usage: "policy get KEY | policy put KEY FILE|{JSON} [bypass-lockout-check]", about: "Read or replace a key policy." },
    Topic { name: "grant", usage: "grant create KEY to PRINCIPAL ops Decrypt,Encrypt [context-equals k=v …] [context-subset k=v …] [retiring PRINCIPAL] [name NAME]\ngrant list KEY | grant revoke KEY GRANT | grant retire TOKEN", about: "Grants: permission to use a key, for some operations, perhaps under an encryption-context constraint. `let g = grant create …` keeps its id and token." },
    Topic { name: "encrypt", usage: "encrypt KEY PLAINTEXT [context k=v …] [token TOKEN]", about: "Encrypt up to 4096 bytes. `let ct = encrypt …` keeps the ciphertext as `$ct`." },
    Topic { name: "decrypt", usage: "decrypt CIPHERTEXT [key KEY] [context k=v …] [token TOKEN]", about: "Decrypt a ciphertext (a `$name`, or base64) and print the plaintext." },
    Topic { name: "re-encrypt", usage: "re-encrypt CIPHERTEXT [context k=v …] to KEY [context k=v …]", about: "Decrypt and encrypt again under KEY without exposing the plaintext; the second context is the new one." },
    Topic { name: "generate-data-key", usage: "generate-data-key KEY [bytes N | spec AES_128|AES_256] [context k=v …] [without-plaintext]", about: "A data key for envelope encryption, in plaintext (hidden until `show $NAME plaintext`) and encrypted under KEY. `decrypt $NAME` decrypts its encrypted copy." },
    Topic { name: "seal", usage: "seal PLAINTEXT with KEY[,KEY …] [context k=v …]", about: "Envelope encryption: the data sealed under a fresh data key, which is encrypted under each KEY." },
    Topic { name: "open", usage: "open SEALED [context k=v …]", about: "Open what `seal` made, asking KMS to decrypt its data key as the current principal." },
    Topic { name: "call", usage: "call OPERATION [{JSON}]", about: "Any operation of the KMS JSON API with its AWS request shape, e.g. `call DescribeKey {\"KeyId\": \"alias/app\"}`." },
    Topic { name: "accounts", usage: "accounts FILE", about: "Load an accounts file: principals, their short names, identity policies, boundaries, SCPs and RCPs (as `--accounts FILE`)." },
    Topic { name: "as", usage: "as PRINCIPAL [via SERVICE]", about: "Act as a principal: an ARN, or a short name from the accounts file. `via s3` calls through an AWS service, as AWS managed keys require." },
    Topic { name: "whoami", usage: "whoami", about: "The principal you are acting as." },
    Topic { name: "simulate", usage: "simulate ACTION on KEY [as PRINCIPAL] [via SERVICE] [context k=v …]", about: "Decide a request without making it, and show the deciding statements." },
    Topic { name: "explain", usage: "explain", about: "Why the last decision (of a call on a key, or `simulate`) came out as it did: the deciding statements underlined, and every statement's and grant's fate." },
    Topic { name: "clock", usage: "clock show | clock set 2026-01-31[T12:00:00Z] | clock advance 7d|12h|30m|10s", about: "The session's clock. Moving it carries out due deletions and rotations." },
    Topic { name: "audit", usage: "audit [N]", about: "The last N audit records (default 10): time, operation, caller, outcome." },
    Topic { name: "lint", usage: "lint FILE", about: "The linter's findings on a policy or grant document, as `keyward lint FILE` gives them (with the nearest `keyward.toml`); an error or security finding fails the statement." },
    Topic { name: "show", usage: "show $NAME [plaintext]", about: "A kept result. Secrets (plaintexts, data keys) only with `plaintext`." },
    Topic { name: "let", usage: "let NAME = COMMAND", about: "Keep a command's result as `$NAME`." },
    Topic { name: "expect", usage: "expect allow|deny|error", about: "In a script: the statement before must have been allowed, denied (AccessDeniedException, or `simulate` denying) or have failed otherwise." },
    Topic { name: "help", usage: "help [COMMAND]", about: "This help." },
    Topic { name: "exit", usage: "exit | quit", about: "Leave (Ctrl-D does too)." },
];

/// The first words of commands, for completion.
pub fn command_names() -> impl Iterator<Item = &'static str> {
    TOPICS.iter().map(|t| t.name).chain(["quit"])
}

pub fn text(topic: Option<&str>) -> String {
    match topic {
        None => {
            let mut text = String::from("commands (`help COMMAND` for more):\n");
            for t in TOPICS {
                let first = t.usage.lines().next().unwrap_or(t.usage);
                text.push_str(&format!("  {first}\n"));
            }
            text.push_str("A `#` starts a comment. Tab completes; Ctrl-C cancels the line; Ctrl-D leaves.\n");
            text
        }
        Some(name) => match TOPICS.iter().find(|t| t.name == name) {
            Some(t) => format!("{}\n\n{}\n", t.usage, t.about),
            None => {
                let names: Vec<&str> = TOPICS.iter().map(|t| t.name).collect();
                format!("no command `{name}`: {}\n", suggest::help(name, &names, "the commands"))
            }
        },
    }
}
