use serde_json::json;

use super::*;

#[test]
fn create_and_describe_key_answer_key_metadata_in_the_api_shape() {
    let mut rt = runtime();
    let created = ok(&mut rt, "CreateKey", json!({"Description": "typed"}));
    let metadata = &created["KeyMetadata"];
    assert_eq!(metadata["AWSAccountId"], ACCOUNT);
    assert_eq!(metadata["Description"], "typed");
    assert_eq!(metadata["KeyState"], "Enabled");
    assert_eq!(metadata["EncryptionAlgorithms"], json!(["SYMMETRIC_DEFAULT"]));
    assert!(metadata["CreationDate"].is_i64(), "timestamps are epoch seconds");
    assert!(metadata.get("DeletionDate").is_none(), "absent members are left out");
    let described = ok(&mut rt, "DescribeKey", json!({"KeyId": metadata["Arn"]}));
    assert_eq!(described, created);
}

// KeyIdType: length 1 to 2048 (kms-service-2.json).
#[test]
fn key_ids_are_one_to_2048_characters() {
    let mut rt = runtime();
    assert_eq!(
        refused(call(&mut rt, "DescribeKey", json!({"KeyId": ""}))),
        constraint(Some(""), "keyId", "have length greater than or equal to 1")
    );
    let long = "k".repeat(2049);
    assert_eq!(
        refused(call(&mut rt, "EnableKey", json!({"KeyId": long}))),
        constraint(None, "keyId", "have length less than or equal to 2048")
    );
    let longest = "k".repeat(2048);
    assert_eq!(
        refused(call(&mut rt, "EnableKey", json!({"KeyId": longest}))).0,
        ErrorName::NotFoundException
    );
    assert_eq!(
        refused(call(
            &mut rt,
            "CreateAlias",
            json!({"AliasName": "alias/a", "TargetKeyId": ""})
        )),
        constraint(Some(""), "targetKeyId", "have length greater than or equal to 1")
    );
}

// PendingWindowInDays: 7 to 30 days (AWS ScheduleKeyDeletion).
#[test]
fn a_deletion_window_is_seven_to_thirty_days() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    for days in [6, 31] {
        let (name, message) = refused(call(
            &mut rt,
            "ScheduleKeyDeletion",
            json!({"KeyId": key, "PendingWindowInDays": days}),
        ));
        assert_eq!(name, ErrorName::ValidationException, "{days}: {message}");
    }
    let scheduled = ok(
        &mut rt,
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    );
    assert_eq!(
        (
            scheduled["KeyState"].as_str(),
            scheduled["PendingWindowInDays"].as_i64()
        ),
        (Some("PendingDeletion"), Some(7))
    );
    assert!(scheduled["DeletionDate"].is_i64());
    let cancelled = ok(&mut rt, "CancelKeyDeletion", json!({"KeyId": key}));
    assert!(cancelled["KeyId"].as_str().unwrap().ends_with(&key));
}

// LimitType: 1 to 1000; ListKeys pages hold at most 1000.
#[test]
fn list_limits_are_at_least_one_and_at_most_the_page_size() {
    let mut rt = runtime();
    assert_eq!(
        refused(call(&mut rt, "ListKeys", json!({"Limit": 0}))),
        constraint(Some("0"), "limit", "have value greater than or equal to 1")
    );
    assert_eq!(
        refused(call(&mut rt, "ListKeys", json!({"Limit": 1001}))),
        constraint(Some("1001"), "limit", "have value less than or equal to 1000")
    );
    new_key(&mut rt);
    let listed = ok(&mut rt, "ListKeys", json!({"Limit": 1000}));
    assert_eq!(
        (listed["Keys"].as_array().map(Vec::len), &listed["Truncated"]),
        (Some(1), &json!(false))
    );
    assert!(listed.get("NextMarker").is_none());
}

#[test]
fn tags_policies_and_rotation_round_trip_through_their_typed_requests() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    ok(
        &mut rt,
        "TagResource",
        json!({"KeyId": key, "Tags": [{"TagKey": "team", "TagValue": "kms"}]}),
    );
    assert_eq!(
        ok(&mut rt, "ListResourceTags", json!({"KeyId": key})),
        json!({"Tags": [{"TagKey": "team", "TagValue": "kms"}], "Truncated": false})
    );
    ok(&mut rt, "UntagResource", json!({"KeyId": key, "TagKeys": ["team"]}));
    assert_eq!(
        ok(&mut rt, "ListResourceTags", json!({"KeyId": key}))["Tags"],
        json!([])
    );

    assert_eq!(
        ok(&mut rt, "ListKeyPolicies", json!({"KeyId": key})),
        json!({"PolicyNames": ["default"], "Truncated": false})
    );
    let policy = ok(&mut rt, "GetKeyPolicy", json!({"KeyId": key}));
    assert_eq!(policy["PolicyName"], "default");
    assert_eq!(
        refused(call(
            &mut rt,
            "PutKeyPolicy",
            json!({"KeyId": key, "PolicyName": "other", "Policy": policy["Policy"]})
        )),
        constraint(
            Some("other"),
            "policyName",
            "satisfy regular expression pattern: default"
        )
    );

    ok(
        &mut rt,
        "EnableKeyRotation",
        json!({"KeyId": key, "RotationPeriodInDays": 90}),
    );
    let status = ok(&mut rt, "GetKeyRotationStatus", json!({"KeyId": key}));
    assert_eq!(
        (&status["KeyRotationEnabled"], &status["RotationPeriodInDays"]),
        (&json!(true), &json!(90))
    );
    ok(&mut rt, "RotateKeyOnDemand", json!({"KeyId": key}));
    let rotations = ok(&mut rt, "ListKeyRotations", json!({"KeyId": key}));
    assert_eq!(rotations["Rotations"][0]["RotationType"], "ON_DEMAND");
    ok(&mut rt, "DisableKeyRotation", json!({"KeyId": key}));
    ok(&mut rt, "DisableKey", json!({"KeyId": key}));
    ok(&mut rt, "EnableKey", json!({"KeyId": key}));
    ok(
        &mut rt,
        "UpdateKeyDescription",
        json!({"KeyId": key, "Description": ""}),
    );
}
