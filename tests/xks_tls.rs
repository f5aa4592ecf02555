//! External key stores whose proxy is `https://`: `keyward xks-proxy
//! --tls-cert/--tls-key` serving a certificate for `localhost` signed by a
//! private CA that the `openssl` command makes here, reached by keyward's
//! TLS client (rustls), which trusts that CA only through
//! `HttpProxies::with_ca_file` (`keyward serve --xks-ca-file`). KMS talks to
//! proxies over HTTPS with TLS 1.2 or later and authenticates the proxy by
//! its certificate for the endpoint's host (XKS Proxy API spec, *API content
//! type* and *Authentication*); a certificate that does not verify is
//! `XKS_PROXY_INVALID_TLS_CONFIGURATION` (API reference,
//! `CustomKeyStoresListEntry`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use keyward::kms::ErrorName;
use keyward::xks::proxies::HttpProxies;
use serde_json::{json, Value};

use super::xks_keys::{blob, connect, create_store, ok, open_with, temp_dir, xks_key, Kms, ACCESS_KEY};
use super::xks_proxy::{start_serving, Proxy, SECRET};

/// A private CA's certificate and a certificate for `localhost` it signed.
pub(super) struct Certificates {
    pub(super) ca: PathBuf,
    pub(super) localhost: PathBuf,
    pub(super) localhost_key: PathBuf,
}

pub(super) fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("the openssl command");
    assert!(status.success(), "openssl {args:?}");
}

pub(super) fn certificates(dir: &Path) -> Certificates {
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    let ca = [
        &["req", "-x509"][..],
        &ec,
        &["-keyout", "ca.key", "-out", "ca.pem", "-days", "2"],
    ]
    .concat();
    openssl(dir, &[&ca[..], &["-subj", "/CN=keyward test CA"]].concat());
    let request = [
        &["req"][..],
        &ec,
        &["-keyout", "localhost.key", "-out", "localhost.csr"],
    ]
    .concat();
    openssl(dir, &[&request[..], &["-subj", "/CN=localhost"]].concat());
    std::fs::write(
        dir.join("localhost.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "localhost.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "localhost.pem",
            "-days",
            "2",
            "-extfile",
            "localhost.ext",
        ],
    );
    Certificates {
        ca: dir.join("ca.pem"),
        localhost: dir.join("localhost.pem"),
        localhost_key: dir.join("localhost.key"),
    }
}

fn https_proxy(dir: &Path, certificates: &Certificates) -> Proxy {
    let tls = (certificates.localhost.as_path(), certificates.localhost_key.as_path());
    start_serving(dir, "/example", ACCESS_KEY, &["k1"], Some(tls))
}

/// The proxy's port on loopback.
pub(super) fn port(proxy: &Proxy) -> &str {
    proxy.address.rsplit(':').next().unwrap()
}

/// The service trusting the system's roots, and `ca` if given, with the
/// loopback opt-in (a port on an `https://` endpoint).
pub(super) fn open_trusting(dir: &Path, ca: Option<&Path>) -> Kms {
    std::fs::create_dir_all(dir).unwrap();
    let mut proxies = HttpProxies::plain_http_loopback().with_timeout(Duration::from_secs(5));
    if let Some(ca) = ca {
        proxies = proxies.with_ca_file(ca).unwrap();
    }
    open_with(dir, proxies)
}

