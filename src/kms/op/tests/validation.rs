//! AWS's request validation on every operation: the model's constraints,
//! key-ID-only operations, validation before authorization, `DryRun`,
//! `Tags` on `CreateKey`, the predefined aliases and `GetKeyLastUsage`.

use serde_json::{json, Value};

use super::*;
use crate::eval::CompiledPolicy;
use crate::policy::{Document, DocumentKind};
use crate::source::Source;

fn user(name: &str) -> Caller {
    Caller::parse(&format!("arn:aws:iam::{ACCOUNT}:user/{name}")).unwrap()
}

fn allow(rt: &mut Runtime<SimulatedClock>, principal: &Caller, text: &str) {
    let Ok(Document::Policy(p)) = Document::parse(&Source::new("iam", text), Some(DocumentKind::IdentityPolicy)) else {
        panic!("not a policy: {text}")
    };
    rt.identities
        .identity_policies
        .push((principal.arn.clone(), CompiledPolicy::compile("iam", &p).unwrap()));
}

/// A request of `operation` with each required member set to a value its
/// shape takes, and `KeyId` set to `key_id`.
pub(super) fn minimal_request(operation: &str, key_id: &str) -> Value {
    let model = model::Model::get();
    let shape = model.request(operation).expect("an operation of the model");
    let mut request = serde_json::Map::new();
    for member in &shape.required {
        let member_shape = model.shape(&shape.members[member]).unwrap();
        let value = match (member.as_str(), member_shape.kind.as_str()) {
            ("KeyId" | "TargetKeyId" | "DestinationKeyId", _) => json!(key_id),
            ("AliasName", _) => json!("alias/minimal"),
            ("Policy", _) => json!(r#"{"Statement":[]}"#),
            (_, "string") => match (&member_shape.values, sample(&shape.members[member])) {
                (Some(values), _) => json!(values[0]),
                (None, Some(sample)) => json!(sample),
                (None, None) => json!("x".repeat(member_shape.min.unwrap_or(1).max(1) as usize)),
            },
            (_, "blob") => json!("eA=="),
            (_, "integer" | "long") => json!(member_shape.min.unwrap_or(1)),
            (_, "boolean") => json!(false),
            (_, "list") => json!([]),
            (_, "map") => json!({}),
            (_, "timestamp") => json!(1_900_000_000),
            _ => json!({}),
        };
        request.insert(member.clone(), value);
    }
    if operation == "CreateGrant" {
        // Optional in the model, required by KMS.
        request.insert(
            "GranteePrincipal".into(),
            json!(format!("arn:aws:iam::{ACCOUNT}:role/app")),
        );
    }
    Value::Object(request)
}

/// A value of each patterned string shape a request requires.
fn sample(shape: &str) -> Option<&'static str> {
    Some(match shape {
        "RegionType" => "us-west-2",
        "CloudHsmClusterIdType" => "cluster-1a23b4cdefg",
        "XksKeyIdType" => "key-1",
        "XksProxyUriEndpointType" => "https://xks.example.com",
        "XksProxyUriPathType" => "/kms/xks/v1",
        "XksProxyAuthenticationAccessKeyIdType" => "ABCDEFGHIJKLMNOPQRST",
        "XksProxyAuthenticationRawSecretAccessKeyType" => "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq",
        "PrincipalIdType" => "arn:aws:iam::111122223333:role/app",
        "PolicyNameType" => "default",
        "GrantNameType" => "grant",
        _ => return None,
    })
}

// The KeyId member of each of these operations' API reference pages reads
// "Specify the key ID or key ARN of the KMS key"; AWS answers an alias with
// NotFoundException.
#[test]
fn the_key_id_only_operations_refuse_an_alias_as_not_found() {
    let sixteen = [
        "EnableKeyRotation",
        "DisableKeyRotation",
        "GetKeyRotationStatus",
        "RotateKeyOnDemand",
        "ListKeyRotations",
        "GetKeyPolicy",
        "PutKeyPolicy",
        "ListKeyPolicies",
        "ListResourceTags",
        "TagResource",
        "UntagResource",
        "ListGrants",
        "CreateGrant",
        "UpdateKeyDescription",
        "DisableKey",
        "EnableKey",
    ];
    for name in sixteen {
        let declared = DECLARED.iter().find(|d| d.name == name).expect(name);
        assert_eq!(declared.key_id, KeyIdForms::IdOrArn, "{name}");
    }
    let mut rt = runtime();
    let key = new_key(&mut rt);
    ok(
        &mut rt,
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": key}),
    );
    let alias_arn = format!("arn:aws:kms:us-east-1:{ACCOUNT}:alias/app");
    for declared in DECLARED.iter().filter(|d| d.key_id == KeyIdForms::IdOrArn) {
        if matches!(
            declared.name,
            "CreateAlias" | "UpdateAlias" | "ListAliases" | "RetireGrant"
        ) {
            continue;
        }
        for alias in ["alias/app", alias_arn.as_str()] {
            let request = minimal_request(declared.name, alias);
            assert_eq!(
                refused(call(&mut rt, declared.name, request.clone())),
                (ErrorName::NotFoundException, format!("Invalid keyId {alias}")),
                "{} {request}",
                declared.name
            );
        }
    }
    // The same calls by key id get past the check.
    assert!(call(&mut rt, "GetKeyPolicy", json!({"KeyId": key})).is_ok());
}

