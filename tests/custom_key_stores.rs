//! Custom key stores through `kms::Service` on a SQLite state: stores and
//! their keys survive a restart, and a second process sharing the state sees
//! a store disconnected by the first (its keys `Unavailable`)
//! (<https://docs.aws.amazon.com/kms/latest/developerguide/key-store-overview.html>;
//! `docs/custom-key-stores.md`).

use std::sync::Arc;

use keyward::eval::Caller;
use keyward::kms::op::Json;
use keyward::kms::runtime::SimulatedClock;
use keyward::kms::{Authorizer, ErrorName, KmsError, Service};
use keyward::store::SqliteStore;
use serde_json::{json, Value};

const A: &str = "111122223333";
const REGION: &str = "us-east-1";

type Kms = Service<Arc<SimulatedClock>>;

fn open(dir: &std::path::Path) -> Kms {
    let store = Box::new(SqliteStore::open(dir).unwrap());
    Service::open(
        store,
        Authorizer::default(),
        Arc::new(SimulatedClock::at(1_795_867_200)),
        A,
    )
    .unwrap()
}

fn call(kms: &Kms, operation: &str, request: Value) -> Result<Value, KmsError> {
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

fn ok(kms: &Kms, operation: &str, request: Value) -> Value {
    call(kms, operation, request).unwrap_or_else(|e| panic!("{operation}: {e:?}"))
}

#[test]
fn custom_key_stores_and_their_keys_survive_a_restart_and_are_shared_between_processes() {
    let dir = std::env::temp_dir().join(format!("keyward-cks-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (store, key, sealed) = {
        let kms = open(&dir);
        let store = ok(
            &kms,
            "CreateCustomKeyStore",
            json!({
                "CustomKeyStoreName": "xks", "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
                "XksProxyUriEndpoint": "https://xks.example.com", "XksProxyUriPath": "/kms/xks/v1",
                "XksProxyConnectivity": "PUBLIC_ENDPOINT",
                "XksProxyAuthenticationCredential": {"AccessKeyId": "ABCDEFGHIJKLMNOPQRST", "RawSecretAccessKey": "a".repeat(43)},
            }),
        )["CustomKeyStoreId"]
            .clone();
        ok(&kms, "ConnectCustomKeyStore", json!({"CustomKeyStoreId": store}));
        let key = ok(
            &kms,
            "CreateKey",
            json!({"Origin": "EXTERNAL_KEY_STORE", "CustomKeyStoreId": store, "XksKeyId": "external-1"}),
        )["KeyMetadata"]["KeyId"]
            .clone();
        let sealed = ok(&kms, "Encrypt", json!({"KeyId": key, "Plaintext": "aGk="}))["CiphertextBlob"].clone();
        (store, key, sealed)
    };
    let first = open(&dir);
    let second = open(&dir);
    let described = ok(&second, "DescribeCustomKeyStores", json!({"CustomKeyStoreId": store}));
    assert_eq!(described["CustomKeyStores"][0]["ConnectionState"], "CONNECTED");
    let metadata = ok(&second, "DescribeKey", json!({"KeyId": key}))["KeyMetadata"].clone();
    assert_eq!(metadata["XksKeyConfiguration"]["Id"], "external-1");
    assert_eq!(
        ok(&second, "Decrypt", json!({"CiphertextBlob": sealed}))["Plaintext"],
        "aGk="
    );
    ok(&first, "DisconnectCustomKeyStore", json!({"CustomKeyStoreId": store}));
    assert_eq!(
        ok(&second, "DescribeKey", json!({"KeyId": key}))["KeyMetadata"]["KeyState"],
        "Unavailable"
    );
    let refused = call(&second, "Decrypt", json!({"CiphertextBlob": sealed})).unwrap_err();
    assert_eq!(refused.name, ErrorName::KMSInvalidStateException);
    let _ = std::fs::remove_dir_all(&dir);
}
