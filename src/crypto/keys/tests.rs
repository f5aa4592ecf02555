//! Round trips, AWS's validation rules and published vectors for every key
//! kind. Cross-checks against OpenSSL and Python `cryptography` are in
//! `tests/keys.rs`.

use super::spec::{EncryptionAlgorithm as E, KeySpec as K, MessageType as T, SigningAlgorithm as S};
use super::*;

const ASYMMETRIC_FAST: &[KeySpec] = &[
    K::EccNistP256,
    K::EccNistP384,
    K::EccNistP521,
    K::EccSecgP256k1,
    K::EccNistEdwards25519,
    K::Sm2,
    K::MlDsa44,
    K::MlDsa65,
    K::MlDsa87,
    K::MlKem512,
    K::MlKem768,
    K::MlKem1024,
];

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// A message of the length `message_type` needs with `algorithm`.
fn message_for(algorithm: SigningAlgorithm, message_type: MessageType) -> Vec<u8> {
    let len = algorithm.required_message_len(message_type).unwrap_or(100);
    (0..len).map(|i| i as u8 ^ 0x5a).collect()
}

fn sign_verify_every_algorithm(key: &PrivateKey) {
    let public = key.public_key();
    for &algorithm in key.spec().facts().signing {
        for &message_type in algorithm.message_types() {
            let message = message_for(algorithm, message_type);
            let signature = key.sign(algorithm, message_type, &message).unwrap();
            public.verify(algorithm, message_type, &message, &signature).unwrap();
            let mut changed = message.clone();
            changed[0] ^= 1;
            assert_eq!(
                public.verify(algorithm, message_type, &changed, &signature),
                Err(Error::Crypto)
            );
            let mut bad = signature.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            assert_eq!(
                public.verify(algorithm, message_type, &message, &bad),
                Err(Error::Crypto)
            );
        }
    }
}

#[test]
fn every_signing_spec_signs_and_verifies_every_algorithm_and_message_type() {
    for &spec in ASYMMETRIC_FAST.iter().chain(&[K::Rsa2048]) {
        if !spec.facts().signing.is_empty() {
            sign_verify_every_algorithm(&PrivateKey::generate(spec).unwrap());
        }
    }
}

#[test]
fn a_raw_message_and_its_digest_give_signatures_that_verify_either_way() {
    use ::sha2::{Digest, Sha256};
    let key = PrivateKey::generate(K::EccNistP256).unwrap();
    let message = b"release-1.0.tar.gz";
    let digest = Sha256::digest(message);
    let signature = key.sign(S::EcdsaSha256, T::Raw, message).unwrap();
    key.verify(S::EcdsaSha256, T::Digest, &digest, &signature).unwrap();
}

#[test]
fn digest_of_the_wrong_length_is_refused_as_aws_documents() {
    // API Reference, Sign: "the length of the Message value must match the
    // length of hashed messages for the specified signing algorithm".
    let key = PrivateKey::generate(K::EccNistP256).unwrap();
    assert_eq!(
        key.sign(S::EcdsaSha256, T::Digest, &[0; 31]),
        Err(Error::DigestLength(S::EcdsaSha256))
    );
    let key = PrivateKey::generate(K::MlDsa44).unwrap();
    assert_eq!(
        key.sign(S::MlDsaShake256, T::ExternalMu, &[0; 32]),
        Err(Error::DigestLength(S::MlDsaShake256))
    );
}

#[test]
fn message_types_follow_the_algorithm() {
    // ED25519_SHA_512 requires RAW, ED25519_PH_SHA_512 requires DIGEST,
    // ML-DSA takes RAW or EXTERNAL_MU (API Reference, Sign).
    let ed = PrivateKey::generate(K::EccNistEdwards25519).unwrap();
    assert!(matches!(
        ed.sign(S::Ed25519Sha512, T::Digest, &[0; 64]),
        Err(Error::MessageType { .. })
    ));
    assert!(matches!(
        ed.sign(S::Ed25519PhSha512, T::Raw, b"m"),
        Err(Error::MessageType { .. })
    ));
    let ml = PrivateKey::generate(K::MlDsa65).unwrap();
    assert!(matches!(
        ml.sign(S::MlDsaShake256, T::Digest, &[0; 64]),
        Err(Error::MessageType { .. })
    ));
    let ec = PrivateKey::generate(K::EccNistP384).unwrap();
    assert!(matches!(
        ec.sign(S::EcdsaSha384, T::ExternalMu, &[0; 64]),
        Err(Error::MessageType { .. })
    ));
}

