//! Keys of an external key store through a real proxy: `keyward xks-proxy`
//! as a child on loopback, reached over plain HTTP (the opt-in of
//! `HttpProxies::plain_http_loopback`), the service on a SQLite state.
//! Connecting calls the proxy's `GetHealthStatus`; `CreateKey` its
//! `GetKeyMetadata`; `Encrypt`, `Decrypt`, `GenerateDataKey` and
//! `ReEncrypt` use double encryption (developer guide, *External key
//! stores*, "Double encryption"; XKS Proxy API spec, *Error Codes, KMS
//! Considerations* for the failures). `docs/custom-key-stores.md`.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use keyward::eval::Caller;
use keyward::kms::op::Json;
use keyward::kms::runtime::{ExternalKeyMetadata, ProxyFailure, ProxyRequest, ProxyTarget, SimulatedClock, XksProxies};
use keyward::kms::{Authorizer, ErrorName, KmsError, Service};
use keyward::store::SqliteStore;
use keyward::xks::proxies::HttpProxies;
use serde_json::{json, Value};

use super::xks_proxy::{start_with, Proxy, SECRET};

const A: &str = "111122223333";
const REGION: &str = "us-east-1";
/// `XksProxyAuthenticationAccessKeyIdType`: 20–30 of `[A-Z2-7]`.
pub(super) const ACCESS_KEY: &str = "AKIAXKSKEYSTESTABCDE";
const WRONG_SECRET: &str = "d3Jvbmctc2VjcmV0LWZvci10aGUteGtzLXByb3h5LXRlc3Rz";

pub(super) type Kms = Service<Arc<SimulatedClock>>;

pub(super) fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("keyward-xks-keys-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(super) fn open_with(dir: &std::path::Path, proxies: impl XksProxies + 'static) -> Kms {
    let store = Box::new(SqliteStore::open(&dir.join("state")).unwrap());
    Service::open(
        store,
        Authorizer::default(),
        Arc::new(SimulatedClock::at(1_795_867_200)),
        A,
    )
    .unwrap()
    .with_xks_proxies(Arc::new(proxies))
}

fn open(dir: &std::path::Path) -> Kms {
    // A busy test machine may take longer than AWS's 250 ms.
    open_with(
        dir,
        HttpProxies::plain_http_loopback().with_timeout(Duration::from_secs(5)),
    )
}

pub(super) fn call(kms: &Kms, operation: &str, request: Value) -> Result<Value, KmsError> {
    let root = Caller::parse(&format!("arn:aws:iam::{A}:root")).unwrap();
    kms.call(
        &root,
        REGION,
        &Json {
            operation,
            request: &request,
        },
    )
}

pub(super) fn ok(kms: &Kms, operation: &str, request: Value) -> Value {
    call(kms, operation, request).unwrap_or_else(|e| panic!("{operation}: {e:?}"))
}

pub(super) fn refused(kms: &Kms, operation: &str, request: Value) -> KmsError {
    match call(kms, operation, request) {
        Ok(answer) => panic!("{operation} succeeded: {answer}"),
        Err(e) => e,
    }
}

fn proxy(dir: &std::path::Path, keys: &[&str]) -> Proxy {
    start_with(dir, "/example", ACCESS_KEY, keys)
}

/// An external key store whose proxy is `address` (`http://` unless it names its scheme).
pub(super) fn create_store(
    kms: &Kms,
    name: &str,
    address: &str,
    secret: &str,
    connectivity: &str,
) -> Result<Value, KmsError> {
    let mut request = json!({
        "CustomKeyStoreName": name, "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
        "XksProxyUriEndpoint": if address.contains("://") { address.to_owned() } else { format!("http://{address}") }, "XksProxyUriPath": "/example/kms/xks/v1",
        "XksProxyAuthenticationCredential": {"AccessKeyId": ACCESS_KEY, "RawSecretAccessKey": secret},
        "XksProxyConnectivity": connectivity,
    });
    if connectivity == "VPC_ENDPOINT_SERVICE" {
        request["XksProxyVpcEndpointServiceName"] = json!("com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0");
    }
    call(kms, "CreateCustomKeyStore", request).map(|answer| answer["CustomKeyStoreId"].clone())
}

