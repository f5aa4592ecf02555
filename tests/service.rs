//! `kms::Service`, the one call path: a call whose commit fails leaves
//! nothing of itself, keys are found in the partition their ARN or
//! ciphertext names, a refused caller creates no partition, and the SQLite
//! and memory stores give the same answers.

use std::sync::Arc;

use keyward::eval::Caller;
use keyward::kms::op::Json;
use keyward::kms::runtime::SimulatedClock;
use keyward::kms::{Authorizer, ErrorName, KmsError, Service, Store};
use keyward::store::{FailingStore, MemoryStore, SqliteStore};
use serde_json::{json, Value};

const A: &str = "111122223333";
const B: &str = "444455556666";
const REGION: &str = "us-east-1";
const NOW: i64 = 1_795_867_200;

type Kms = Service<Arc<SimulatedClock>>;

fn open(store: impl Store + 'static) -> Kms {
    Service::open(
        Box::new(store),
        Authorizer::default(),
        Arc::new(SimulatedClock::at(NOW)),
        A,
    )
    .unwrap()
}

fn root(account: &str) -> Caller {
    Caller::parse(&format!("arn:aws:iam::{account}:root")).unwrap()
}

fn call(kms: &Kms, caller: &Caller, operation: &str, request: Value) -> Result<Value, KmsError> {
    kms.call(
        caller,
        REGION,
        &Json {
            operation,
            request: &request,
        },
    )
}

fn ok(kms: &Kms, operation: &str, request: Value) -> Value {
    call(kms, &root(A), operation, request).unwrap_or_else(|e| panic!("{operation}: {e:?}"))
}