#[test]
fn an_algorithm_of_another_spec_is_refused() {
    let key = PrivateKey::generate(K::EccNistP256).unwrap();
    for algorithm in [S::EcdsaSha384, S::RsassaPssSha256, S::Ed25519Sha512] {
        assert_eq!(
            key.sign(algorithm, T::Raw, b"m"),
            Err(Error::SigningAlgorithm {
                algorithm,
                spec: K::EccNistP256
            })
        );
    }
    let kem = PrivateKey::generate(K::MlKem768).unwrap();
    assert!(kem.sign(S::MlDsaShake256, T::Raw, b"m").is_err());
    assert_eq!(
        kem.encrypt(E::RsaesOaepSha256, b"m"),
        Err(Error::EncryptionAlgorithm {
            algorithm: E::RsaesOaepSha256,
            spec: K::MlKem768
        })
    );
}

#[test]
fn ml_dsa_external_mu_signs_as_the_raw_message_would() {
    // AWS, ML-DSA keys: "The signatures produced by the externally computed
    // μ are the same as the RAW ones". Check: a RAW signature verifies as an
    // EXTERNAL_MU over μ = SHAKE256(SHAKE256(pk, 64) || 0 || 0 || M, 64).
    use shake::{ExtendableOutput, Update, XofReader};
    let key = PrivateKey::generate(K::MlDsa65).unwrap();
    let public = key.public_key();
    let raw_pk = spki::SubjectPublicKeyInfoRef::try_from(public.to_der())
        .unwrap()
        .subject_public_key
        .raw_bytes()
        .to_vec();
    let shake = |parts: &[&[u8]]| {
        let mut h = shake::Shake256::default();
        parts.iter().for_each(|p| h.update(p));
        let mut out = [0u8; 64];
        h.finalize_xof().read(&mut out);
        out
    };
    let message = b"a large artifact, represented by mu";
    let mu = shake(&[&shake(&[&raw_pk]), &[0, 0], message]);
    let raw = key.sign(S::MlDsaShake256, T::Raw, message).unwrap();
    public.verify(S::MlDsaShake256, T::ExternalMu, &mu, &raw).unwrap();
    let via_mu = key.sign(S::MlDsaShake256, T::ExternalMu, &mu).unwrap();
    public.verify(S::MlDsaShake256, T::Raw, message, &via_mu).unwrap();
}

#[test]
fn rsa_oaep_takes_exactly_awss_plaintext_limits() {
    // API Reference, Encrypt: RSA_2048 holds 214 bytes with RSAES_OAEP_SHA_1
    // and 190 with RSAES_OAEP_SHA_256 (342/318 for 3072, 470/446 for 4096).
    let expected = [
        (K::Rsa2048, E::RsaesOaepSha1, 214),
        (K::Rsa2048, E::RsaesOaepSha256, 190),
        (K::Rsa3072, E::RsaesOaepSha1, 342),
        (K::Rsa3072, E::RsaesOaepSha256, 318),
        (K::Rsa4096, E::RsaesOaepSha1, 470),
        (K::Rsa4096, E::RsaesOaepSha256, 446),
        (K::Sm2, E::Sm2pke, 1024),
    ];
    for (spec, algorithm, max) in expected {
        assert_eq!(algorithm.max_plaintext_bytes(spec), Some(max), "{spec} {algorithm}");
    }
    assert_eq!(E::RsaesOaepSha256.max_plaintext_bytes(K::EccNistP256), None);
    let key = PrivateKey::generate(K::Rsa2048).unwrap();
    for algorithm in [E::RsaesOaepSha1, E::RsaesOaepSha256] {
        let max = algorithm.max_plaintext_bytes(K::Rsa2048).unwrap();
        let plaintext = vec![7u8; max];
        let ciphertext = key.encrypt(algorithm, &plaintext).unwrap();
        assert_eq!(*key.decrypt(algorithm, &ciphertext).unwrap(), plaintext);
        assert_eq!(
            key.encrypt(algorithm, &vec![7u8; max + 1]),
            Err(Error::PlaintextTooLarge {
                algorithm,
                spec: K::Rsa2048,
                max
            })
        );
        let mut tampered = ciphertext.clone();
        tampered[10] ^= 1;
        assert_eq!(key.decrypt(algorithm, &tampered), Err(Error::Crypto));
    }
    // Decrypting with the other OAEP hash fails, opaquely.
    let ciphertext = key.encrypt(E::RsaesOaepSha1, b"m").unwrap();
    assert_eq!(key.decrypt(E::RsaesOaepSha256, &ciphertext), Err(Error::Crypto));
}