/// The store's `ConnectionState` and `ConnectionErrorCode`.
pub(super) fn connection(kms: &Kms, store: &Value) -> (String, Value) {
    let described = ok(kms, "DescribeCustomKeyStores", json!({"CustomKeyStoreId": store}));
    let entry = &described["CustomKeyStores"][0];
    (
        entry["ConnectionState"].as_str().unwrap().to_owned(),
        entry.get("ConnectionErrorCode").cloned().unwrap_or(Value::Null),
    )
}

/// `ConnectCustomKeyStore`, then the store's connection once its health
/// check is done (the call answers while the store is `CONNECTING`).
pub(super) fn connect(kms: &Kms, store: &Value) -> (String, Value) {
    ok(kms, "ConnectCustomKeyStore", json!({"CustomKeyStoreId": store}));
    settled(kms, store)
}

/// The store's connection once it is no longer `CONNECTING`.
pub(super) fn settled(kms: &Kms, store: &Value) -> (String, Value) {
    for _ in 0..3000 {
        let state = connection(kms, store);
        if state.0 != "CONNECTING" {
            return state;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("store {store} is still CONNECTING");
}

pub(super) fn xks_key(kms: &Kms, store: &Value, external: &str) -> Result<Value, KmsError> {
    call(
        kms,
        "CreateKey",
        json!({"Origin": "EXTERNAL_KEY_STORE", "CustomKeyStoreId": store, "XksKeyId": external}),
    )
    .map(|answer| answer["KeyMetadata"].clone())
}

pub(super) fn blob(answer: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(answer["CiphertextBlob"].as_str().unwrap())
        .unwrap()
}

#[test]
fn an_external_key_store_key_encrypts_through_its_proxy_and_fails_once_the_proxy_stops() {
    let dir = temp_dir("round-trip");
    let kms = open(&dir);
    let running = proxy(&dir, &["k1", "k2"]);
    let store = create_store(&kms, "xks", &running.address, SECRET, "PUBLIC_ENDPOINT").unwrap();
    assert_eq!(connection(&kms, &store), ("DISCONNECTED".to_owned(), Value::Null));
    connect(&kms, &store);
    assert_eq!(connection(&kms, &store), ("CONNECTED".to_owned(), Value::Null));

    let key = xks_key(&kms, &store, "k1").unwrap();
    assert_eq!(key["Origin"], "EXTERNAL_KEY_STORE");
    assert_eq!(key["XksKeyConfiguration"]["Id"], "k1");
    let key_id = key["KeyId"].clone();

    let context = json!({"purpose": "test"});
    let sealed = ok(
        &kms,
        "Encrypt",
        json!({"KeyId": key_id, "Plaintext": "aGVsbG8=", "EncryptionContext": context}),
    );
    // Version 2 of keyward's blob: the proxy's layer over keyward's own.
    assert_eq!(blob(&sealed)[..3], *b"KW\x02");
    let opened = ok(
        &kms,
        "Decrypt",
        json!({"CiphertextBlob": sealed["CiphertextBlob"], "EncryptionContext": context}),
    );
    assert_eq!(opened["Plaintext"], "aGVsbG8=");
    let wrong_context = refused(
        &kms,
        "Decrypt",
        json!({"CiphertextBlob": sealed["CiphertextBlob"], "EncryptionContext": {"purpose": "other"}}),
    );
    assert_eq!(wrong_context.name, ErrorName::InvalidCiphertextException);

    // A data key, and ReEncrypt out to a key of keyward's own and back.
    let data_key = ok(&kms, "GenerateDataKey", json!({"KeyId": key_id, "KeySpec": "AES_256"}));
    let unwrapped = ok(&kms, "Decrypt", json!({"CiphertextBlob": data_key["CiphertextBlob"]}));
    assert_eq!(unwrapped["Plaintext"], data_key["Plaintext"]);
    let own = ok(&kms, "CreateKey", json!({}))["KeyMetadata"]["KeyId"].clone();
    let moved = ok(
        &kms,
        "ReEncrypt",
        json!({"CiphertextBlob": data_key["CiphertextBlob"], "DestinationKeyId": own}),
    );
    assert_eq!(blob(&moved)[2], 1);
    let back = ok(
        &kms,
        "ReEncrypt",
        json!({"CiphertextBlob": moved["CiphertextBlob"], "DestinationKeyId": key_id}),
    );
    assert_eq!(blob(&back)[2], 2);
    let again = ok(&kms, "Decrypt", json!({"CiphertextBlob": back["CiphertextBlob"]}));
    assert_eq!(again["Plaintext"], data_key["Plaintext"]);

    // GetKeyMetadata refuses what the proxy does not hold (XksKeyNotFoundException).
    assert_eq!(
        xks_key(&kms, &store, "k9").unwrap_err().name,
        ErrorName::XksKeyNotFoundException
    );

    // The secret survives a restart: a second service on the same state
    // still signs requests the proxy accepts.
    drop(kms);
    let kms = open(&dir);
    let reopened = ok(
        &kms,
        "Decrypt",
        json!({"CiphertextBlob": sealed["CiphertextBlob"], "EncryptionContext": context}),
    );
    assert_eq!(reopened["Plaintext"], "aGVsbG8=");

    // The proxy stops: cryptographic operations are KMSInvalidStateException
    // (developer guide, Troubleshooting external key stores), and a new
    // connection fails with XKS_PROXY_NOT_REACHABLE.
    drop(running);
    let stopped = refused(&kms, "Encrypt", json!({"KeyId": key_id, "Plaintext": "aGVsbG8="}));
    assert_eq!(stopped.name, ErrorName::KMSInvalidStateException);
    assert!(stopped.message.contains("cannot communicate"), "{}", stopped.message);
    let stopped = refused(
        &kms,
        "Decrypt",
        json!({"CiphertextBlob": sealed["CiphertextBlob"], "EncryptionContext": context}),
    );
    assert_eq!(stopped.name, ErrorName::KMSInvalidStateException);
    ok(&kms, "DisconnectCustomKeyStore", json!({"CustomKeyStoreId": store}));
    connect(&kms, &store);
    assert_eq!(
        connection(&kms, &store),
        ("FAILED".to_owned(), json!("XKS_PROXY_NOT_REACHABLE"))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The secret the proxy refuses: `XksProxyIncorrectAuthenticationCredentialException`
/// when a public store is created or updated (KMS asks the proxy's health
/// with the new values first: developer guide, *Edit external key store
/// properties*), `FAILED` with `INVALID_CREDENTIALS` when a store connects.
#[test]
fn a_credential_the_proxy_refuses_fails_the_connection_with_invalid_credentials() {
    let dir = temp_dir("credentials");
    let kms = open(&dir);
    let running = proxy(&dir, &["k1"]);
    let wrong = create_store(&kms, "wrong", &running.address, WRONG_SECRET, "PUBLIC_ENDPOINT").unwrap_err();
    assert_eq!(
        wrong.name,
        ErrorName::XksProxyIncorrectAuthenticationCredentialException
    );

    let store = create_store(&kms, "xks", &running.address, SECRET, "PUBLIC_ENDPOINT").unwrap();
    connect(&kms, &store);
    assert_eq!(connection(&kms, &store).0, "CONNECTED");
    let wrong_credential = json!({"CustomKeyStoreId": store,
        "XksProxyAuthenticationCredential": {"AccessKeyId": ACCESS_KEY, "RawSecretAccessKey": WRONG_SECRET}});
    // Connected: the credential may change, once the proxy takes it.
    let refused_update = refused(&kms, "UpdateCustomKeyStore", wrong_credential.clone());
    assert_eq!(
        refused_update.name,
        ErrorName::XksProxyIncorrectAuthenticationCredentialException
    );
    ok(&kms, "DisconnectCustomKeyStore", json!({"CustomKeyStoreId": store}));
    let refused_update = refused(&kms, "UpdateCustomKeyStore", wrong_credential);
    assert_eq!(
        refused_update.name,
        ErrorName::XksProxyIncorrectAuthenticationCredentialException
    );

    // A VPC endpoint service store is not reached while it is disconnected:
    // the wrong credential shows when it connects. (One store per proxy URI.)
    ok(&kms, "DeleteCustomKeyStore", json!({"CustomKeyStoreId": store}));
    let private = create_store(&kms, "private", &running.address, WRONG_SECRET, "VPC_ENDPOINT_SERVICE").unwrap();
    connect(&kms, &private);
    let store = private;
    assert_eq!(
        connection(&kms, &store),
        ("FAILED".to_owned(), json!("INVALID_CREDENTIALS"))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Double encryption is real: the same blob does not decrypt through a
/// proxy whose external key `k1` is other material, and the proxy's error
/// is `KMSInvalidStateException` (spec: the proxy's
/// `InvalidCiphertextException` in `Decrypt`).
#[test]
fn a_ciphertext_does_not_decrypt_through_a_proxy_holding_other_material_for_its_external_key() {
    let dir = temp_dir("other-material");
    let kms = open(&dir);
    let first = proxy(&dir, &["k1"]);
    let store = create_store(&kms, "xks", &first.address, SECRET, "PUBLIC_ENDPOINT").unwrap();
    connect(&kms, &store);
    let key_id = xks_key(&kms, &store, "k1").unwrap()["KeyId"].clone();
    let sealed = ok(&kms, "Encrypt", json!({"KeyId": key_id, "Plaintext": "c2VjcmV0"}));
    drop(first);

    // A new proxy: the same external key id, fresh material.
    let second = proxy(&dir, &["k1"]);
    ok(&kms, "DisconnectCustomKeyStore", json!({"CustomKeyStoreId": store}));
    ok(
        &kms,
        "UpdateCustomKeyStore",
        json!({"CustomKeyStoreId": store, "XksProxyUriEndpoint": format!("http://{}", second.address)}),
    );
    connect(&kms, &store);
    let e = refused(&kms, "Decrypt", json!({"CiphertextBlob": sealed["CiphertextBlob"]}));
    assert_eq!(e.name, ErrorName::KMSInvalidStateException);
    assert!(e.message.contains("ciphertext or encryption context"), "{}", e.message);
    // The key itself still works through the new proxy.
    let fresh = ok(&kms, "Encrypt", json!({"KeyId": key_id, "Plaintext": "c2VjcmV0"}));
    assert_eq!(
        ok(&kms, "Decrypt", json!({"CiphertextBlob": fresh["CiphertextBlob"]}))["Plaintext"],
        "c2VjcmV0"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A proxy that takes the connection and never answers: `XKS_PROXY_TIMED_OUT`.
#[test]
fn a_proxy_that_does_not_answer_in_time_fails_the_connection_with_xks_proxy_timed_out() {
    let dir = temp_dir("timeout");
    let kms = open_with(
        &dir,
        HttpProxies::plain_http_loopback().with_timeout(Duration::from_millis(300)),
    );
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = silent.local_addr().unwrap().to_string();
    // VPC endpoint service connectivity: no health check while creating.
    let store = create_store(&kms, "silent", &address, SECRET, "VPC_ENDPOINT_SERVICE").unwrap();
    connect(&kms, &store);
    assert_eq!(
        connection(&kms, &store),
        ("FAILED".to_owned(), json!("XKS_PROXY_TIMED_OUT"))
    );
    drop(silent);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The model takes `https://` endpoints only; a plain-HTTP loopback proxy
/// needs the process's opt-in.
#[test]
fn a_plain_http_proxy_endpoint_is_a_validation_error_without_the_opt_in() {
    let dir = temp_dir("no-opt-in");
    let kms = open_with(&dir, HttpProxies::new().with_timeout(Duration::from_millis(300)));
    let e = create_store(&kms, "xks", "127.0.0.1:4600", SECRET, "PUBLIC_ENDPOINT").unwrap_err();
    assert_eq!(e.name, ErrorName::ValidationException);
    assert!(e.message.contains("--xks-plain-http"), "{}", e.message);
    let e = create_store(&kms, "xks", "192.0.2.1:4600", SECRET, "PUBLIC_ENDPOINT").unwrap_err();
    assert!(e.message.contains("regular expression pattern"), "{}", e.message);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The proxy's secret is never in the state in clear: it is wrapped under
/// the root key like key material.
#[test]
fn the_proxy_secret_is_kept_wrapped_in_the_state() {
    let dir = temp_dir("wrapped");
    let kms = open(&dir);
    let running = proxy(&dir, &["k1"]);
    create_store(&kms, "xks", &running.address, SECRET, "PUBLIC_ENDPOINT").unwrap();
    drop(kms);
    let mut found = Vec::new();
    for entry in walk(&dir.join("state")) {
        let bytes = std::fs::read(&entry).unwrap();
        if bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()) {
            found.push(entry);
        }
    }
    assert!(found.is_empty(), "the secret is in the clear in {found:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Neither layer opens alone: a doubly encrypted blob does not decrypt
/// once the store no longer reaches its proxy (its endpoint made an
/// `https://` one, which keyward simulates), and a blob made without the
/// proxy's layer is refused once the store is live again.
#[test]
fn a_blob_needs_both_layers_to_decrypt() {
    let dir = temp_dir("both-layers");
    let kms = open(&dir);
    let running = proxy(&dir, &["k1"]);
    let live = format!("http://{}", running.address);
    let store = create_store(&kms, "xks", &running.address, SECRET, "PUBLIC_ENDPOINT").unwrap();
    connect(&kms, &store);
    let key_id = xks_key(&kms, &store, "k1").unwrap()["KeyId"].clone();
    let double = ok(&kms, "Encrypt", json!({"KeyId": key_id, "Plaintext": "Ym90aA=="}));

    let endpoint = |kms: &Kms, endpoint: &str| {
        ok(kms, "DisconnectCustomKeyStore", json!({"CustomKeyStoreId": store}));
        ok(
            kms,
            "UpdateCustomKeyStore",
            json!({"CustomKeyStoreId": store, "XksProxyUriEndpoint": endpoint}),
        );
        connect(kms, &store);
    };
    endpoint(&kms, "https://xks.example.com");
    let e = refused(&kms, "Decrypt", json!({"CiphertextBlob": double["CiphertextBlob"]}));
    assert_eq!(e.name, ErrorName::InvalidCiphertextException);
    let single = ok(&kms, "Encrypt", json!({"KeyId": key_id, "Plaintext": "Ym90aA=="}));
    assert_eq!(blob(&single)[2], 1);

    endpoint(&kms, &live);
    let e = refused(&kms, "Decrypt", json!({"CiphertextBlob": single["CiphertextBlob"]}));
    assert_eq!(e.name, ErrorName::InvalidCiphertextException);
    let opened = ok(&kms, "Decrypt", json!({"CiphertextBlob": double["CiphertextBlob"]}));
    assert_eq!(opened["Plaintext"], "Ym90aA==");
    let _ = std::fs::remove_dir_all(&dir);
}

/// [`HttpProxies`] whose calls for one KMS operation stop at a gate: each
/// says it arrived, then waits until the test lets it through.
struct Gated {
    proxies: HttpProxies,
    operation: &'static str,
    arrived: Mutex<Sender<()>>,
    gate: Mutex<Receiver<()>>,
}

impl Gated {
    /// Gated proxies, the sender that opens the gate and the receiver of arrivals.
    fn new(operation: &'static str) -> (Gated, Sender<()>, Receiver<()>) {
        let (arrived, arrivals) = channel();
        let (open_gate, gate) = channel();
        let gated = Gated {
            proxies: HttpProxies::plain_http_loopback().with_timeout(Duration::from_secs(5)),
            operation,
            arrived: Mutex::new(arrived),
            gate: Mutex::new(gate),
        };
        (gated, open_gate, arrivals)
    }

    fn pass(&self, request: &ProxyRequest<'_>) {
        if request.operation == self.operation {
            // Once the test drops its end, everything passes.
            let _ = self.arrived.lock().unwrap().send(());
            let _ = self.gate.lock().unwrap().recv();
        }
    }
}

impl XksProxies for Gated {
    fn plain_http_loopback(&self) -> bool {
        true
    }

    fn health(&self, target: &ProxyTarget<'_>, request: &ProxyRequest<'_>) -> Result<Vec<String>, ProxyFailure> {
        self.pass(request);
        self.proxies.health(target, request)
    }

    fn key_metadata(
        &self,
        target: &ProxyTarget<'_>,
        key_id: &str,
        request: &ProxyRequest<'_>,
    ) -> Result<ExternalKeyMetadata, ProxyFailure> {
        self.proxies.key_metadata(target, key_id, request)
    }

    fn encrypt(
        &self,
        target: &ProxyTarget<'_>,
        key_id: &str,
        plaintext: &[u8],
        aad: &[u8],
        request: &ProxyRequest<'_>,
    ) -> Result<keyward::crypto::OuterLayer, ProxyFailure> {
        self.pass(request);
        self.proxies.encrypt(target, key_id, plaintext, aad, request)
    }

    fn decrypt(
        &self,
        target: &ProxyTarget<'_>,
        key_id: &str,
        sealed: &keyward::crypto::OuterLayer,
        aad: &[u8],
        request: &ProxyRequest<'_>,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, ProxyFailure> {
        self.proxies.decrypt(target, key_id, sealed, aad, request)
    }
}

/// The service waits for a proxy with its state unlocked: while an
/// `Encrypt` under an external key store key waits on its proxy, calls on a
/// key of keyward's own (and on the external key's metadata) are answered,
/// and the waiting call then completes with a blob that decrypts. (AWS's
/// proxy timeout is 250 ms, XKS Proxy API spec, *KMS Considerations*; a
/// proxy call under a lock would stall every caller that long.)
#[test]
fn a_call_on_an_ordinary_key_is_answered_while_another_waits_on_its_proxy() {
    let dir = temp_dir("unlocked");
    let (gated, open_gate, arrivals) = Gated::new("Encrypt");
    let kms = Arc::new(open_with(&dir, gated));
    let running = proxy(&dir, &["k1"]);
    let store = create_store(&kms, "xks", &running.address, SECRET, "PUBLIC_ENDPOINT").unwrap();
    connect(&kms, &store);
    let external = xks_key(&kms, &store, "k1").unwrap()["KeyId"].clone();
    let own = ok(&kms, "CreateKey", json!({}))["KeyMetadata"]["KeyId"].clone();

    let events = Arc::new(Mutex::new(Vec::new()));
    let waiting = {
        let (kms, events, external) = (Arc::clone(&kms), Arc::clone(&events), external.clone());
        std::thread::spawn(move || {
            let sealed = call(&kms, "Encrypt", json!({"KeyId": external, "Plaintext": "c2xvdw=="}));
            events.lock().unwrap().push("external key answered");
            sealed
        })
    };
    arrivals.recv().unwrap();
    events.lock().unwrap().push("proxy call waiting");

    // On another thread, so that a call stuck behind the proxy fails the
    // test instead of hanging it.
    let (answered, answers) = channel();
    {
        let (kms, events, own, external) = (Arc::clone(&kms), Arc::clone(&events), own.clone(), external.clone());
        std::thread::spawn(move || {
            let sealed = ok(&kms, "Encrypt", json!({"KeyId": own, "Plaintext": "ZmFzdA=="}));
            let opened = ok(&kms, "Decrypt", json!({"CiphertextBlob": sealed["CiphertextBlob"]}));
            let described = ok(&kms, "DescribeKey", json!({"KeyId": external}));
            events.lock().unwrap().push("own key answered");
            answered.send((opened, described)).unwrap();
        });
    }
    let (opened, described) = answers
        .recv_timeout(Duration::from_secs(120))
        .expect("a call on an ordinary key waited for another call's proxy");
    assert_eq!(opened["Plaintext"], "ZmFzdA==");
    assert_eq!(described["KeyMetadata"]["Origin"], "EXTERNAL_KEY_STORE");

    open_gate.send(()).unwrap();
    let sealed = waiting.join().unwrap().unwrap();
    assert_eq!(
        *events.lock().unwrap(),
        ["proxy call waiting", "own key answered", "external key answered"]
    );
    assert_eq!(blob(&sealed)[..3], *b"KW\x02");
    let opened = ok(&kms, "Decrypt", json!({"CiphertextBlob": sealed["CiphertextBlob"]}));
    assert_eq!(opened["Plaintext"], "c2xvdw==");
    // The proxy was asked once: the call ran again with its answer rather
    // than asking a second time.
    assert!(arrivals.try_recv().is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `ConnectCustomKeyStore` answers at once and the store is `CONNECTING`
/// while its proxy's health check runs, then `CONNECTED` ("The
/// ConnectCustomKeyStore operation succeeds quickly before the connection
/// process is complete. To determine whether the connection process is
/// successful, view the connection state": developer guide,
/// *Troubleshooting external key stores*). Meanwhile no key can be made in
/// the store, and it cannot be updated or connected twice.
#[test]
fn a_store_is_connecting_while_its_health_check_runs_then_connected() {
    let dir = temp_dir("connecting");
    let (gated, open_gate, arrivals) = Gated::new("ConnectCustomKeyStore");
    let kms = open_with(&dir, gated);
    let running = proxy(&dir, &["k1"]);
    let store = create_store(&kms, "xks", &running.address, SECRET, "PUBLIC_ENDPOINT").unwrap();
    ok(&kms, "ConnectCustomKeyStore", json!({"CustomKeyStoreId": store}));
    arrivals.recv().unwrap();
    assert_eq!(connection(&kms, &store), ("CONNECTING".to_owned(), Value::Null));
    assert_eq!(
        xks_key(&kms, &store, "k1").unwrap_err().name,
        ErrorName::CustomKeyStoreInvalidStateException
    );
    let renamed = refused(
        &kms,
        "UpdateCustomKeyStore",
        json!({"CustomKeyStoreId": store, "NewCustomKeyStoreName": "other"}),
    );
    assert_eq!(renamed.name, ErrorName::CustomKeyStoreInvalidStateException);
    // Connecting again is a success that starts no second check.
    ok(&kms, "ConnectCustomKeyStore", json!({"CustomKeyStoreId": store}));

    open_gate.send(()).unwrap();
    assert_eq!(settled(&kms, &store), ("CONNECTED".to_owned(), Value::Null));
    assert!(arrivals.try_recv().is_err());
    let key = xks_key(&kms, &store, "k1").unwrap()["KeyId"].clone();
    ok(&kms, "Encrypt", json!({"KeyId": key, "Plaintext": "aGk="}));

    // Stopped before the check comes back: FAILED, with its code, once the
    // service closes.
    ok(&kms, "DisconnectCustomKeyStore", json!({"CustomKeyStoreId": store}));
    ok(&kms, "ConnectCustomKeyStore", json!({"CustomKeyStoreId": store}));
    arrivals.recv().unwrap();
    drop(running);
    open_gate.send(()).unwrap();
    drop(kms);
    let kms = open(&dir);
    assert_eq!(
        connection(&kms, &store),
        ("FAILED".to_owned(), json!("XKS_PROXY_NOT_REACHABLE"))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// What a call draws at random for its proxy is the same when it runs
/// again with the proxy's answer: the private key `GenerateDataKeyPair`
/// returns is the one its blob holds, and `ReEncrypt` between two keys of
/// the store (two proxy calls, one round each) gives a blob that decrypts.
#[test]
fn data_keys_and_re_encryption_through_the_proxy_keep_what_they_drew_across_rounds() {
    let dir = temp_dir("rounds");
    let kms = open(&dir);
    let running = proxy(&dir, &["k1", "k2"]);
    let store = create_store(&kms, "xks", &running.address, SECRET, "PUBLIC_ENDPOINT").unwrap();
    connect(&kms, &store);
    let first = xks_key(&kms, &store, "k1").unwrap()["KeyId"].clone();
    let second = xks_key(&kms, &store, "k2").unwrap()["KeyId"].clone();

    let pair = ok(
        &kms,
        "GenerateDataKeyPair",
        json!({"KeyId": first, "KeyPairSpec": "ECC_NIST_P256"}),
    );
    let opened = ok(
        &kms,
        "Decrypt",
        json!({"CiphertextBlob": pair["PrivateKeyCiphertextBlob"]}),
    );
    assert_eq!(opened["Plaintext"], pair["PrivateKeyPlaintext"]);

    let data_key = ok(&kms, "GenerateDataKey", json!({"KeyId": first, "NumberOfBytes": 32}));
    let moved = ok(
        &kms,
        "ReEncrypt",
        json!({"CiphertextBlob": data_key["CiphertextBlob"], "DestinationKeyId": second}),
    );
    assert_eq!(blob(&moved)[..3], *b"KW\x02");
    let opened = ok(&kms, "Decrypt", json!({"CiphertextBlob": moved["CiphertextBlob"]}));
    assert_eq!(opened["Plaintext"], data_key["Plaintext"]);
    assert_eq!(opened["KeyId"].as_str().unwrap().rsplit('/').next(), second.as_str());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Connected stores' proxies are asked for their health periodically
/// (`kmsOperation` `KmsHealthCheck`, XKS Proxy API spec, `GetHealthStatus`),
/// and a proxy that has gone away leaves the store `CONNECTED`: "External
/// key stores are in a DISCONNECTED state only when the key store has never
/// been connected or you explicitly disconnect it" (developer guide,
/// *Connect and disconnect external key stores*); its keys' calls fail.
#[test]
fn connected_stores_are_health_checked_periodically_and_stay_connected_when_the_proxy_goes() {
    let dir = temp_dir("periodic");
    let (gated, open_gate, arrivals) = Gated::new("KmsHealthCheck");
    let kms = open_with(&dir, gated).with_health_check_interval(Duration::ZERO);
    let running = proxy(&dir, &["k1"]);
    let store = create_store(&kms, "xks", &running.address, SECRET, "PUBLIC_ENDPOINT").unwrap();
    assert_eq!(connect(&kms, &store).0, "CONNECTED");
    let key = xks_key(&kms, &store, "k1").unwrap()["KeyId"].clone();
    // A call after the interval starts a check of the connected store.
    connection(&kms, &store);
    arrivals.recv().unwrap();
    drop(running);
    open_gate.send(()).unwrap();
    drop(open_gate);
    for _ in 0..5 {
        assert_eq!(connection(&kms, &store), ("CONNECTED".to_owned(), Value::Null));
    }
    let e = refused(&kms, "Encrypt", json!({"KeyId": key, "Plaintext": "aGk="}));
    assert_eq!(e.name, ErrorName::KMSInvalidStateException);
    drop(kms);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A store whose plain-HTTP proxy this process may not call (no opt-in)
/// fails to connect at once with `XKS_PROXY_INVALID_CONFIGURATION`.
#[test]
fn a_plain_http_store_connected_without_the_opt_in_fails_with_invalid_configuration() {
    let dir = temp_dir("reopened-without-opt-in");
    let kms = open(&dir);
    let running = proxy(&dir, &["k1"]);
    let store = create_store(&kms, "xks", &running.address, SECRET, "PUBLIC_ENDPOINT").unwrap();
    drop(kms);
    let kms = open_with(&dir, HttpProxies::new());
    ok(&kms, "ConnectCustomKeyStore", json!({"CustomKeyStoreId": store}));
    assert_eq!(
        connection(&kms, &store),
        ("FAILED".to_owned(), json!("XKS_PROXY_INVALID_CONFIGURATION"))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A call undone at its proxy call, and run again once the proxy answered,
/// leaves no gap in the audit event ids: the stored ids run 1, 2, 3, …, and
/// `GetKeyLastUsage`'s `CloudTrailEventId`, "the CloudTrail `eventId`
/// associated with the last successful cryptographic operation"
/// ([KeyLastUsageData](https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyLastUsageData.html)),
/// is the stored `eventID` of the `Encrypt` that used the key.
#[test]
fn audit_event_ids_follow_on_after_calls_undone_for_their_proxy() {
    let dir = temp_dir("audit-ids");
    let kms = open(&dir);
    let running = proxy(&dir, &["k1"]);
    let store = create_store(&kms, "xks", &running.address, SECRET, "PUBLIC_ENDPOINT").unwrap();
    connect(&kms, &store);
    let key_id = xks_key(&kms, &store, "k1").unwrap()["KeyId"].clone();
    ok(&kms, "Encrypt", json!({"KeyId": key_id, "Plaintext": "aWRz"}));
    let used = ok(&kms, "GetKeyLastUsage", json!({"KeyId": key_id}));
    super::service::assert_ids_follow_on_to_the_last_use(&kms, &used);
    drop(running);
    let _ = std::fs::remove_dir_all(&dir);
}
