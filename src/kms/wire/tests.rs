//! The JSON API end to end: member names, base64 blobs, AWS's errors for
//! missing and mistyped members, and members keyward refuses to ignore.

use serde_json::{json, Value};

use super::*;
use crate::kms::runtime::SimulatedClock;

fn runtime() -> Runtime<SimulatedClock> {
    Runtime::new("111122223333", "us-east-1", SimulatedClock::at(1_795_867_200))
}

fn root() -> Caller {
    Caller::parse("111122223333").unwrap()
}

fn call(rt: &mut Runtime<SimulatedClock>, operation: &str, request: Value) -> Result<Value, KmsError> {
    dispatch(rt, &root(), operation, &request)
}

fn error(result: Result<Value, KmsError>) -> (ErrorName, String) {
    let e = result.expect_err("the call should fail");
    (e.name, e.message)
}

#[test]
fn every_listed_operation_is_served() {
    let mut rt = runtime();
    for operation in OPERATIONS {
        if let Err(e) = call(&mut rt, operation, json!({})) {
            assert!(
                !e.message.contains("does not implement the operation"),
                "{operation}: {e}"
            );
        }
    }
}

#[test]
fn encrypt_and_decrypt_speak_base64_and_aws_member_names() {
    let mut rt = runtime();
    let created = call(&mut rt, "CreateKey", json!({"Description": "wire"})).unwrap();
    let metadata = &created["KeyMetadata"];
    assert_eq!(
        (
            metadata["KeySpec"].as_str(),
            metadata["KeyManager"].as_str(),
            metadata["Enabled"].as_bool()
        ),
        (Some("SYMMETRIC_DEFAULT"), Some("CUSTOMER"), Some(true))
    );
    assert!(metadata.get("DeletionDate").is_none(), "absent members are left out");
    let key_id = metadata["KeyId"].as_str().unwrap();
    let sealed = call(
        &mut rt,
        "Encrypt",
        json!({"KeyId": key_id, "Plaintext": "aGVsbG8=", "EncryptionContext": {"dept": "eng"}}),
    )
    .unwrap();
    assert_eq!(sealed["KeyId"], metadata["Arn"]);
    assert_eq!(sealed["EncryptionAlgorithm"], "SYMMETRIC_DEFAULT");
    let opened = call(
        &mut rt,
        "Decrypt",
        json!({"CiphertextBlob": sealed["CiphertextBlob"], "EncryptionContext": {"dept": "eng"}}),
    )
    .unwrap();
    assert_eq!(opened["Plaintext"], "aGVsbG8=");
    assert_eq!(opened["KeyMaterialId"], metadata["CurrentKeyMaterialId"]);
}

#[test]
fn missing_and_mistyped_members_get_aws_errors() {
    let mut rt = runtime();
    assert_eq!(
        error(call(&mut rt, "Encrypt", json!({"Plaintext": "eA=="}))),
        (
            ErrorName::ValidationException,
            "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"
                .to_owned()
        )
    );
    for (operation, request) in [
        ("Encrypt", json!({"KeyId": 7, "Plaintext": "eA=="})),
        ("Encrypt", json!({"KeyId": "k", "Plaintext": "not base64!"})),
        (
            "Encrypt",
            json!({"KeyId": "k", "Plaintext": "eA==", "EncryptionContext": {"a": 1}}),
        ),
        ("ListKeys", json!({"Limit": "10"})),
        ("TagResource", json!({"KeyId": "k", "Tags": [{"TagKey": "a"}]})),
        ("DescribeKey", json!(["KeyId"])),
    ] {
        let (name, _) = error(call(&mut rt, operation, request.clone()));
        assert!(
            matches!(name, ErrorName::SerializationException | ErrorName::ValidationException),
            "{operation} {request}: {name:?}"
        );
    }
    assert_eq!(
        error(call(&mut rt, "ListKeys", json!({"Limit": "10"}))).0,
        ErrorName::SerializationException
    );
}

// https://docs.aws.amazon.com/kms/latest/developerguide/testing-permissions.html
#[test]
fn a_dry_run_that_would_succeed_is_refused_and_audited_as_such() {
    let mut rt = runtime();
    let key = call(&mut rt, "CreateKey", json!({})).unwrap()["KeyMetadata"]["KeyId"].clone();
    let before = rt.audit.drain().len();
    let (name, message) = error(call(
        &mut rt,
        "Encrypt",
        json!({"KeyId": key, "Plaintext": "eA==", "DryRun": true}),
    ));
    assert_eq!(name, ErrorName::DryRunOperationException);
    assert!(message.contains("DryRun"), "{message}");
    let records = rt.audit.drain();
    assert_eq!(before, 1);
    assert_eq!(records.len(), 1);
    assert_eq!(
        (records[0].event_name.as_str(), records[0].error_code),
        ("Encrypt", Some("DryRunOperationException"))
    );
}