#[test]
fn sm2pke_round_trips_and_refuses_a_changed_ciphertext() {
    let key = PrivateKey::generate(K::Sm2).unwrap();
    let ciphertext = key.encrypt(E::Sm2pke, b"sm2 plaintext").unwrap();
    assert_eq!(
        key.decrypt(E::Sm2pke, &ciphertext).unwrap().as_slice(),
        b"sm2 plaintext"
    );
    let mut tampered = ciphertext.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert_eq!(key.decrypt(E::Sm2pke, &tampered), Err(Error::Crypto));
}

#[test]
fn ecdh_gives_both_parties_the_same_raw_secret() {
    for spec in [K::EccNistP256, K::EccNistP384, K::EccNistP521, K::Sm2] {
        let (alice, bob) = (PrivateKey::generate(spec).unwrap(), PrivateKey::generate(spec).unwrap());
        let a = alice
            .derive_shared_secret(KeyAgreementAlgorithm::Ecdh, bob.public_key().to_der())
            .unwrap();
        let b = bob
            .derive_shared_secret(KeyAgreementAlgorithm::Ecdh, alice.public_key().to_der())
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a.len(),
            if spec == K::EccNistP384 {
                48
            } else if spec == K::EccNistP521 {
                66
            } else {
                32
            }
        );
    }
    // A peer on another curve, or not a key at all, is refused.
    let p256 = PrivateKey::generate(K::EccNistP256).unwrap();
    let p384 = PrivateKey::generate(K::EccNistP384).unwrap();
    let ecdh = KeyAgreementAlgorithm::Ecdh;
    assert_eq!(
        p256.derive_shared_secret(ecdh, p384.public_key().to_der()),
        Err(Error::InvalidPublicKey(K::EccNistP256))
    );
    assert_eq!(
        p256.derive_shared_secret(ecdh, b"junk"),
        Err(Error::InvalidPublicKey(K::EccNistP256))
    );
    // secp256k1 and Ed25519 keys have no key agreement in AWS KMS.
    let k1 = PrivateKey::generate(K::EccSecgP256k1).unwrap();
    assert!(k1.derive_shared_secret(ecdh, k1.public_key().to_der()).is_err());
}

#[test]
fn ml_kem_encapsulates_a_32_byte_secret_that_decapsulates_the_same() {
    for spec in [K::MlKem512, K::MlKem768, K::MlKem1024] {
        let key = PrivateKey::generate(spec).unwrap();
        let (ciphertext, secret) = key.public_key().encapsulate().unwrap();
        assert_eq!(secret.len(), 32);
        assert_eq!(key.decapsulate(&ciphertext).unwrap(), secret);
        let mut other = ciphertext.clone();
        other[0] ^= 1;
        assert_ne!(key.decapsulate(&other).unwrap(), secret, "implicit rejection");
        assert_eq!(key.decapsulate(&ciphertext[1..]), Err(Error::Crypto));
    }
}

#[test]
fn private_keys_survive_storage_as_pkcs8_and_never_print() {
    for &spec in ASYMMETRIC_FAST.iter().chain(&[K::Rsa2048]) {
        let key = PrivateKey::generate(spec).unwrap();
        let stored = key.to_pkcs8_der().unwrap();
        let back = PrivateKey::from_pkcs8_der(spec, &stored).unwrap();
        assert_eq!(back.public_key().to_der(), key.public_key().to_der(), "{spec}");
        assert_eq!(format!("{key:?}"), format!("PrivateKey({spec}, [REDACTED])"));
        // The public key is standard SubjectPublicKeyInfo and parses back.
        PublicKey::from_der(spec, key.public_key().to_der()).unwrap();
    }
    let p256 = PrivateKey::generate(K::EccNistP256).unwrap().to_pkcs8_der().unwrap();
    assert_eq!(
        PrivateKey::from_pkcs8_der(K::EccNistP384, &p256).err(),
        Some(Error::InvalidKeyMaterial(K::EccNistP384))
    );
    assert_eq!(
        PrivateKey::from_pkcs8_der(K::Rsa3072, b"junk").err(),
        Some(Error::InvalidKeyMaterial(K::Rsa3072))
    );
}

