//! Mutual TLS with external key store proxies: `keyward xks-proxy
//! --tls-client-ca FILE` requires a client certificate chained to that CA,
//! and keyward's proxy client presents one (`--xks-client-cert`,
//! `--xks-client-key`; `HttpProxies::with_client_certificate`). The XKS
//! Proxy API spec (*Authentication*): a proxy "SHOULD support client-side
//! TLS authentication (aka mutual TLS or mTLS)" and "MUST terminate the TLS
//! handshake if the client presents a certificate [...] chained to a
//! different certificate authority"; a handshake that fails is
//! `XKS_PROXY_INVALID_TLS_CONFIGURATION` (API reference,
//! `CustomKeyStoresListEntry`). Certificates are made by the `openssl`
//! command.

use std::path::{Path, PathBuf};
use std::time::Duration;

use keyward::kms::ErrorName;
use keyward::xks::proxies::HttpProxies;
use serde_json::json;

use super::xks_cli::{connected_key, decoded, kms, LIVE};
use super::xks_keys::{connect, create_store, open_with, temp_dir, ACCESS_KEY};
use super::xks_proxy::{start_serving_with, Proxy, SECRET};
use super::xks_tls::{certificates, openssl, port, Certificates};

/// A client certificate for KMS's name in us-east-1, signed by the CA
/// `ca` (`ca.pem` and `ca.key` in `dir`): its PEM chain and key.
fn client_certificate(dir: &Path, ca: &str, name: &str) -> (PathBuf, PathBuf) {
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    let (key, csr, pem, ext) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.pem"),
        format!("{name}.ext"),
    );
    let request = [&["req"][..], &ec, &["-keyout", &key, "-out", &csr]].concat();
    openssl(
        dir,
        &[&request[..], &["-subj", "/CN=cks.kms.us-east-1.amazonaws.com"]].concat(),
    );
    std::fs::write(
        dir.join(&ext),
        "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
    )
    .unwrap();
    let (ca_pem, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca_pem,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-out",
            &pem,
            "-days",
            "2",
            "-extfile",
            &ext,
        ],
    );
    (dir.join(pem), dir.join(key))
}

/// Another private CA (`other-ca.pem`, `other-ca.key`).
fn other_ca(dir: &Path) {
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    let ca = [
        &["req", "-x509"][..],
        &ec,
        &["-keyout", "other-ca.key", "-out", "other-ca.pem", "-days", "2"],
    ]
    .concat();
    openssl(dir, &[&ca[..], &["-subj", "/CN=another test CA"]].concat());
}

/// `keyward xks-proxy` over HTTPS for `localhost`, requiring a client
/// certificate chained to the test CA.
fn mtls_proxy(dir: &Path, certificates: &Certificates) -> Proxy {
    mtls_proxy_for(dir, certificates, &[])
}

/// [`mtls_proxy`] with more arguments (`--tls-client-subject NAME`).
fn mtls_proxy_for(dir: &Path, certificates: &Certificates, more: &[&str]) -> Proxy {
    let tls = (certificates.localhost.as_path(), certificates.localhost_key.as_path());
    let mut args = vec![std::ffi::OsStr::new("--tls-client-ca"), certificates.ca.as_os_str()];
    args.extend(more.iter().map(std::ffi::OsStr::new));
    start_serving_with(dir, "/example", ACCESS_KEY, &["k1"], Some(tls), &args)
}

