//! `grant-incompatible-operations`: a grant whose operations no single key
//! spec supports, or with encryption-context constraints on operations that
//! only keys without encryption context (asymmetric, HMAC) have.

use super::{Check, Rule, RuleInfo};
use crate::kms::KeyInfo;
use crate::lint::context::{Findings, GrantsCx};
use crate::lint::finding::Severity;
use crate::policy::{Grant, GrantOperation};
use crate::source::Span;

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "grant-incompatible-operations",
        severity: Severity::Error,
        access_analyzer: None,
        summary: "No KMS key could carry this grant, or the key given with `--key-spec` cannot.",
        rationale: "`CreateGrant` refuses operations the key's spec does not support (`Sign` on a symmetric key, \
`GenerateDataKey` on an RSA key) and encryption-context constraints on keys other than symmetric \
encryption keys. When no key spec supports all of a grant's operations (with its constraints), the grant \
cannot be created on any key. With `--key-spec` (and `--key-usage`), each operation and constraint is \
checked against that key.",
        bad: r#"{"GranteePrincipal": "arn:aws:iam::111122223333:role/App",
 "Operations": ["Sign", "GenerateDataKey"]}"#,
        good: r#"{"GranteePrincipal": "arn:aws:iam::111122223333:role/App",
 "Operations": ["Encrypt", "GenerateDataKey"]}"#,
    },
    check: Check::Grants(check),
};

/// Every valid key spec and usage.
fn keys() -> impl Iterator<Item = KeyInfo> {
    const SPECS: &[&str] = &[
        "SYMMETRIC_DEFAULT",
        "HMAC_256",
        "RSA_2048",
        "ECC_NIST_P256",
        "ECC_SECG_P256K1",
        "ML_DSA_44",
        "ML_KEM_768",
        "SM2",
    ];
    const USAGES: &[Option<&str>] = &[
        None,
        Some("ENCRYPT_DECRYPT"),
        Some("SIGN_VERIFY"),
        Some("GENERATE_VERIFY_MAC"),
        Some("KEY_AGREEMENT"),
        Some("ENCAPSULATE_DECAPSULATE"),
    ];
    SPECS
        .iter()
        .flat_map(|spec| USAGES.iter().filter_map(move |usage| KeyInfo::parse(spec, *usage)))
}

fn operations_span(grant: &Grant) -> Option<Span> {
    let first = grant.operations.first()?;
    let last = grant.operations.last()?;
    Some(Span::new(first.span.start, last.span.end))
}

fn check(cx: &GrantsCx<'_>, out: &mut Findings) {
    if let Some(key) = cx.key {
        return check_for_key(cx, key, out);
    }
    for grant in &cx.grants.grants {
        let operations: Vec<GrantOperation> = grant.operations.iter().map(|o| o.node).collect();
        let Some(span) = operations_span(grant) else {
            continue;
        };
        let supports_all = |key: &KeyInfo| operations.iter().all(|op| key.supports(*op));
        if !keys().any(|k| supports_all(&k)) {
            out.push(
                RULE.info
                    .finding(span, "no key spec supports all of these operations")
                    .label("operations of different kinds of key")
                    .help("split the grant: symmetric keys encrypt and generate data keys, asymmetric keys sign or encrypt, HMAC keys generate MACs"),
            );
            continue;
        }
        let has_context = grant
            .constraints
            .as_ref()
            .is_some_and(|c| c.encryption_context_equals.is_some() || c.encryption_context_subset.is_some());
        if has_context && !keys().any(|k| k.has_encryption_context() && supports_all(&k)) {
            let constraints = grant.constraints.as_ref().map_or(span, |c| c.span);
            out.push(
                RULE.info
                    .finding(
                        constraints,
                        "encryption-context constraints on a grant for a key without encryption context",
                    )
                    .label("only symmetric encryption keys have an encryption context")
                    .also(span, "these operations need an asymmetric or HMAC key")
                    .help("remove the encryption-context constraints, or the operations symmetric keys lack"),
            );
        }
    }
}

/// Every operation and constraint of every grant against one known key.
fn check_for_key(cx: &GrantsCx<'_>, key: KeyInfo, out: &mut Findings) {
    for grant in &cx.grants.grants {
        for operation in grant.operations.iter().filter(|o| !key.supports(o.node)) {
            out.push(
                RULE.info
                    .finding(
                        operation.span,
                        format!("a {} key does not support `{}`", key.spec, operation.node),
                    )
                    .label("CreateGrant refuses this operation for this key")
                    .help(format!(
                        "remove `{}`, or grant it on a key whose spec supports it",
                        operation.node
                    )),
            );
        }
        let context = grant
            .constraints
            .as_ref()
            .filter(|c| c.encryption_context_equals.is_some() || c.encryption_context_subset.is_some());
        if let (Some(constraints), false) = (context, key.has_encryption_context()) {
            out.push(
                RULE.info
                    .finding(
                        constraints.span,
                        format!("a {} key has no encryption context to constrain", key.spec),
                    )
                    .label("CreateGrant refuses these constraints for this key")
                    .help("remove the encryption-context constraints"),
            );
        }
    }
}
