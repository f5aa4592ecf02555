//! The example sessions of `docs/examples`, run with the built `keyward`:
//! a release signed in KMS and verified offline with OpenSSL, and an
//! HMAC-signed webhook whose changed body is refused.

use std::path::Path;
use std::process::Command;

fn run_example(name: &str) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples").join(name);
    let out = Command::new("bash")
        .arg(&script)
        .env("KEYWARD", env!("CARGO_BIN_EXE_keyward"))
        .output()
        .expect("bash runs the example");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn a_release_signed_in_kms_verifies_offline_with_openssl_and_a_tampered_one_does_not() {
    let out = run_example("release-signing.sh");
    assert!(out.contains("Verified OK"), "{out}");
    assert!(out.contains("Tampered release refused"), "{out}");
}

#[test]
fn a_webhook_body_verifies_with_its_hmac_and_a_changed_body_is_refused() {
    let out = run_example("webhook-hmac.sh");
    assert!(out.contains("X-Signature: "), "{out}");
    assert!(out.contains("Changed body refused"), "{out}");
}
