//! The XKS Proxy API operations against the spec's rules
//! (<https://github.com/aws/aws-kms-xksproxy-api-spec>).

use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::api::{route, Keys, Route, XksKey};

fn keys() -> Keys {
    let mut keys = Keys::default();
    keys.0.insert("k1".into(), XksKey::generate());
    keys.0.insert("k2".into(), XksKey::generate());
    keys
}

fn metadata() -> Value {
    json!({"awsPrincipalArn": "arn:aws:iam::111122223333:user/a", "kmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/x",
        "kmsOperation": "Encrypt", "kmsRequestId": "r-1"})
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn unb64(value: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(value.as_str().unwrap())
        .unwrap()
}

fn encrypt(keys: &Keys, id: &str, plaintext: &[u8], aad: Option<&[u8]>) -> Value {
    let mut body = json!({"requestMetadata": metadata(), "plaintext": b64(plaintext), "encryptionAlgorithm": "AES_GCM",
        "ciphertextDataIntegrityValueAlgorithm": "SHA_256"});
    if let Some(aad) = aad {
        body["additionalAuthenticatedData"] = json!(b64(aad));
    }
    keys.answer(&Route::Encrypt(id), &body).unwrap()
}

fn decrypt_request(sealed: &Value, aad: Option<&[u8]>) -> Value {
    let mut body = json!({"requestMetadata": metadata(), "encryptionAlgorithm": "AES_GCM",
        "ciphertext": sealed["ciphertext"], "initializationVector": sealed["initializationVector"],
        "authenticationTag": sealed["authenticationTag"]});
    if let Some(aad) = aad {
        body["additionalAuthenticatedData"] = json!(b64(aad));
    }
    body
}

#[test]
fn paths_route_under_the_prefix_and_others_are_invalid_uri_paths() {
    assert_eq!(route("", "/kms/xks/v1/health"), Ok(Route::Health));
    assert_eq!(route("/p", "/p/kms/xks/v1/keys/k1/metadata"), Ok(Route::Metadata("k1")));
    assert_eq!(route("", "/kms/xks/v1/keys/k1/decrypt"), Ok(Route::Decrypt("k1")));
    for bad in [
        "/kms/xks/v1/keys/k1/sign",
        "/kms/xks/v2/health",
        "/x/kms/xks/v1/health",
        "/kms/xks/v1/keys//encrypt",
    ] {
        let e = route("", bad).unwrap_err();
        assert_eq!((e.status, e.name), (404, "InvalidUriPathException"), "{bad}");
    }
}

#[test]
fn encrypt_then_decrypt_returns_the_plaintext_only_with_the_same_aad_and_key() {
    let keys = keys();
    let sealed = encrypt(&keys, "k1", b"Hello World!", Some(b"project=nile"));
    assert_eq!(unb64(&sealed["ciphertext"]).len(), 12, "AES-GCM keeps the length");
    assert_eq!(unb64(&sealed["initializationVector"]).len(), 12);
    assert_eq!(unb64(&sealed["authenticationTag"]).len(), 16);
    // CDIV: SHA-256 over AAD, IV, ciphertext and tag.
    let mut hash = Sha256::new();
    for part in [
        b"project=nile".to_vec(),
        unb64(&sealed["initializationVector"]),
        unb64(&sealed["ciphertext"]),
        unb64(&sealed["authenticationTag"]),
    ] {
        hash.update(part);
    }
    assert_eq!(unb64(&sealed["ciphertextDataIntegrityValue"]), hash.finalize().to_vec());
    let opened = keys
        .answer(&Route::Decrypt("k1"), &decrypt_request(&sealed, Some(b"project=nile")))
        .unwrap();
    assert_eq!(unb64(&opened["plaintext"]), b"Hello World!");
    for (id, aad) in [
        ("k1", Some(&b"project=amazon"[..])),
        ("k1", None),
        ("k2", Some(b"project=nile")),
    ] {
        let e = keys
            .answer(&Route::Decrypt(id), &decrypt_request(&sealed, aad))
            .unwrap_err();
        assert_eq!((e.status, e.name), (400, "InvalidCiphertextException"), "{id} {aad:?}");
    }
}

#[test]
fn aad_lengths_keep_aad_and_ciphertext_metadata_apart() {
    let keys = keys();
    let sealed = encrypt(&keys, "k1", b"x", None);
    // The (empty) AAD passed as ciphertextMetadata instead: refused.
    let mut moved = decrypt_request(&sealed, None);
    moved["ciphertextMetadata"] = json!(b64(b""));
    assert!(keys.answer(&Route::Decrypt("k1"), &moved).is_ok());
    moved["ciphertextMetadata"] = json!(b64(b"m"));
    assert_eq!(
        keys.answer(&Route::Decrypt("k1"), &moved).unwrap_err().name,
        "InvalidCiphertextException"
    );
}

#[test]
fn metadata_health_and_the_spec_errors() {
    let mut keys = keys();
    let described = keys
        .answer(&Route::Metadata("k1"), &json!({"requestMetadata": metadata()}))
        .unwrap();
    assert_eq!(
        described,
        json!({"keySpec": "AES_256", "keyUsage": ["ENCRYPT", "DECRYPT"], "keyStatus": "ENABLED"})
    );
    let health = keys
        .answer(
            &Route::Health,
            &json!({"requestMetadata": {"kmsRequestId": "r", "kmsOperation": "KmsHealthCheck"}}),
        )
        .unwrap();
    assert_eq!(health["ekmFleetDetails"][0]["healthStatus"], "ACTIVE");
    let missing = keys
        .answer(&Route::Metadata("nope"), &json!({"requestMetadata": metadata()}))
        .unwrap_err();
    assert_eq!((missing.status, missing.name), (404, "KeyNotFoundException"));
    let no_metadata = keys.answer(&Route::Metadata("k1"), &json!({})).unwrap_err();
    assert_eq!((no_metadata.status, no_metadata.name), (400, "ValidationException"));
    let other_algorithm = json!({"requestMetadata": metadata(), "plaintext": "eA==", "encryptionAlgorithm": "AES_CBC"});
    assert_eq!(
        keys.answer(&Route::Encrypt("k1"), &other_algorithm).unwrap_err().name,
        "ValidationException"
    );
    keys.0.get_mut("k1").unwrap().enabled = false;
    let disabled = json!({"requestMetadata": metadata(), "plaintext": "eA==", "encryptionAlgorithm": "AES_GCM"});
    assert_eq!(
        keys.answer(&Route::Encrypt("k1"), &disabled).unwrap_err().name,
        "InvalidStateException"
    );
}

/// The KMS side's client against keyward's own proxy on loopback: signed
/// requests, the CDIV checked, a wrong secret refused.
#[test]
fn the_client_encrypts_and_decrypts_through_the_proxy_on_loopback() {
    use super::client::{HttpTransport, XksClient, XksClientError};
    use super::server::{serve, ProxyConfig};
    use crate::kms::runtime::ProxyRequest;
    use zeroize::Zeroizing;

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let config = ProxyConfig {
        uri_prefix: "/p".into(),
        access_key_id: "AKIAXKSCLIENTTEST001".into(),
        secret_access_key: Zeroizing::new("client-test-secret".into()),
        keys: keys(),
        tls: None,
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime
            .block_on(serve(config, listener, async {
                let _ = stopped.await;
            }))
            .unwrap();
    });
    let client = |secret: &str| XksClient {
        transport: HttpTransport {
            address: address.clone(),
            timeout: std::time::Duration::from_secs(10),
            tls: None,
        },
        host: address.clone(),
        uri_path: "/p/kms/xks/v1".into(),
        access_key_id: "AKIAXKSCLIENTTEST001".into(),
        secret_access_key: Zeroizing::new(secret.into()),
        region: "us-east-1".into(),
    };
    let good = client("client-test-secret");
    let metadata = ProxyRequest {
        principal_arn: "arn:aws:iam::111122223333:root",
        key_arn: Some("arn:aws:kms:us-east-1:111122223333:key/x"),
        operation: "Encrypt",
        request_id: "r-1",
    };
    assert_eq!(good.health("ConnectCustomKeyStore", "r-0").unwrap(), ["ACTIVE"]);
    let described = good.key_metadata("k1", &metadata).unwrap();
    assert_eq!(
        (described.key_spec.as_str(), described.key_status.as_str()),
        ("AES_256", "ENABLED")
    );
    let sealed = good.encrypt("k1", b"data key", b"aad", &metadata).unwrap();
    assert_eq!(
        good.decrypt("k1", &sealed, b"aad", &metadata).unwrap().as_slice(),
        b"data key"
    );
    assert_eq!(
        good.decrypt("k1", &sealed, b"other", &metadata),
        Err(XksClientError::Proxy {
            status: 400,
            name: "InvalidCiphertextException".into()
        })
    );
    assert_eq!(
        client("wrong").health("KmsHealthCheck", "r-2"),
        Err(XksClientError::Proxy {
            status: 401,
            name: "AuthenticationFailedException".into()
        })
    );
    let _ = stop.send(());
    server.join().unwrap();
}
