//! `ReEncrypt` between accounts through `kms::Service`: the source key is
//! the one the ciphertext names, in its own account's partition, and the
//! destination key the one `DestinationKeyId` names (a key ARN or alias ARN
//! of another account, else the caller's own). `kms:ReEncryptFrom` is
//! decided under the source key's policy and `kms:ReEncryptTo` under the
//! destination key's, in one call committed and audited as one.
//!
//! AWS: <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html>
//! and the ReEncrypt API reference
//! (<https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html>):
//! "To specify a KMS key in a different AWS account, you must use the key ARN
//! or alias ARN"; the source key of a symmetric ciphertext is taken from the
//! ciphertext's metadata.

use std::sync::Arc;

use keyward::eval::Caller;
use keyward::kms::op::{self, Blob, Json};
use keyward::kms::runtime::{AuditFilter, SimulatedClock};
use keyward::kms::{Authorizer, ErrorName, KmsError, Service, Store};
use keyward::store::{MemoryStore, SqliteStore};
use serde_json::{json, Value};

const A: &str = "111122223333";
const B: &str = "444455556666";
const REGION: &str = "us-east-1";

type Kms = Service<Arc<SimulatedClock>>;

fn open(store: impl Store + 'static) -> Kms {
    let clock = Arc::new(SimulatedClock::at(1_795_867_200));
    Service::open(Box::new(store), Authorizer::default(), clock, A).unwrap()
}

fn root(account: &str) -> Caller {
    Caller::parse(&format!("arn:aws:iam::{account}:root")).unwrap()
}

fn call(kms: &Kms, account: &str, operation: &str, request: Value) -> Result<Value, KmsError> {
    let request = &request;
    kms.call(&root(account), REGION, &Json { operation, request })
}

fn ok(kms: &Kms, account: &str, operation: &str, request: Value) -> Value {
    call(kms, account, operation, request).unwrap_or_else(|e| panic!("{operation} as {account}: {e:?}"))
}

/// A key policy: `owner` administers the key, `other` may do `actions`.
fn policy(owner: &str, other: &str, actions: &[&str]) -> String {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{owner}:root")}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{other}:root")}, "Action": actions, "Resource": "*"}
    ]})
    .to_string()
}

