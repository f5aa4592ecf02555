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
