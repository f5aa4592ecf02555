//! `missing-set-qualifier`: a multi-valued condition key compared without
//! `ForAnyValue:` or `ForAllValues:`.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::BaseOperator;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "missing-set-qualifier",
        severity: Severity::Warning,
        access_analyzer: Some("MISSING_QUALIFIER"),
        summary: "A multi-valued condition key is used without a set qualifier.",
        rationale: "Keys such as `kms:EncryptionContextKeys`, `kms:GrantOperations` and `aws:TagKeys` carry a set \
of values. Without `ForAnyValue:` or `ForAllValues:` it is not clear whether every value or one of them must \
match; state it.",
        bad: r#""Condition": {"StringEquals": {"kms:GrantOperations": ["Decrypt"]}}"#,
        good: r#""Condition": {"ForAllValues:StringEquals": {"kms:GrantOperations": ["Decrypt"]}}"#,
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        for (operator, entry) in PolicyCx::conditions(statement) {
            if operator.qualifier.is_some() || operator.base == BaseOperator::Null {
                continue;
            }
            if cx
                .catalogue()
                .key(&entry.key)
                .is_some_and(|(_, info)| info.multi_valued)
            {
                out.push(
                    RULE.info
                        .finding(entry.key.span, format!("`{}` has several values in a request", entry.key.node))
                        .label("multi-valued key")
                        .also(operator.span, "no set qualifier")
                        .help(format!(
                            "write `ForAnyValue:{op}` (some value matches) or `ForAllValues:{op}` (every value matches)",
                            op = operator.node
                        )),
                );
            }
        }
    }
}
