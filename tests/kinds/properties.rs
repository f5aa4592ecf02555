//! Round trips for random messages on every spec: what keyward signs it
//! verifies, what it encrypts it decrypts, what it MACs it verifies, what it
//! encapsulates it decapsulates, and a flipped bit fails. The keys are made
//! once for all cases (RSA_4096 key generation takes seconds); the case
//! counts are small to keep CI's time.

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::json;

use super::*;

/// The Region of SM2 keys, which AWS offers in China only.
const CHINA: &str = "cn-north-1";

/// A key (its ARN, good in any Region's calls) and the Region to call.
struct KeyIn {
    arn: String,
    region: &'static str,
}

/// One service holding one key of every spec and usage below.
struct Keys {
    kms: Kms,
    /// Each signing spec with one of its algorithms (every RSA algorithm is
    /// on some RSA spec).
    signing: Vec<(KeyIn, &'static str)>,
    /// Each encryption spec with its algorithms.
    encryption: Vec<(KeyIn, &'static [&'static str])>,
    /// Each HMAC spec with its algorithm.
    macs: Vec<(KeyIn, &'static str)>,
    /// Each ML-KEM spec.
    kems: Vec<KeyIn>,
}

fn make(kms: &Kms, region: &'static str, spec: &str, usage: &str) -> KeyIn {
    let created = call_in(
        kms,
        &root(),
        region,
        "CreateKey",
        json!({"KeySpec": spec, "KeyUsage": usage}),
    )
    .unwrap_or_else(|e| panic!("CreateKey {spec}: {e}"));
    KeyIn {
        arn: created["KeyMetadata"]["Arn"].as_str().unwrap().to_owned(),
        region,
    }
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let kms = kms();
        let signing = [
            (REGION, "RSA_2048", "RSASSA_PSS_SHA_512"),
            (REGION, "RSA_3072", "RSASSA_PKCS1_V1_5_SHA_384"),
            (REGION, "RSA_4096", "RSASSA_PSS_SHA_256"),
            (REGION, "ECC_NIST_P256", "ECDSA_SHA_256"),
            (REGION, "ECC_NIST_P384", "ECDSA_SHA_384"),
            (REGION, "ECC_NIST_P521", "ECDSA_SHA_512"),
            (REGION, "ECC_SECG_P256K1", "ECDSA_SHA_256"),
            (REGION, "ECC_NIST_EDWARDS25519", "ED25519_SHA_512"),
            (REGION, "ML_DSA_44", "ML_DSA_SHAKE_256"),
            (REGION, "ML_DSA_65", "ML_DSA_SHAKE_256"),
            (REGION, "ML_DSA_87", "ML_DSA_SHAKE_256"),
            (CHINA, "SM2", "SM2DSA"),
        ]
        .into_iter()
        .map(|(region, spec, algorithm)| (make(&kms, region, spec, "SIGN_VERIFY"), algorithm))
        .collect();
        const OAEP: &[&str] = &["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"];
        let encryption = [
            (REGION, "RSA_2048", OAEP),
            (REGION, "RSA_3072", OAEP),
            (REGION, "RSA_4096", OAEP),
            (CHINA, "SM2", &["SM2PKE"][..]),
        ]
        .into_iter()
        .map(|(region, spec, algorithms)| (make(&kms, region, spec, "ENCRYPT_DECRYPT"), algorithms))
        .collect();
        let macs = [
            ("HMAC_224", "HMAC_SHA_224"),
            ("HMAC_256", "HMAC_SHA_256"),
            ("HMAC_384", "HMAC_SHA_384"),
            ("HMAC_512", "HMAC_SHA_512"),
        ]
        .into_iter()
        .map(|(spec, algorithm)| (make(&kms, REGION, spec, "GENERATE_VERIFY_MAC"), algorithm))
        .collect();
        let kems = ["ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"]
            .into_iter()
            .map(|spec| make(&kms, REGION, spec, "ENCAPSULATE_DECAPSULATE"))
            .collect();
        Keys {
            kms,
            signing,
            encryption,
            macs,
            kems,
        }
    })
}

