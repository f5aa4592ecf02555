//! The operations of each key kind through the service, with AWS's errors:
//! wrong usage, wrong algorithm, digest length, oversize plaintext, bad
//! signatures and MACs, key states, grants, `DryRun` and the audit log.

use keyward::kms::runtime::AuditFilter;
use serde_json::json;

use super::*;

fn sign(kms: &Kms, key: &str, algorithm: &str, message: &[u8]) -> Result<Value, KmsError> {
    call(
        kms,
        "Sign",
        json!({"KeyId": key, "Message": b64(message), "SigningAlgorithm": algorithm}),
    )
}

fn verify(kms: &Kms, key: &str, algorithm: &str, message: &[u8], signature: &[u8]) -> Result<Value, KmsError> {
    call(
        kms,
        "Verify",
        json!({"KeyId": key, "Message": b64(message), "Signature": b64(signature), "SigningAlgorithm": algorithm}),
    )
}

#[test]
fn every_signing_spec_signs_and_verifies_with_each_of_its_algorithms_and_refuses_a_changed_message() {
    let kms = kms();
    let cases: &[(&str, &[&str])] = &[
        (
            "RSA_2048",
            &[
                "RSASSA_PSS_SHA_256",
                "RSASSA_PSS_SHA_384",
                "RSASSA_PSS_SHA_512",
                "RSASSA_PKCS1_V1_5_SHA_256",
                "RSASSA_PKCS1_V1_5_SHA_384",
                "RSASSA_PKCS1_V1_5_SHA_512",
            ],
        ),
        ("ECC_NIST_P256", &["ECDSA_SHA_256"]),
        ("ECC_NIST_P384", &["ECDSA_SHA_384"]),
        ("ECC_NIST_P521", &["ECDSA_SHA_512"]),
        ("ECC_SECG_P256K1", &["ECDSA_SHA_256"]),
        ("ECC_NIST_EDWARDS25519", &["ED25519_SHA_512"]),
        ("ML_DSA_44", &["ML_DSA_SHAKE_256"]),
        ("ML_DSA_65", &["ML_DSA_SHAKE_256"]),
        ("ML_DSA_87", &["ML_DSA_SHAKE_256"]),
    ];
    for (spec, algorithms) in cases {
        let key = create(&kms, spec, "SIGN_VERIFY");
        for algorithm in *algorithms {
            let signed = sign(&kms, &key, algorithm, b"release 1.0").unwrap();
            assert_eq!(signed["SigningAlgorithm"], *algorithm);
            assert!(signed["KeyId"].as_str().unwrap().ends_with(&key));
            let signature = bytes(&signed["Signature"]);
            let verified = verify(&kms, &key, algorithm, b"release 1.0", &signature).unwrap();
            assert_eq!(verified["SignatureValid"], true);
            let (name, message) = refused(verify(&kms, &key, algorithm, b"release 1.1", &signature));
            assert_eq!(
                (name, message.as_str()),
                (ErrorName::KMSInvalidSignatureException, ""),
                "{spec} {algorithm}"
            );
        }
    }
}

