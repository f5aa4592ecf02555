//! `keyward xks-proxy` over HTTP: SigV4-signed requests (service
//! `kms-xks-proxy`) are answered as the XKS Proxy API spec says; unsigned
//! or wrongly signed ones are `AuthenticationFailedException` (401).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

const ACCESS_KEY: &str = "AKIAXKSPROXYTESTKEYA";
pub(crate) const SECRET: &str = "c2VjcmV0LWZvci10aGUteGtzLXByb3h5LXRlc3RzLTEyMzQ1";

pub(crate) struct Proxy {
    child: Child,
    pub(crate) address: String,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &std::path::Path, prefix: &str) -> Proxy {
    start_with(dir, prefix, ACCESS_KEY, &["k1"])
}

/// `keyward xks-proxy` on a free loopback port, signing key `access_key`
/// with [`SECRET`], holding fresh external keys `keys`.
pub(crate) fn start_with(dir: &std::path::Path, prefix: &str, access_key: &str, keys: &[&str]) -> Proxy {
    start_serving(dir, prefix, access_key, keys, None)
}

/// [`start_with`] serving HTTPS with the PEM certificate and key `tls`.
pub(crate) fn start_serving(
    dir: &std::path::Path,
    prefix: &str,
    access_key: &str,
    keys: &[&str],
    tls: Option<(&std::path::Path, &std::path::Path)>,
) -> Proxy {
    start_serving_with(dir, prefix, access_key, keys, tls, &[])
}

/// [`start_serving`] with more arguments (`--tls-client-ca FILE`).
pub(crate) fn start_serving_with(
    dir: &std::path::Path,
    prefix: &str,
    access_key: &str,
    keys: &[&str],
    tls: Option<(&std::path::Path, &std::path::Path)>,
    more: &[&std::ffi::OsStr],
) -> Proxy {
    let secret = dir.join("secret");
    std::fs::write(&secret, format!("{SECRET}\n")).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_keyward"));
    command
        .args(["xks-proxy", "--bind", "127.0.0.1:0", "--uri-prefix", prefix])
        .args(["--access-key-id", access_key]);
    for key in keys {
        command.args(["--key", key]);
    }
    if let Some((certificate, key)) = tls {
        command.arg("--tls-cert").arg(certificate).arg("--tls-key").arg(key);
    }
    command.args(more);
    let mut child = command
        .arg("--secret-access-key-file")
        .arg(&secret)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    Proxy { child, address }
}

/// POSTs `body` to `path`, signed with `secret` unless `None`; the status and JSON answer.
fn post(proxy: &Proxy, path: &str, body: &Value, secret: Option<&str>) -> (u16, Value) {
    let body = body.to_string().into_bytes();
    let (mut parts, ()) = hyper::http::Request::builder()
        .method("POST")
        .uri(path)
        .header("host", &proxy.address)
        .header("content-type", "application/json")
        .body(())
        .unwrap()
        .into_parts();
    if let Some(secret) = secret {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        keyward::server::sigv4::sign(&mut parts, &body, ACCESS_KEY, secret, "us-east-1", "kms-xks-proxy", now);
    }
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in &parts.headers {
        request.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
    }
    request.push_str("\r\n");
    let mut stream = TcpStream::connect(&proxy.address).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(&body).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let json = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, serde_json::from_str(json).unwrap_or(Value::Null))
}

fn metadata() -> Value {
    json!({"awsPrincipalArn": "arn:aws:iam::111122223333:user/a", "kmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/x",
        "kmsOperation": "Encrypt", "kmsRequestId": "r-1"})
}

