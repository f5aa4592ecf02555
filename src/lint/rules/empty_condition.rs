//! `empty-condition`: a `Condition` element, or an operator block in it,
//! with nothing to test.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "empty-condition",
        severity: Severity::Suggestion,
        access_analyzer: Some("EMPTY_OBJECT_CONDITION"),
        summary: "A condition block is empty.",
        rationale: "`\"Condition\": {}` and an operator with no keys (`\"StringEquals\": {}`) test nothing, so \
the statement applies as if they were not there. Often a condition was meant and lost in an edit; add \
it, or remove the empty block.",
        bad: r#""Condition": {"StringEquals": {}}"#,
        good: r#""Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        let Some(condition) = &statement.condition else {
            continue;
        };
        if condition.blocks.is_empty() {
            out.push(
                RULE.info
                    .finding(
                        condition.span,
                        "this condition block is empty and does not affect the policy",
                    )
                    .label("no conditions")
                    .help("add the condition that was meant, or remove `Condition`"),
            );
        }
        for block in condition.blocks.iter().filter(|b| b.entries.is_empty()) {
            out.push(
                RULE.info
                    .finding(
                        block.operator.span,
                        format!("`{}` has no condition keys", block.operator.node),
                    )
                    .label("tests nothing")
                    .help("add the keys to compare, or remove the operator"),
            );
        }
    }
}