#[test]
fn sm2_keys_sign_encrypt_and_agree_in_a_china_region() {
    let kms = kms();
    let region = "cn-north-1";
    let in_china = |operation: &str, request: Value| call_in(&kms, &root(), region, operation, request);
    let signing = in_china("CreateKey", json!({"KeySpec": "SM2", "KeyUsage": "SIGN_VERIFY"})).unwrap();
    let key = signing["KeyMetadata"]["Arn"].as_str().unwrap();
    // China Regions are the aws-cn partition, and key ARNs name it.
    assert!(key.starts_with("arn:aws-cn:kms:cn-north-1:"), "{key}");
    let wrong_partition = key.replacen("arn:aws-cn:", "arn:aws:", 1);
    let (name, _) = refused(in_china("DescribeKey", json!({"KeyId": wrong_partition})));
    assert_eq!(name, ErrorName::NotFoundException);
    let signed = in_china(
        "Sign",
        json!({"KeyId": key, "Message": b64(b"m"), "SigningAlgorithm": "SM2DSA"}),
    )
    .unwrap();
    let verified = in_china(
        "Verify",
        json!({"KeyId": key, "Message": b64(b"m"), "Signature": signed["Signature"], "SigningAlgorithm": "SM2DSA"}),
    )
    .unwrap();
    assert_eq!(verified["SignatureValid"], true);
    let encrypting = in_china("CreateKey", json!({"KeySpec": "SM2", "KeyUsage": "ENCRYPT_DECRYPT"})).unwrap();
    let key = encrypting["KeyMetadata"]["Arn"].as_str().unwrap();
    let sealed = in_china(
        "Encrypt",
        json!({"KeyId": key, "Plaintext": b64(b"secret"), "EncryptionAlgorithm": "SM2PKE"}),
    )
    .unwrap();
    let opened = in_china(
        "Decrypt",
        json!({"KeyId": key, "CiphertextBlob": sealed["CiphertextBlob"], "EncryptionAlgorithm": "SM2PKE"}),
    )
    .unwrap();
    assert_eq!(bytes(&opened["Plaintext"]), b"secret");
}

// API Reference, Sign: "When the value of MessageType is DIGEST, the length
// of the Message value must match the length of hashed messages for the
// specified signing algorithm."
#[test]
fn a_digest_must_be_as_long_as_the_algorithms_hash_and_signs_like_the_raw_message() {
    use sha2::Digest;
    let kms = kms();
    let key = create(&kms, "ECC_NIST_P384", "SIGN_VERIFY");
    let short = call(
        &kms,
        "Sign",
        json!({"KeyId": key, "Message": b64(&[0; 32]), "MessageType": "DIGEST", "SigningAlgorithm": "ECDSA_SHA_384"}),
    );
    assert_eq!(
        refused(short),
        (
            ErrorName::ValidationException,
            "Digest is invalid length for algorithm ECDSA_SHA_384.".to_owned()
        )
    );
    let digest = sha2::Sha384::digest(b"the message");
    let signed = call(
        &kms,
        "Sign",
        json!({"KeyId": key, "Message": b64(&digest), "MessageType": "DIGEST", "SigningAlgorithm": "ECDSA_SHA_384"}),
    )
    .unwrap();
    let verified = verify(
        &kms,
        &key,
        "ECDSA_SHA_384",
        b"the message",
        &bytes(&signed["Signature"]),
    )
    .unwrap();
    assert_eq!(verified["SignatureValid"], true);
    // Ed25519: ED25519_SHA_512 takes RAW only.
    let ed = create(&kms, "ECC_NIST_EDWARDS25519", "SIGN_VERIFY");
    let digest = call(
        &kms,
        "Sign",
        json!({"KeyId": ed, "Message": b64(&[0; 64]), "MessageType": "DIGEST", "SigningAlgorithm": "ED25519_SHA_512"}),
    );
    assert_eq!(refused(digest).0, ErrorName::ValidationException);
}

