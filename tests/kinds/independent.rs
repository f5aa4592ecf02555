//! What the KMS operations give, checked with the `openssl` command (an
//! implementation keyward does not use), from the public key `GetPublicKey`
//! returns: signatures verify, RSA ciphertexts made by OpenSSL decrypt in
//! keyward, ECDH secrets agree. (`tests/keys` checks the crypto layer
//! itself, both ways, and ML-DSA and ML-KEM with Python `cryptography`;
//! `tests/serve` does the same over the SDK.)

use std::fs;

use serde_json::json;
use sha2::Digest;

use super::*;
use crate::keys::{openssl, scratch};

/// The `openssl pkeyutl` options of an RSA or ECDSA algorithm.
fn options(algorithm: &str) -> Vec<&'static str> {
    let digest = match &algorithm[algorithm.len() - 3..] {
        "256" => "digest:sha256",
        "384" => "digest:sha384",
        _ => "digest:sha512",
    };
    let mut options = vec!["-pkeyopt", digest];
    if algorithm.starts_with("RSASSA_PSS") {
        options.extend(["-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest"]);
    }
    options
}

fn digest(algorithm: &str, message: &[u8]) -> Vec<u8> {
    match &algorithm[algorithm.len() - 3..] {
        "256" => sha2::Sha256::digest(message).to_vec(),
        "384" => sha2::Sha384::digest(message).to_vec(),
        _ => sha2::Sha512::digest(message).to_vec(),
    }
}

#[test]
fn signatures_verify_with_openssl_from_the_public_key_for_every_spec_and_algorithm_openssl_has() {
    let kms = kms();
    let message = b"keyward-1.0.0.tar.gz: the bytes of a release";
    const RSA: &[&str] = &[
        "RSASSA_PSS_SHA_256",
        "RSASSA_PSS_SHA_384",
        "RSASSA_PSS_SHA_512",
        "RSASSA_PKCS1_V1_5_SHA_256",
        "RSASSA_PKCS1_V1_5_SHA_384",
        "RSASSA_PKCS1_V1_5_SHA_512",
    ];
    // Each key is created once; every algorithm of its spec signs with it.
    let cases: &[(&str, &[&str])] = &[
        ("RSA_2048", RSA),
        ("RSA_3072", RSA),
        ("RSA_4096", RSA),
        ("ECC_NIST_P256", &["ECDSA_SHA_256"]),
        ("ECC_NIST_P384", &["ECDSA_SHA_384"]),
        ("ECC_NIST_P521", &["ECDSA_SHA_512"]),
        ("ECC_SECG_P256K1", &["ECDSA_SHA_256"]),
        ("ECC_NIST_EDWARDS25519", &["ED25519_SHA_512"]),
    ];
    for (spec, algorithms) in cases {
        let dir = scratch(&format!("kinds-{spec}"));
        let key = create(&kms, spec, "SIGN_VERIFY");
        let public = bytes(&ok(&kms, "GetPublicKey", json!({"KeyId": key}))["PublicKey"]);
        fs::write(dir.join("pub.der"), &public).unwrap();
        // Standard SubjectPublicKeyInfo: OpenSSL reads it back unchanged.
        let reread = openssl(
            &dir,
            &["pkey", "-pubin", "-inform", "DER", "-in", "pub.der", "-outform", "DER"],
        );
        assert_eq!(reread, public, "{spec}");
        fs::write(dir.join("msg.bin"), message).unwrap();
        for algorithm in *algorithms {
            let signed = ok(
                &kms,
                "Sign",
                json!({"KeyId": key, "Message": b64(message), "SigningAlgorithm": algorithm}),
            );
            fs::write(dir.join("sig.bin"), bytes(&signed["Signature"])).unwrap();
            let mut args = vec!["pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", "pub.der"];
            args.extend(["-sigfile", "sig.bin"]);
            if *algorithm == "ED25519_SHA_512" {
                args.extend(["-rawin", "-in", "msg.bin"]);
            } else {
                fs::write(dir.join("digest.bin"), digest(algorithm, message)).unwrap();
                args.extend(["-in", "digest.bin"]);
                args.extend(options(algorithm));
            }
            let out = String::from_utf8(openssl(&dir, &args)).unwrap();
            assert!(
                out.contains("Signature Verified Successfully"),
                "{spec} {algorithm}: {out}"
            );
        }
        let _ = fs::remove_dir_all(&dir);
    }
}

