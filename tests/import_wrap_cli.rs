//! `keyward import-wrap`: material wrapped by the CLI unwraps with the
//! wrapping private key, for each RSA wrapping algorithm.

use std::process::Command;

use base64::Engine;
use keyward::crypto::import::{unwrap, WrappingAlgorithm};
use keyward::crypto::keys::{KeySpec, PrivateKey};

#[test]
fn import_wrap_wraps_material_that_the_wrapping_private_key_unwraps() {
    let dir = std::env::temp_dir().join(format!("keyward-import-wrap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let private = PrivateKey::generate(KeySpec::Rsa2048).unwrap();
    let public = dir.join("public.b64");
    let der = private.public_key().to_der().to_vec();
    std::fs::write(&public, base64::engine::general_purpose::STANDARD.encode(der)).unwrap();
    let material = dir.join("material.bin");
    std::fs::write(&material, [5u8; 32]).unwrap();
    for algorithm in &WrappingAlgorithm::ALL[..4] {
        let out = dir.join("wrapped.bin");
        let status = Command::new(env!("CARGO_BIN_EXE_keyward"))
            .args(["import-wrap", "--algorithm", algorithm.as_str()])
            .arg("--public-key")
            .arg(&public)
            .arg("--material")
            .arg(&material)
            .arg("--out")
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success(), "{algorithm:?}");
        let wrapped = std::fs::read(&out).unwrap();
        assert_eq!(unwrap(&private, *algorithm, &wrapped).unwrap().as_slice(), [5u8; 32]);
    }
    let bad = Command::new(env!("CARGO_BIN_EXE_keyward"))
        .args(["import-wrap", "--algorithm", "ROT13"])
        .arg("--public-key")
        .arg(&public)
        .arg("--material")
        .arg(&material)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--private-key`: an asymmetric key's private key, PKCS#8 PEM (as `openssl
/// genpkey` writes it) or DER, is wrapped as the PKCS#8 DER AWS imports.
#[test]
fn import_wrap_wraps_a_pkcs8_private_key_as_der_and_refuses_other_pem() {
    let dir = std::env::temp_dir().join(format!("keyward-import-wrap-key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wrapping = PrivateKey::generate(KeySpec::Rsa2048).unwrap();
    let public = dir.join("public.der");
    std::fs::write(&public, wrapping.public_key().to_der()).unwrap();
    let imported = PrivateKey::generate(KeySpec::EccNistP256).unwrap();
    let der = imported.to_pkcs8_der().unwrap();
    let body = base64::engine::general_purpose::STANDARD.encode(der.as_slice());
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    );
    let run = |key: &std::path::Path, out: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_keyward"))
            .args(["import-wrap", "--algorithm", "RSA_AES_KEY_WRAP_SHA_256"])
            .arg("--public-key")
            .arg(&public)
            .arg("--private-key")
            .arg(key)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap()
    };
    for (name, contents) in [("key.pem", pem.into_bytes()), ("key.der", der.to_vec())] {
        let key = dir.join(name);
        std::fs::write(&key, contents).unwrap();
        let out = dir.join("wrapped.bin");
        assert!(run(&key, &out).status.success(), "{name}");
        let wrapped = std::fs::read(&out).unwrap();
        let unwrapped = unwrap(&wrapping, WrappingAlgorithm::RsaAesKeyWrapSha256, &wrapped).unwrap();
        assert_eq!(unwrapped.as_slice(), der.as_slice(), "{name}");
    }
    let sec1 = dir.join("sec1.pem");
    std::fs::write(
        &sec1,
        "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n",
    )
    .unwrap();
    let refused = run(&sec1, &dir.join("none.bin"));
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("openssl pkcs8 -topk8"));
    let _ = std::fs::remove_dir_all(&dir);
}
