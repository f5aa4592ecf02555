//! `deprecated-condition-key`: a condition key AWS has replaced.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "deprecated-condition-key",
        severity: Severity::Warning,
        access_analyzer: Some("DEPRECATED_GLOBAL_CONDITION_KEY"),
        summary: "A condition uses a deprecated condition key.",
        rationale: "`aws:ARN` is replaced by `aws:PrincipalArn`; `kms:CustomerMasterKeySpec` and \
`kms:CustomerMasterKeyUsage` by `kms:KeySpec` and `kms:KeyUsage`. The old keys still work for now but \
new key types and documentation use only the new ones.",
        bad: r#""Condition": {"StringEquals": {"kms:CustomerMasterKeySpec": "SYMMETRIC_DEFAULT"}}"#,
        good: r#""Condition": {"StringEquals": {"kms:KeySpec": "SYMMETRIC_DEFAULT"}}"#,
    },
    check: Check::Policy(check),
};

const REPLACED: &[(&str, &str)] = &[
    ("aws:ARN", "aws:PrincipalArn"),
    ("kms:CustomerMasterKeySpec", "kms:KeySpec"),
    ("kms:CustomerMasterKeyUsage", "kms:KeyUsage"),
];

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    for statement in cx.statements() {
        for (_, entry) in PolicyCx::conditions(statement) {
            if let Some((old, new)) = REPLACED.iter().find(|(old, _)| old.eq_ignore_ascii_case(&entry.key)) {
                out.push(
                    RULE.info
                        .finding(entry.key.span, format!("`{old}` is deprecated"))
                        .label("deprecated")
                        .help(format!("use `{new}`")),
                );
            }
        }
    }
}