#[test]
fn data_key_pairs_exist_for_the_data_key_pair_specs_only() {
    let pair = PrivateKey::generate_data_key_pair(K::EccNistP256).unwrap();
    let key = PrivateKey::from_pkcs8_der(K::EccNistP256, &pair.private_key_pkcs8).unwrap();
    assert_eq!(key.public_key().to_der(), pair.public_key_spki.as_slice());
    assert_eq!(format!("{pair:?}"), "DataKeyPair([REDACTED])");
    for spec in [K::MlDsa65, K::Hmac256, K::SymmetricDefault] {
        assert_eq!(
            PrivateKey::generate_data_key_pair(spec).err(),
            Some(Error::NotForSpec(spec))
        );
    }
}

#[test]
fn rsa_4096_and_3072_keys_have_their_modulus_length() {
    for spec in [K::Rsa3072, K::Rsa4096] {
        let key = PrivateKey::generate(spec).unwrap();
        let signature = key.sign(S::RsassaPssSha512, T::Raw, b"m").unwrap();
        assert_eq!(Some(signature.len()), spec.rsa_modulus_bytes());
        key.verify(S::RsassaPssSha512, T::Raw, b"m", &signature).unwrap();
    }
}

#[test]
fn ed25519_matches_rfc_8032_test_1() {
    // RFC 8032 §7.1, TEST 1: the empty message.
    let seed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    let mut pkcs8 = hex("302e020100300506032b657004220420");
    pkcs8.extend_from_slice(&seed);
    let key = PrivateKey::from_pkcs8_der(K::EccNistEdwards25519, &pkcs8).unwrap();
    let public = key.public_key();
    assert!(public
        .to_der()
        .ends_with(&hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")));
    let signature = key.sign(S::Ed25519Sha512, T::Raw, b"").unwrap();
    assert_eq!(
        signature,
        hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
    );
}

#[test]
fn ed25519ph_hashes_the_given_digest_once_more_as_aws_documents() {
    // RFC 8032 §7.3 (TEST abc) pins the crate's Ed25519ph. AWS hashes the
    // 64-byte DIGEST message again, so keyward's ED25519_PH_SHA_512 over a
    // digest d equals Ed25519ph over the message d.
    use ::sha2::{Digest, Sha512};
    let secret: [u8; 32] = hex("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42")
        .try_into()
        .unwrap();
    let dalek = ed25519_dalek::SigningKey::from_bytes(&secret);
    let rfc = dalek.sign_prehashed(Sha512::new().chain_update(b"abc"), None).unwrap();
    assert_eq!(
        rfc.to_bytes().to_vec(),
        hex("98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406")
    );
    let mut pkcs8 = hex("302e020100300506032b657004220420");
    pkcs8.extend_from_slice(&secret);
    let key = PrivateKey::from_pkcs8_der(K::EccNistEdwards25519, &pkcs8).unwrap();
    let digest = Sha512::digest(b"abc");
    let ours = key.sign(S::Ed25519PhSha512, T::Digest, &digest).unwrap();
    let expected = dalek.sign_prehashed(Sha512::new().chain_update(digest), None).unwrap();
    assert_eq!(ours, expected.to_bytes().to_vec());
}

#[test]
fn ml_dsa_and_ml_kem_seed_keys_give_the_published_public_keys() {
    // The IETF LAMPS examples (tests/data/keys/README.md).
    let pem = |s: &str| -> Vec<u8> {
        use base64::Engine;
        let body: String = s.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD.decode(body).unwrap()
    };
    let cases = [
        (
            K::MlDsa65,
            include_str!("../../../tests/data/keys/ML-DSA-65-seed.priv"),
            include_str!("../../../tests/data/keys/ML-DSA-65.pub"),
        ),
        (
            K::MlKem768,
            include_str!("../../../tests/data/keys/ML-KEM-768-seed.priv"),
            include_str!("../../../tests/data/keys/ML-KEM-768.pub"),
        ),
    ];
    for (spec, private, public) in cases {
        let key = PrivateKey::from_pkcs8_der(spec, &pem(private)).unwrap();
        assert_eq!(key.public_key().to_der(), pem(public).as_slice(), "{spec}");
    }
}

#[test]
fn hmac_matches_rfc_4231_test_cases_1_and_2() {
    let cases: [(&[u8], &[u8], [&str; 4]); 2] = [
        (&[0x0b; 20], b"Hi There", [
            "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
        ]),
        (b"Jefe", b"what do ya want for nothing?", [
            "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        ]),
    ];
    let specs = [
        (K::Hmac224, MacAlgorithm::HmacSha224),
        (K::Hmac256, MacAlgorithm::HmacSha256),
        (K::Hmac384, MacAlgorithm::HmacSha384),
        (K::Hmac512, MacAlgorithm::HmacSha512),
    ];
    for (secret, message, tags) in cases {
        for ((spec, algorithm), tag) in specs.iter().zip(tags) {
            let key = HmacKey::from_bytes(*spec, secret).unwrap();
            assert_eq!(key.mac(*algorithm, message).unwrap(), hex(tag));
            key.verify(*algorithm, message, &hex(tag)).unwrap();
        }
    }
}

#[test]
fn hmac_keys_are_as_long_as_the_hash_and_take_only_their_algorithm() {
    for (spec, bytes) in [(K::Hmac224, 28), (K::Hmac256, 32), (K::Hmac384, 48), (K::Hmac512, 64)] {
        let key = HmacKey::generate(spec).unwrap();
        assert_eq!(key.expose_for_wrapping().len(), bytes);
        let algorithm = spec.facts().mac[0];
        let tag = key.mac(algorithm, b"webhook body").unwrap();
        assert_eq!(tag.len(), algorithm.mac_bytes());
        assert_eq!(key.verify(algorithm, b"webhook bodY", &tag), Err(Error::Crypto));
        assert_eq!(key.verify(algorithm, b"webhook body", &tag[1..]), Err(Error::Crypto));
        assert_eq!(format!("{key:?}"), format!("HmacKey({spec}, [REDACTED])"));
    }
    let key = HmacKey::generate(K::Hmac224).unwrap();
    assert_eq!(
        key.mac(MacAlgorithm::HmacSha256, b"m"),
        Err(Error::NotForSpec(K::Hmac224))
    );
    assert!(HmacKey::generate(K::EccNistP256).is_err());
}

#[test]
fn the_spec_table_matches_the_api_model_and_the_key_spec_reference() {
    assert_eq!(KeySpec::ALL.len(), 20);
    assert_eq!(SigningAlgorithm::ALL.len(), 13);
    assert_eq!("ECC_NIST_EDWARDS25519".parse::<KeySpec>(), Ok(K::EccNistEdwards25519));
    assert!("RSA_1024".parse::<KeySpec>().is_err());
    // Asymmetric specs with several usages have no default usage.
    assert_eq!(K::Rsa2048.default_usage(), None);
    assert_eq!(K::Sm2.default_usage(), None);
    assert_eq!(K::EccSecgP256k1.default_usage(), Some(KeyUsage::SignVerify));
    assert_eq!(K::MlKem768.default_usage(), Some(KeyUsage::EncapsulateDecapsulate));
    assert!(!K::EccNistEdwards25519.allows_usage(KeyUsage::KeyAgreement));
    assert_eq!(
        K::EccNistP521.signing_algorithms(KeyUsage::SignVerify),
        &[S::EcdsaSha512]
    );
    assert!(K::EccNistP521.signing_algorithms(KeyUsage::KeyAgreement).is_empty());
    let data_pairs: Vec<&str> = KeySpec::ALL
        .iter()
        .filter(|s| s.is_data_key_pair_spec())
        .map(|s| s.as_str())
        .collect();
    assert_eq!(
        data_pairs,
        [
            "RSA_2048",
            "RSA_3072",
            "RSA_4096",
            "ECC_NIST_P256",
            "ECC_NIST_P384",
            "ECC_NIST_P521",
            "ECC_SECG_P256K1",
            "SM2",
            "ECC_NIST_EDWARDS25519",
            "ML_KEM_512",
            "ML_KEM_768",
            "ML_KEM_1024"
        ]
    );
}
