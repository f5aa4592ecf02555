//! Facts about KMS actions the authorizer needs: which are authorized by IAM
//! policies alone, which carry an encryption context, and which grant
//! operation each corresponds to.

use crate::policy::GrantOperation;

/// Actions with no key resource: identity policies alone decide (§5.6).
const IAM_ONLY: &[&str] = &[
    "CreateKey",
    "ListKeys",
    "ListAliases",
    "GenerateRandom",
    "ListRetirableGrants",
    "CreateCustomKeyStore",
    "DeleteCustomKeyStore",
    "DescribeCustomKeyStores",
    "ConnectCustomKeyStore",
    "DisconnectCustomKeyStore",
    "UpdateCustomKeyStore",
];

/// Operations whose request has an encryption context (§6.4).
const WITH_CONTEXT: &[&str] = &[
    "Encrypt",
    "Decrypt",
    "ReEncryptFrom",
    "ReEncryptTo",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
];

/// Actions that see `kms:RequestAlias`, the alias a request named its key
/// by: the cryptographic operations, `DescribeKey` and `GetPublicKey`
/// (Service Authorization Reference; AWS KMS developer guide, "Use aliases
/// to control access to KMS keys").
const WITH_REQUEST_ALIAS: &[&str] = &[
    "Decapsulate",
    "Decrypt",
    "DeriveSharedSecret",
    "DescribeKey",
    "Encapsulate",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateMac",
    "GetPublicKey",
    "ReEncryptFrom",
    "ReEncryptTo",
    "Sign",
    "Verify",
    "VerifyMac",
];

/// The operation name of `kms:Name` (case-insensitive prefix), or `None`
/// for another service's action.
pub fn operation(action: &str) -> Option<&str> {
    let (service, name) = action.split_once(':')?;
    service.eq_ignore_ascii_case("kms").then_some(name)
}

fn listed(list: &[&str], action: &str) -> bool {
    operation(action).is_some_and(|op| list.iter().any(|a| a.eq_ignore_ascii_case(op)))
}

pub fn is_iam_only(action: &str) -> bool {
    listed(IAM_ONLY, action)
}

pub fn has_encryption_context(action: &str) -> bool {
    listed(WITH_CONTEXT, action)
}

pub fn has_request_alias(action: &str) -> bool {
    listed(WITH_REQUEST_ALIAS, action)
}

/// The grant operation that permits this action, if grants can.
pub fn grant_operation(action: &str) -> Option<GrantOperation> {
    let op = operation(action)?;
    GrantOperation::ALL
        .iter()
        .copied()
        .find(|g| g.as_str().eq_ignore_ascii_case(op))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_alias_actions_are_those_the_catalogue_lists() {
        let kms = crate::catalog::get().service("kms").unwrap();
        for action in kms.matching("*") {
            assert_eq!(
                kms.supports(action, "kms:RequestAlias"),
                has_request_alias(&format!("kms:{}", action.name)),
                "{}",
                action.name
            );
        }
    }

    #[test]
    fn classifies_actions() {
        assert!(is_iam_only("kms:CreateKey") && is_iam_only("KMS:listaliases"));
        assert!(!is_iam_only("kms:Decrypt"));
        assert!(has_encryption_context("kms:ReEncryptTo") && !has_encryption_context("kms:DescribeKey"));
        assert_eq!(grant_operation("kms:decrypt"), Some(GrantOperation::Decrypt));
        assert_eq!(grant_operation("kms:PutKeyPolicy"), None);
        assert_eq!(grant_operation("s3:GetObject"), None);
    }
}
