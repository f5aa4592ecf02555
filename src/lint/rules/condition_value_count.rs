//! `condition-value-count`: several values where only one makes sense:
//! `Bool` with both `true` and `false`, or a numeric or date comparison
//! (`NumericLessThan`, `DateGreaterThan`, …) with a list.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::BaseOperator;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "condition-value-count",
        severity: Severity::Error,
        access_analyzer: Some("INVALID_CONDITION_MULTIPLE_BOOLEAN"),
        summary: "A `Bool` condition lists several values, or an ordering comparison lists several bounds.",
        rationale: "Values of one key are OR-ed: `\"Bool\": {\"aws:SecureTransport\": [\"true\", \"false\"]}` is \
always true, so the condition does nothing (Access Analyzer: INVALID_CONDITION_MULTIPLE_BOOLEAN, an error). \
For `NumericLessThan` and the other ordering operators only the loosest bound counts, so the others are \
redundant (REDUNDANT_CONDITION_VALUE_NUM, a suggestion).",
        bad: r#""Condition": {"Bool": {"aws:SecureTransport": ["true", "false"]}}"#,
        good: r#""Condition": {"Bool": {"aws:SecureTransport": "true"}}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    use BaseOperator::*;
    for statement in cx.statements() {
        for (operator, entry) in PolicyCx::conditions(statement) {
            if entry.values.len() < 2 {
                continue;
            }
            let finding = match operator.base {
                Bool => RULE
                    .info
                    .finding(
                        entry.key.span,
                        format!("`{}` is given several Boolean values", entry.key.node),
                    )
                    .label("true or false: always matches")
                    .help("keep one value"),
                NumericLessThan
                | NumericLessThanEquals
                | NumericGreaterThan
                | NumericGreaterThanEquals
                | DateLessThan
                | DateLessThanEquals
                | DateGreaterThan
                | DateGreaterThanEquals => RULE
                    .info
                    .finding(
                        entry.key.span,
                        format!("`{operator}` with several values: only the loosest counts"),
                    )
                    .severity(Severity::Suggestion)
                    .label("redundant bounds")
                    .help("keep one value")
                    .issue_code("REDUNDANT_CONDITION_VALUE_NUM"),
                _ => continue,
            };
            out.push(finding.also(operator.span, "operator"));
        }
    }
}