#[test]
fn a_key_refuses_operations_of_another_usage_and_algorithms_of_another_spec() {
    let kms = kms();
    let signing = create(&kms, "ECC_NIST_P256", "SIGN_VERIFY");
    let arn = format!("arn:aws:kms:{REGION}:{ACCOUNT}:key/{signing}");
    let mac = create(&kms, "HMAC_224", "GENERATE_VERIFY_MAC");
    let symmetric = ok(&kms, "CreateKey", json!({}))["KeyMetadata"]["KeyId"].clone();
    assert_eq!(
        refused(call(&kms, "Encrypt", json!({"KeyId": signing, "Plaintext": b64(b"x")}))),
        (
            ErrorName::InvalidKeyUsageException,
            format!("{arn} key usage is SIGN_VERIFY which is not valid for Encrypt.")
        )
    );
    assert_eq!(
        refused(sign(&kms, &signing, "RSASSA_PSS_SHA_256", b"m")),
        (
            ErrorName::InvalidKeyUsageException,
            "Algorithm RSASSA_PSS_SHA_256 is incompatible with key spec ECC_NIST_P256.".to_owned()
        )
    );
    assert_eq!(
        refused(call(
            &kms,
            "GenerateMac",
            json!({"KeyId": mac, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_256"})
        )),
        (
            ErrorName::InvalidKeyUsageException,
            "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.".to_owned()
        )
    );
    let symmetric = symmetric.as_str().unwrap();
    assert_eq!(
        refused(sign(&kms, symmetric, "ECDSA_SHA_256", b"m")).0,
        ErrorName::InvalidKeyUsageException
    );
    let (name, _) = refused(call(&kms, "GetPublicKey", json!({"KeyId": symmetric})));
    assert_eq!(name, ErrorName::UnsupportedOperationException);
    let (name, _) = refused(call(&kms, "GetPublicKey", json!({"KeyId": mac})));
    assert_eq!(name, ErrorName::UnsupportedOperationException);
    let pair = json!({"KeyId": signing, "KeyPairSpec": "RSA_2048"});
    assert_eq!(
        refused(call(&kms, "GenerateDataKeyPair", pair)).0,
        ErrorName::InvalidKeyUsageException
    );
    let data_key = json!({"KeyId": mac, "KeySpec": "AES_256"});
    assert_eq!(
        refused(call(&kms, "GenerateDataKey", data_key)).0,
        ErrorName::InvalidKeyUsageException
    );
    let unknown = sign(&kms, &signing, "ECDSA_SHA_999", b"m");
    assert_eq!(refused(unknown).0, ErrorName::ValidationException);
}

// API Reference, Encrypt: RSA_2048 with RSAES_OAEP_SHA_1 takes 214 bytes,
// RSAES_OAEP_SHA_256 190; RSA_4096 470 and 446.
#[test]
fn rsa_encryption_takes_at_most_awss_plaintext_size_per_spec_and_algorithm() {
    let kms = kms();
    for (spec, algorithm, max) in [
        ("RSA_2048", "RSAES_OAEP_SHA_1", 214),
        ("RSA_2048", "RSAES_OAEP_SHA_256", 190),
        ("RSA_4096", "RSAES_OAEP_SHA_256", 446),
    ] {
        let key = create(&kms, spec, "ENCRYPT_DECRYPT");
        let encrypt = |n: usize| {
            call(
                &kms,
                "Encrypt",
                json!({"KeyId": key, "Plaintext": b64(&vec![7; n]), "EncryptionAlgorithm": algorithm}),
            )
        };
        let sealed = encrypt(max).unwrap();
        let opened = ok(
            &kms,
            "Decrypt",
            json!({"KeyId": key, "CiphertextBlob": sealed["CiphertextBlob"], "EncryptionAlgorithm": algorithm}),
        );
        assert_eq!(bytes(&opened["Plaintext"]), vec![7; max]);
        assert!(opened.get("KeyMaterialId").is_none());
        assert_eq!(
            refused(encrypt(max + 1)),
            (
                ErrorName::ValidationException,
                format!("Algorithm {algorithm} and key spec {spec} cannot encrypt data larger than {max} bytes.")
            )
        );
    }
}

#[test]
fn re_encrypt_moves_a_ciphertext_between_symmetric_and_rsa_keys_both_ways() {
    let kms = kms();
    let rsa = create(&kms, "RSA_2048", "ENCRYPT_DECRYPT");
    let symmetric = ok(&kms, "CreateKey", json!({}))["KeyMetadata"]["KeyId"].clone();
    let sealed = ok(&kms, "Encrypt", json!({"KeyId": symmetric, "Plaintext": b64(b"moved")}));
    let to_rsa = ok(
        &kms,
        "ReEncrypt",
        json!({"CiphertextBlob": sealed["CiphertextBlob"], "DestinationKeyId": rsa, "DestinationEncryptionAlgorithm": "RSAES_OAEP_SHA_1"}),
    );
    assert_eq!(to_rsa["DestinationEncryptionAlgorithm"], "RSAES_OAEP_SHA_1");
    let back = ok(
        &kms,
        "ReEncrypt",
        json!({"CiphertextBlob": to_rsa["CiphertextBlob"], "SourceKeyId": rsa, "SourceEncryptionAlgorithm": "RSAES_OAEP_SHA_1", "DestinationKeyId": symmetric}),
    );
    let opened = ok(&kms, "Decrypt", json!({"CiphertextBlob": back["CiphertextBlob"]}));
    assert_eq!(bytes(&opened["Plaintext"]), b"moved");
    // Without SourceKeyId an asymmetric ciphertext names no key.
    let nameless = json!({"CiphertextBlob": to_rsa["CiphertextBlob"], "SourceEncryptionAlgorithm": "RSAES_OAEP_SHA_1", "DestinationKeyId": symmetric});
    assert_eq!(
        refused(call(&kms, "ReEncrypt", nameless)).0,
        ErrorName::ValidationException
    );
}

#[test]
fn macs_verify_and_a_changed_message_or_mac_is_kms_invalid_mac_exception() {
    let kms = kms();
    for (spec, algorithm, len) in [
        ("HMAC_224", "HMAC_SHA_224", 28),
        ("HMAC_256", "HMAC_SHA_256", 32),
        ("HMAC_384", "HMAC_SHA_384", 48),
        ("HMAC_512", "HMAC_SHA_512", 64),
    ] {
        let key = create(&kms, spec, "GENERATE_VERIFY_MAC");
        let made = ok(
            &kms,
            "GenerateMac",
            json!({"KeyId": key, "Message": b64(b"payload"), "MacAlgorithm": algorithm}),
        );
        let mac = bytes(&made["Mac"]);
        assert_eq!(mac.len(), len);
        let verified = ok(
            &kms,
            "VerifyMac",
            json!({"KeyId": key, "Message": b64(b"payload"), "Mac": b64(&mac), "MacAlgorithm": algorithm}),
        );
        assert_eq!(verified["MacValid"], true);
        let forged = call(
            &kms,
            "VerifyMac",
            json!({"KeyId": key, "Message": b64(b"payl0ad"), "Mac": b64(&mac), "MacAlgorithm": algorithm}),
        );
        assert_eq!(refused(forged), (ErrorName::KMSInvalidMacException, String::new()));
    }
}

#[test]
fn ml_kem_decapsulates_what_it_encapsulated_and_refuses_a_ciphertext_of_the_wrong_length() {
    let kms = kms();
    for (spec, ciphertext_len) in [("ML_KEM_512", 768), ("ML_KEM_768", 1088), ("ML_KEM_1024", 1568)] {
        let key = create(&kms, spec, "ENCAPSULATE_DECAPSULATE");
        let made = ok(
            &kms,
            "Encapsulate",
            json!({"KeyId": key, "EncapsulationAlgorithm": "ML_KEM"}),
        );
        let ciphertext = bytes(&made["SharedSecretCiphertextBlob"]);
        assert_eq!(ciphertext.len(), ciphertext_len);
        let opened = ok(
            &kms,
            "Decapsulate",
            json!({"KeyId": key, "SharedSecretCiphertextBlob": b64(&ciphertext), "EncapsulationAlgorithm": "ML_KEM"}),
        );
        assert_eq!(opened["SharedSecret"], made["SharedSecret"]);
        let short = json!({"KeyId": key, "SharedSecretCiphertextBlob": b64(&ciphertext[1..]), "EncapsulationAlgorithm": "ML_KEM"});
        assert_eq!(
            refused(call(&kms, "Decapsulate", short)).0,
            ErrorName::InvalidCiphertextException
        );
    }
}

#[test]
fn disabled_and_pending_deletion_keys_refuse_to_sign_with_awss_state_errors() {
    let kms = kms();
    let key = create(&kms, "ECC_NIST_P256", "SIGN_VERIFY");
    ok(&kms, "DisableKey", json!({"KeyId": key}));
    assert_eq!(
        refused(sign(&kms, &key, "ECDSA_SHA_256", b"m")).0,
        ErrorName::DisabledException
    );
    let (name, _) = refused(call(&kms, "GetPublicKey", json!({"KeyId": key})));
    assert_eq!(name, ErrorName::DisabledException);
    ok(
        &kms,
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    );
    assert_eq!(
        refused(sign(&kms, &key, "ECDSA_SHA_256", b"m")).0,
        ErrorName::KMSInvalidStateException
    );
    // Describing still works, and says so.
    let described = ok(&kms, "DescribeKey", json!({"KeyId": key}));
    assert_eq!(described["KeyMetadata"]["KeyState"], "PendingDeletion");
}

#[test]
fn a_grant_for_sign_lets_its_grantee_sign_but_not_verify() {
    let kms = kms();
    let key = create(&kms, "ECC_NIST_P256", "SIGN_VERIFY");
    let grantee = Caller::parse(&format!("arn:aws:iam::{ACCOUNT}:role/signer")).unwrap();
    let as_grantee = |operation: &str, request: Value| call_in(&kms, &grantee, REGION, operation, request);
    let request = json!({"KeyId": key, "Message": b64(b"m"), "SigningAlgorithm": "ECDSA_SHA_256"});
    assert_eq!(
        refused(as_grantee("Sign", request.clone())).0,
        ErrorName::AccessDeniedException
    );
    ok(
        &kms,
        "CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": grantee.arn, "Operations": ["Sign"]}),
    );
    let signed = as_grantee("Sign", request).unwrap();
    let verify = json!({"KeyId": key, "Message": b64(b"m"), "Signature": signed["Signature"], "SigningAlgorithm": "ECDSA_SHA_256"});
    assert_eq!(
        refused(as_grantee("Verify", verify.clone())).0,
        ErrorName::AccessDeniedException
    );
    assert_eq!(ok(&kms, "Verify", verify)["SignatureValid"], true);
    // A grant cannot offer an operation the key cannot do (reference §6.3).
    let mac = json!({"KeyId": key, "GranteePrincipal": grantee.arn, "Operations": ["GenerateMac"]});
    assert_eq!(
        refused(call(&kms, "CreateGrant", mac)).0,
        ErrorName::ValidationException
    );
}

