//! `duplicate-condition-key-case`: one condition block names a key twice,
//! spelt with different capitals.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "duplicate-condition-key-case",
        severity: Severity::Error,
        access_analyzer: Some("DUPLICATE_KEYS_WITH_DIFFERENT_CASE"),
        summary: "A condition block has the same key twice with different capitalization.",
        rationale: "Condition key names are case-insensitive, so `kms:ViaService` and `kms:viaservice` in one \
block are the same key given twice; IAM keeps only one of them, and which values apply is not what the \
text says. Merge the values under one key.",
        bad: r#""StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com",
                 "kms:viaservice": "ec2.us-east-1.amazonaws.com"}"#,
        good: r#""StringEquals": {"kms:ViaService": ["s3.us-east-1.amazonaws.com", "ec2.us-east-1.amazonaws.com"]}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        let Some(condition) = &statement.condition else {
            continue;
        };
        for block in &condition.blocks {
            for (i, entry) in block.entries.iter().enumerate() {
                let first = block.entries[..i]
                    .iter()
                    .find(|e| e.key.eq_ignore_ascii_case(&entry.key) && e.key.node != entry.key.node);
                if let Some(first) = first {
                    out.push(
                        RULE.info
                            .finding(
                                entry.key.span,
                                format!("`{}` and `{}` are the same key", first.key.node, entry.key.node),
                            )
                            .label("same key, other capitals")
                            .also(first.key.span, "first here")
                            .help("condition key names ignore case; put all the values under one key"),
                    );
                }
            }
        }
    }
}
