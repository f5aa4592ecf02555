//! `redundant-resource`: a resource already covered by another resource of
//! the same statement, or listed twice.

use super::redundant_action::redundant;
use super::{Check, Rule, RuleInfo};
use crate::eval::glob::Case;
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "redundant-resource",
        severity: Severity::Suggestion,
        access_analyzer: Some("REDUNDANT_RESOURCE"),
        summary: "A resource is already covered by another resource of the statement.",
        rationale: "`arn:aws:kms:us-east-1:111122223333:key/abc` next to \
`arn:aws:kms:us-east-1:111122223333:key/*` adds nothing.",
        bad: r#""Resource": ["arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:us-east-1:111122223333:key/abc"]"#,
        good: r#""Resource": "arn:aws:kms:*:111122223333:key/*""#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        let Some(resource) = &statement.resource else {
            continue;
        };
        for (value, by) in redundant(&resource.value, Case::Sensitive) {
            out.push(
                RULE.info
                    .finding(
                        value.span,
                        format!("`{}` is already covered by `{}`", value.node, by.node),
                    )
                    .label("redundant")
                    .also(by.span, "covers it")
                    .help(format!("remove `{}`", value.node)),
            );
        }
    }
}