#[test]
fn dry_run_checks_everything_then_answers_dry_run_operation_exception_and_is_audited() {
    let kms = kms();
    let key = create(&kms, "HMAC_256", "GENERATE_VERIFY_MAC");
    let request = json!({"KeyId": key, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_256", "DryRun": true});
    assert_eq!(
        refused(call(&kms, "GenerateMac", request)),
        (
            ErrorName::DryRunOperationException,
            "The request would have succeeded, but the DryRun option is set.".to_owned()
        )
    );
    // A dry run that would fail fails as the call would.
    let wrong = json!({"KeyId": key, "Message": b64(b"m"), "MacAlgorithm": "HMAC_SHA_512", "DryRun": true});
    assert_eq!(
        refused(call(&kms, "GenerateMac", wrong)).0,
        ErrorName::InvalidKeyUsageException
    );
    let filter = AuditFilter {
        operation: Some("GenerateMac".to_owned()),
        ..AuditFilter::default()
    };
    let records = kms.audit(&filter).unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["errorCode"], "DryRunOperationException");
    assert_eq!(records[0]["requestParameters"]["macAlgorithm"], "HMAC_SHA_256");
    // No message, MAC or key material in the log.
    let text = serde_json::to_string(&records).unwrap();
    assert!(!text.contains(&b64(b"m")), "{text}");
}

#[test]
fn ecdh_gives_both_parties_the_same_secret_and_refuses_a_key_on_another_curve() {
    let kms = kms();
    let ours = create(&kms, "ECC_NIST_P256", "KEY_AGREEMENT");
    let theirs = create(&kms, "ECC_NIST_P256", "KEY_AGREEMENT");
    let public = |key: &str| ok(&kms, "GetPublicKey", json!({"KeyId": key}))["PublicKey"].clone();
    let derive = |key: &str, peer: Value| {
        call(
            &kms,
            "DeriveSharedSecret",
            json!({"KeyId": key, "KeyAgreementAlgorithm": "ECDH", "PublicKey": peer}),
        )
    };
    let a = derive(&ours, public(&theirs)).unwrap();
    let b = derive(&theirs, public(&ours)).unwrap();
    assert_eq!(a["SharedSecret"], b["SharedSecret"]);
    assert_eq!(bytes(&a["SharedSecret"]).len(), 32);
    assert_eq!(a["KeyOrigin"], "AWS_KMS");
    let p384 = create(&kms, "ECC_NIST_P384", "KEY_AGREEMENT");
    assert_eq!(refused(derive(&ours, public(&p384))).0, ErrorName::ValidationException);
}

#[test]
fn a_data_key_pair_has_a_pkcs8_private_key_sealed_under_the_symmetric_key_with_its_context() {
    let kms = kms();
    let key = ok(&kms, "CreateKey", json!({}))["KeyMetadata"]["KeyId"].clone();
    let context = json!({"purpose": "ssh"});
    let pair = ok(
        &kms,
        "GenerateDataKeyPair",
        json!({"KeyId": key, "KeyPairSpec": "ECC_NIST_EDWARDS25519", "EncryptionContext": context}),
    );
    assert_eq!(pair["KeyPairSpec"], "ECC_NIST_EDWARDS25519");
    let private = bytes(&pair["PrivateKeyPlaintext"]);
    let private_key = keyward::crypto::keys::PrivateKey::from_pkcs8_der(
        keyward::crypto::keys::KeySpec::EccNistEdwards25519,
        &private,
    )
    .unwrap();
    assert_eq!(private_key.public_key().to_der(), bytes(&pair["PublicKey"]).as_slice());
    let opened = ok(
        &kms,
        "Decrypt",
        json!({"CiphertextBlob": pair["PrivateKeyCiphertextBlob"], "EncryptionContext": context}),
    );
    assert_eq!(bytes(&opened["Plaintext"]), private);
    let wrong_context = json!({"CiphertextBlob": pair["PrivateKeyCiphertextBlob"]});
    assert_eq!(
        refused(call(&kms, "Decrypt", wrong_context)).0,
        ErrorName::InvalidCiphertextException
    );
    let bare = ok(
        &kms,
        "GenerateDataKeyPairWithoutPlaintext",
        json!({"KeyId": key, "KeyPairSpec": "ML_KEM_512"}),
    );
    assert!(bare.get("PrivateKeyPlaintext").is_none());
    let sm2 = json!({"KeyId": key, "KeyPairSpec": "SM2"});
    assert_eq!(
        refused(call(&kms, "GenerateDataKeyPair", sm2)).0,
        ErrorName::UnsupportedOperationException
    );
    let not_a_pair = json!({"KeyId": key, "KeyPairSpec": "HMAC_256"});
    assert_eq!(
        refused(call(&kms, "GenerateDataKeyPair", not_a_pair)).0,
        ErrorName::ValidationException
    );
}

#[test]
fn asymmetric_and_hmac_keys_survive_a_restart_of_a_sqlite_state() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("kinds-sqlite");
    let _ = std::fs::remove_dir_all(&dir);
    let (signing, mac, signature, tag) = {
        let kms = open(keyward::store::SqliteStore::open(&dir).unwrap());
        let signing = create(&kms, "ML_DSA_44", "SIGN_VERIFY");
        let mac = create(&kms, "HMAC_384", "GENERATE_VERIFY_MAC");
        let signature = sign(&kms, &signing, "ML_DSA_SHAKE_256", b"kept").unwrap()["Signature"].clone();
        let tag = ok(
            &kms,
            "GenerateMac",
            json!({"KeyId": mac, "Message": b64(b"kept"), "MacAlgorithm": "HMAC_SHA_384"}),
        )["Mac"]
            .clone();
        (signing, mac, signature, tag)
    };
    let kms = open(keyward::store::SqliteStore::open(&dir).unwrap());
    assert_eq!(
        verify(&kms, &signing, "ML_DSA_SHAKE_256", b"kept", &bytes(&signature)).unwrap()["SignatureValid"],
        true
    );
    let again = ok(
        &kms,
        "GenerateMac",
        json!({"KeyId": mac, "Message": b64(b"kept"), "MacAlgorithm": "HMAC_SHA_384"}),
    );
    assert_eq!(again["Mac"], tag);
    let _ = std::fs::remove_dir_all(&dir);
}
