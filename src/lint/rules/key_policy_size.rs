//! `key-policy-size`: a key policy larger than the 32 KB KMS accepts.

use super::{Check, Rule, RuleInfo};
use crate::kms::runtime::MAX_KEY_POLICY_BYTES;
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "key-policy-size",
        severity: Severity::Error,
        access_analyzer: Some("POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA"),
        summary: "The key policy is larger than the 32 KB KMS accepts.",
        rationale: "KMS refuses a key policy of more than 32,768 bytes, whitespace included: `CreateKey` and \
`PutKeyPolicy` fail with `LimitExceededException`. Access Analyzer reports the resource-policy quota as \
a warning; for a key policy it is an error. Remove redundant statements, list principals once, drop \
indentation, or move per-application access to IAM policies or grants.",
        bad: "a key policy of 33,000 bytes",
        good: "the same policy in 32,768 bytes or fewer",
    },
    check: Check::Policy(check),
};

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    let size = cx.source.text().len();
    if !cx.is_key_policy() || size <= MAX_KEY_POLICY_BYTES {
        return;
    }
    out.push(
        RULE.info
            .finding(
                cx.statement_key(),
                format!("the key policy has {size} bytes; KMS accepts at most {MAX_KEY_POLICY_BYTES}"),
            )
            .label("too large for KMS")
            .help("remove redundant statements and whitespace, or move access to IAM policies or grants"),
    );
}
