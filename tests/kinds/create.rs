//! `CreateKey` and `DescribeKey` for every key kind, as the AWS *Key spec
//! reference* tabulates them (reference §4.2), and the rotation rules of
//! §4.3: only symmetric encryption keys rotate.

use keyward::crypto::keys::{KeySpec, KeyUsage};
use serde_json::json;

use super::*;

/// The metadata member that lists the algorithms of `usage`.
fn algorithms_member(usage: KeyUsage) -> &'static str {
    match usage {
        KeyUsage::SignVerify => "SigningAlgorithms",
        KeyUsage::EncryptDecrypt => "EncryptionAlgorithms",
        KeyUsage::GenerateVerifyMac => "MacAlgorithms",
        KeyUsage::KeyAgreement => "KeyAgreementAlgorithms",
        KeyUsage::EncapsulateDecapsulate => "EncapsulationAlgorithms",
    }
}

/// The Region a spec exists in: SM2 in the China Regions only.
fn region_for(spec: KeySpec) -> &'static str {
    if spec == KeySpec::Sm2 {
        "cn-north-1"
    } else {
        REGION
    }
}

#[test]
fn every_spec_and_usage_pair_aws_allows_creates_a_key_that_describes_its_usages_algorithms_only() {
    let kms = kms();
    for spec in KeySpec::ALL.iter().copied() {
        for usage in KeyUsage::ALL.iter().copied() {
            let request = json!({"KeySpec": spec.as_str(), "KeyUsage": usage.as_str()});
            let result = call_in(&kms, &root(), region_for(spec), "CreateKey", request);
            if !spec.allows_usage(usage) {
                let (name, message) = refused(result);
                assert_eq!(name, ErrorName::ValidationException, "{spec} {usage}");
                assert_eq!(
                    message,
                    format!("KeyUsage {usage} is not compatible with KeySpec {spec}")
                );
                continue;
            }
            let metadata = result.unwrap_or_else(|e| panic!("{spec} {usage}: {e}"))["KeyMetadata"].clone();
            assert_eq!(metadata["KeySpec"], spec.as_str());
            assert_eq!(metadata["CustomerMasterKeySpec"], spec.as_str());
            assert_eq!(metadata["KeyUsage"], usage.as_str());
            for member in KeyUsage::ALL.iter().map(|u| algorithms_member(*u)) {
                let listed = metadata.get(member).is_some();
                assert_eq!(listed, member == algorithms_member(usage), "{spec} {usage}: {member}");
            }
            // Only symmetric encryption keys report their material.
            let symmetric = spec == KeySpec::SymmetricDefault;
            assert_eq!(metadata.get("CurrentKeyMaterialId").is_some(), symmetric, "{spec}");
            let key = metadata["KeyId"].as_str().unwrap();
            let described = call_in(&kms, &root(), region_for(spec), "DescribeKey", json!({"KeyId": key})).unwrap();
            assert_eq!(described["KeyMetadata"], metadata);
        }
    }
}

#[test]
fn the_algorithms_reported_are_those_of_the_aws_key_spec_reference() {
    let kms = kms();
    let cases = [
        (
            "RSA_2048",
            "ENCRYPT_DECRYPT",
            "EncryptionAlgorithms",
            json!(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]),
        ),
        (
            "ECC_NIST_P384",
            "SIGN_VERIFY",
            "SigningAlgorithms",
            json!(["ECDSA_SHA_384"]),
        ),
        (
            "ECC_NIST_P521",
            "KEY_AGREEMENT",
            "KeyAgreementAlgorithms",
            json!(["ECDH"]),
        ),
        (
            "ECC_SECG_P256K1",
            "SIGN_VERIFY",
            "SigningAlgorithms",
            json!(["ECDSA_SHA_256"]),
        ),
        (
            "ECC_NIST_EDWARDS25519",
            "SIGN_VERIFY",
            "SigningAlgorithms",
            json!(["ED25519_SHA_512", "ED25519_PH_SHA_512"]),
        ),
        (
            "HMAC_384",
            "GENERATE_VERIFY_MAC",
            "MacAlgorithms",
            json!(["HMAC_SHA_384"]),
        ),
        (
            "ML_DSA_44",
            "SIGN_VERIFY",
            "SigningAlgorithms",
            json!(["ML_DSA_SHAKE_256"]),
        ),
        (
            "ML_KEM_1024",
            "ENCAPSULATE_DECAPSULATE",
            "EncapsulationAlgorithms",
            json!(["ML_KEM"]),
        ),
        (
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            "EncryptionAlgorithms",
            json!(["SYMMETRIC_DEFAULT"]),
        ),
    ];
    for (spec, usage, member, expected) in cases {
        let created = ok(&kms, "CreateKey", json!({"KeySpec": spec, "KeyUsage": usage}));
        assert_eq!(created["KeyMetadata"][member], expected, "{spec}");
    }
}