// https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteAlias.html:
// AliasName "must begin with alias/"; AWS validates before it authorizes.
#[test]
fn delete_alias_without_its_prefix_is_a_validation_error_even_for_a_caller_with_no_rights() {
    let mut rt = runtime();
    let nobody = user("nobody");
    let refused_for_nobody = run_json(&mut rt, &nobody, "DeleteAlias", &json!({"AliasName": "app"}));
    assert_eq!(refused(refused_for_nobody).0, ErrorName::ValidationException);
    let with_prefix = run_json(&mut rt, &nobody, "DeleteAlias", &json!({"AliasName": "alias/app"}));
    assert_eq!(refused(with_prefix).0, ErrorName::AccessDeniedException);
}

// https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html:
// "can contain only alphanumeric characters, forward slashes (/),
// underscores (_), and dashes (-)".
#[test]
fn an_alias_name_with_a_colon_is_refused() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    assert_eq!(
        refused(call(
            &mut rt,
            "CreateAlias",
            json!({"AliasName": "alias/my:alias", "TargetKeyId": key})
        )),
        (
            ErrorName::ValidationException,
            "alias/my:alias contains invalid characters for an alias".to_owned()
        )
    );
    ok(
        &mut rt,
        "CreateAlias",
        json!({"AliasName": "alias/my-alias_1/x", "TargetKeyId": key}),
    );
}

#[test]
fn every_broken_constraint_of_a_request_is_reported_in_one_validation_error() {
    let mut rt = runtime();
    let (name, message) = refused(call(
        &mut rt,
        "CreateKey",
        json!({"Description": "d".repeat(8193), "KeySpec": "AES_512", "Tags": [{"TagKey": "", "TagValue": "v"}]}),
    ));
    assert_eq!(name, ErrorName::ValidationException);
    assert!(message.starts_with("3 validation errors detected: "), "{message}");
    assert!(
        message.contains(
            "Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192"
        ),
        "{message}"
    );
    assert!(
        message.contains(
            "Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: ["
        ),
        "{message}"
    );
    assert!(
        message.contains("Value '' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length greater than or equal to 1"),
        "{message}"
    );
}

#[test]
fn model_patterns_ranges_and_list_lengths_are_checked_before_the_call() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    let cases = [
        (
            "CreateGrant",
            json!({"KeyId": key, "GranteePrincipal": "arn:aws:iam::111122223333:role/a b", "Operations": ["Decrypt"]}),
            "granteePrincipal",
        ),
        ("ListKeys", json!({"Limit": 1001}), "limit"),
        ("GenerateRandom", json!({"NumberOfBytes": 1025}), "numberOfBytes"),
        ("ListAliases", json!({"Marker": "\u{263a}"}), "marker"),
        (
            "ScheduleKeyDeletion",
            json!({"KeyId": key, "PendingWindowInDays": 366}),
            "pendingWindowInDays",
        ),
        ("CreateKey", json!({"KeyUsage": "ENCRYPT"}), "keyUsage"),
    ];
    for (operation, request, member) in cases {
        let (name, message) = refused(call(&mut rt, operation, request.clone()));
        assert_eq!(name, ErrorName::ValidationException, "{operation} {request}");
        assert!(message.contains(&format!("at '{member}'")), "{operation}: {message}");
    }
}