#[test]
fn calls_refused_for_their_members_are_audited_once_and_unknown_operations_not_at_all() {
    let mut rt = runtime();
    let _ = call(&mut rt, "Encrypt", json!({"Plaintext": "eA=="}));
    let _ = call(&mut rt, "DescribeKey", json!({"KeyId": "nope"}));
    let _ = call(&mut rt, "MakeCoffee", json!({}));
    let records = rt.audit.drain();
    let seen: Vec<(&str, Option<&str>)> = records.iter().map(|r| (r.event_name.as_str(), r.error_code)).collect();
    assert_eq!(
        seen,
        [
            ("Encrypt", Some("ValidationException")),
            ("DescribeKey", Some("NotFoundException"))
        ]
    );
}

#[test]
fn create_key_checks_key_spec_and_usage_as_aws_does() {
    let mut rt = runtime();
    // §13 seeds 2 and 3.
    assert_eq!(
        error(call(&mut rt, "CreateKey", json!({"KeySpec": "RSA_2048"}))),
        (
            ErrorName::ValidationException,
            "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.".to_owned()
        )
    );
    assert_eq!(
        error(call(
            &mut rt,
            "CreateKey",
            json!({"KeySpec": "RSA_2048", "KeyUsage": "KEY_AGREEMENT"})
        )),
        (
            ErrorName::ValidationException,
            "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048".to_owned()
        )
    );
    assert_eq!(
        error(call(&mut rt, "CreateKey", json!({"KeyUsage": "RANDOM"}))).0,
        ErrorName::ValidationException
    );
    assert_eq!(
        error(call(&mut rt, "CreateKey", json!({"KeySpec": "NOPE"}))).0,
        ErrorName::ValidationException
    );
    // A valid asymmetric pair makes that kind of key, with the algorithms
    // of its usage.
    let created = call(
        &mut rt,
        "CreateKey",
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    )
    .unwrap();
    assert_eq!(created["KeyMetadata"]["SigningAlgorithms"], json!(["ECDSA_SHA_256"]));
    assert!(created["KeyMetadata"].get("EncryptionAlgorithms").is_none());
    assert!(call(&mut rt, "CreateKey", json!({"KeyUsage": "ENCRYPT_DECRYPT"})).is_ok());
    assert!(call(
        &mut rt,
        "CreateKey",
        json!({"CustomerMasterKeySpec": "SYMMETRIC_DEFAULT"})
    )
    .is_ok());
}

#[test]
fn lists_page_with_truncated_and_next_marker() {
    let mut rt = runtime();
    for _ in 0..3 {
        call(&mut rt, "CreateKey", json!({})).unwrap();
    }
    let first = call(&mut rt, "ListKeys", json!({"Limit": 2})).unwrap();
    assert_eq!(
        (first["Keys"].as_array().map(Vec::len), first["Truncated"].as_bool()),
        (Some(2), Some(true))
    );
    let rest = call(&mut rt, "ListKeys", json!({"Marker": first["NextMarker"]})).unwrap();
    assert_eq!(
        (rest["Keys"].as_array().map(Vec::len), rest["Truncated"].as_bool()),
        (Some(1), Some(false))
    );
    assert!(rest.get("NextMarker").is_none());
}

#[test]
fn grants_are_created_from_the_request_members() {
    let mut rt = runtime();
    let key = call(&mut rt, "CreateKey", json!({})).unwrap()["KeyMetadata"]["KeyId"].clone();
    let issued = call(
        &mut rt,
        "CreateGrant",
        json!({
            "KeyId": key,
            "GranteePrincipal": "arn:aws:iam::111122223333:role/app",
            "Operations": ["Decrypt"],
            "Constraints": {"EncryptionContextSubset": {"dept": "eng"}},
            "GrantTokens": [],
        }),
    )
    .unwrap();
    let listed = call(&mut rt, "ListGrants", json!({"KeyId": key})).unwrap();
    assert_eq!(listed["Grants"][0]["GrantId"], issued["GrantId"]);
    assert_eq!(
        listed["Grants"][0]["Constraints"]["EncryptionContextSubset"]["dept"],
        "eng"
    );
    let (name, message) = error(call(
        &mut rt,
        "CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": "arn:aws:iam::111122223333:role/app", "Operations": ["Fly"]}),
    ));
    assert_eq!(name, ErrorName::ValidationException);
    assert!(message.contains("Fly"), "{message}");
}

#[test]
fn wipe_zeroizes_every_string_of_a_response() {
    let mut response = json!({"Plaintext": "c2VjcmV0", "Nested": [{"DataKey": "a2V5"}], "Size": 3});
    wipe(&mut response);
    assert_eq!(response["Plaintext"], "");
    assert_eq!(response["Nested"][0]["DataKey"], "");
    assert_eq!(response["Size"], 3);
}