#[test]
fn rsa_ciphertexts_openssl_makes_from_the_public_key_decrypt_through_keyward_for_every_rsa_spec() {
    let kms = kms();
    for spec in ["RSA_2048", "RSA_3072", "RSA_4096"] {
        rsa_oaep_ciphertexts_from_openssl_decrypt(&kms, spec);
    }
}

/// Both OAEP algorithms with one `ENCRYPT_DECRYPT` key of `spec`.
fn rsa_oaep_ciphertexts_from_openssl_decrypt(kms: &Kms, spec: &str) {
    let dir = scratch(&format!("kinds-rsa-oaep-{spec}"));
    let key = create(kms, spec, "ENCRYPT_DECRYPT");
    fs::write(
        dir.join("pub.der"),
        bytes(&ok(kms, "GetPublicKey", json!({"KeyId": key}))["PublicKey"]),
    )
    .unwrap();
    fs::write(dir.join("pt.bin"), b"a secret for keyward").unwrap();
    for (algorithm, digest) in [("RSAES_OAEP_SHA_1", "sha1"), ("RSAES_OAEP_SHA_256", "sha256")] {
        let md = format!("rsa_oaep_md:{digest}");
        let mgf = format!("rsa_mgf1_md:{digest}");
        let args = [
            "pkeyutl",
            "-encrypt",
            "-pubin",
            "-keyform",
            "DER",
            "-inkey",
            "pub.der",
            "-in",
            "pt.bin",
            "-pkeyopt",
            "rsa_padding_mode:oaep",
            "-pkeyopt",
            &md,
            "-pkeyopt",
            &mgf,
        ];
        let ciphertext = openssl(&dir, &args);
        let opened = ok(
            kms,
            "Decrypt",
            json!({"KeyId": key, "CiphertextBlob": b64(&ciphertext), "EncryptionAlgorithm": algorithm}),
        );
        assert_eq!(
            bytes(&opened["Plaintext"]),
            b"a secret for keyward",
            "{spec} {algorithm}"
        );
        // The other algorithm does not open it: one opaque error.
        let other = if algorithm == "RSAES_OAEP_SHA_1" {
            "RSAES_OAEP_SHA_256"
        } else {
            "RSAES_OAEP_SHA_1"
        };
        let wrong = json!({"KeyId": key, "CiphertextBlob": b64(&ciphertext), "EncryptionAlgorithm": other});
        assert_eq!(
            refused(call(kms, "Decrypt", wrong)),
            (ErrorName::InvalidCiphertextException, String::new())
        );
    }
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn ecdh_secrets_equal_the_ones_openssl_derives_on_the_other_side() {
    let kms = kms();
    for (spec, curve) in [
        ("ECC_NIST_P256", "P-256"),
        ("ECC_NIST_P384", "P-384"),
        ("ECC_NIST_P521", "P-521"),
    ] {
        let dir = scratch(&format!("kinds-ecdh-{spec}"));
        let key = create(&kms, spec, "KEY_AGREEMENT");
        fs::write(
            dir.join("kms.der"),
            bytes(&ok(&kms, "GetPublicKey", json!({"KeyId": key}))["PublicKey"]),
        )
        .unwrap();
        let paramgen = format!("ec_paramgen_curve:{curve}");
        let args = [
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            &paramgen,
            "-outform",
            "DER",
            "-out",
            "peer.der",
        ];
        openssl(&dir, &args);
        let public = [
            "pkey",
            "-inform",
            "DER",
            "-in",
            "peer.der",
            "-pubout",
            "-outform",
            "DER",
            "-out",
            "peer-pub.der",
        ];
        openssl(&dir, &public);
        let derive = [
            "pkeyutl",
            "-derive",
            "-keyform",
            "DER",
            "-inkey",
            "peer.der",
            "-peerform",
            "DER",
            "-peerkey",
            "kms.der",
        ];
        let theirs = openssl(&dir, &derive);
        let ours = ok(
            &kms,
            "DeriveSharedSecret",
            json!({"KeyId": key, "KeyAgreementAlgorithm": "ECDH", "PublicKey": b64(&fs::read(dir.join("peer-pub.der")).unwrap())}),
        );
        assert_eq!(bytes(&ours["SharedSecret"]), theirs, "{spec}");
        let _ = fs::remove_dir_all(&dir);
    }
}