// https://docs.aws.amazon.com/kms/latest/developerguide/testing-permissions.html
#[test]
fn dry_run_answers_dry_run_operation_exception_when_the_call_would_succeed_and_changes_nothing() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    let grant = json!({"KeyId": key, "GranteePrincipal": format!("arn:aws:iam::{ACCOUNT}:role/app"), "Operations": ["Decrypt"]});
    let mut dry = grant.clone();
    dry["DryRun"] = json!(true);
    assert_eq!(
        refused(call(&mut rt, "CreateGrant", dry)).0,
        ErrorName::DryRunOperationException
    );
    assert_eq!(ok(&mut rt, "ListGrants", json!({"KeyId": key}))["Grants"], json!([]));
    let made = ok(&mut rt, "CreateGrant", grant);
    let revoke = json!({"KeyId": key, "GrantId": made["GrantId"], "DryRun": true});
    assert_eq!(
        refused(call(&mut rt, "RevokeGrant", revoke)).0,
        ErrorName::DryRunOperationException
    );
    assert_eq!(
        ok(&mut rt, "ListGrants", json!({"KeyId": key}))["Grants"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let sealed = ok(&mut rt, "Encrypt", json!({"KeyId": key, "Plaintext": "eA=="}));
    for (operation, request) in [
        ("Encrypt", json!({"KeyId": key, "Plaintext": "eA==", "DryRun": true})),
        (
            "Decrypt",
            json!({"CiphertextBlob": sealed["CiphertextBlob"], "DryRun": true}),
        ),
        (
            "GenerateDataKey",
            json!({"KeyId": key, "KeySpec": "AES_256", "DryRun": true}),
        ),
        (
            "ReEncrypt",
            json!({"CiphertextBlob": sealed["CiphertextBlob"], "DestinationKeyId": key, "DryRun": true}),
        ),
    ] {
        assert_eq!(
            refused(call(&mut rt, operation, request)).0,
            ErrorName::DryRunOperationException,
            "{operation}"
        );
    }
}

#[test]
fn dry_run_answers_the_real_error_when_the_call_would_fail() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    ok(&mut rt, "DisableKey", json!({"KeyId": key}));
    assert_eq!(
        refused(call(
            &mut rt,
            "Encrypt",
            json!({"KeyId": key, "Plaintext": "eA==", "DryRun": true})
        ))
        .0,
        ErrorName::DisabledException
    );
    let nobody = user("nobody");
    let denied = run_json(
        &mut rt,
        &nobody,
        "GenerateDataKey",
        &json!({"KeyId": key, "KeySpec": "AES_256", "DryRun": true}),
    );
    assert_eq!(refused(denied).0, ErrorName::AccessDeniedException);
}

// https://docs.aws.amazon.com/kms/latest/developerguide/tag-authorization.html
#[test]
fn create_key_takes_tags_and_its_authorization_sees_them() {
    let mut rt = runtime();
    let created = ok(
        &mut rt,
        "CreateKey",
        json!({"Tags": [{"TagKey": "team", "TagValue": "blue"}]}),
    );
    let key = created["KeyMetadata"]["KeyId"].clone();
    assert_eq!(
        ok(&mut rt, "ListResourceTags", json!({"KeyId": key}))["Tags"],
        json!([{"TagKey": "team", "TagValue": "blue"}])
    );
    let bob = user("bob");
    allow(
        &mut rt,
        &bob,
        r#"{"Statement": [{"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestTag/team": "blue"},
                          "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}}]}"#,
    );
    let create =
        |rt: &mut Runtime<SimulatedClock>, tags: Value| run_json(rt, &bob, "CreateKey", &json!({"Tags": tags}));
    assert!(create(&mut rt, json!([{"TagKey": "team", "TagValue": "blue"}])).is_ok());
    for tags in [
        json!([{"TagKey": "team", "TagValue": "red"}]),
        json!([{"TagKey": "team", "TagValue": "blue"}, {"TagKey": "cost", "TagValue": "1"}]),
        json!([]),
    ] {
        assert_eq!(
            refused(create(&mut rt, tags.clone())).0,
            ErrorName::AccessDeniedException,
            "{tags}"
        );
    }
    assert_eq!(
        refused(call(
            &mut rt,
            "CreateKey",
            json!({"Tags": [{"TagKey": "aws:x", "TagValue": "v"}]})
        ))
        .0,
        ErrorName::TagException
    );
}

