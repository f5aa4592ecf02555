//! `unknown-kms-value`: a value of a KMS condition key whose values are the
//! members of an enum of the KMS API (`kms:SigningAlgorithm` takes
//! `SigningAlgorithmSpec`, `kms:KeySpec` takes `KeySpec`, …) that is none of
//! them, such as `RSA_PSS_256` for `RSASSA_PSS_SHA_256`.

use super::{Check, Rule, RuleInfo};
use crate::eval::glob::{matches_wild, Case};
use crate::kms::op::model::Model;
use crate::lint::context::{Findings, PolicyCx};
use crate::lint::finding::Severity;
use crate::policy::{suggest, BaseOperator};

pub static RULE: Rule = Rule {
    info: RuleInfo {
        name: "unknown-kms-value",
        severity: Severity::Warning,
        access_analyzer: None,
        summary: "A KMS condition value is not one the KMS API can send.",
        rationale: "KMS sets `kms:SigningAlgorithm`, `kms:EncryptionAlgorithm`, `kms:MacAlgorithm`, \
`kms:KeyAgreementAlgorithm`, `kms:EncapsulationAlgorithm`, `kms:KeySpec`, `kms:KeyUsage`, `kms:KeyOrigin`, \
`kms:DataKeyPairSpec`, `kms:WrappingAlgorithm`, `kms:WrappingKeySpec`, `kms:ExpirationModel`, \
`kms:MessageType` and `kms:GrantOperations` from request members or key properties whose values are \
fixed by the KMS API (AWS KMS Developer Guide, *Condition keys for AWS KMS*; the enums of the API \
reference). A value outside that list, or in another case under a case-sensitive operator, never \
matches: an Allow allows nothing and a Deny guards nothing. Access Analyzer does not check these values.",
        bad: r#""Action": "kms:Sign",
"Condition": {"StringEquals": {"kms:SigningAlgorithm": "RSA_PSS_256"}}"#,
        good: r#""Action": "kms:Sign",
"Condition": {"StringEquals": {"kms:SigningAlgorithm": "RSASSA_PSS_SHA_256"}}"#,
    },
    check: Check::Policy(check),
};

/// Each condition key and the API shape whose enum lists its values.
const KEYS: &[(&str, &str)] = &[
    ("kms:SigningAlgorithm", "SigningAlgorithmSpec"),
    ("kms:EncryptionAlgorithm", "EncryptionAlgorithmSpec"),
    ("kms:MacAlgorithm", "MacAlgorithmSpec"),
    ("kms:KeyAgreementAlgorithm", "KeyAgreementAlgorithmSpec"),
    ("kms:EncapsulationAlgorithm", "EncapsulationAlgorithmSpec"),
    ("kms:KeySpec", "KeySpec"),
    ("kms:CustomerMasterKeySpec", "CustomerMasterKeySpec"),
    ("kms:KeyUsage", "KeyUsageType"),
    ("kms:CustomerMasterKeyUsage", "KeyUsageType"),
    ("kms:KeyOrigin", "OriginType"),
    ("kms:DataKeyPairSpec", "DataKeyPairSpec"),
    ("kms:WrappingAlgorithm", "AlgorithmSpec"),
    ("kms:WrappingKeySpec", "WrappingKeySpec"),
    ("kms:ExpirationModel", "ExpirationModelType"),
    ("kms:MessageType", "MessageType"),
    ("kms:GrantOperations", "GrantOperation"),
];

/// The values the API can send for `key`, when it is one of [`KEYS`].
pub fn values(key: &str) -> Option<(&'static str, &'static [String])> {
    let (name, shape) = KEYS.iter().find(|(k, _)| k.eq_ignore_ascii_case(key))?;
    let values = Model::get().shape(shape)?.values.as_deref()?;
    Some((name, values))
}

fn check(cx: &PolicyCx<'_>, out: &mut Findings) {
    use BaseOperator::*;
    for statement in cx.statements() {
        for (operator, entry) in PolicyCx::conditions(statement) {
            let case = match operator.base {
                StringEquals | StringNotEquals | StringLike | StringNotLike => Case::Sensitive,
                StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => Case::Insensitive,
                _ => continue,
            };
            let like = matches!(operator.base, StringLike | StringNotLike);
            let Some((key, allowed)) = values(&entry.key) else {
                continue;
            };
            for value in entry.values.iter() {
                let text = value.as_text();
                if text.contains("${") {
                    continue;
                }
                let known = allowed.iter().any(|a| match (like, case) {
                    (true, _) => matches_wild(text, a, Case::Sensitive),
                    (false, Case::Sensitive) => a == text,
                    (false, Case::Insensitive) => a.eq_ignore_ascii_case(text),
                });
                if known {
                    continue;
                }
                let names = allowed.iter().map(String::as_str);
                let help = match suggest::closest(text, names) {
                    Some(close) if close.eq_ignore_ascii_case(text) => {
                        format!("write `{close}`: `{}` compares case-sensitively", operator.node)
                    }
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!(
                        "`{key}` is one of {}",
                        allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
                    ),
                };
                let what = if like { "matches no value" } else { "is not a value" };
                out.push(
                    RULE.info
                        .finding(value.span, format!("`{text}` {what} KMS sends for `{key}`"))
                        .label("never matches")
                        .help(help),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_its_values_in_the_api_model() {
        for (key, shape) in KEYS {
            let (_, values) = values(key).unwrap_or_else(|| panic!("{key}: no enum `{shape}` in the model"));
            assert!(!values.is_empty(), "{key}");
        }
        let (_, signing) = values("kms:signingalgorithm").expect("signing");
        assert!(signing.iter().any(|v| v == "RSASSA_PSS_SHA_256"));
        assert!(signing.iter().any(|v| v == "ML_DSA_SHAKE_256"));
    }
}
