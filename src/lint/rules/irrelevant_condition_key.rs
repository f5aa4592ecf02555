//! `irrelevant-condition-key`: a condition key that has no value when a key
//! policy is evaluated.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "irrelevant-condition-key",
        severity: Severity::Warning,
        access_analyzer: Some("IRRELEVANT_CONDITION_KEY_IN_POLICY"),
        summary: "A key policy uses a condition key that works only in IAM policies.",
        rationale: "`kms:ResourceAliases` is documented for IAM policies only: in a key policy the condition \
does not work as written. Use `kms:RequestAlias` (the alias the caller named) in key policies, or move the \
condition to an IAM policy.",
        bad: r#""Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/finance"}}"#,
        good: r#""Condition": {"StringEquals": {"kms:RequestAlias": "alias/finance"}}"#,
    },
    check: Check::Policy(check),
};

/// Keys KMS documents as usable in IAM policies only (reference/kms.md §5.1).
const IAM_ONLY_KEYS: &[(&str, &str)] = &[(
    "kms:ResourceAliases",
    "use `kms:RequestAlias` in a key policy, or move this condition to an IAM policy",
)];

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    if !cx.is_key_policy() {
        return;
    }
    for statement in cx.statements() {
        for (_, entry) in PolicyCx::conditions(statement) {
            if let Some((key, help)) = IAM_ONLY_KEYS.iter().find(|(k, _)| k.eq_ignore_ascii_case(&entry.key)) {
                out.push(
                    RULE.info
                        .finding(entry.key.span, format!("`{key}` works only in IAM policies"))
                        .label("not in a key policy")
                        .help(*help),
                );
            }
        }
    }
}
