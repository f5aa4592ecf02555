//! The ML-DSA, ML-KEM and SM4-GCM blob cross-checks, through `crosscheck.py` and Python
//! `cryptography` (OpenSSL 3.5+ inside its wheel). Missing `cryptography`
//! fails the test, unless `KEYWARD_SKIP_SDK_TESTS=1` says to skip (never
//! under CI), as the SDK tests do.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use keyward::crypto::keys::{KeySpec as K, MessageType as T, PrivateKey, PublicKey, SigningAlgorithm as S};

use super::scratch;

fn python() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/py/bin/python");
    let python = std::env::var_os("KEYWARD_PYTHON")
        .map(PathBuf::from)
        .or_else(|| venv.exists().then_some(venv))
        .unwrap_or_else(|| PathBuf::from("python3"));
    let check = "from cryptography.hazmat.primitives.asymmetric import mldsa, mlkem";
    let ok = Command::new(&python)
        .args(["-c", check])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return Some(python);
    }
    let skip = std::env::var("KEYWARD_SKIP_SDK_TESTS").is_ok_and(|v| v == "1");
    assert!(
        skip && std::env::var_os("CI").is_none(),
        "Python `cryptography` with ML-DSA and ML-KEM is missing for `{}`: `.ci/run` installs it in target/py",
        python.display()
    );
    eprintln!("SKIPPED: Python cryptography is missing and KEYWARD_SKIP_SDK_TESTS=1");
    None
}

/// Runs `crosscheck.py COMMAND ARGS...` in `dir`.
fn run(python: &Path, dir: &Path, args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/keys/crosscheck.py");
    let out = Command::new(python)
        .arg(script)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "crosscheck.py {}: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub(super) fn ml_dsa() {
    let Some(python) = python() else { return };
    for (spec, level) in [(K::MlDsa44, "44"), (K::MlDsa65, "65"), (K::MlDsa87, "87")] {
        let dir = scratch(spec.as_str());
        let key = PrivateKey::generate(spec).unwrap();
        let message = b"post-quantum release signature";
        fs::write(dir.join("pub.der"), key.public_key().to_der()).unwrap();
        fs::write(dir.join("msg.bin"), message).unwrap();
        fs::write(
            dir.join("sig.bin"),
            key.sign(S::MlDsaShake256, T::Raw, message).unwrap(),
        )
        .unwrap();
        // Python verifies keyward's signature, computes the external μ of
        // the message, signs the message, and writes a key pair of its own.
        run(&python, &dir, &["ml-dsa", level]);
        let mu = fs::read(dir.join("mu.bin")).unwrap();
        let signature = key.sign(S::MlDsaShake256, T::ExternalMu, &mu).unwrap();
        key.public_key()
            .verify(S::MlDsaShake256, T::Raw, message, &signature)
            .unwrap();
        let theirs = PublicKey::from_der(spec, &fs::read(dir.join("py-pub.der")).unwrap()).unwrap();
        let py_signature = fs::read(dir.join("py-sig.bin")).unwrap();
        theirs.verify(S::MlDsaShake256, T::Raw, message, &py_signature).unwrap();
        let py_key = PrivateKey::from_pkcs8_der(spec, &fs::read(dir.join("py-priv.der")).unwrap()).unwrap();
        assert_eq!(py_key.public_key().to_der(), theirs.to_der());
    }
}

pub(super) fn ml_kem() {
    let Some(python) = python() else { return };
    // cryptography 50 has ML-KEM-768 and ML-KEM-1024 (no 512).
    for (spec, level) in [(K::MlKem768, "768"), (K::MlKem1024, "1024")] {
        let dir = scratch(spec.as_str());
        let key = PrivateKey::generate(spec).unwrap();
        fs::write(dir.join("priv.der"), key.to_pkcs8_der().unwrap().as_slice()).unwrap();
        fs::write(dir.join("pub.der"), key.public_key().to_der()).unwrap();
        let (ciphertext, secret) = key.encapsulate().unwrap();
        fs::write(dir.join("ct.bin"), &ciphertext).unwrap();
        // Python decapsulates keyward's ciphertext with keyward's PKCS#8
        // key and encapsulates to keyward's public key.
        run(&python, &dir, &["ml-kem", level]);
        assert_eq!(fs::read(dir.join("py-secret.bin")).unwrap(), *secret);
        let py_ciphertext = fs::read(dir.join("py-ct.bin")).unwrap();
        let py_secret = fs::read(dir.join("py-ct-secret.bin")).unwrap();
        assert_eq!(*key.decapsulate(&py_ciphertext).unwrap(), py_secret);
    }
}

/// A blob of a China Region key (128-bit material, SM4-GCM) opened by
/// Python `cryptography`, and Python's blob opened by keyward.
pub(super) fn sm4_blob() {
    use std::collections::BTreeMap;

    use keyward::crypto::{canonical, inner_parts, open, seal, KeyMaterial, MaterialId};
    use zeroize::Zeroizing;

    let Some(python) = python() else { return };
    let dir = scratch("sm4-blob");
    let bytes = keyward::crypto::random_bytes(16);
    let material = KeyMaterial::from_secret(Zeroizing::new(bytes.to_vec()));
    let context = BTreeMap::from([("dept".to_owned(), "eng".to_owned())]);
    let blob = seal(
        &material,
        MaterialId::generate(),
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        b"sealed by keyward",
        &context,
    )
    .unwrap();
    let (header, body) = inner_parts(&blob).unwrap();
    fs::write(dir.join("material.bin"), &*bytes).unwrap();
    fs::write(dir.join("header.bin"), header).unwrap();
    fs::write(dir.join("body.bin"), body).unwrap();
    fs::write(dir.join("canon.bin"), canonical(&context)).unwrap();
    run(&python, &dir, &["sm4-blob", "128"]);
    assert_eq!(fs::read(dir.join("plain.bin")).unwrap(), b"sealed by keyward");
    let theirs = fs::read(dir.join("py-blob.bin")).unwrap();
    assert_eq!(
        open(&theirs, &material, &context).unwrap().as_slice(),
        b"sealed by python"
    );
}
