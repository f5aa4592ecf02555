//! `unknown-action`: an action or service the catalogue does not have and
//! that looks like a typo of one it has.

use super::names::{self, Standing};
use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "unknown-action",
        severity: Severity::Error,
        access_analyzer: Some("INVALID_ACTION"),
        summary: "An action names a service or action that does not exist.",
        rationale: "IAM ignores an action it does not know, so a misspelt action silently grants or denies nothing. \
Actions are checked against the embedded IAM catalogue; a well-formed name that is merely missing from the \
catalogue is reported by `uncatalogued-name` as a warning instead, since it may be newer than the data.",
        bad: r#""Action": "kms:Decrpyt""#,
        good: r#""Action": "kms:Decrypt""#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        for action in statement.action.value.iter() {
            if let Standing::Unknown { message, help } = names::action(action) {
                let code = if message.starts_with("unknown service") {
                    "INVALID_SERVICE_IN_ACTION"
                } else {
                    "INVALID_ACTION"
                };
                out.push(
                    RULE.info
                        .finding(action.span, message)
                        .label("not an action")
                        .help(names::per_catalogue(help))
                        .issue_code(code),
                );
            }
        }
    }
}