// https://docs.aws.amazon.com/kms/latest/APIReference/API_ListAliases.html
#[test]
fn list_aliases_lists_the_predefined_aws_aliases_without_targets() {
    let mut rt = runtime();
    let listed = ok(&mut rt, "ListAliases", json!({"Limit": 100}));
    let s3 = listed["Aliases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["AliasName"] == "alias/aws/s3")
        .cloned()
        .expect("alias/aws/s3 is listed");
    assert_eq!(
        s3,
        json!({"AliasName": "alias/aws/s3", "AliasArn": format!("arn:aws:kms:us-east-1:{ACCOUNT}:alias/aws/s3")})
    );
    ok(&mut rt, "DescribeKey", json!({"KeyId": "alias/aws/s3"}));
    let listed = ok(&mut rt, "ListAliases", json!({"Limit": 100}));
    let s3: Vec<&Value> = listed["Aliases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["AliasName"] == "alias/aws/s3")
        .collect();
    assert_eq!(s3.len(), 1);
    assert!(s3[0]["TargetKeyId"].is_string());
    // A key's own aliases only, when one is named.
    let key = new_key(&mut rt);
    assert_eq!(ok(&mut rt, "ListAliases", json!({"KeyId": key}))["Aliases"], json!([]));
}

// https://docs.aws.amazon.com/kms/latest/APIReference/API_RotateKeyOnDemand.html:
// the response's KeyId is the key ARN; 25 on-demand rotations per key.
#[test]
fn rotate_key_on_demand_answers_the_key_arn_and_list_key_rotations_pages() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    let arn = format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{key}");
    for _ in 0..3 {
        assert_eq!(ok(&mut rt, "RotateKeyOnDemand", json!({"KeyId": key}))["KeyId"], arn);
    }
    let first = ok(&mut rt, "ListKeyRotations", json!({"KeyId": key, "Limit": 2}));
    assert_eq!(first["Rotations"].as_array().map(Vec::len), Some(2));
    assert_eq!(first["Truncated"], true);
    let rest = ok(
        &mut rt,
        "ListKeyRotations",
        json!({"KeyId": key, "Limit": 2, "Marker": first["NextMarker"]}),
    );
    assert_eq!(rest["Rotations"].as_array().map(Vec::len), Some(1));
    assert_eq!(rest["Truncated"], false);
    assert_ne!(rest["Rotations"][0], first["Rotations"][1]);
    for _ in 3..25 {
        ok(&mut rt, "RotateKeyOnDemand", json!({"KeyId": key}));
    }
    assert_eq!(
        refused(call(&mut rt, "RotateKeyOnDemand", json!({"KeyId": key}))).0,
        ErrorName::LimitExceededException
    );
}

// https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html
#[test]
fn get_key_last_usage_names_the_last_successful_cryptographic_call() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    let unused = ok(&mut rt, "GetKeyLastUsage", json!({"KeyId": key}));
    assert_eq!(unused["KeyLastUsage"], json!({}));
    assert_eq!(unused["TrackingStartDate"], unused["KeyCreationDate"]);
    ok(&mut rt, "Encrypt", json!({"KeyId": key, "Plaintext": "eA=="}));
    ok(&mut rt, "DescribeKey", json!({"KeyId": key}));
    let _ = call(&mut rt, "Decrypt", json!({"CiphertextBlob": "eA=="}));
    let used = ok(&mut rt, "GetKeyLastUsage", json!({"KeyId": key}));
    assert_eq!(used["KeyLastUsage"]["Operation"], "Encrypt");
    assert!(used["KeyLastUsage"]["KmsRequestId"].is_string());
    assert_eq!(
        refused(call(&mut rt, "GetKeyLastUsage", json!({"KeyId": "alias/aws/s3"}))).0,
        ErrorName::NotFoundException
    );
}

#[test]
fn an_operation_the_api_lacks_is_unknown_and_one_it_has_but_keyward_does_not_serve_is_unsupported() {
    let mut rt = runtime();
    let (name, message) = refused(call(&mut rt, "NoSuchOperation", json!({})));
    assert_eq!((name, message.as_str()), (ErrorName::UnknownOperationException, ""));
    let model = model::Model::get();
    if let Some(missing) = model.operations.keys().find(|op| !NAMES.contains(&op.as_str())) {
        assert_eq!(
            refused(call(&mut rt, missing, json!({}))).0,
            ErrorName::UnsupportedOperationException
        );
    }
}

#[test]
fn the_embedded_model_reads_and_its_patterns_compile() {
    let model = model::Model::get();
    assert_eq!(model.source, "kms-2014-11-01");
    assert_eq!(model.operations.len(), 56);
    for (name, shape) in &model.shapes {
        if let Some(pattern) = &shape.pattern {
            assert!(regex::Regex::new(pattern).is_ok(), "{name}: {pattern}");
        }
    }
}
