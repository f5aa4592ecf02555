//! `unknown-condition-key`: a condition key that does not exist, most often
//! a misspelling of one that does.

use super::names::{self, Standing};
use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "unknown-condition-key",
        severity: Severity::Error,
        access_analyzer: Some("INVALID_SERVICE_CONDITION_KEY"),
        summary: "A condition names a condition key that does not exist.",
        rationale: "A key missing from the request context makes most operators false (and negated ones true), \
so a misspelt key silently changes who is allowed. Global `aws:` keys are checked too \
(Access Analyzer's INVALID_GLOBAL_CONDITION_KEY).",
        bad: r#""Condition": {"StringEquals": {"kms:CallerAcount": "111122223333"}}"#,
        good: r#""Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        for (_, entry) in PolicyCx::conditions(statement) {
            // `missing-tag-key` reports `aws:ResourceTag` without its tag key.
            if super::missing_tag_key::tag_template(&entry.key).is_some() {
                continue;
            }
            if let Standing::Unknown { message, help } = names::condition_key(&entry.key) {
                let code = if message.starts_with("unknown service") {
                    "INVALID_SERVICE"
                } else if entry.key.to_ascii_lowercase().starts_with("aws:") {
                    "INVALID_GLOBAL_CONDITION_KEY"
                } else {
                    "INVALID_SERVICE_CONDITION_KEY"
                };
                out.push(
                    RULE.info
                        .finding(entry.key.span, message)
                        .label("not a condition key")
                        .help(names::per_catalogue(help))
                        .issue_code(code),
                );
            }
        }
    }
}
