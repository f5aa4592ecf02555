//! Every key kind against implementations keyward does not use: the
//! `openssl` command (RSA, ECDSA, Ed25519, SM2, ECDH, RSA-OAEP, SM2PKE) and
//! Python `cryptography` (ML-DSA, ML-KEM; installed by `.ci/run` in
//! `target/py`). Signatures made by keyward verify there, signatures made
//! there verify in keyward, ciphertexts and shared secrets agree both ways.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use keyward::crypto::keys::{
    EncryptionAlgorithm as E, KeyAgreementAlgorithm, KeySpec as K, MessageType as T, PrivateKey, PublicKey,
    SigningAlgorithm as S,
};
use sha2::Digest;

mod python;
mod wycheproof_vectors;

/// A scratch folder under target/, emptied first.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/keys-crosscheck")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `openssl` with `args` in `dir`; panics with its output on failure.
pub(crate) fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("the openssl command is needed for these tests");
    assert!(
        out.status.success(),
        "openssl {}: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Writes the key pair's PKCS#8 and SPKI DER files into `dir`.
fn write_key(dir: &Path, key: &PrivateKey) {
    fs::write(dir.join("priv.der"), key.to_pkcs8_der().unwrap().as_slice()).unwrap();
    fs::write(dir.join("pub.der"), key.public_key().to_der()).unwrap();
}

fn digest_name(algorithm: S) -> &'static str {
    match algorithm.as_str() {
        a if a.ends_with("256") => "sha256",
        a if a.ends_with("384") => "sha384",
        _ => "sha512",
    }
}

/// `pkeyutl` options for an RSA or ECDSA algorithm over a digest.
fn pkey_options(algorithm: S) -> Vec<String> {
    let mut options = vec!["-pkeyopt".to_string(), format!("digest:{}", digest_name(algorithm))];
    if algorithm.as_str().starts_with("RSASSA_PSS") {
        options.extend(["-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest"].map(String::from));
    }
    options
}

fn sha(algorithm: S, message: &[u8]) -> Vec<u8> {
    match digest_name(algorithm) {
        "sha256" => sha2::Sha256::digest(message).to_vec(),
        "sha384" => sha2::Sha384::digest(message).to_vec(),
        _ => sha2::Sha512::digest(message).to_vec(),
    }
}

/// keyward signs (RAW and DIGEST), OpenSSL verifies; OpenSSL signs with
/// keyward's exported private key, keyward verifies.
fn crosscheck_digest_signatures(spec: K) {
    let dir = scratch(spec.as_str());
    let key = PrivateKey::generate(spec).unwrap();
    write_key(&dir, &key);
    let message = b"keyward release 1.0, signed for offline verification";
    for &algorithm in spec.facts().signing {
        let digest = sha(algorithm, message);
        fs::write(dir.join("digest.bin"), &digest).unwrap();
        let options = pkey_options(algorithm);
        let options: Vec<&str> = options.iter().map(String::as_str).collect();
        for (message_type, input) in [(T::Raw, &message[..]), (T::Digest, &digest[..])] {
            let signature = key.sign(algorithm, message_type, input).unwrap();
            fs::write(dir.join("sig.bin"), &signature).unwrap();
            let mut args = vec!["pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", "pub.der"];
            args.extend(["-in", "digest.bin", "-sigfile", "sig.bin"]);
            args.extend(&options);
            let out = openssl(&dir, &args);
            assert!(
                String::from_utf8_lossy(&out).contains("Signature Verified Successfully"),
                "{spec} {algorithm}"
            );
        }
        let mut args = vec![
            "pkeyutl",
            "-sign",
            "-keyform",
            "DER",
            "-inkey",
            "priv.der",
            "-in",
            "digest.bin",
        ];
        args.extend(&options);
        let signature = openssl(&dir, &args);
        let public = PublicKey::from_der(spec, key.public_key().to_der()).unwrap();
        public.verify(algorithm, T::Raw, message, &signature).unwrap();
        public.verify(algorithm, T::Digest, &digest, &signature).unwrap();
    }
}

#[test]
fn rsa_signatures_verify_with_openssl_both_ways() {
    crosscheck_digest_signatures(K::Rsa2048);
}

#[test]
fn ecdsa_signatures_verify_with_openssl_both_ways() {
    for spec in [K::EccNistP256, K::EccNistP384, K::EccNistP521, K::EccSecgP256k1] {
        crosscheck_digest_signatures(spec);
    }
}