/// Through the binary: `keyward kms` with the CA and the client
/// certificate connects, creates the key and round-trips through the proxy.
#[test]
fn a_proxy_requiring_a_client_certificate_serves_keyward_kms_presenting_one_its_ca_signed() {
    let dir = temp_dir("mtls-round-trip");
    let certificates = certificates(&dir);
    let (cert, key) = client_certificate(&dir, "ca", "client");
    let proxy = mtls_proxy(&dir, &certificates);
    let (ca, cert, key) = (
        certificates.ca.to_str().unwrap(),
        cert.to_str().unwrap(),
        key.to_str().unwrap(),
    );
    let flags = [
        &LIVE[..],
        &["--xks-ca-file", ca, "--xks-client-cert", cert, "--xks-client-key", key],
    ]
    .concat();
    let endpoint = format!("https://localhost:{}", port(&proxy));
    let key_id = connected_key(&dir, &endpoint, &flags);
    let sealed = kms(
        &dir,
        &[&["encrypt", "--key-id", &key_id, "--plaintext", "bXV0dWFs"], &flags[..]].concat(),
    );
    let blob = sealed["CiphertextBlob"].as_str().unwrap().to_owned();
    assert_eq!(decoded(&blob)[..3], *b"KW\x02");
    let opened = kms(&dir, &[&["decrypt", "--ciphertext-blob", &blob], &flags[..]].concat());
    assert_eq!(opened["Plaintext"], "bXV0dWFs");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_client_certificate_or_one_from_another_ca_is_xks_proxy_invalid_tls_configuration() {
    let dir = temp_dir("mtls-refused");
    let certificates = certificates(&dir);
    other_ca(&dir);
    let (stranger, stranger_key) = client_certificate(&dir, "other-ca", "stranger");
    let proxy = mtls_proxy(&dir, &certificates);
    let endpoint = format!("https://localhost:{}", port(&proxy));
    let trusting = || {
        HttpProxies::plain_http_loopback()
            .with_timeout(Duration::from_secs(5))
            .with_ca_file(&certificates.ca)
            .unwrap()
    };
    let without = open_with(&dir.join("without"), trusting());
    let with_stranger = open_with(
        &dir.join("stranger"),
        trusting().with_client_certificate(&stranger, &stranger_key).unwrap(),
    );
    for kms in [&without, &with_stranger] {
        // A public endpoint is asked for its health as the store is created.
        let e = create_store(kms, "mtls", &endpoint, SECRET, "PUBLIC_ENDPOINT").unwrap_err();
        assert_eq!(e.name, ErrorName::XksProxyUriUnreachableException, "{}", e.message);
        assert!(e.message.contains("TLS connection"), "{}", e.message);
        // A VPC endpoint service store is reached when it connects.
        let store = create_store(kms, "mtls", &endpoint, SECRET, "VPC_ENDPOINT_SERVICE").unwrap();
        assert_eq!(
            connect(kms, &store),
            ("FAILED".to_owned(), json!("XKS_PROXY_INVALID_TLS_CONFIGURATION"))
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The client certificate and key must be PEM and belong together; the
/// mistakes are told before any proxy is called.
#[test]
fn a_client_certificate_with_another_key_or_no_key_is_refused_at_start() {
    let dir = temp_dir("mtls-files");
    let certificates = certificates(&dir);
    let (cert, _) = client_certificate(&dir, "ca", "client");
    let e = HttpProxies::new()
        .with_client_certificate(&cert, &certificates.localhost_key)
        .unwrap_err();
    assert!(e.to_string().contains("is not the key of the certificate"), "{e}");
    let e = HttpProxies::new().with_client_certificate(&cert, &cert).unwrap_err();
    assert!(e.to_string().contains("no PEM private key"), "{e}");
    let e = HttpProxies::new()
        .with_client_certificate(&dir.join("missing.pem"), &certificates.localhost_key)
        .unwrap_err();
    assert!(e.to_string().contains("client certificate file"), "{e}");

    // The same through the binary: an error before any call, exit status 2.
    let out = super::xks_cli::keyward(
        &dir,
        &[
            "kms",
            "list-keys",
            "--xks-client-cert",
            cert.to_str().unwrap(),
            "--xks-client-key",
            certificates.localhost_key.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not the key of the certificate"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A client certificate of X.509 version 1 (what `openssl x509 -req` writes
/// without `-extfile`) is refused at start as a certificate TLS cannot use,
/// not as a key that does not belong to it: the key is the certificate's.
#[test]
fn an_x509_v1_client_certificate_is_refused_as_such_not_as_another_keys() {
    let dir = temp_dir("mtls-v1");
    certificates(&dir);
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    let request = [&["req"][..], &ec, &["-keyout", "v1.key", "-out", "v1.csr"]].concat();
    openssl(
        &dir,
        &[&request[..], &["-subj", "/CN=cks.kms.us-east-1.amazonaws.com"]].concat(),
    );
    let sign = ["x509", "-req", "-in", "v1.csr", "-CA", "ca.pem", "-CAkey", "ca.key"];
    openssl(
        &dir,
        &[&sign[..], &["-CAcreateserial", "-out", "v1.pem", "-days", "2"]].concat(),
    );
    let (cert, key) = (dir.join("v1.pem"), dir.join("v1.key"));
    let e = HttpProxies::new().with_client_certificate(&cert, &key).unwrap_err();
    assert_eq!(e.what, "client certificate file", "{e}");
    assert!(e.problem.contains("X.509 v1"), "{e}");

    let args = ["kms", "list-keys", "--xks-client-cert", cert.to_str().unwrap()];
    let out = super::xks_cli::keyward(
        &dir,
        &[&args[..], &["--xks-client-key", key.to_str().unwrap()]].concat(),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("X.509 v1") && !stderr.contains("is not the key"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A proxy that, having refused the client's certificate, closes without
/// its alert: under TLS 1.3 the client's side of the handshake is over, so
/// its request meets an end of stream or a reset, not an answer. That is a
/// TLS failure too, not an unreachable proxy.
#[test]
fn a_proxy_that_closes_without_an_alert_after_refusing_the_client_certificate_is_still_a_tls_failure() {
    let dir = temp_dir("mtls-abrupt");
    let certificates = certificates(&dir);
    let config = keyward::xks::server::tls_config(
        &certificates.localhost,
        &certificates.localhost_key,
        Some(&certificates.ca),
        None,
    )
    .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let Ok(mut stream) = stream else { continue };
            let mut connection = rustls::ServerConnection::new(std::sync::Arc::clone(&config)).unwrap();
            loop {
                while connection.wants_write() {
                    if connection.write_tls(&mut stream).is_err() {
                        break;
                    }
                }
                if !connection.is_handshaking() || !matches!(connection.read_tls(&mut stream), Ok(n) if n > 0) {
                    break;
                }
                // Refused: dropped here, the alert not sent.
                if connection.process_new_packets().is_err() {
                    break;
                }
            }
        }
    });
    let kms = open_with(
        &dir.join("state"),
        HttpProxies::plain_http_loopback()
            .with_timeout(Duration::from_secs(5))
            .with_ca_file(&certificates.ca)
            .unwrap(),
    );
    let endpoint = format!("https://localhost:{port}");
    for _ in 0..3 {
        let store = create_store(&kms, "abrupt", &endpoint, SECRET, "VPC_ENDPOINT_SERVICE").unwrap();
        assert_eq!(
            connect(&kms, &store),
            ("FAILED".to_owned(), json!("XKS_PROXY_INVALID_TLS_CONFIGURATION"))
        );
        super::xks_keys::ok(&kms, "DisconnectCustomKeyStore", json!({"CustomKeyStoreId": store}));
        super::xks_keys::ok(&kms, "DeleteCustomKeyStore", json!({"CustomKeyStoreId": store}));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--tls-client-subject`: the spec lets a proxy require the subject name
/// too (KMS's `cks.kms.<Region>.amazonaws.com`); a certificate of the right
/// CA for another Region's name ends the handshake.
#[test]
fn a_proxy_requiring_a_subject_name_takes_only_a_certificate_with_that_common_name() {
    let dir = temp_dir("mtls-subject");
    let certificates = certificates(&dir);
    let (cert, key) = client_certificate(&dir, "ca", "client");
    let presenting = || {
        HttpProxies::plain_http_loopback()
            .with_timeout(Duration::from_secs(5))
            .with_ca_file(&certificates.ca)
            .unwrap()
            .with_client_certificate(&cert, &key)
            .unwrap()
    };
    let other_region = mtls_proxy_for(
        &dir,
        &certificates,
        &["--tls-client-subject", "cks.kms.eu-west-1.amazonaws.com"],
    );
    let kms = open_with(&dir.join("refused"), presenting());
    let endpoint = format!("https://localhost:{}", port(&other_region));
    let store = create_store(&kms, "subject", &endpoint, SECRET, "VPC_ENDPOINT_SERVICE").unwrap();
    assert_eq!(
        connect(&kms, &store),
        ("FAILED".to_owned(), json!("XKS_PROXY_INVALID_TLS_CONFIGURATION"))
    );

    let this_region = mtls_proxy_for(
        &dir,
        &certificates,
        &["--tls-client-subject", "cks.kms.us-east-1.amazonaws.com"],
    );
    let kms = open_with(&dir.join("taken"), presenting());
    let endpoint = format!("https://localhost:{}", port(&this_region));
    let store = create_store(&kms, "subject", &endpoint, SECRET, "PUBLIC_ENDPOINT").unwrap();
    assert_eq!(connect(&kms, &store), ("CONNECTED".to_owned(), serde_json::Value::Null));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A key file as `openssl ecparam -genkey` writes it: `EC PARAMETERS`, then
/// the SEC 1 `EC PRIVATE KEY`; the key block is found and used.
#[test]
fn a_sec1_client_key_after_ec_parameters_is_read_and_presented() {
    let dir = temp_dir("mtls-sec1");
    let certificates = certificates(&dir);
    let (cert, key) = client_certificate(&dir, "ca", "client");
    openssl(&dir, &["ec", "-in", key.to_str().unwrap(), "-out", "client-sec1.key"]);
    openssl(&dir, &["ecparam", "-name", "prime256v1", "-out", "params.pem"]);
    let sec1 = std::fs::read_to_string(dir.join("client-sec1.key")).unwrap();
    assert!(sec1.contains("BEGIN EC PRIVATE KEY"), "{sec1}");
    let params = std::fs::read_to_string(dir.join("params.pem")).unwrap();
    std::fs::write(dir.join("combined.key"), format!("{params}{sec1}")).unwrap();

    let proxy = mtls_proxy(&dir, &certificates);
    let kms = open_with(
        &dir.join("state"),
        HttpProxies::plain_http_loopback()
            .with_timeout(Duration::from_secs(5))
            .with_ca_file(&certificates.ca)
            .unwrap()
            .with_client_certificate(&cert, &dir.join("combined.key"))
            .unwrap(),
    );
    let endpoint = format!("https://localhost:{}", port(&proxy));
    let store = create_store(&kms, "sec1", &endpoint, SECRET, "PUBLIC_ENDPOINT").unwrap();
    assert_eq!(connect(&kms, &store), ("CONNECTED".to_owned(), serde_json::Value::Null));
    let _ = std::fs::remove_dir_all(&dir);
}
