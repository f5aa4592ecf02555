//! `statement-never-matches`: a statement that no request can match.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::{BaseOperator, Statement};
use crate::source::Span;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "statement-never-matches",
        severity: Severity::Warning,
        access_analyzer: None,
        summary: "The statement can never apply to a request.",
        rationale: "`NotAction: \"*\"` excludes every action and `NotResource: \"*\"` every resource; a condition \
that requires a key to be absent (`Null: true`) and also compares its value can never hold. Such a \
statement is dead text that readers will take for a permission or a protection.",
        bad: r#""Condition": {"Null": {"kms:ViaService": "true"},
              "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}"#,
        good: r#""Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        let action = &statement.action;
        if action.negated {
            if let Some(star) = action.value.iter().find(|a| a.as_str() == "*") {
                out.push(dead(star.span, "`NotAction: \"*\"` excludes every action"));
            }
        }
        if let Some(resource) = statement.resource.as_ref().filter(|r| r.negated) {
            if let Some(star) = resource.value.iter().find(|r| r.as_str() == "*") {
                out.push(dead(star.span, "`NotResource: \"*\"` excludes every resource"));
            }
        }
        contradictions(statement, out);
    }
}

fn dead(span: Span, message: &str) -> crate::lint::Finding {
    RULE.info
        .finding(span, message)
        .label("matches nothing")
        .help("remove the statement, or name what it should exclude")
}

/// `Null: {"k": "true"}` next to an operator that needs `k` present.
fn contradictions(statement: &Statement, out: &mut Findings) {
    let entries: Vec<_> = PolicyCx::conditions(statement).collect();
    for (operator, entry) in &entries {
        let absent = operator.base == BaseOperator::Null && entry.values.iter().all(|v| v.as_text() == "true");
        if !absent {
            continue;
        }
        let needs_value = entries.iter().find(|(other, e)| {
            e.key.eq_ignore_ascii_case(&entry.key)
                && other.base != BaseOperator::Null
                && !other.base.is_negated()
                && !other.if_exists
                && other.qualifier.is_none()
        });
        if let Some((other, e)) = needs_value {
            out.push(
                RULE.info
                    .finding(
                        entry.key.span,
                        format!("`{}` must be absent and also `{}`", entry.key.node, other.node),
                    )
                    .label("requires the key to be absent")
                    .also(e.key.span, "requires the key to be present")
                    .help("keep one of the two conditions"),
            );
        }
    }
}