#[test]
fn openssl_keys_load_as_keyward_private_keys() {
    // PKCS#8 from another implementation reads back (an import path), and
    // its public key is the one OpenSSL derives.
    for (spec, genpkey) in [
        (
            K::EccNistP256,
            vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        ),
        (
            K::EccSecgP256k1,
            vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"],
        ),
        (K::EccNistEdwards25519, vec!["-algorithm", "ED25519"]),
        (
            K::Rsa2048,
            vec!["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        ),
    ] {
        let dir = scratch(&format!("import-{spec}"));
        let mut args = vec!["genpkey", "-outform", "DER", "-out", "own.der"];
        args.extend(genpkey);
        openssl(&dir, &args);
        // OpenSSL 3.0 writes EC keys in SEC1 form; PKCS#8 is what we read.
        openssl(
            &dir,
            &[
                "pkcs8", "-topk8", "-nocrypt", "-inform", "DER", "-in", "own.der", "-outform", "DER", "-out",
                "priv.der",
            ],
        );
        openssl(
            &dir,
            &[
                "pkey", "-inform", "DER", "-in", "priv.der", "-pubout", "-outform", "DER", "-out", "pub.der",
            ],
        );
        let key = PrivateKey::from_pkcs8_der(spec, &fs::read(dir.join("priv.der")).unwrap()).unwrap();
        let public = fs::read(dir.join("pub.der")).unwrap();
        let ours = PublicKey::from_der(spec, key.public_key().to_der()).unwrap();
        let theirs = PublicKey::from_der(spec, &public).unwrap();
        let algorithm = spec.facts().signing[0];
        let message_type = algorithm.message_types()[0];
        let message = vec![1u8; algorithm.required_message_len(message_type).unwrap_or(10)];
        let signature = key.sign(algorithm, message_type, &message).unwrap();
        ours.verify(algorithm, message_type, &message, &signature).unwrap();
        theirs.verify(algorithm, message_type, &message, &signature).unwrap();
    }
}

#[test]
fn ed25519_signatures_verify_with_openssl_both_ways() {
    let dir = scratch("ed25519");
    let key = PrivateKey::generate(K::EccNistEdwards25519).unwrap();
    write_key(&dir, &key);
    let message = b"ED25519_SHA_512 over a RAW message";
    fs::write(dir.join("msg.bin"), message).unwrap();
    fs::write(
        dir.join("sig.bin"),
        key.sign(S::Ed25519Sha512, T::Raw, message).unwrap(),
    )
    .unwrap();
    let out = openssl(
        &dir,
        &[
            "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", "pub.der", "-rawin", "-in", "msg.bin",
            "-sigfile", "sig.bin",
        ],
    );
    assert!(String::from_utf8_lossy(&out).contains("Signature Verified Successfully"));
    let signature = openssl(
        &dir,
        &[
            "pkeyutl", "-sign", "-keyform", "DER", "-inkey", "priv.der", "-rawin", "-in", "msg.bin",
        ],
    );
    key.public_key()
        .verify(S::Ed25519Sha512, T::Raw, message, &signature)
        .unwrap();
}

#[test]
fn sm2dsa_signatures_verify_with_openssl_both_ways() {
    // AWS, Offline verification with SM2 key pairs: SM3 and the
    // distinguishing ID 1234567812345678.
    let dir = scratch("sm2dsa");
    let key = PrivateKey::generate(K::Sm2).unwrap();
    write_key(&dir, &key);
    let message = b"SM2DSA over a RAW message";
    fs::write(dir.join("msg.bin"), message).unwrap();
    fs::write(dir.join("sig.bin"), key.sign(S::Sm2dsa, T::Raw, message).unwrap()).unwrap();
    let distid = "distid:1234567812345678";
    let common = [
        "-keyform", "DER", "-rawin", "-digest", "sm3", "-in", "msg.bin", "-pkeyopt", distid,
    ];
    let mut verify = vec![
        "pkeyutl", "-verify", "-pubin", "-inkey", "pub.der", "-sigfile", "sig.bin",
    ];
    verify.extend(common);
    let out = openssl(&dir, &verify);
    assert!(String::from_utf8_lossy(&out).contains("Signature Verified Successfully"));
    let mut sign = vec!["pkeyutl", "-sign", "-inkey", "priv.der"];
    sign.extend(common);
    let signature = openssl(&dir, &sign);
    key.public_key().verify(S::Sm2dsa, T::Raw, message, &signature).unwrap();
}

#[test]
fn rsa_oaep_ciphertexts_decrypt_with_openssl_both_ways() {
    let dir = scratch("rsa-oaep");
    let key = PrivateKey::generate(K::Rsa2048).unwrap();
    write_key(&dir, &key);
    for (algorithm, md) in [(E::RsaesOaepSha1, "sha1"), (E::RsaesOaepSha256, "sha256")] {
        let oaep = ["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt"];
        let md_opt = format!("rsa_oaep_md:{md}");
        let mgf_opt = format!("rsa_mgf1_md:{md}");
        let plaintext = vec![0x42u8; algorithm.max_plaintext_bytes(K::Rsa2048).unwrap()];
        fs::write(dir.join("ct.bin"), key.encrypt(algorithm, &plaintext).unwrap()).unwrap();
        let mut args = vec![
            "pkeyutl", "-decrypt", "-keyform", "DER", "-inkey", "priv.der", "-in", "ct.bin",
        ];
        args.extend(oaep);
        args.extend([md_opt.as_str(), "-pkeyopt", mgf_opt.as_str()]);
        assert_eq!(openssl(&dir, &args), plaintext, "{algorithm}");
        fs::write(dir.join("pt.bin"), &plaintext).unwrap();
        let mut args = vec![
            "pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey", "pub.der", "-in", "pt.bin",
        ];
        args.extend(oaep);
        args.extend([md_opt.as_str(), "-pkeyopt", mgf_opt.as_str()]);
        let ciphertext = openssl(&dir, &args);
        assert_eq!(*key.decrypt(algorithm, &ciphertext).unwrap(), plaintext, "{algorithm}");
    }
}

#[test]
fn sm2pke_ciphertexts_decrypt_with_openssl_both_ways() {
    let dir = scratch("sm2pke");
    let key = PrivateKey::generate(K::Sm2).unwrap();
    write_key(&dir, &key);
    let plaintext = b"SM2PKE, the ASN.1 ciphertext form".to_vec();
    fs::write(dir.join("ct.bin"), key.encrypt(E::Sm2pke, &plaintext).unwrap()).unwrap();
    let out = openssl(
        &dir,
        &[
            "pkeyutl", "-decrypt", "-keyform", "DER", "-inkey", "priv.der", "-in", "ct.bin",
        ],
    );
    assert_eq!(out, plaintext);
    fs::write(dir.join("pt.bin"), &plaintext).unwrap();
    let ciphertext = openssl(
        &dir,
        &[
            "pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey", "pub.der", "-in", "pt.bin",
        ],
    );
    assert_eq!(*key.decrypt(E::Sm2pke, &ciphertext).unwrap(), plaintext);
}

#[test]
fn ecdh_shared_secrets_equal_openssls_both_ways() {
    // AWS, Deriving shared secrets offline: the same raw secret on both sides.
    for (spec, curve) in [
        (K::EccNistP256, "P-256"),
        (K::EccNistP384, "P-384"),
        (K::EccNistP521, "P-521"),
    ] {
        let dir = scratch(&format!("ecdh-{spec}"));
        let key = PrivateKey::generate(spec).unwrap();
        write_key(&dir, &key);
        let curve_opt = format!("ec_paramgen_curve:{curve}");
        openssl(
            &dir,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                curve_opt.as_str(),
                "-outform",
                "DER",
                "-out",
                "peer.der",
            ],
        );
        openssl(
            &dir,
            &[
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
            ],
        );
        let peer_public = fs::read(dir.join("peer-pub.der")).unwrap();
        let ours = key
            .derive_shared_secret(KeyAgreementAlgorithm::Ecdh, &peer_public)
            .unwrap();
        let theirs = openssl(
            &dir,
            &[
                "pkeyutl",
                "-derive",
                "-keyform",
                "DER",
                "-inkey",
                "peer.der",
                "-peerform",
                "DER",
                "-peerkey",
                "pub.der",
            ],
        );
        assert_eq!(*ours, theirs, "{spec}");
    }
}

#[test]
fn ml_dsa_signatures_verify_with_python_cryptography_both_ways() {
    python::ml_dsa();
}

/// SM4-GCM blobs of a China Region key (CreateKey `KeySpec`:
/// "a 128-bit symmetric key that uses SM4 encryption").
#[test]
fn sm4_blobs_of_china_region_keys_open_with_python_cryptography_both_ways() {
    python::sm4_blob();
}

#[test]
fn ml_kem_secrets_agree_with_python_cryptography_both_ways() {
    python::ml_kem();
}