#[test]
fn an_https_proxy_whose_certificate_a_trusted_ca_signed_connects_and_doubly_encrypts() {
    let dir = temp_dir("tls-round-trip");
    let certificates = certificates(&dir);
    let proxy = https_proxy(&dir, &certificates);
    let kms = open_trusting(&dir, Some(&certificates.ca));
    let endpoint = format!("https://localhost:{}", port(&proxy));
    // A public endpoint is asked for its health as the store is created.
    let store = create_store(&kms, "tls", &endpoint, SECRET, "PUBLIC_ENDPOINT").unwrap();
    assert_eq!(connect(&kms, &store), ("CONNECTED".to_owned(), Value::Null));
    let key = xks_key(&kms, &store, "k1").unwrap()["KeyId"].clone();
    let sealed = ok(
        &kms,
        "Encrypt",
        json!({"KeyId": key, "Plaintext": "b3ZlciB0bHM=", "EncryptionContext": {"a": "b"}}),
    );
    assert_eq!(blob(&sealed)[..3], *b"KW\x02");
    let opened = ok(
        &kms,
        "Decrypt",
        json!({"CiphertextBlob": sealed["CiphertextBlob"], "EncryptionContext": {"a": "b"}}),
    );
    assert_eq!(opened["Plaintext"], "b3ZlciB0bHM=");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_proxy_certificate_that_does_not_verify_is_xks_proxy_invalid_tls_configuration() {
    let dir = temp_dir("tls-refused");
    let certificates = certificates(&dir);
    let proxy = https_proxy(&dir, &certificates);
    let localhost = format!("https://localhost:{}", port(&proxy));
    let by_address = format!("https://127.0.0.1:{}", port(&proxy));

    // The private CA is not among the system's roots.
    let untrusting = open_trusting(&dir.join("untrusting"), None);
    let e = create_store(&untrusting, "tls", &localhost, SECRET, "PUBLIC_ENDPOINT").unwrap_err();
    assert_eq!(e.name, ErrorName::XksProxyUriUnreachableException);
    assert!(e.message.contains("TLS connection"), "{}", e.message);
    // A VPC endpoint service store is reached only when it connects.
    let store = create_store(&untrusting, "tls", &localhost, SECRET, "VPC_ENDPOINT_SERVICE").unwrap();
    assert_eq!(
        connect(&untrusting, &store),
        ("FAILED".to_owned(), json!("XKS_PROXY_INVALID_TLS_CONFIGURATION"))
    );

    // Trusted, but the certificate names `localhost`, not the address.
    let trusting = open_trusting(&dir.join("trusting"), Some(&certificates.ca));
    let store = create_store(&trusting, "tls", &by_address, SECRET, "VPC_ENDPOINT_SERVICE").unwrap();
    assert_eq!(
        connect(&trusting, &store),
        ("FAILED".to_owned(), json!("XKS_PROXY_INVALID_TLS_CONFIGURATION"))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A plain-HTTP proxy is not a TLS server: `https://` to it fails the
/// handshake.
#[test]
fn https_to_a_plain_http_proxy_fails_the_handshake() {
    let dir = temp_dir("tls-plain");
    let certificates = certificates(&dir);
    let plain = start_serving(&dir, "/example", ACCESS_KEY, &["k1"], None);
    let kms = open_trusting(&dir, Some(&certificates.ca));
    let endpoint = format!("https://localhost:{}", port(&plain));
    let store = create_store(&kms, "tls", &endpoint, SECRET, "VPC_ENDPOINT_SERVICE").unwrap();
    assert_eq!(
        connect(&kms, &store),
        ("FAILED".to_owned(), json!("XKS_PROXY_INVALID_TLS_CONFIGURATION"))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// AWS takes `https://` endpoints without a port (the model's pattern);
/// keyward takes a port on loopback only under the opt-in, and a CA file
/// that holds no certificate is refused.
#[test]
fn a_port_on_an_https_endpoint_needs_the_loopback_opt_in_and_a_ca_file_needs_a_certificate() {
    let dir = temp_dir("tls-opt-in");
    let kms = open_with(&dir, HttpProxies::new());
    let e = create_store(&kms, "tls", "https://localhost:4600", SECRET, "VPC_ENDPOINT_SERVICE").unwrap_err();
    assert_eq!(e.name, ErrorName::ValidationException);
    assert!(e.message.contains("--xks-plain-http"), "{}", e.message);

    std::fs::write(dir.join("empty.pem"), "no certificate here\n").unwrap();
    let e = HttpProxies::new().with_ca_file(&dir.join("empty.pem")).unwrap_err();
    assert!(e.to_string().contains("no certificate"), "{e}");
    assert!(HttpProxies::new().with_ca_file(&dir.join("missing.pem")).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}
