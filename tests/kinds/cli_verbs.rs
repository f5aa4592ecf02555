//! The key-kind verbs through the built `keyward` binary with a state
//! directory: `derive-shared-secret` against a peer key OpenSSL made,
//! `generate-data-key-pair` with and without the plaintext private key,
//! and `encapsulate` then `decapsulate`.

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::{b64, bytes};
use crate::keys::{openssl, scratch};

/// Runs `keyward --state STATE --output json ARGS` in `dir`; its JSON answer.
fn keyward(dir: &Path, args: &[&str]) -> Value {
    let state = dir.join("state");
    let out = Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args(["--state", state.to_str().unwrap(), "--output", "json"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the keyward binary runs");
    assert!(
        out.status.success(),
        "keyward {}: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("keyward {}: {e}", args.join(" ")))
}

fn create_key(dir: &Path, spec: &str, usage: &str) -> String {
    let created = keyward(dir, &["key", "create", "--key-spec", spec, "--key-usage", usage]);
    created["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned()
}

#[test]
fn derive_shared_secret_verb_agrees_with_openssl_on_a_pem_peer_key_and_writes_the_secret_file() {
    let dir = scratch("kinds-cli-derive");
    let key = create_key(&dir, "ECC_NIST_P256", "KEY_AGREEMENT");
    keyward(&dir, &["get-public-key", "--key-id", &key, "--out-file", "kms.pem"]);
    openssl(
        &dir,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "peer.pem",
        ],
    );
    openssl(&dir, &["pkey", "-in", "peer.pem", "-pubout", "-out", "peer-pub.pem"]);
    let derived = keyward(
        &dir,
        &[
            "derive-shared-secret",
            "--key-id",
            &key,
            "--public-key",
            "file://peer-pub.pem",
            "--out-file",
            "ours.bin",
        ],
    );
    let theirs = openssl(
        &dir,
        &["pkeyutl", "-derive", "-inkey", "peer.pem", "-peerkey", "kms.pem"],
    );
    assert_eq!(theirs.len(), 32);
    assert_eq!(bytes(&derived["SharedSecret"]), theirs);
    assert_eq!(fs::read(dir.join("ours.bin")).unwrap(), theirs);
    assert_eq!(derived["KeyAgreementAlgorithm"], "ECDH");
    let _ = fs::remove_dir_all(&dir);
}

/// The DER SubjectPublicKeyInfo OpenSSL derives from a PKCS#8 private key.
fn public_of_private(dir: &Path, pkcs8: &[u8]) -> Vec<u8> {
    fs::write(dir.join("priv.der"), pkcs8).unwrap();
    openssl(
        dir,
        &[
            "pkey", "-inform", "DER", "-in", "priv.der", "-pubout", "-outform", "DER",
        ],
    )
}

/// `decrypt` of a sealed private key under its encryption context.
fn unseal(dir: &Path, blob: &Value) -> Vec<u8> {
    let opened = keyward(
        dir,
        &[
            "decrypt",
            "--ciphertext-blob",
            blob.as_str().unwrap(),
            "--encryption-context",
            "purpose=ci",
        ],
    );
    bytes(&opened["Plaintext"])
}

#[test]
fn generate_data_key_pair_verb_gives_a_pkcs8_key_matching_its_public_key_sealed_under_the_context() {
    let dir = scratch("kinds-cli-data-key-pair");
    let key = create_key(&dir, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    let pair = keyward(
        &dir,
        &[
            "generate-data-key-pair",
            "--key-id",
            &key,
            "--key-pair-spec",
            "ECC_NIST_P256",
            "--encryption-context",
            "purpose=ci",
        ],
    );
    let public = bytes(&pair["PublicKey"]);
    let private = bytes(&pair["PrivateKeyPlaintext"]);
    assert_eq!(pair["KeyPairSpec"], "ECC_NIST_P256");
    assert_eq!(public_of_private(&dir, &private), public);
    assert_eq!(unseal(&dir, &pair["PrivateKeyCiphertextBlob"]), private);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn generate_data_key_pair_verb_without_plaintext_gives_no_private_key_but_one_that_unseals_to_the_public_key() {
    let dir = scratch("kinds-cli-data-key-pair-sealed");
    let key = create_key(&dir, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    let pair = keyward(
        &dir,
        &[
            "generate-data-key-pair",
            "--key-id",
            &key,
            "--key-pair-spec",
            "RSA_2048",
            "--encryption-context",
            "purpose=ci",
            "--without-plaintext",
        ],
    );
    assert!(pair.get("PrivateKeyPlaintext").is_none(), "{pair}");
    let private = unseal(&dir, &pair["PrivateKeyCiphertextBlob"]);
    assert_eq!(public_of_private(&dir, &private), bytes(&pair["PublicKey"]));
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn encapsulate_verb_writes_a_ciphertext_that_decapsulate_opens_to_the_same_secret() {
    let dir = scratch("kinds-cli-kem");
    let key = create_key(&dir, "ML_KEM_768", "ENCAPSULATE_DECAPSULATE");
    let sealed = keyward(&dir, &["encapsulate", "--key-id", &key, "--out-file", "ct.bin"]);
    let ciphertext = fs::read(dir.join("ct.bin")).unwrap();
    assert_eq!(ciphertext.len(), 1088, "ML-KEM-768's ciphertext");
    assert_eq!(bytes(&sealed["SharedSecretCiphertextBlob"]), ciphertext);
    let secret = bytes(&sealed["SharedSecret"]);
    assert_eq!(secret.len(), 32);
    let opened = keyward(
        &dir,
        &[
            "decapsulate",
            "--key-id",
            &key,
            "--ciphertext",
            "fileb://ct.bin",
            "--out-file",
            "ss.bin",
        ],
    );
    assert_eq!(bytes(&opened["SharedSecret"]), secret);
    assert_eq!(fs::read(dir.join("ss.bin")).unwrap(), secret);
    // The same ciphertext given as base64 opens the same way.
    let again = keyward(
        &dir,
        &["decapsulate", "--key-id", &key, "--ciphertext", &b64(&ciphertext)],
    );
    assert_eq!(bytes(&again["SharedSecret"]), secret);
    let _ = fs::remove_dir_all(&dir);
}
