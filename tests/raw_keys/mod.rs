//! Raw keyrings on `encrypt-file`/`decrypt-file` (`--raw-aes-key`,
//! `--raw-rsa-key`, several at once), offline, checked both ways against the
//! AWS Encryption SDK for Python's raw master keys through `raw_keys.py`.
//! The helpers here run keyward and the SDK; each module tests one keyring.

mod aes;
mod rsa;
mod rsa_forms;
mod several;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) const SUITES: [&str; 2] = [
    "AES_256_GCM_HKDF_SHA512_COMMIT_KEY",
    "AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384",
];

pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("raw-keys-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// The SDK for Python in target/py, or `None` when it is missing and
/// `KEYWARD_SKIP_SDK_TESTS=1` (never under CI) says to skip.
pub(crate) fn python() -> Option<PathBuf> {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/py/bin/python");
    if python.exists() {
        return Some(python);
    }
    let skip = std::env::var("KEYWARD_SKIP_SDK_TESTS").is_ok_and(|v| v == "1");
    assert!(
        skip && std::env::var_os("CI").is_none(),
        "the AWS Encryption SDK for Python is missing: `.ci/run` installs it in target/py"
    );
    None
}

/// Runs `raw_keys.py` (its usage says what `args` are); returns what it printed.
pub(crate) fn sdk(python: &Path, args: &[&str]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/raw_keys.py");
    let out = Command::new(python)
        .arg(script)
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "raw_keys.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

pub(crate) fn keyward(state: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keyward"))
        .arg("--state")
        .arg(state)
        .args(args)
        .output()
        .expect("keyward runs")
}

pub(crate) fn ok(state: &Path, args: &[&str]) -> String {
    let out = keyward(state, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Runs keyward expecting a failure; returns its exit code and standard error.
pub(crate) fn fails(state: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = keyward(state, args);
    assert!(!out.status.success(), "{args:?} succeeded");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

pub(crate) fn plaintext(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

pub(crate) fn path(dir: &Path, name: &str) -> String {
    dir.join(name).to_string_lossy().into_owned()
}

/// Writes a wrapping key of `len` bytes and the plaintext; returns their paths.
pub(crate) fn setup(dir: &Path, len: usize, size: usize) -> (String, String) {
    let key: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(7).wrapping_add(3)).collect();
    std::fs::write(dir.join("key.bin"), key).unwrap();
    std::fs::write(dir.join("plain"), plaintext(size)).unwrap();
    (path(dir, "key.bin"), path(dir, "plain"))
}

/// An RSA key pair of `bits` made by Python `cryptography` (PKCS #8 and
/// SPKI PEM); returns the private and public key paths.
pub(crate) fn rsa_pair(python: &Path, dir: &Path, bits: u32, stem: &str) -> (String, String) {
    let (private, public) = (path(dir, &format!("{stem}.pem")), path(dir, &format!("{stem}.pub.pem")));
    sdk(python, &["rsa-key", &bits.to_string(), &private, &public]);
    (private, public)
}
