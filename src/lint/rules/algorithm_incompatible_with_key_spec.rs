//! `algorithm-incompatible-with-key-spec`: a statement that requires a key
//! spec (`kms:KeySpec`) and an algorithm (`kms:SigningAlgorithm`,
//! `kms:EncryptionAlgorithm`, `kms:MacAlgorithm`, `kms:KeyAgreementAlgorithm`)
//! that no key of those specs supports, so the condition never holds.

use super::{Check, Rule, RuleInfo};
use crate::crypto::keys::KeySpec;
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::{BaseOperator, Statement};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "algorithm-incompatible-with-key-spec",
        severity: Severity::Warning,
        access_analyzer: None,
        summary: "A statement requires an algorithm that no key of its required key spec supports.",
        rationale: "Each KMS key spec supports a fixed set of algorithms (AWS KMS *Key spec reference*): an \
`ECC_NIST_P256` key signs with `ECDSA_SHA_256` only, an `HMAC_224` key MACs with `HMAC_SHA_224` only. A \
statement whose conditions require `kms:KeySpec` to be such a spec and `kms:SigningAlgorithm` (or \
`kms:EncryptionAlgorithm`, `kms:MacAlgorithm`, `kms:KeyAgreementAlgorithm`) to be an algorithm of another \
spec matches no request: KMS refuses the call before it could, so an Allow allows nothing and a Deny \
guards nothing. With `keyward lint --key-spec SPEC`, a key policy is read as the policy of a key of that \
spec, so every algorithm condition is checked against it.",
        bad: r#""Action": "kms:Sign",
"Condition": {"StringEquals": {"kms:KeySpec": "ECC_NIST_P256", "kms:SigningAlgorithm": "RSASSA_PSS_SHA_256"}}"#,
        good: r#""Action": "kms:Sign",
"Condition": {"StringEquals": {"kms:KeySpec": "ECC_NIST_P256", "kms:SigningAlgorithm": "ECDSA_SHA_256"}}"#,
    },
    check: Check::Policy(check),
};

/// The algorithm condition keys, and the algorithms a spec supports for each.
const ALGORITHM_KEYS: &[&str] = &[
    "kms:SigningAlgorithm",
    "kms:EncryptionAlgorithm",
    "kms:MacAlgorithm",
    "kms:KeyAgreementAlgorithm",
    "kms:EncapsulationAlgorithm",
];

fn algorithms(spec: KeySpec, key: &str) -> Vec<&'static str> {
    let facts = spec.facts();
    match key {
        "kms:SigningAlgorithm" => facts.signing.iter().map(|a| a.as_str()).collect(),
        "kms:EncryptionAlgorithm" => facts.encryption.iter().map(|a| a.as_str()).collect(),
        "kms:MacAlgorithm" => facts.mac.iter().map(|a| a.as_str()).collect(),
        "kms:EncapsulationAlgorithm" => facts.encapsulation.iter().map(|a| a.as_str()).collect(),
        _ => facts.key_agreement.iter().map(|a| a.as_str()).collect(),
    }
}

/// `*` and `?` as `StringLike` reads them.
fn like(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some((b'*', rest)) => (0..=t.len()).any(|i| go(rest, &t[i..])),
            Some((b'?', rest)) => !t.is_empty() && go(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && go(rest, &t[1..]),
        }
    }
    go(pattern.as_bytes(), text.as_bytes())
}

/// The specs a statement requires the key to have: the values of its
/// `StringEquals` or `StringLike` conditions on `kms:KeySpec` (or the
/// deprecated `kms:CustomerMasterKeySpec`); `None` when it requires none.
fn required_specs(statement: &Statement) -> Option<Vec<KeySpec>> {
    let mut required: Option<Vec<KeySpec>> = None;
    for (operator, entry) in PolicyCx::conditions(statement) {
        let key = entry.key.to_ascii_lowercase();
        let positive = matches!(operator.base, BaseOperator::StringEquals | BaseOperator::StringLike);
        if !positive || operator.qualifier.is_some() || !(key == "kms:keyspec" || key == "kms:customermasterkeyspec") {
            continue;
        }
        let specs: Vec<KeySpec> = KeySpec::ALL
            .iter()
            .copied()
            .filter(|spec| entry.values.iter().any(|v| like(v.as_text(), spec.as_str())))
            .collect();
        // Two conditions on the spec must both hold.
        required = Some(match required {
            Some(earlier) => earlier.into_iter().filter(|s| specs.contains(s)).collect(),
            None => specs,
        });
    }
    required
}

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    // A key policy linted with `--key-spec` is about that key only.
    let key_spec = cx
        .key
        .and_then(|key| KeySpec::ALL.iter().copied().find(|s| s.as_str() == key.spec));
    for statement in cx.statements() {
        let (specs, from_flag) = match (required_specs(statement), key_spec) {
            (Some(specs), _) => (specs, false),
            (None, Some(spec)) => (vec![spec], true),
            (None, None) => continue,
        };
        if specs.is_empty() {
            continue;
        }
        for (operator, entry) in PolicyCx::conditions(statement) {
            let Some(key) = ALGORITHM_KEYS.iter().find(|k| k.eq_ignore_ascii_case(&entry.key)) else {
                continue;
            };
            if operator.base != BaseOperator::StringEquals || operator.qualifier.is_some() {
                continue;
            }
            let supported: Vec<&str> = specs.iter().flat_map(|s| algorithms(*s, key)).collect();
            for value in entry.values.iter() {
                let algorithm = value.as_text();
                if supported.contains(&algorithm) || algorithm.contains(['*', '?', '$']) {
                    continue;
                }
                let names: Vec<&str> = specs.iter().map(|s| s.as_str()).collect();
                let help = if supported.is_empty() {
                    format!("keys of spec `{}` have no `{key}`", names.join("`, `"))
                } else {
                    format!("use one of `{}`", supported.join("`, `"))
                };
                let whose = if from_flag {
                    format!("the key's spec `{}` (`--key-spec`)", names.join("`, `"))
                } else {
                    format!("key spec `{}`", names.join("`, `"))
                };
                out.push(
                    RULE.info
                        .finding(value.span, format!("`{algorithm}` is not an algorithm of {whose}"))
                        .label("never matches")
                        .help(help),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_reads_star_and_question_mark() {
        assert!(super::like("ECC_NIST_*", "ECC_NIST_P256"));
        assert!(super::like("RSA_?048", "RSA_2048"));
        assert!(!super::like("RSA_*", "ECC_NIST_P256"));
    }
}