fn call_key(key: &KeyIn, operation: &str, request: Value) -> Result<Value, KmsError> {
    call_in(&keys().kms, &root(), key.region, operation, request)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn sign_then_verify_holds_and_a_flipped_bit_fails_on_every_signing_spec(message in prop::collection::vec(any::<u8>(), 1..300), bit in 0usize..8) {
        for (key, algorithm) in &keys().signing {
            let signed = call_key(key, "Sign", json!({"KeyId": key.arn, "Message": b64(&message), "SigningAlgorithm": algorithm})).unwrap();
            let verify = |message: &[u8]| call_key(key, "Verify", json!({
                "KeyId": key.arn, "Message": b64(message), "Signature": signed["Signature"], "SigningAlgorithm": algorithm
            }));
            prop_assert_eq!(verify(&message).unwrap()["SignatureValid"].clone(), json!(true), "{}", algorithm);
            let mut changed = message.clone();
            changed[0] ^= 1 << bit;
            prop_assert_eq!(refused(verify(&changed)).0, ErrorName::KMSInvalidSignatureException, "{}", algorithm);
        }
    }

    #[test]
    fn encrypt_then_decrypt_gives_the_plaintext_back_on_every_encryption_spec_and_algorithm(plaintext in prop::collection::vec(any::<u8>(), 1..190)) {
        for (key, algorithms) in &keys().encryption {
            for algorithm in *algorithms {
                let sealed = call_key(key, "Encrypt", json!({"KeyId": key.arn, "Plaintext": b64(&plaintext), "EncryptionAlgorithm": algorithm})).unwrap();
                let opened = call_key(key, "Decrypt", json!({"KeyId": key.arn, "CiphertextBlob": sealed["CiphertextBlob"], "EncryptionAlgorithm": algorithm})).unwrap();
                prop_assert_eq!(bytes(&opened["Plaintext"]), plaintext.clone(), "{}", algorithm);
            }
        }
    }

    #[test]
    fn a_mac_verifies_for_its_message_only_on_every_hmac_spec(message in prop::collection::vec(any::<u8>(), 1..4096), bit in 0usize..8) {
        for (key, algorithm) in &keys().macs {
            let mac = call_key(key, "GenerateMac", json!({"KeyId": key.arn, "Message": b64(&message), "MacAlgorithm": algorithm})).unwrap()["Mac"].clone();
            let verify = |message: &[u8]| call_key(key, "VerifyMac", json!({"KeyId": key.arn, "Message": b64(message), "Mac": mac, "MacAlgorithm": algorithm}));
            prop_assert!(verify(&message).is_ok());
            let mut changed = message.clone();
            let last = changed.len() - 1;
            changed[last] ^= 1 << bit;
            prop_assert_eq!(refused(verify(&changed)).0, ErrorName::KMSInvalidMacException, "{}", algorithm);
        }
    }

    /// ML-KEM's implicit rejection: a changed ciphertext still decapsulates,
    /// to another secret.
    #[test]
    fn decapsulate_gives_the_encapsulated_secret_and_a_flipped_ciphertext_bit_another_on_every_ml_kem_spec(at in any::<prop::sample::Index>(), bit in 0usize..8) {
        for key in &keys().kems {
            let sealed = call_key(key, "Encapsulate", json!({"KeyId": key.arn, "EncapsulationAlgorithm": "ML_KEM"})).unwrap();
            let decapsulate = |ciphertext: &[u8]| call_key(key, "Decapsulate", json!({
                "KeyId": key.arn, "SharedSecretCiphertextBlob": b64(ciphertext), "EncapsulationAlgorithm": "ML_KEM"
            })).unwrap();
            let ciphertext = bytes(&sealed["SharedSecretCiphertextBlob"]);
            let secret = bytes(&sealed["SharedSecret"]);
            prop_assert_eq!(secret.len(), 32);
            prop_assert_eq!(bytes(&decapsulate(&ciphertext)["SharedSecret"]), secret.clone());
            let mut changed = ciphertext.clone();
            changed[at.index(ciphertext.len())] ^= 1 << bit;
            prop_assert_ne!(bytes(&decapsulate(&changed)["SharedSecret"]), secret);
        }
    }
}