// Reference §11.3: "You must specify a KeyUsage value for all KMS keys
// except for symmetric encryption keys", even for specs with one usage.
#[test]
fn a_spec_other_than_symmetric_default_needs_a_key_usage() {
    let kms = kms();
    for spec in ["HMAC_256", "ECC_SECG_P256K1", "ML_KEM_512", "RSA_4096"] {
        assert_eq!(
            refused(call(&kms, "CreateKey", json!({"KeySpec": spec}))),
            (
                ErrorName::ValidationException,
                "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.".to_owned()
            ),
            "{spec}"
        );
    }
    let created = ok(&kms, "CreateKey", json!({"KeySpec": "SYMMETRIC_DEFAULT"}));
    assert_eq!(created["KeyMetadata"]["KeyUsage"], "ENCRYPT_DECRYPT");
    // The deprecated member names the spec as well.
    let created = ok(
        &kms,
        "CreateKey",
        json!({"CustomerMasterKeySpec": "HMAC_512", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    );
    assert_eq!(created["KeyMetadata"]["KeySpec"], "HMAC_512");
}

// AWS *Key spec reference*: SM2 keys exist only in the China Regions, ML-KEM
// keys everywhere but there.
#[test]
fn sm2_keys_exist_in_china_regions_only_and_ml_kem_keys_everywhere_else() {
    let kms = kms();
    let sm2 = json!({"KeySpec": "SM2", "KeyUsage": "SIGN_VERIFY"});
    let (name, _) = refused(call(&kms, "CreateKey", sm2.clone()));
    assert_eq!(name, ErrorName::UnsupportedOperationException);
    let china = call_in(&kms, &root(), "cn-northwest-1", "CreateKey", sm2).unwrap();
    assert_eq!(china["KeyMetadata"]["SigningAlgorithms"], json!(["SM2DSA"]));
    let ml_kem = json!({"KeySpec": "ML_KEM_768", "KeyUsage": "ENCAPSULATE_DECAPSULATE"});
    let (name, _) = refused(call_in(&kms, &root(), "cn-north-1", "CreateKey", ml_kem.clone()));
    assert_eq!(name, ErrorName::UnsupportedOperationException);
    assert!(call(&kms, "CreateKey", ml_kem).is_ok());
}

// Reference §4.3 and §11: automatic and on-demand rotation are for symmetric
// encryption keys only; the rotation status of the others reads false.
#[test]
fn asymmetric_and_hmac_keys_do_not_rotate_and_report_rotation_disabled() {
    let kms = kms();
    for (spec, usage) in [("ECC_NIST_P256", "SIGN_VERIFY"), ("HMAC_224", "GENERATE_VERIFY_MAC")] {
        let key = create(&kms, spec, usage);
        for operation in [
            "EnableKeyRotation",
            "DisableKeyRotation",
            "RotateKeyOnDemand",
            "ListKeyRotations",
        ] {
            let (name, _) = refused(call(&kms, operation, json!({"KeyId": key})));
            assert_eq!(name, ErrorName::UnsupportedOperationException, "{spec} {operation}");
        }
        let status = ok(&kms, "GetKeyRotationStatus", json!({"KeyId": key}));
        assert_eq!(status["KeyRotationEnabled"], false);
    }
}