/// A key of `account` under `policy` (the default key policy when `None`): its ARN.
fn key(kms: &Kms, account: &str, policy: Option<String>) -> String {
    let request = policy.map_or(json!({}), |p| json!({"Policy": p}));
    ok(kms, account, "CreateKey", request)["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn encrypt(kms: &Kms, account: &str, key: &str, text: &str) -> Value {
    let plaintext = base64(text);
    ok(kms, account, "Encrypt", json!({"KeyId": key, "Plaintext": plaintext}))["CiphertextBlob"].clone()
}

fn base64(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// The ReEncrypt records the store holds for a key.
fn re_encrypts_of(kms: &Kms, key: &str) -> Vec<Value> {
    let filter = AuditFilter {
        key: Some(key.to_owned()),
        operation: Some("ReEncrypt".into()),
        ..AuditFilter::default()
    };
    kms.audit(&filter).unwrap()
}

#[test]
fn re_encrypt_to_another_accounts_key_by_arn_works_when_both_key_policies_allow_it() {
    let kms = open(MemoryStore::new());
    let source = key(&kms, A, None);
    let destination = key(&kms, B, Some(policy(B, A, &["kms:ReEncryptTo"])));
    let ciphertext = encrypt(&kms, A, &source, "invoice");
    let moved = ok(
        &kms,
        A,
        "ReEncrypt",
        json!({"CiphertextBlob": ciphertext, "DestinationKeyId": destination}),
    );
    assert_eq!(
        (moved["SourceKeyId"].as_str(), moved["KeyId"].as_str()),
        (Some(source.as_str()), Some(destination.as_str()))
    );
    // The destination account opens it under its own key, without naming it.
    let opened = ok(&kms, B, "Decrypt", json!({"CiphertextBlob": moved["CiphertextBlob"]}));
    assert_eq!(opened["Plaintext"], json!(base64("invoice")));
    // Each key's account has the call in its log, naming its own key.
    for (key, account) in [(&source, A), (&destination, B)] {
        let records = re_encrypts_of(&kms, key);
        assert_eq!(records.len(), 1, "{key}: {records:?}");
        assert_eq!(records[0]["recipientAccountId"], json!(account));
        assert_eq!(records[0]["errorCode"], Value::Null);
    }
}

#[test]
fn re_encrypt_to_another_accounts_key_by_alias_arn_works() {
    let kms = open(MemoryStore::new());
    let source = key(&kms, A, None);
    let destination = key(&kms, B, Some(policy(B, A, &["kms:ReEncryptTo"])));
    ok(
        &kms,
        B,
        "CreateAlias",
        json!({"AliasName": "alias/archive", "TargetKeyId": destination}),
    );
    let ciphertext = encrypt(&kms, A, &source, "invoice");
    let alias_arn = format!("arn:aws:kms:{REGION}:{B}:alias/archive");
    let moved = ok(
        &kms,
        A,
        "ReEncrypt",
        json!({"CiphertextBlob": ciphertext, "DestinationKeyId": alias_arn}),
    );
    assert_eq!(moved["KeyId"], json!(destination));
}

#[test]
fn re_encrypt_without_source_key_id_of_another_accounts_ciphertext_to_the_callers_own_key_works() {
    let kms = open(MemoryStore::new());
    let shared = key(&kms, A, Some(policy(A, B, &["kms:Encrypt", "kms:ReEncryptFrom"])));
    let own = key(&kms, B, None);
    let ciphertext = encrypt(&kms, B, &shared, "invoice");
    // The destination by bare key id: a key of the caller's own account.
    let own_id = own.rsplit('/').next().unwrap();
    let moved = ok(
        &kms,
        B,
        "ReEncrypt",
        json!({"CiphertextBlob": ciphertext, "DestinationKeyId": own_id}),
    );
    assert_eq!(
        (moved["SourceKeyId"].as_str(), moved["KeyId"].as_str()),
        (Some(shared.as_str()), Some(own.as_str()))
    );
    let opened = ok(&kms, B, "Decrypt", json!({"CiphertextBlob": moved["CiphertextBlob"]}));
    assert_eq!(opened["Plaintext"], json!(base64("invoice")));
    // The source key named by its ARN is the same call.
    let again = ok(
        &kms,
        B,
        "ReEncrypt",
        json!({"CiphertextBlob": ciphertext, "SourceKeyId": shared, "DestinationKeyId": own_id}),
    );
    assert_eq!(again["KeyId"], json!(own));
}

#[test]
fn re_encrypt_refused_by_the_destination_key_policy_is_access_denied_and_audited_on_both_sides() {
    let kms = open(MemoryStore::new());
    let source = key(&kms, A, None);
    // The default key policy trusts only its own account.
    let destination = key(&kms, B, None);
    let ciphertext = encrypt(&kms, A, &source, "invoice");
    let refused = call(
        &kms,
        A,
        "ReEncrypt",
        json!({"CiphertextBlob": ciphertext, "DestinationKeyId": destination}),
    )
    .unwrap_err();
    assert_eq!(refused.name, ErrorName::AccessDeniedException, "{refused:?}");
    assert!(refused.message.contains("kms:ReEncryptTo"), "{}", refused.message);
    assert!(refused.message.contains(&destination), "{}", refused.message);
    for key in [&source, &destination] {
        let records = re_encrypts_of(&kms, key);
        assert_eq!(records.len(), 1, "{key}: {records:?}");
        assert_eq!(records[0]["errorCode"], json!("AccessDeniedException"));
    }
}

/// A grant alone lets another account re-encrypt under a key whose policy
/// trusts only its own account (*Grants in AWS KMS*: "a grant can give
/// permissions to principals in a different AWS account"); revoking it
/// takes that back.
#[test]
fn re_encrypt_to_another_accounts_key_allowed_only_by_a_grant_stops_when_the_grant_is_revoked() {
    let kms = open(MemoryStore::new());
    let source = key(&kms, A, None);
    let destination = key(&kms, B, None);
    let grant = ok(
        &kms,
        B,
        "CreateGrant",
        json!({"KeyId": destination, "GranteePrincipal": format!("arn:aws:iam::{A}:root"), "Operations": ["ReEncryptTo"]}),
    );
    let ciphertext = encrypt(&kms, A, &source, "invoice");
    let request =
        json!({"CiphertextBlob": ciphertext, "DestinationKeyId": destination, "GrantTokens": [grant["GrantToken"]]});
    let moved = ok(&kms, A, "ReEncrypt", request.clone());
    assert_eq!(moved["KeyId"].as_str(), Some(destination.as_str()));
    let opened = ok(&kms, B, "Decrypt", json!({"CiphertextBlob": moved["CiphertextBlob"]}));
    assert_eq!(opened["Plaintext"], json!(base64("invoice")));
    ok(
        &kms,
        B,
        "RevokeGrant",
        json!({"KeyId": destination, "GrantId": grant["GrantId"]}),
    );
    // The revoked grant's token names no grant any more, as on one partition.
    let stale = call(&kms, A, "ReEncrypt", request.clone()).unwrap_err();
    assert_eq!(stale.name, ErrorName::InvalidGrantTokenException, "{stale:?}");
    let mut without_token = request;
    without_token.as_object_mut().unwrap().remove("GrantTokens");
    let refused = call(&kms, A, "ReEncrypt", without_token).unwrap_err();
    assert_eq!(refused.name, ErrorName::AccessDeniedException, "{refused:?}");
    assert!(refused.message.contains("kms:ReEncryptTo"), "{}", refused.message);
}

#[test]
fn re_encrypt_refused_by_the_source_key_policy_is_access_denied_naming_re_encrypt_from() {
    let kms = open(MemoryStore::new());
    // Account B may encrypt under A's key, but not re-encrypt from it.
    let shared = key(&kms, A, Some(policy(A, B, &["kms:Encrypt", "kms:Decrypt"])));
    let own = key(&kms, B, None);
    let ciphertext = encrypt(&kms, B, &shared, "invoice");
    let refused = call(
        &kms,
        B,
        "ReEncrypt",
        json!({"CiphertextBlob": ciphertext, "DestinationKeyId": own}),
    )
    .unwrap_err();
    assert_eq!(refused.name, ErrorName::AccessDeniedException);
    assert!(refused.message.contains("kms:ReEncryptFrom"), "{}", refused.message);
}

#[test]
fn a_dry_run_re_encrypt_across_accounts_answers_dry_run_and_records_it_on_both_sides() {
    let kms = open(MemoryStore::new());
    let source = key(&kms, A, None);
    let destination = key(&kms, B, Some(policy(B, A, &["kms:ReEncryptTo"])));
    let ciphertext = encrypt(&kms, A, &source, "invoice");
    let refused = call(
        &kms,
        A,
        "ReEncrypt",
        json!({"CiphertextBlob": ciphertext, "DestinationKeyId": destination, "DryRun": true}),
    )
    .unwrap_err();
    assert_eq!(refused.name, ErrorName::DryRunOperationException);
    for key in [&source, &destination] {
        let records = re_encrypts_of(&kms, key);
        assert_eq!(records[0]["errorCode"], json!("DryRunOperationException"), "{key}");
    }
}

#[test]
fn a_typed_re_encrypt_built_in_rust_crosses_accounts_like_the_json_one() {
    let dir = std::env::temp_dir().join(format!("keyward-cross-re-encrypt-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let kms = open(SqliteStore::open(&dir).unwrap());
    let source = key(&kms, A, None);
    let destination = key(&kms, B, Some(policy(B, A, &["kms:ReEncryptTo"])));
    let ciphertext = encrypt(&kms, A, &source, "invoice");
    let blob = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(ciphertext.as_str().unwrap())
            .unwrap()
    };
    let request = op::ReEncrypt {
        ciphertext_blob: Blob::new(blob),
        destination_key_id: destination.clone(),
        ..op::ReEncrypt::default()
    };
    let moved = kms.call(&root(A), REGION, &request).unwrap();
    assert_eq!(moved.key_id, destination);
    // A second service over the same directory sees both records.
    drop(kms);
    let reopened = open(SqliteStore::open(&dir).unwrap());
    assert_eq!(re_encrypts_of(&reopened, &destination).len(), 1);
    assert_eq!(re_encrypts_of(&reopened, &source).len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An operation across two partitions that panics while it holds them.
struct Panics {
    destination: String,
}

impl keyward::kms::Operation<Arc<SimulatedClock>> for Panics {
    type Response = ();

    fn name(&self) -> &str {
        "Panics"
    }

    fn target(&self) -> keyward::kms::Target {
        keyward::kms::Target::Caller
    }

    fn destination(&self) -> Option<keyward::kms::Target> {
        Some(op::target_of_key(&self.destination))
    }

    fn run(&self, _: &mut keyward::kms::runtime::Runtime<Arc<SimulatedClock>>, _: &Caller) -> Result<(), KmsError> {
        Ok(())
    }

    fn run_across(
        &self,
        _: &mut keyward::kms::runtime::Runtime<Arc<SimulatedClock>>,
        _: &mut keyward::kms::runtime::Runtime<Arc<SimulatedClock>>,
        _: &Caller,
    ) -> Result<(), KmsError> {
        panic!("a bug in an operation")
    }
}

#[test]
fn a_call_across_two_partitions_that_panics_leaves_both_usable_after_it() {
    let kms = open(MemoryStore::new());
    let theirs = key(&kms, B, Some(policy(B, A, &["kms:DescribeKey"])));
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = kms.call(
            &root(A),
            REGION,
            &Panics {
                destination: theirs.clone(),
            },
        );
    }));
    assert!(panicked.is_err());
    // The cache is rebuilt from the store: the other account's key is still there.
    let described = ok(&kms, A, "DescribeKey", json!({"KeyId": theirs}));
    assert_eq!(described["KeyMetadata"]["Arn"], json!(theirs));
    ok(&kms, B, "DescribeKey", json!({"KeyId": theirs}));
}

/// An Encryption SDK message wrapped under a key of each of two accounts
/// (the SDK's "several wrapping keys, each decrypts",
/// <https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/use-kms-keyring.html>):
/// `GenerateDataKey` runs in the first key's account and `Encrypt` in the
/// second's, each audited there; a caller of the second account, refused by
/// the first key, opens the message with the second.
#[test]
fn a_message_wrapped_under_keys_of_two_accounts_opens_with_the_key_of_either() {
    use keyward::envelope::{Decryptor, Encryptor};
    let kms = open(MemoryStore::new());
    let a_key = key(&kms, A, None);
    let b_key = key(&kms, B, Some(policy(B, A, &["kms:Encrypt"])));
    let a_root = root(A);
    let mut message = Vec::new();
    Encryptor::new(&kms, &a_root, REGION, &[a_key.clone(), b_key.clone()])
        .context([("purpose", "two accounts")])
        .encrypt(&mut &b"for both accounts"[..], &mut message)
        .unwrap();
    let records = |key: &str, operation: &str| {
        let filter = AuditFilter {
            key: Some(key.to_owned()),
            operation: Some(operation.into()),
            ..AuditFilter::default()
        };
        kms.audit(&filter).unwrap().len()
    };
    assert_eq!(records(&a_key, "GenerateDataKey"), 1);
    assert_eq!(records(&b_key, "Encrypt"), 1);

    let b_root = root(B);
    let mut plaintext = Vec::new();
    let opened = Decryptor::new(&kms, &b_root, REGION)
        .decrypt(&mut &message[..], &mut plaintext)
        .unwrap();
    assert_eq!(plaintext, b"for both accounts");
    assert_eq!(opened.key_arn, b_key);
    let mut refused = Vec::new();
    let c_root = root("777788889999");
    let Err(error) = Decryptor::new(&kms, &c_root, REGION).decrypt(&mut &message[..], &mut refused) else {
        panic!("a third account opened the message")
    };
    assert!(error.to_string().contains("AccessDeniedException"), "{error}");
    assert!(refused.is_empty());
}
