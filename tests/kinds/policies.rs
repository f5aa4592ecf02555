//! The condition keys of the key-kind operations, set on the request
//! context as AWS sets them (reference §7.2, AWS KMS condition keys):
//! `kms:SigningAlgorithm` and `kms:MessageType` (Sign, Verify),
//! `kms:MacAlgorithm` (GenerateMac, VerifyMac), `kms:KeyAgreementAlgorithm`
//! (DeriveSharedSecret), `kms:DataKeyPairSpec` (GenerateDataKeyPair*),
//! `kms:EncryptionAlgorithm` (Encrypt, Decrypt with an asymmetric key),
//! and `kms:KeySpec`/`kms:KeyUsage` of the key.

use serde_json::json;

use super::*;

const USER: &str = "arn:aws:iam::111122223333:role/app";

/// A key policy: the account may administer the key; `app` may do `action`
/// under `condition`.
fn policy(action: &str, condition: Value) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
             "Action": ["kms:Create*", "kms:Describe*", "kms:Put*", "kms:Get*", "kms:List*"], "Resource": "*"},
            {"Sid": "App", "Effect": "Allow", "Principal": {"AWS": USER},
             "Action": action, "Resource": "*", "Condition": condition}
        ]
    })
    .to_string()
}

fn create_with(kms: &Kms, spec: &str, usage: &str, policy: String) -> String {
    let created = ok(
        kms,
        "CreateKey",
        json!({"KeySpec": spec, "KeyUsage": usage, "Policy": policy}),
    );
    created["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned()
}

fn as_app(kms: &Kms, operation: &str, request: Value) -> Result<Value, KmsError> {
    call_in(kms, &Caller::parse(USER).unwrap(), REGION, operation, request)
}

#[test]
fn a_key_policy_can_allow_one_signing_algorithm_and_message_type_only() {
    let kms = kms();
    let condition = json!({"StringEquals": {"kms:SigningAlgorithm": "RSASSA_PSS_SHA_256", "kms:MessageType": "RAW"}});
    let key = create_with(&kms, "RSA_2048", "SIGN_VERIFY", policy("kms:Sign", condition));
    let request = |algorithm: &str, message_type: &str, message: &[u8]| json!({"KeyId": key, "Message": b64(message), "SigningAlgorithm": algorithm, "MessageType": message_type});
    assert!(as_app(&kms, "Sign", request("RSASSA_PSS_SHA_256", "RAW", b"m")).is_ok());
    let pkcs1 = as_app(&kms, "Sign", request("RSASSA_PKCS1_V1_5_SHA_256", "RAW", b"m"));
    assert_eq!(refused(pkcs1).0, ErrorName::AccessDeniedException);
    let digest = as_app(&kms, "Sign", request("RSASSA_PSS_SHA_256", "DIGEST", &[0; 32]));
    assert_eq!(refused(digest).0, ErrorName::AccessDeniedException);
}

#[test]
fn a_key_policy_can_require_a_mac_algorithm_and_the_key_spec_and_usage() {
    let kms = kms();
    let condition = json!({"StringEquals": {
        "kms:MacAlgorithm": "HMAC_SHA_512", "kms:KeySpec": "HMAC_512", "kms:KeyUsage": "GENERATE_VERIFY_MAC"
    }});
    let key = create_with(
        &kms,
        "HMAC_512",
        "GENERATE_VERIFY_MAC",
        policy("kms:GenerateMac", condition),
    );
    let mac = |algorithm: &str| json!({"KeyId": key, "Message": b64(b"m"), "MacAlgorithm": algorithm});
    assert!(as_app(&kms, "GenerateMac", mac("HMAC_SHA_512")).is_ok());
    // Authorization comes first: the wrong algorithm is denied, not reported.
    assert_eq!(
        refused(as_app(&kms, "GenerateMac", mac("HMAC_SHA_256"))).0,
        ErrorName::AccessDeniedException
    );
}

#[test]
fn a_key_policy_can_limit_data_key_pair_specs_and_key_agreement_algorithms() {
    let kms = kms();
    let condition = json!({"StringLike": {"kms:DataKeyPairSpec": "ECC_NIST_*"}});
    let key = ok(
        &kms,
        "CreateKey",
        json!({"Policy": policy("kms:GenerateDataKeyPairWithoutPlaintext", condition)}),
    )["KeyMetadata"]["KeyId"]
        .clone();
    let pair = |spec: &str| json!({"KeyId": key, "KeyPairSpec": spec});
    assert!(as_app(&kms, "GenerateDataKeyPairWithoutPlaintext", pair("ECC_NIST_P384")).is_ok());
    assert_eq!(
        refused(as_app(&kms, "GenerateDataKeyPairWithoutPlaintext", pair("RSA_2048"))).0,
        ErrorName::AccessDeniedException
    );
    let condition = json!({"StringEquals": {"kms:KeyAgreementAlgorithm": "ECDH"}});
    let key = create_with(
        &kms,
        "ECC_NIST_P256",
        "KEY_AGREEMENT",
        policy("kms:DeriveSharedSecret", condition),
    );
    let peer = create(&kms, "ECC_NIST_P256", "KEY_AGREEMENT");
    let public = ok(&kms, "GetPublicKey", json!({"KeyId": peer}))["PublicKey"].clone();
    let derive = json!({"KeyId": key, "KeyAgreementAlgorithm": "ECDH", "PublicKey": public});
    assert!(as_app(&kms, "DeriveSharedSecret", derive).is_ok());
}

#[test]
fn a_key_policy_can_allow_one_asymmetric_encryption_algorithm() {
    let kms = kms();
    let condition = json!({"StringEquals": {"kms:EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}});
    let key = create_with(&kms, "RSA_2048", "ENCRYPT_DECRYPT", policy("kms:Encrypt", condition));
    let encrypt = |algorithm: &str| json!({"KeyId": key, "Plaintext": b64(b"x"), "EncryptionAlgorithm": algorithm});
    assert!(as_app(&kms, "Encrypt", encrypt("RSAES_OAEP_SHA_256")).is_ok());
    assert_eq!(
        refused(as_app(&kms, "Encrypt", encrypt("RSAES_OAEP_SHA_1"))).0,
        ErrorName::AccessDeniedException
    );
}
