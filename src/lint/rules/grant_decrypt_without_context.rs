//! `grant-decrypt-without-context`: a grant that allows `Decrypt` under any
//! encryption context.

use super::{Check, Rule, RuleInfo};
use crate::lint::context::{Findings, GrantsCx};
use crate::lint::finding::Severity;
use crate::policy::GrantOperation;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "grant-decrypt-without-context",
        severity: Severity::Suggestion,
        access_analyzer: None,
        summary: "A grant allows `Decrypt` without an encryption-context constraint.",
        rationale: "A grant is often made for one purpose: one volume, one table, one tenant. \
`EncryptionContextEquals` or `EncryptionContextSubset` limits it to ciphertexts made for that purpose; \
without one, the grantee can decrypt everything the key ever encrypted.",
        bad: r#"{"GranteePrincipal": "arn:aws:iam::111122223333:role/App", "Operations": ["Decrypt"]}"#,
        good: r#"{"GranteePrincipal": "arn:aws:iam::111122223333:role/App", "Operations": ["Decrypt"],
 "Constraints": {"EncryptionContextSubset": {"tenant": "acme"}}}"#,
    },
    check: Check::Grants(check),
};

/// Operations that only asymmetric keys support: with them, the key has no
/// encryption context to constrain.
const ASYMMETRIC_ONLY: &[GrantOperation] = &[
    GrantOperation::Sign,
    GrantOperation::Verify,
    GrantOperation::GetPublicKey,
];

fn check(cx: &GrantsCx<'_>, out: &mut Findings) {
    for grant in &cx.grants.grants {
        let Some(decrypt) = grant.operations.iter().find(|o| o.node == GrantOperation::Decrypt) else {
            continue;
        };
        if grant.operations.iter().any(|o| ASYMMETRIC_ONLY.contains(&o.node)) {
            continue;
        }
        let constrained = grant
            .constraints
            .as_ref()
            .is_some_and(|c| c.encryption_context_equals.is_some() || c.encryption_context_subset.is_some());
        if !constrained {
            out.push(
                RULE.info
                    .finding(decrypt.span, "`Decrypt` is granted for any encryption context")
                    .label("any ciphertext of the key")
                    .help("add `\"Constraints\": {\"EncryptionContextSubset\": {…}}` naming the context this grant is for"),
            );
        }
    }
}
