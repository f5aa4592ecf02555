//! `condition-value-json-types`: one condition key given values of
//! different JSON types (`[3600, "7200"]`, `["a", true]`).

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::{BaseOperator, Scalar};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "condition-value-json-types",
        severity: Severity::Error,
        access_analyzer: Some("INVALID_CONDITION_DATA_TYPE"),
        summary: "A condition key's values are of different JSON types.",
        rationale: "The values of one condition key are compared as the operator's type, and Access \
Analyzer refuses a list that mixes JSON strings, numbers and booleans (INVALID_CONDITION_DATA_TYPE: \
\"The condition value data types do not match. Use condition values of the same JSON data type\", IAM User \
Guide, \"IAM policy validation check reference\"). Write every value the same way, quoted or not. A value \
that is not of the operator's type at all (`\"ten\"` for `NumericLessThan`) is reported by the TYPE_MISMATCH_* \
family, and several values for `Bool` by INVALID_CONDITION_MULTIPLE_BOOLEAN.",
        bad: r#""Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": [3600, "7200"]}}"#,
        good: r#""Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": [3600, 7200]}}"#,
    },
    check: Check::Policy(check),
};

fn json_type(value: &Scalar) -> &'static str {
    match value {
        Scalar::String(_) => "a string",
        Scalar::Number(_) => "a number",
        Scalar::Bool(_) => "a boolean",
    }
}

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        for (operator, entry) in PolicyCx::conditions(statement) {
            if operator.base == BaseOperator::Bool {
                continue;
            }
            let mut values = entry.values.iter();
            let Some(first) = values.next() else { continue };
            let Some(other) = values.find(|v| json_type(&v.node) != json_type(&first.node)) else {
                continue;
            };
            out.push(
                RULE.info
                    .finding(
                        other.span,
                        format!(
                            "`{}` has values of different JSON types: {} and {}",
                            entry.key.node,
                            json_type(&first.node),
                            json_type(&other.node)
                        ),
                    )
                    .label(json_type(&other.node))
                    .also(first.span, json_type(&first.node))
                    .help("write every value of the key as the same JSON type"),
            );
        }
    }
}