fn new_key(kms: &Kms) -> String {
    ok(kms, "CreateKey", json!({}))["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Everything account A can see of its keys, as the API answers it.
fn observe(kms: &Kms) -> Value {
    let keys = ok(kms, "ListKeys", json!({}));
    let mut seen = vec![keys.clone(), ok(kms, "ListAliases", json!({}))];
    for key in keys["Keys"].as_array().unwrap() {
        let id = json!({"KeyId": key["KeyId"]});
        for operation in [
            "DescribeKey",
            "ListGrants",
            "GetKeyPolicy",
            "ListResourceTags",
            "ListKeyRotations",
        ] {
            let mut request = id.clone();
            if operation == "GetKeyPolicy" {
                request["PolicyName"] = json!("default");
            }
            seen.push(call(kms, &root(A), operation, request).unwrap_or_else(|e| json!(e.name.as_str())));
        }
        seen.push(call(kms, &root(A), "GetKeyRotationStatus", id.clone()).unwrap_or_else(|e| json!(e.name.as_str())));
    }
    // The replicas' Region: multi-Region keys change both.
    let in_replica_region = |operation: &str, request: Value| {
        kms.call(
            &root(A),
            REPLICA_REGION,
            &Json {
                operation,
                request: &request,
            },
        )
        .unwrap_or_else(|e| json!(e.name.as_str()))
    };
    let replicas = in_replica_region("ListKeys", json!({}));
    for key in replicas["Keys"].as_array().into_iter().flatten() {
        seen.push(in_replica_region("DescribeKey", json!({"KeyId": key["KeyId"]})));
    }
    seen.push(replicas);
    seen.push(ok(kms, "DescribeCustomKeyStores", json!({})));
    Value::Array(seen)
}

/// The state every failure-injection case starts from.
struct Setup {
    /// Key 1 with an alias, a tag and a grant; key 2 disabled; key 3
    /// pending deletion; key 4 rotating; key 5 waiting for imported
    /// material; key 6 with imported material; key 7 a multi-Region
    /// primary; key 8 a multi-Region primary with a replica in eu-west-1.
    keys: Vec<String>,
    /// Custom key stores: a connected one, a disconnected one, and one that
    /// is connected and holds no keys.
    stores: [String; 3],
    grant: String,
    /// An import token for key 5 and material wrapped under it.
    import: (Value, Value),
}

const REPLICA_REGION: &str = "eu-west-1";

/// GetParametersForImport for `key`, then 32 bytes wrapped as a client
/// would wrap them (RSAES_OAEP_SHA_256).
fn import_parameters(kms: &Kms, key: &str) -> (Value, Value) {
    use base64::Engine as _;
    use keyward::crypto::import::{wrap, WrappingAlgorithm};
    use keyward::crypto::keys::{KeySpec, PublicKey};
    let parameters = ok(
        kms,
        "GetParametersForImport",
        json!({"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
    );
    let b64 = base64::engine::general_purpose::STANDARD;
    let der = b64.decode(parameters["PublicKey"].as_str().unwrap()).unwrap();
    let public = PublicKey::from_der(KeySpec::Rsa2048, &der).unwrap();
    let wrapped = wrap(&public, WrappingAlgorithm::RsaesOaepSha256, &[7u8; 32]).unwrap();
    (parameters["ImportToken"].clone(), json!(b64.encode(wrapped)))
}

fn setup(kms: &Kms) -> Setup {
    let mut keys: Vec<String> = (0..4).map(|_| new_key(kms)).collect();
    ok(
        kms,
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": keys[0]}),
    );
    ok(
        kms,
        "TagResource",
        json!({"KeyId": keys[0], "Tags": [{"TagKey": "env", "TagValue": "dev"}]}),
    );
    let grant = ok(
        kms,
        "CreateGrant",
        json!({"KeyId": keys[0], "GranteePrincipal": format!("arn:aws:iam::{A}:user/app"),
               "RetiringPrincipal": format!("arn:aws:iam::{A}:root"), "Operations": ["Decrypt"]}),
    )["GrantId"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(kms, "DisableKey", json!({"KeyId": keys[1]}));
    ok(
        kms,
        "ScheduleKeyDeletion",
        json!({"KeyId": keys[2], "PendingWindowInDays": 7}),
    );
    ok(kms, "EnableKeyRotation", json!({"KeyId": keys[3]}));
    let external = || -> String {
        ok(kms, "CreateKey", json!({"Origin": "EXTERNAL"}))["KeyMetadata"]["KeyId"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    keys.push(external());
    keys.push(external());
    let import = import_parameters(kms, &keys[4]);
    let (token, material) = import_parameters(kms, &keys[5]);
    ok(
        kms,
        "ImportKeyMaterial",
        json!({"KeyId": keys[5], "ImportToken": token, "EncryptedKeyMaterial": material,
               "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
    );
    for _ in 0..2 {
        let made = ok(kms, "CreateKey", json!({"MultiRegion": true}));
        keys.push(made["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned());
    }
    ok(
        kms,
        "ReplicateKey",
        json!({"KeyId": keys[7], "ReplicaRegion": REPLICA_REGION}),
    );
    let store = |name: &str, cluster: &str| -> String {
        let request = json!({"CustomKeyStoreName": name, "CloudHsmClusterId": cluster,
            "TrustAnchorCertificate": TRUST_ANCHOR, "KeyStorePassword": "kmsuser-password"});
        ok(kms, "CreateCustomKeyStore", request)["CustomKeyStoreId"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let stores = [
        store("connected", "cluster-aaaaaaaaaaa"),
        store("disconnected", "cluster-bbbbbbbbbbb"),
        store("to-disconnect", "cluster-ccccccccccc"),
    ];
    for connected in [&stores[0], &stores[2]] {
        ok(kms, "ConnectCustomKeyStore", json!({"CustomKeyStoreId": connected}));
    }
    Setup {
        keys,
        stores,
        grant,
        import,
    }
}

/// A PEM certificate (a trust anchor need only read as one here).
const TRUST_ANCHOR: &str = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGUgZm9yIGtleXdhcmQgdGVzdHMwCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----\n";

/// Every mutating operation, as a request on the `setup` state.
fn mutations(setup: &Setup) -> Vec<(&'static str, Value)> {
    let (keys, grant) = (&setup.keys, &setup.grant);
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:root"}},"Action":"kms:*","Resource":"*"}}]}}"#
    );
    vec![
        ("CreateKey", json!({"Description": "new"})),
        ("CreateAlias", json!({"AliasName": "alias/new", "TargetKeyId": keys[0]})),
        ("UpdateAlias", json!({"AliasName": "alias/app", "TargetKeyId": keys[3]})),
        ("DeleteAlias", json!({"AliasName": "alias/app"})),
        ("DisableKey", json!({"KeyId": keys[0]})),
        ("EnableKey", json!({"KeyId": keys[1]})),
        (
            "ScheduleKeyDeletion",
            json!({"KeyId": keys[0], "PendingWindowInDays": 7}),
        ),
        ("CancelKeyDeletion", json!({"KeyId": keys[2]})),
        (
            "UpdateKeyDescription",
            json!({"KeyId": keys[0], "Description": "changed"}),
        ),
        (
            "TagResource",
            json!({"KeyId": keys[0], "Tags": [{"TagKey": "team", "TagValue": "a"}]}),
        ),
        ("UntagResource", json!({"KeyId": keys[0], "TagKeys": ["env"]})),
        (
            "PutKeyPolicy",
            json!({"KeyId": keys[0], "PolicyName": "default", "Policy": policy}),
        ),
        ("EnableKeyRotation", json!({"KeyId": keys[0]})),
        ("DisableKeyRotation", json!({"KeyId": keys[3]})),
        ("RotateKeyOnDemand", json!({"KeyId": keys[0]})),
        (
            "CreateGrant",
            json!({"KeyId": keys[0], "GranteePrincipal": format!("arn:aws:iam::{A}:user/other"), "Operations": ["Encrypt"]}),
        ),
        ("RetireGrant", json!({"KeyId": keys[0], "GrantId": grant})),
        ("RevokeGrant", json!({"KeyId": keys[0], "GrantId": grant})),
        (
            "ImportKeyMaterial",
            json!({"KeyId": keys[4], "ImportToken": setup.import.0, "EncryptedKeyMaterial": setup.import.1,
                   "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
        ),
        ("DeleteImportedKeyMaterial", json!({"KeyId": keys[5]})),
        (
            "ReplicateKey",
            json!({"KeyId": keys[6], "ReplicaRegion": REPLICA_REGION}),
        ),
        (
            "UpdatePrimaryRegion",
            json!({"KeyId": keys[7], "PrimaryRegion": REPLICA_REGION}),
        ),
        (
            "CreateCustomKeyStore",
            json!({"CustomKeyStoreName": "new", "CloudHsmClusterId": "cluster-ddddddddddd",
                   "TrustAnchorCertificate": TRUST_ANCHOR, "KeyStorePassword": "kmsuser-password"}),
        ),
        (
            "UpdateCustomKeyStore",
            json!({"CustomKeyStoreId": setup.stores[0], "NewCustomKeyStoreName": "renamed"}),
        ),
        ("ConnectCustomKeyStore", json!({"CustomKeyStoreId": setup.stores[1]})),
        ("DisconnectCustomKeyStore", json!({"CustomKeyStoreId": setup.stores[2]})),
        ("DeleteCustomKeyStore", json!({"CustomKeyStoreId": setup.stores[1]})),
    ]
}

#[test]
fn the_failure_injection_cases_cover_every_mutating_operation() {
    let kms = open(MemoryStore::new());
    let mut covered: Vec<&str> = mutations(&setup(&kms)).iter().map(|(name, _)| *name).collect();
    covered.sort_unstable();
    let mut declared: Vec<&str> = keyward::kms::op::DECLARED
        .iter()
        .filter(|d| d.mutates)
        .map(|d| d.name)
        .collect();
    declared.sort_unstable();
    assert_eq!(covered, declared);
}

#[test]
fn a_call_whose_commit_fails_leaves_state_and_answers_as_before_for_every_mutating_operation() {
    // How many commits `setup` and one observation make (every call commits
    // at least its audit record), so the next one can be made to fail.
    let counting = Arc::new(FailingStore::once(MemoryStore::new(), u64::MAX));
    let kms = open(Arc::clone(&counting));
    let prepared = setup(&kms);
    observe(&kms);
    let setup_commits = counting.commits();
    let cases = mutations(&prepared).len();
    for case in 0..cases {
        let store = Arc::new(FailingStore::once(MemoryStore::new(), setup_commits + 1));
        let kms = open(Arc::clone(&store));
        let prepared = setup(&kms);
        let (operation, request) = mutations(&prepared).swap_remove(case);
        let before = observe(&kms);
        let failed = call(&kms, &root(A), operation, request.clone()).unwrap_err();
        assert_eq!(failed.name, ErrorName::KMSInternalException, "{operation}");
        assert!(
            !failed.message.contains('/'),
            "{operation}: no path in `{}`",
            failed.message
        );
        assert_eq!(observe(&kms), before, "{operation} left a trace in memory");
        // The store holds exactly what the cache does: a new service over it agrees.
        assert_eq!(
            observe(&open(Arc::clone(&store))),
            before,
            "{operation} left a trace in the store"
        );
        // And the same call, retried, goes through.
        call(&kms, &root(A), operation, request).unwrap_or_else(|e| panic!("{operation} retried: {e:?}"));
    }
}

#[test]
fn a_failed_commit_of_create_key_leaves_no_key_that_can_encrypt() {
    let store = Arc::new(FailingStore::once(MemoryStore::new(), 1));
    let kms = open(Arc::clone(&store));
    assert_eq!(
        call(&kms, &root(A), "CreateKey", json!({})).unwrap_err().name,
        ErrorName::KMSInternalException
    );
    assert_eq!(ok(&kms, "ListKeys", json!({}))["Keys"], json!([]));
}

fn cross_account_policy() -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[
            {{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:root"}},"Action":"kms:*","Resource":"*"}},
            {{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{B}:root"}},"Action":["kms:Encrypt","kms:Decrypt","kms:DescribeKey"],"Resource":"*"}}]}}"#
    )
}

// AWS KMS Developer Guide, "Allowing users in other accounts to use a KMS key":
// the other account names the key by its ARN; Decrypt finds the key in the ciphertext.
#[test]
fn another_account_decrypts_without_key_id_a_ciphertext_of_a_key_its_policy_allows() {
    let kms = open(MemoryStore::new());
    let arn = ok(&kms, "CreateKey", json!({"Policy": cross_account_policy()}))["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let sealed = call(&kms, &root(B), "Encrypt", json!({"KeyId": arn, "Plaintext": "aGk="})).unwrap();
    let opened = call(
        &kms,
        &root(B),
        "Decrypt",
        json!({"CiphertextBlob": sealed["CiphertextBlob"]}),
    )
    .unwrap();
    assert_eq!(
        (opened["Plaintext"].as_str(), opened["KeyId"].as_str()),
        (Some("aGk="), Some(arn.as_str()))
    );
    // A bare key id names a key of the caller's own account, where there is none.
    let id = arn.rsplit('/').next().unwrap();
    let refused = call(&kms, &root(B), "Encrypt", json!({"KeyId": id, "Plaintext": "aGk="})).unwrap_err();
    assert_eq!(refused.name, ErrorName::NotFoundException);
}

#[test]
fn a_refused_caller_creates_no_partition() {
    let store = Arc::new(MemoryStore::new());
    let kms = open(Arc::clone(&store));
    let stranger = Caller::parse(&format!("arn:aws:iam::{B}:user/nobody")).unwrap();
    for region in ["us-west-2", "eu-west-1", REGION] {
        let refused = kms
            .call(
                &stranger,
                region,
                &Json {
                    operation: "CreateKey",
                    request: &json!({}),
                },
            )
            .unwrap_err();
        assert_eq!(refused.name, ErrorName::AccessDeniedException);
    }
    assert!(store.load().unwrap().partitions.is_empty());
}

#[test]
fn keys_are_kept_per_account_and_region() {
    let kms = open(MemoryStore::new());
    let here = new_key(&kms);
    let there = kms
        .call(
            &root(A),
            "eu-west-1",
            &Json {
                operation: "ListKeys",
                request: &json!({}),
            },
        )
        .unwrap();
    assert_eq!(there["Keys"], json!([]));
    let elsewhere = kms
        .call(
            &root(A),
            "eu-west-1",
            &Json {
                operation: "DescribeKey",
                request: &json!({"KeyId": here}),
            },
        )
        .unwrap_err();
    assert_eq!(elsewhere.name, ErrorName::NotFoundException);
}

#[test]
fn two_services_on_one_state_directory_see_each_others_keys() {
    let dir = std::env::temp_dir().join(format!("keyward-service-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let first = open(SqliteStore::open(&dir).unwrap());
    let second = open(SqliteStore::open(&dir).unwrap());
    let key = new_key(&first);
    let sealed = ok(&second, "Encrypt", json!({"KeyId": key, "Plaintext": "aGk="}));
    ok(&first, "DisableKey", json!({"KeyId": key}));
    let refused = call(
        &second,
        &root(A),
        "Decrypt",
        json!({"CiphertextBlob": sealed["CiphertextBlob"]}),
    )
    .unwrap_err();
    assert_eq!(refused.name, ErrorName::DisabledException);
    // Both change the same key: the second's commit is made on fresh state.
    ok(&second, "EnableKey", json!({"KeyId": key}));
    ok(
        &first,
        "UpdateKeyDescription",
        json!({"KeyId": key, "Description": "both"}),
    );
    let described = ok(&second, "DescribeKey", json!({"KeyId": key}));
    assert_eq!(
        (
            described["KeyMetadata"]["KeyState"].as_str(),
            described["KeyMetadata"]["Description"].as_str()
        ),
        (Some("Enabled"), Some("both"))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A scratch state directory and a raw connection to its database that
/// holds the write lock, as another process in the middle of a commit.
fn locked_state(name: &str) -> (std::path::PathBuf, rusqlite::Connection) {
    let dir = std::env::temp_dir().join(format!("keyward-service-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    drop(SqliteStore::open(&dir).unwrap());
    let raw = rusqlite::Connection::open(dir.join("keyward.db")).unwrap();
    (dir, raw)
}

fn encrypts_audited(dir: &std::path::Path) -> usize {
    let filter = keyward::kms::runtime::AuditFilter {
        operation: Some("Encrypt".into()),
        ..Default::default()
    };
    SqliteStore::open(dir).unwrap().audit(&filter).unwrap().len()
}

/// docs/store.md, "Audit durability": with `batched`, a call that changes
/// nothing answers without waiting for its audit commit, which the writer
/// makes as soon as it can.
#[test]
fn with_batched_audit_an_encrypt_answers_while_the_database_is_locked_and_its_record_lands_after() {
    let (dir, raw) = locked_state("batched");
    let kms = open(SqliteStore::open_with(&dir, keyward::store::Options::quiet()).unwrap())
        .with_audit_durability(keyward::kms::AuditDurability::Batched);
    let key = new_key(&kms);
    raw.execute_batch("BEGIN IMMEDIATE").unwrap();
    // Answered while another connection holds the write lock.
    ok(&kms, "Encrypt", json!({"KeyId": key, "Plaintext": "aGk="}));
    raw.execute_batch("COMMIT").unwrap();
    drop(kms); // the store's writer finishes what it was given
    assert_eq!(encrypts_audited(&dir), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The default, `sync`: the same Encrypt answers only once its record is
/// committed, so it waits for the lock.
#[test]
fn with_sync_audit_an_encrypt_waits_for_its_record_to_be_committed() {
    let (dir, raw) = locked_state("sync");
    let kms = Arc::new(open(
        SqliteStore::open_with(&dir, keyward::store::Options::quiet()).unwrap(),
    ));
    let key = new_key(&kms);
    raw.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (done, answered) = std::sync::mpsc::channel();
    let caller = {
        let kms = Arc::clone(&kms);
        std::thread::spawn(move || {
            let result = call(&kms, &root(A), "Encrypt", json!({"KeyId": key, "Plaintext": "aGk="}));
            done.send(result.is_ok()).unwrap();
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(answered.try_recv().is_err(), "answered before its record was committed");
    raw.execute_batch("COMMIT").unwrap();
    assert!(answered.recv().unwrap());
    caller.join().unwrap();
    assert_eq!(encrypts_audited(&dir), 1);
    drop(kms);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A call whose commit fails records nothing, and the ids it would have
/// taken are handed out again: the stored event ids run 1, 2, 3, …, and
/// `GetKeyLastUsage`'s `CloudTrailEventId`, "the CloudTrail `eventId`
/// associated with the last successful cryptographic operation"
/// ([KeyLastUsageData](https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyLastUsageData.html)),
/// is the stored `eventID` of the `Encrypt` after it.
#[test]
fn audit_event_ids_follow_on_after_a_call_whose_commit_failed() {
    let store = Arc::new(FailingStore::once(MemoryStore::new(), 2));
    let kms = open(Arc::clone(&store));
    let key = ok(&kms, "CreateKey", json!({}))["KeyMetadata"]["KeyId"].clone();
    let failed = call(
        &kms,
        &root(A),
        "CreateAlias",
        json!({"AliasName": "alias/lost", "TargetKeyId": key}),
    );
    assert_eq!(failed.unwrap_err().name, ErrorName::KMSInternalException);
    ok(&kms, "Encrypt", json!({"KeyId": key, "Plaintext": "aWRz"}));
    let used = ok(&kms, "GetKeyLastUsage", json!({"KeyId": key}));
    assert_ids_follow_on_to_the_last_use(&kms, &used);
}

/// The stored audit event ids run 1, 2, 3, … without a gap, and `used` (a
/// `GetKeyLastUsage` answer) names the stored `eventID` of the last `Encrypt`.
pub(super) fn assert_ids_follow_on_to_the_last_use(kms: &Kms, used: &Value) {
    let records = kms.audit(&keyward::kms::runtime::AuditFilter::default()).unwrap();
    let ids: Vec<u64> = records.iter().map(|r| r["eventID"].as_u64().unwrap()).collect();
    assert_eq!(ids, (1..=ids.len() as u64).collect::<Vec<_>>());
    let encrypt = records.iter().rfind(|r| r["eventName"] == "Encrypt").unwrap();
    assert_eq!(
        used["KeyLastUsage"]["CloudTrailEventId"],
        encrypt["eventID"].to_string()
    );
}

/// The calls of `uses_of_two_keys`: an `Encrypt` under the first key, a
/// refused `Encrypt` and a `DescribeKey` (neither is a use), then a
/// `ReEncrypt` from the first key to the second (a use of both); `reopen`
/// gives the service to go on with (the same one, or a new one on the same
/// state, as another process). The keys and the `GetKeyLastUsage` answers
/// after the `Encrypt` and after the `ReEncrypt`.
fn uses_of_two_keys(first: Kms, reopen: impl Fn(Kms) -> Kms) -> (Kms, [Value; 3]) {
    let key = new_key(&first);
    let other = new_key(&first);
    let unused = new_key(&first);
    let sealed = ok(&first, "Encrypt", json!({"KeyId": key, "Plaintext": "dXNlZA=="}));
    let stranger = Caller::parse(&format!("arn:aws:iam::{A}:user/stranger")).unwrap();
    let refused = call(&first, &stranger, "Encrypt", json!({"KeyId": key, "Plaintext": "bm8="}));
    assert_eq!(refused.unwrap_err().name, ErrorName::AccessDeniedException);
    ok(&first, "DescribeKey", json!({"KeyId": key}));
    let kms = reopen(first);
    let after_encrypt = ok(&kms, "GetKeyLastUsage", json!({"KeyId": key}));
    ok(
        &kms,
        "ReEncrypt",
        json!({"CiphertextBlob": sealed["CiphertextBlob"], "DestinationKeyId": other}),
    );
    let kms = reopen(kms);
    let source = ok(&kms, "GetKeyLastUsage", json!({"KeyId": key}));
    let destination = ok(&kms, "GetKeyLastUsage", json!({"KeyId": other}));
    let never = ok(&kms, "GetKeyLastUsage", json!({"KeyId": unused}));
    assert_eq!(never["KeyLastUsage"], json!({}), "a key never used has no last use");
    assert_eq!(source["KeyLastUsage"], destination["KeyLastUsage"]);
    (kms, [after_encrypt, source, destination])
}

/// `GetKeyLastUsage` reads the saved audit log, so a use made by one
/// process shows in the next one on the same state, with the saved record's
/// event and request ids; refused and non-cryptographic calls are not uses,
/// and a `ReEncrypt` is a use of both its keys (API_GetKeyLastUsage: "Usage
/// information is recorded for both keys independently"). Tracking starts
/// at the key's creation. The memory store answers as SQLite does.
/// https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html
#[test]
fn a_keys_last_use_is_read_from_the_saved_audit_log_by_the_next_process() {
    let dir = std::env::temp_dir().join(format!("keyward-service-last-use-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let on_disk = |dir: &std::path::Path| open(SqliteStore::open(dir).unwrap());
    let (kms, [after_encrypt, source, _]) = uses_of_two_keys(on_disk(&dir), |old| {
        drop(old);
        on_disk(&dir)
    });
    let records = kms.audit(&keyward::kms::runtime::AuditFilter::default()).unwrap();
    let allowed = |name: &str| {
        let found = records
            .iter()
            .rfind(|r| r["eventName"] == name && r["errorCode"].is_null());
        found.unwrap().clone()
    };
    let (encrypt, reencrypt) = (allowed("Encrypt"), allowed("ReEncrypt"));
    assert!(
        records
            .iter()
            .any(|r| r["eventName"] == "Encrypt" && r["eventID"].as_u64() > encrypt["eventID"].as_u64()),
        "a refused Encrypt came after the one that counts"
    );
    let last = &after_encrypt["KeyLastUsage"];
    assert_eq!(last["Operation"], "Encrypt");
    assert_eq!(last["CloudTrailEventId"], encrypt["eventID"].to_string());
    assert_eq!(last["KmsRequestId"], encrypt["requestID"]);
    assert_eq!(last["Timestamp"], json!(NOW));
    assert_eq!(after_encrypt["TrackingStartDate"], after_encrypt["KeyCreationDate"]);
    assert_eq!(source["KeyLastUsage"]["Operation"], "ReEncrypt");
    assert_eq!(
        source["KeyLastUsage"]["CloudTrailEventId"],
        reencrypt["eventID"].to_string()
    );

    // Request ids are fresh per call; the rest is the same.
    let (_, in_memory) = uses_of_two_keys(open(MemoryStore::new()), |same| same);
    let without_request_id = |answer: &Value| {
        let mut last = answer["KeyLastUsage"].clone();
        last.as_object_mut().unwrap().remove("KmsRequestId");
        last
    };
    for (memory, sqlite) in in_memory.iter().zip([&after_encrypt, &source]) {
        assert_eq!(without_request_id(memory), without_request_id(sqlite));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