#[test]
fn signed_requests_encrypt_and_decrypt_and_unsigned_ones_are_refused() {
    let dir = std::env::temp_dir().join(format!("keyward-xks-proxy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let proxy = start(&dir, "/example");
    let health = json!({"requestMetadata": {"kmsRequestId": "r", "kmsOperation": "ConnectCustomKeyStore"}});
    let (status, answer) = post(&proxy, "/example/kms/xks/v1/health", &health, Some(SECRET));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["xksProxyFleetSize"], 1);
    let (status, answer) = post(&proxy, "/example/kms/xks/v1/health", &health, None);
    assert_eq!(
        (status, answer["errorName"].clone()),
        (401, json!("AuthenticationFailedException"))
    );
    let (status, _) = post(&proxy, "/example/kms/xks/v1/health", &health, Some("not-the-secret"));
    assert_eq!(status, 401);
    let (status, answer) = post(&proxy, "/kms/xks/v1/health", &health, Some(SECRET));
    assert_eq!(
        (status, answer["errorName"].clone()),
        (404, json!("InvalidUriPathException"))
    );

    let encrypt = json!({"requestMetadata": metadata(), "plaintext": "SGVsbG8gV29ybGQh", "encryptionAlgorithm": "AES_GCM",
        "additionalAuthenticatedData": "cHJvamVjdD1uaWxl"});
    let (status, sealed) = post(&proxy, "/example/kms/xks/v1/keys/k1/encrypt", &encrypt, Some(SECRET));
    assert_eq!(status, 200, "{sealed}");
    let decrypt = json!({"requestMetadata": metadata(), "encryptionAlgorithm": "AES_GCM",
        "additionalAuthenticatedData": "cHJvamVjdD1uaWxl", "ciphertext": sealed["ciphertext"],
        "initializationVector": sealed["initializationVector"], "authenticationTag": sealed["authenticationTag"]});
    let (status, opened) = post(&proxy, "/example/kms/xks/v1/keys/k1/decrypt", &decrypt, Some(SECRET));
    assert_eq!((status, opened["plaintext"].clone()), (200, json!("SGVsbG8gV29ybGQh")));
    let (status, answer) = post(
        &proxy,
        "/example/kms/xks/v1/keys/k9/metadata",
        &json!({"requestMetadata": metadata()}),
        Some(SECRET),
    );
    assert_eq!(
        (status, answer["errorName"].clone()),
        (404, json!("KeyNotFoundException"))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// botocore's SigV4 signer, independent of keyward's, is accepted; skipped
/// without a Python that has botocore (as the SDK tests are).
#[test]
fn requests_signed_by_botocore_are_answered() {
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/py/bin/python");
    let python = std::env::var_os("KEYWARD_PYTHON")
        .map(std::path::PathBuf::from)
        .or_else(|| venv.exists().then_some(venv))
        .unwrap_or_else(|| "python3".into());
    let has_botocore = Command::new(&python)
        .args(["-c", "import botocore"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_botocore {
        assert!(
            std::env::var("KEYWARD_SKIP_SDK_TESTS").is_ok_and(|v| v == "1"),
            "botocore is missing (set KEYWARD_SKIP_SDK_TESTS=1 to skip)"
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("keyward-xks-botocore-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let proxy = start(&dir, "");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/xks_proxy_botocore.py");
    let out = Command::new(&python)
        .arg(script)
        .args([&format!("http://{}", proxy.address), ACCESS_KEY, SECRET])
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The proxy refuses to start with a credential that `CreateCustomKeyStore`
/// would refuse (the API model's `XksProxyAuthenticationCredential`: an
/// access key id of 20–30 of `A-Z2-7`, a secret of 43–64 of
/// `a-zA-Z0-9/+=`), since no store could name it; neither value is echoed.
#[test]
fn a_credential_create_custom_key_store_would_refuse_stops_the_proxy_at_start() {
    let dir = std::env::temp_dir().join(format!("keyward-xks-credential-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good_secret = dir.join("good");
    std::fs::write(&good_secret, format!("{SECRET}\n")).unwrap();
    let short_secret = dir.join("short");
    std::fs::write(&short_secret, "c2VjcmV0\n").unwrap();
    for (access_key, secret, member) in [
        ("AKIAXKSPROXYTEST0001", &good_secret, "accessKeyId"),
        ("AKIAXKS", &good_secret, "accessKeyId"),
        (ACCESS_KEY, &short_secret, "rawSecretAccessKey"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_keyward"))
            .args(["xks-proxy", "--bind", "127.0.0.1:0", "--key", "k1"])
            .args(["--access-key-id", access_key, "--secret-access-key-file"])
            .arg(secret)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("CreateCustomKeyStore would refuse"), "{stderr}");
        assert!(
            stderr.contains(&format!("xksProxyAuthenticationCredential.{member}")),
            "{stderr}"
        );
        assert!(!stderr.contains(access_key) && !stderr.contains("c2VjcmV0"), "{stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
