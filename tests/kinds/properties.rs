//! Round trips for random messages on every spec: what keyward signs it
//! verifies, what it encrypts it decrypts, what it MACs it verifies, and a
//! flipped bit in the message fails.

use proptest::prelude::*;
use serde_json::json;

use super::*;

/// One key of each signing spec, with an algorithm of it.
fn signing_keys(kms: &Kms) -> Vec<(String, &'static str)> {
    [
        ("RSA_2048", "RSASSA_PSS_SHA_512"),
        ("ECC_NIST_P256", "ECDSA_SHA_256"),
        ("ECC_NIST_P384", "ECDSA_SHA_384"),
        ("ECC_NIST_P521", "ECDSA_SHA_512"),
        ("ECC_SECG_P256K1", "ECDSA_SHA_256"),
        ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512"),
        ("ML_DSA_44", "ML_DSA_SHAKE_256"),
    ]
    .into_iter()
    .map(|(spec, algorithm)| (create(kms, spec, "SIGN_VERIFY"), algorithm))
    .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn sign_then_verify_holds_and_a_flipped_bit_fails(message in prop::collection::vec(any::<u8>(), 1..300), bit in 0usize..8) {
        let kms = kms();
        for (key, algorithm) in signing_keys(&kms) {
            let signed = ok(&kms, "Sign", json!({"KeyId": key, "Message": b64(&message), "SigningAlgorithm": algorithm}));
            let verify = |message: &[u8]| call(&kms, "Verify", json!({
                "KeyId": key, "Message": b64(message), "Signature": signed["Signature"], "SigningAlgorithm": algorithm
            }));
            prop_assert_eq!(verify(&message).unwrap()["SignatureValid"].clone(), json!(true));
            let mut changed = message.clone();
            changed[0] ^= 1 << bit;
            prop_assert_eq!(refused(verify(&changed)).0, ErrorName::KMSInvalidSignatureException);
        }
    }

    #[test]
    fn encrypt_then_decrypt_gives_the_plaintext_back(plaintext in prop::collection::vec(any::<u8>(), 1..190)) {
        let kms = kms();
        let rsa = create(&kms, "RSA_2048", "ENCRYPT_DECRYPT");
        for algorithm in ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] {
            let sealed = ok(&kms, "Encrypt", json!({"KeyId": rsa, "Plaintext": b64(&plaintext), "EncryptionAlgorithm": algorithm}));
            let opened = ok(&kms, "Decrypt", json!({"KeyId": rsa, "CiphertextBlob": sealed["CiphertextBlob"], "EncryptionAlgorithm": algorithm}));
            prop_assert_eq!(bytes(&opened["Plaintext"]), plaintext.clone());
        }
        let sm2 = call_in(&kms, &root(), "cn-north-1", "CreateKey", json!({"KeySpec": "SM2", "KeyUsage": "ENCRYPT_DECRYPT"})).unwrap();
        let sm2 = sm2["KeyMetadata"]["Arn"].clone();
        let sealed = call_in(&kms, &root(), "cn-north-1", "Encrypt", json!({"KeyId": sm2, "Plaintext": b64(&plaintext), "EncryptionAlgorithm": "SM2PKE"})).unwrap();
        let opened = call_in(&kms, &root(), "cn-north-1", "Decrypt", json!({"KeyId": sm2, "CiphertextBlob": sealed["CiphertextBlob"], "EncryptionAlgorithm": "SM2PKE"})).unwrap();
        prop_assert_eq!(bytes(&opened["Plaintext"]), plaintext);
    }

    #[test]
    fn a_mac_verifies_for_its_message_only(message in prop::collection::vec(any::<u8>(), 1..4096), bit in 0usize..8) {
        let kms = kms();
        let key = create(&kms, "HMAC_256", "GENERATE_VERIFY_MAC");
        let mac = ok(&kms, "GenerateMac", json!({"KeyId": key, "Message": b64(&message), "MacAlgorithm": "HMAC_SHA_256"}))["Mac"].clone();
        let verify = |message: &[u8]| call(&kms, "VerifyMac", json!({"KeyId": key, "Message": b64(message), "Mac": mac, "MacAlgorithm": "HMAC_SHA_256"}));
        prop_assert!(verify(&message).is_ok());
        let mut changed = message.clone();
        let last = changed.len() - 1;
        changed[last] ^= 1 << bit;
        prop_assert_eq!(refused(verify(&changed)).0, ErrorName::KMSInvalidMacException);
    }
}
