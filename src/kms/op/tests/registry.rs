use std::sync::Arc;

use serde_json::json;

use super::*;
use crate::kms::runtime::AuditFilter;
use crate::kms::Authorizer;
use crate::store::MemoryStore;

#[test]
fn every_operation_is_registered_once_under_its_api_name() {
    let mut names = NAMES.to_vec();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), NAMES.len());
    assert_eq!(NAMES.len(), DECLARED.len());
    for declared in DECLARED {
        if declared.name != "ReEncrypt" {
            assert_eq!(declared.action, format!("kms:{}", declared.name));
        }
        // Only an operation on a key can reach another account's.
        assert!(
            !declared.cross_account || declared.key_id != KeyIdForms::NoKey,
            "{declared:?}"
        );
    }
}

// The operations AWS lets another account call on a key by its ARN (the
// "Cross-account use: Yes" line of each API reference page).
#[test]
fn the_cross_account_operations_are_those_aws_lists() {
    let cross: Vec<&str> = DECLARED.iter().filter(|d| d.cross_account).map(|d| d.name).collect();
    assert_eq!(
        cross,
        [
            "CreateGrant",
            "Decapsulate",
            "Decrypt",
            "DeriveSharedSecret",
            "DescribeKey",
            "Encapsulate",
            "Encrypt",
            "GenerateDataKey",
            "GenerateDataKeyPair",
            "GenerateDataKeyPairWithoutPlaintext",
            "GenerateDataKeyWithoutPlaintext",
            "GenerateMac",
            "GetKeyRotationStatus",
            "GetPublicKey",
            "ListGrants",
            "ReEncrypt",
            "RetireGrant",
            "RevokeGrant",
            "Sign",
            "Verify",
            "VerifyMac",
        ]
    );
}

#[test]
fn mutating_operations_are_audited_as_not_read_only() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    rt.audit.drain();
    for (operation, request) in [
        ("DescribeKey", json!({"KeyId": key})),
        ("DisableKey", json!({"KeyId": key})),
        ("ListKeys", json!({})),
        ("EnableKey", json!({"KeyId": key})),
        ("Encrypt", json!({"KeyId": key, "Plaintext": "eA=="})),
    ] {
        ok(&mut rt, operation, request);
        let records = rt.audit.drain();
        let declared = DECLARED.iter().find(|d| d.name == operation).unwrap();
        assert_eq!(records.len(), 1, "{operation}");
        assert_eq!(records[0].read_only, !declared.mutates, "{operation}");
    }
}

#[test]
fn every_operation_of_the_model_is_served_and_an_unknown_one_is_refused_unaudited() {
    let model = model::Model::get();
    let unserved: Vec<&String> = model
        .operations
        .keys()
        .filter(|name| !NAMES.contains(&name.as_str()))
        .collect();
    assert!(unserved.is_empty(), "not served: {unserved:?}");
    assert_eq!(NAMES.len(), 56);
    let mut rt = runtime();
    let (name, _) = refused(call(&mut rt, "MakeCoffee", json!({})));
    assert_eq!(name, ErrorName::UnknownOperationException);
    assert!(rt.audit.drain().is_empty());
}

fn service() -> Service<Arc<SimulatedClock>> {
    Service::open(
        Box::new(MemoryStore::new()),
        Authorizer::default(),
        Arc::new(SimulatedClock::at(1_795_867_200)),
        ACCOUNT,
    )
    .unwrap()
}

#[test]
fn through_the_service_a_request_refused_while_decoding_is_audited_and_committed() {
    let kms = service();
    let refused = call_json(&kms, &root(), "us-east-1", "Encrypt", &json!({"Plaintext": "eA=="})).unwrap_err();
    assert_eq!(refused.name, ErrorName::ValidationException);
    let created = call_json(&kms, &root(), "us-east-1", "CreateKey", &json!({})).unwrap();
    assert_eq!(created["KeyMetadata"]["KeyState"], "Enabled");
    let filter = AuditFilter {
        operation: Some("Encrypt".into()),
        ..AuditFilter::default()
    };
    let records = kms.audit(&filter).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["errorCode"], "ValidationException");
}

// API_DescribeCustomKeyStores: all of the account's custom key stores, or
// the one named; CustomKeyStoreNotFoundException when none has that id or
// name. keyward has none.
#[test]
fn describe_custom_key_stores_lists_none_and_finds_none() {
    let mut rt = runtime();
    assert_eq!(
        ok(&mut rt, "DescribeCustomKeyStores", json!({})),
        json!({"CustomKeyStores": [], "Truncated": false})
    );
    assert_eq!(
        refused(call(
            &mut rt,
            "DescribeCustomKeyStores",
            json!({"CustomKeyStoreId": "cks-1234567890abcdef0"})
        ))
        .0,
        ErrorName::CustomKeyStoreNotFoundException
    );
    assert_eq!(
        refused(call(
            &mut rt,
            "DescribeCustomKeyStores",
            json!({"CustomKeyStoreName": "hsm"})
        ))
        .0,
        ErrorName::CustomKeyStoreNotFoundException
    );
    assert_eq!(
        refused(call(
            &mut rt,
            "DescribeCustomKeyStores",
            json!({"CustomKeyStoreId": "cks-1", "CustomKeyStoreName": "hsm"})
        ))
        .0,
        ErrorName::ValidationException
    );
    assert_eq!(
        refused(call(&mut rt, "DescribeCustomKeyStores", json!({"Limit": 0}))),
        constraint(Some("0"), "limit", "have value greater than or equal to 1")
    );
    assert_eq!(
        refused(call(
            &mut rt,
            "DescribeCustomKeyStores",
            json!({"CustomKeyStoreId": "c".repeat(65)})
        )),
        constraint(None, "customKeyStoreId", "have length less than or equal to 64")
    );
    let records = rt.audit.drain();
    assert_eq!(records.len(), 6, "every call is audited, allowed or refused");
    assert!(records[0].read_only && records[0].error_code.is_none());
}

// kms:DescribeCustomKeyStores is an IAM-only permission: a principal no
// identity policy allows is refused, and the refusal is audited.
#[test]
fn describe_custom_key_stores_needs_an_identity_policy() {
    let mut rt = runtime();
    let role = Caller::parse("arn:aws:iam::111122223333:role/app").unwrap();
    let refused = run_json(&mut rt, &role, "DescribeCustomKeyStores", &json!({})).unwrap_err();
    assert_eq!(refused.name, ErrorName::AccessDeniedException);
    let records = rt.audit.drain();
    assert_eq!(records[0].error_code, Some("AccessDeniedException"));
}

// A key pair generation (seconds for RSA_4096) runs off the server's async
// threads, like every call that changes state; a signature does not.
#[test]
fn key_pair_generation_and_state_changes_run_off_the_async_threads() {
    assert!(blocking("GenerateDataKeyPair") && blocking("GenerateDataKeyPairWithoutPlaintext"));
    assert!(blocking("CreateKey") && !mutates("GenerateDataKeyPair"));
    assert!(!blocking("Sign") && !blocking("Verify") && !blocking("Encrypt"));
}
