//! Live external key stores outside `keyward serve`: `keyward kms
//! <operation>` and `keyward run` (the REPL's sessions) call the store's
//! proxy (`keyward xks-proxy`) through the same client, with the same
//! `--xks-*` flags, as the server does (docs/custom-key-stores.md).

use std::path::Path;
use std::process::{Command, Output};

use base64::Engine as _;
use serde_json::{json, Value};

use super::xks_keys::{temp_dir, ACCESS_KEY};
use super::xks_proxy::{start_with, SECRET};

/// The loopback opt-in, and a wait a busy test machine can meet.
pub(super) const LIVE: [&str; 3] = ["--xks-plain-http", "--xks-timeout-ms", "5000"];

/// `keyward --state DIR/state ARGS`.
pub(super) fn keyward(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keyward"))
        .arg("--state")
        .arg(dir.join("state"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("KEYWARD_STATE")
        .output()
        .expect("keyward runs")
}

/// `keyward kms ARGS` that succeeds: its JSON answer (null when it prints nothing).
pub(super) fn kms(dir: &Path, args: &[&str]) -> Value {
    let out = keyward(dir, &[&["kms"], args].concat());
    assert!(
        out.status.success(),
        "keyward kms {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    if out.stdout.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `keyward kms ARGS` that KMS refuses: its standard error.
fn kms_refused(dir: &Path, args: &[&str]) -> String {
    let out = keyward(dir, &[&["kms"], args].concat());
    assert_eq!(out.status.code(), Some(1), "keyward kms {args:?} should be refused");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `CreateCustomKeyStore` for the proxy at `endpoint` (a public endpoint,
/// so KMS asks its health at once), with `flags`.
pub(super) fn create_store(dir: &Path, endpoint: &str, flags: &[&str]) -> Output {
    let credential = json!({"AccessKeyId": ACCESS_KEY, "RawSecretAccessKey": SECRET}).to_string();
    let args = [
        "kms",
        "create-custom-key-store",
        "--custom-key-store-name",
        "xks",
        "--custom-key-store-type",
        "EXTERNAL_KEY_STORE",
        "--xks-proxy-uri-endpoint",
        endpoint,
        "--xks-proxy-uri-path",
        "/example/kms/xks/v1",
        "--xks-proxy-connectivity",
        "PUBLIC_ENDPOINT",
        "--xks-proxy-authentication-credential",
        &credential,
    ];
    keyward(dir, &[&args[..], flags].concat())
}

/// A connected store and a key in it backed by the external key `k1`: the key id.
pub(super) fn connected_key(dir: &Path, endpoint: &str, flags: &[&str]) -> String {
    let out = create_store(dir, endpoint, flags);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    let store = created["CustomKeyStoreId"].as_str().unwrap().to_owned();
    kms(
        dir,
        &[&["connect-custom-key-store", "--custom-key-store-id", &store], flags].concat(),
    );
    let describe = [&["describe-custom-key-stores", "--custom-key-store-id", &store], flags].concat();
    // The health check runs on a thread of its own; the process finishes it.
    let mut state = Value::Null;
    for _ in 0..100 {
        state = kms(dir, &describe)["CustomKeyStores"][0]["ConnectionState"].clone();
        if state != "CONNECTING" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(state, "CONNECTED");
    let create = [
        "create-key",
        "--origin",
        "EXTERNAL_KEY_STORE",
        "--custom-key-store-id",
        &store,
        "--xks-key-id",
        "k1",
    ];
    let key = kms(dir, &[&create[..], flags].concat());
    key["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned()
}

pub(super) fn decoded(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}

#[test]
fn keyward_kms_calls_the_proxy_of_a_live_store_and_fails_once_it_stops() {
    let dir = temp_dir("cli-kms");
    let proxy = start_with(&dir, "/example", ACCESS_KEY, &["k1"]);
    let key = connected_key(&dir, &format!("http://{}", proxy.address), &LIVE);
    let encrypt = [&["encrypt", "--key-id", &key, "--plaintext", "aGVsbG8="], &LIVE[..]].concat();
    let sealed = kms(&dir, &encrypt);
    let blob = sealed["CiphertextBlob"].as_str().unwrap().to_owned();
    // Blob format version 2: the proxy's layer around keyward's.
    assert_eq!(decoded(&blob)[..3], *b"KW\x02");
    let opened = kms(&dir, &[&["decrypt", "--ciphertext-blob", &blob], &LIVE[..]].concat());
    assert_eq!(opened["Plaintext"], "aGVsbG8=");

    drop(proxy);
    let stderr = kms_refused(&dir, &encrypt);
    assert!(stderr.contains("KMSInvalidStateException"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn keyward_kms_takes_a_plain_http_proxy_only_with_xks_plain_http() {
    let dir = temp_dir("cli-opt-in");
    let proxy = start_with(&dir, "/example", ACCESS_KEY, &["k1"]);
    let out = create_store(&dir, &format!("http://{}", proxy.address), &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ValidationException") && stderr.contains("--xks-plain-http"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A REPL session (here a script) calls the proxy too, at once, under the
/// service's lock; without the opt-in the loopback store's key cannot be used.
#[test]
fn a_session_script_calls_the_proxy_with_the_same_flags() {
    let dir = temp_dir("cli-run");
    let proxy = start_with(&dir, "/example", ACCESS_KEY, &["k1"]);
    let key = connected_key(&dir, &format!("http://{}", proxy.address), &LIVE);
    let script = dir.join("encrypt.kws");
    std::fs::write(
        &script,
        format!("call Encrypt {{\"KeyId\": \"{key}\", \"Plaintext\": \"aGk=\"}}\n"),
    )
    .unwrap();
    let script = script.to_str().unwrap();

    let out = keyward(&dir, &[&["run", script], &LIVE[..]].concat());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let blob = stdout
        .split("\"CiphertextBlob\": \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no CiphertextBlob in {stdout}"));
    assert_eq!(decoded(blob)[..3], *b"KW\x02");

    let out = keyward(&dir, &["run", script]);
    assert_eq!(out.status.code(), Some(1));
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("KMSInvalidStateException"), "{said}");
    drop(proxy);
    let _ = std::fs::remove_dir_all(&dir);
}

/// keyward's own verbs take the same `--xks-*` flags and call the proxy as
/// `keyward kms` does: a file encrypted under a key of a live store opens
/// through its proxy, and once the proxy stops it does not open, with the
/// error of cryptographic operations whose proxy cannot be reached
/// (docs/custom-key-stores.md, "Failures of cryptographic operations").
#[test]
fn keyward_s_own_verbs_call_the_proxy_of_a_live_store_and_fail_once_it_stops() {
    let dir = temp_dir("cli-verbs");
    let proxy = start_with(&dir, "/example", ACCESS_KEY, &["k1"]);
    let key = connected_key(&dir, &format!("http://{}", proxy.address), &LIVE);
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    std::fs::write(path("plain.txt"), b"a small file under an external key\n").unwrap();

    let out = keyward(
        &dir,
        &[
            &["encrypt-file", "--key", &key, &path("plain.txt"), &path("sealed")],
            &LIVE[..],
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = keyward(
        &dir,
        &[&["decrypt-file", &path("sealed"), &path("opened.txt")], &LIVE[..]].concat(),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        std::fs::read(path("opened.txt")).unwrap(),
        b"a small file under an external key\n"
    );
    // A blob of `keyward encrypt` carries the proxy's layer (format version 2).
    let out = keyward(
        &dir,
        &[&["encrypt", "--key-id", &key, "--plaintext", "hi"], &LIVE[..]].concat(),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(decoded(String::from_utf8_lossy(&out.stdout).trim())[..3], *b"KW\x02");

    drop(proxy);
    let out = keyward(
        &dir,
        &[&["decrypt-file", &path("sealed"), &path("again.txt")], &LIVE[..]].concat(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("KMSInvalidStateException") && stderr.contains("external key store proxy"),
        "{stderr}"
    );
    assert!(!dir.join("again.txt").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
