//! Custom key stores, simulated: AWS's validation, uniqueness rules, quota,
//! connection states and errors
//! (<https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateCustomKeyStore.html>,
//! `ConnectCustomKeyStore`, `DisconnectCustomKeyStore`, `UpdateCustomKeyStore`,
//! `DeleteCustomKeyStore`, `DescribeCustomKeyStores`), and keys created in them.

use serde_json::{json, Value};

use super::*;

/// A PEM certificate (a trust anchor need only read as one here).
const CERTIFICATE: &str = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGUgZm9yIGtleXdhcmQgdGVzdHMwCgYIKoZIzj0EAwIw\n-----END CERTIFICATE-----\n";

fn cloudhsm(name: &str, cluster: &str) -> Value {
    json!({
        "CustomKeyStoreName": name,
        "CloudHsmClusterId": cluster,
        "TrustAnchorCertificate": CERTIFICATE,
        "KeyStorePassword": "kmsuser-password",
    })
}

fn xks(name: &str, endpoint: &str, path: &str) -> Value {
    json!({
        "CustomKeyStoreName": name,
        "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
        "XksProxyUriEndpoint": endpoint,
        "XksProxyUriPath": path,
        "XksProxyConnectivity": "PUBLIC_ENDPOINT",
        "XksProxyAuthenticationCredential": {
            "AccessKeyId": "ABCDEFGHIJKLMNOPQRST",
            "RawSecretAccessKey": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==",
        },
    })
}

fn create(rt: &mut Runtime<SimulatedClock>, request: Value) -> String {
    ok(rt, "CreateCustomKeyStore", request)["CustomKeyStoreId"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn describe(rt: &mut Runtime<SimulatedClock>, id: &str) -> Value {
    ok(rt, "DescribeCustomKeyStores", json!({"CustomKeyStoreId": id}))["CustomKeyStores"][0].clone()
}

fn connect(rt: &mut Runtime<SimulatedClock>, id: &str) {
    ok(rt, "ConnectCustomKeyStore", json!({"CustomKeyStoreId": id}));
}

fn disconnect(rt: &mut Runtime<SimulatedClock>, id: &str) {
    ok(rt, "DisconnectCustomKeyStore", json!({"CustomKeyStoreId": id}));
}

#[test]
fn a_new_cloudhsm_key_store_is_disconnected_and_described_without_its_password() {
    let mut rt = runtime();
    let id = create(&mut rt, cloudhsm("hsm", "cluster-abcdefghijk"));
    assert!(id.starts_with("cks-") && id.len() == 21, "{id}");
    let store = describe(&mut rt, &id);
    assert_eq!(store["CustomKeyStoreName"], "hsm");
    assert_eq!(store["CustomKeyStoreType"], "AWS_CLOUDHSM");
    assert_eq!(store["CloudHsmClusterId"], "cluster-abcdefghijk");
    assert_eq!(store["TrustAnchorCertificate"], CERTIFICATE);
    assert_eq!(store["ConnectionState"], "DISCONNECTED");
    assert_eq!(store["CreationDate"], 1_795_867_200);
    assert!(store.get("ConnectionErrorCode").is_none());
    assert!(!store.to_string().contains("kmsuser-password"));
    // Described by name too; an unknown one is not found.
    let by_name = ok(&mut rt, "DescribeCustomKeyStores", json!({"CustomKeyStoreName": "hsm"}));
    assert_eq!(by_name["CustomKeyStores"][0]["CustomKeyStoreId"], id);
    assert_eq!(
        refused(call(
            &mut rt,
            "DescribeCustomKeyStores",
            json!({"CustomKeyStoreName": "nope"})
        ))
        .0,
        ErrorName::CustomKeyStoreNotFoundException
    );
}

#[test]
fn an_external_key_store_reports_its_proxy_configuration_but_not_its_secret() {
    let mut rt = runtime();
    let id = create(&mut rt, xks("xks", "https://xks.example.com", "/kms/xks/v1"));
    let store = describe(&mut rt, &id);
    assert_eq!(store["CustomKeyStoreType"], "EXTERNAL_KEY_STORE");
    assert_eq!(
        store["XksProxyConfiguration"],
        json!({"Connectivity": "PUBLIC_ENDPOINT", "AccessKeyId": "ABCDEFGHIJKLMNOPQRST",
               "UriEndpoint": "https://xks.example.com", "UriPath": "/kms/xks/v1"})
    );
    assert!(!store.to_string().contains("c2VjcmV0"));
}

#[test]
fn each_store_type_requires_its_own_members_and_refuses_the_others() {
    let mut rt = runtime();
    let mut missing_password = cloudhsm("hsm", "cluster-abcdefghijk");
    missing_password.as_object_mut().unwrap().remove("KeyStorePassword");
    let (name, message) = refused(call(&mut rt, "CreateCustomKeyStore", missing_password));
    assert_eq!(name, ErrorName::ValidationException);
    assert!(message.contains("KeyStorePassword"), "{message}");

    let mut with_proxy = cloudhsm("hsm", "cluster-abcdefghijk");
    with_proxy["XksProxyUriPath"] = json!("/kms/xks/v1");
    assert_eq!(
        refused(call(&mut rt, "CreateCustomKeyStore", with_proxy)).0,
        ErrorName::ValidationException
    );

    let mut no_credential = xks("xks", "https://xks.example.com", "/kms/xks/v1");
    no_credential
        .as_object_mut()
        .unwrap()
        .remove("XksProxyAuthenticationCredential");
    let (_, message) = refused(call(&mut rt, "CreateCustomKeyStore", no_credential));
    assert!(message.contains("XksProxyAuthenticationCredential"), "{message}");

    let mut vpc = xks("xks", "https://xks.example.com", "/kms/xks/v1");
    vpc["XksProxyConnectivity"] = json!("VPC_ENDPOINT_SERVICE");
    let (_, message) = refused(call(&mut rt, "CreateCustomKeyStore", vpc));
    assert!(message.contains("XksProxyVpcEndpointServiceName"), "{message}");

    // The model's patterns: a cluster id, an https endpoint.
    assert_eq!(
        refused(call(
            &mut rt,
            "CreateCustomKeyStore",
            cloudhsm("hsm", "not-a-cluster-id")
        ))
        .0,
        ErrorName::ValidationException
    );
    assert_eq!(
        refused(call(
            &mut rt,
            "CreateCustomKeyStore",
            xks("xks", "http://xks.example.com", "/kms/xks/v1")
        ))
        .0,
        ErrorName::ValidationException
    );
    assert!(rt.custom_key_stores().next().is_none());
}

#[test]
fn a_trust_anchor_that_is_not_a_certificate_is_an_incorrect_trust_anchor() {
    let mut rt = runtime();
    let mut request = cloudhsm("hsm", "cluster-abcdefghijk");
    request["TrustAnchorCertificate"] = json!("not a certificate");
    assert_eq!(
        refused(call(&mut rt, "CreateCustomKeyStore", request)).0,
        ErrorName::IncorrectTrustAnchorException
    );
}

#[test]
fn names_clusters_and_proxy_uris_are_each_one_stores_in_the_account_and_region() {
    let mut rt = runtime();
    create(&mut rt, cloudhsm("hsm", "cluster-abcdefghijk"));
    create(&mut rt, xks("xks", "https://xks.example.com", "/kms/xks/v1"));
    let cases = [
        (
            cloudhsm("hsm", "cluster-bbbbbbbbbbb"),
            ErrorName::CustomKeyStoreNameInUseException,
        ),
        (
            cloudhsm("hsm2", "cluster-abcdefghijk"),
            ErrorName::CloudHsmClusterInUseException,
        ),
        (
            xks("xks2", "https://xks.example.com", "/kms/xks/v1"),
            ErrorName::XksProxyUriInUseException,
        ),
    ];
    for (request, error) in cases {
        assert_eq!(refused(call(&mut rt, "CreateCustomKeyStore", request)).0, error);
    }
    // The same public endpoint under another path is another proxy.
    create(&mut rt, xks("xks3", "https://xks.example.com", "/other/kms/xks/v1"));
    // A VPC endpoint service store's private DNS name is its own.
    let mut vpc = xks("vpc", "https://xks.example.com", "/vpc/kms/xks/v1");
    vpc["XksProxyConnectivity"] = json!("VPC_ENDPOINT_SERVICE");
    vpc["XksProxyVpcEndpointServiceName"] = json!("com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0");
    assert_eq!(
        refused(call(&mut rt, "CreateCustomKeyStore", vpc)).0,
        ErrorName::XksProxyUriEndpointInUseException
    );
}

#[test]
fn an_account_has_at_most_ten_custom_key_stores_in_a_region() {
    let mut rt = runtime();
    for n in 0..10 {
        create(
            &mut rt,
            xks(&format!("s{n}"), &format!("https://xks{n}.example.com"), "/kms/xks/v1"),
        );
    }
    assert_eq!(
        refused(call(
            &mut rt,
            "CreateCustomKeyStore",
            xks("s10", "https://xks10.example.com", "/kms/xks/v1")
        ))
        .0,
        ErrorName::LimitExceededException
    );
    let listed = ok(&mut rt, "DescribeCustomKeyStores", json!({"Limit": 4}));
    assert_eq!(listed["CustomKeyStores"].as_array().unwrap().len(), 4);
    assert_eq!(listed["Truncated"], true);
    let rest = ok(
        &mut rt,
        "DescribeCustomKeyStores",
        json!({"Marker": listed["NextMarker"]}),
    );
    assert_eq!(rest["CustomKeyStores"].as_array().unwrap().len(), 6);
    assert_eq!(rest["Truncated"], false);
}

#[test]
fn connect_and_disconnect_follow_the_connection_states_aws_documents() {
    let mut rt = runtime();
    let id = create(&mut rt, cloudhsm("hsm", "cluster-abcdefghijk"));
    connect(&mut rt, &id);
    assert_eq!(describe(&mut rt, &id)["ConnectionState"], "CONNECTED");
    // Connecting a connected store is a success.
    connect(&mut rt, &id);
    disconnect(&mut rt, &id);
    assert_eq!(describe(&mut rt, &id)["ConnectionState"], "DISCONNECTED");
    assert_eq!(
        refused(call(
            &mut rt,
            "DisconnectCustomKeyStore",
            json!({"CustomKeyStoreId": id})
        ))
        .0,
        ErrorName::CustomKeyStoreInvalidStateException
    );
    assert_eq!(
        refused(call(
            &mut rt,
            "ConnectCustomKeyStore",
            json!({"CustomKeyStoreId": "cks-0123456789abcdef0"})
        ))
        .0,
        ErrorName::CustomKeyStoreNotFoundException
    );
}

#[test]
fn a_proxy_keyward_cannot_reach_fails_to_connect_and_must_be_disconnected_first() {
    let mut rt = runtime();
    let mut vpc = xks("vpc", "https://proxy.example.invalid", "/kms/xks/v1");
    vpc["XksProxyConnectivity"] = json!("VPC_ENDPOINT_SERVICE");
    vpc["XksProxyVpcEndpointServiceName"] = json!("com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0");
    let id = create(&mut rt, vpc);
    assert_eq!(
        describe(&mut rt, &id)["XksProxyConfiguration"]["VpcEndpointServiceOwner"],
        ACCOUNT
    );
    connect(&mut rt, &id);
    let store = describe(&mut rt, &id);
    assert_eq!(store["ConnectionState"], "FAILED");
    assert_eq!(store["ConnectionErrorCode"], "XKS_PROXY_NOT_REACHABLE");
    assert_eq!(
        refused(call(&mut rt, "ConnectCustomKeyStore", json!({"CustomKeyStoreId": id}))).0,
        ErrorName::CustomKeyStoreInvalidStateException
    );
    disconnect(&mut rt, &id);
    let store = describe(&mut rt, &id);
    assert_eq!(store["ConnectionState"], "DISCONNECTED");
    assert!(store.get("ConnectionErrorCode").is_none());
    // A public endpoint is reached while the store is created.
    assert_eq!(
        refused(call(
            &mut rt,
            "CreateCustomKeyStore",
            xks("public", "https://public.invalid", "/kms/xks/v1")
        ))
        .0,
        ErrorName::XksProxyUriUnreachableException
    );
}

#[test]
fn keys_are_created_only_in_a_connected_store_of_their_origin() {
    let mut rt = runtime();
    let hsm = create(&mut rt, cloudhsm("hsm", "cluster-abcdefghijk"));
    let request = json!({"Origin": "AWS_CLOUDHSM", "CustomKeyStoreId": hsm});
    assert_eq!(
        refused(call(&mut rt, "CreateKey", request.clone())).0,
        ErrorName::CustomKeyStoreInvalidStateException
    );
    connect(&mut rt, &hsm);
    let metadata = ok(&mut rt, "CreateKey", request)["KeyMetadata"].clone();
    assert_eq!(metadata["Origin"], "AWS_CLOUDHSM");
    assert_eq!(metadata["CustomKeyStoreId"], hsm);
    assert_eq!(metadata["CloudHsmClusterId"], "cluster-abcdefghijk");
    assert_eq!(metadata["KeyState"], "Enabled");

    let external = create(&mut rt, xks("xks", "https://xks.example.com", "/kms/xks/v1"));
    connect(&mut rt, &external);
    let in_xks = json!({"Origin": "EXTERNAL_KEY_STORE", "CustomKeyStoreId": external, "XksKeyId": "ext-key-1"});
    let metadata = ok(&mut rt, "CreateKey", in_xks.clone())["KeyMetadata"].clone();
    assert_eq!(metadata["Origin"], "EXTERNAL_KEY_STORE");
    assert_eq!(metadata["XksKeyConfiguration"], json!({"Id": "ext-key-1"}));
    assert_eq!(
        refused(call(&mut rt, "CreateKey", in_xks)).0,
        ErrorName::XksKeyAlreadyInUseException
    );
    let cases = [
        // A store of the other type.
        json!({"Origin": "AWS_CLOUDHSM", "CustomKeyStoreId": external}),
        // Only single-Region symmetric encryption keys.
        json!({"Origin": "AWS_CLOUDHSM", "CustomKeyStoreId": hsm, "KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
        json!({"Origin": "AWS_CLOUDHSM", "CustomKeyStoreId": hsm, "MultiRegion": true}),
    ];
    for request in cases {
        assert_eq!(
            refused(call(&mut rt, "CreateKey", request)).0,
            ErrorName::UnsupportedOperationException
        );
    }
    let invalid = [
        json!({"Origin": "AWS_CLOUDHSM"}),
        json!({"CustomKeyStoreId": hsm}),
        json!({"XksKeyId": "ext-key-2"}),
        json!({"Origin": "EXTERNAL_KEY_STORE", "CustomKeyStoreId": external}),
    ];
    for request in invalid {
        assert_eq!(
            refused(call(&mut rt, "CreateKey", request)).0,
            ErrorName::ValidationException
        );
    }
}

#[test]
fn an_unknown_custom_key_store_is_not_found_for_create_key_and_generate_random() {
    let mut rt = runtime();
    let unknown = "cks-0123456789abcdef0";
    let (name, message) = refused(call(
        &mut rt,
        "CreateKey",
        json!({"Origin": "AWS_CLOUDHSM", "CustomKeyStoreId": unknown}),
    ));
    assert_eq!(name, ErrorName::CustomKeyStoreNotFoundException);
    assert!(message.contains(unknown), "{message}");
    assert_eq!(
        refused(call(
            &mut rt,
            "GenerateRandom",
            json!({"NumberOfBytes": 16, "CustomKeyStoreId": unknown})
        ))
        .0,
        ErrorName::CustomKeyStoreNotFoundException
    );
}

#[test]
fn generate_random_takes_a_connected_cloudhsm_key_store_only() {
    let mut rt = runtime();
    let hsm = create(&mut rt, cloudhsm("hsm", "cluster-abcdefghijk"));
    let request = json!({"NumberOfBytes": 16, "CustomKeyStoreId": hsm});
    assert_eq!(
        refused(call(&mut rt, "GenerateRandom", request.clone())).0,
        ErrorName::CustomKeyStoreInvalidStateException
    );
    connect(&mut rt, &hsm);
    let random = ok(&mut rt, "GenerateRandom", request)["Plaintext"].clone();
    assert_eq!(random.as_str().unwrap().len(), 24, "16 bytes in base64");
    let external = create(&mut rt, xks("xks", "https://xks.example.com", "/kms/xks/v1"));
    connect(&mut rt, &external);
    assert_eq!(
        refused(call(
            &mut rt,
            "GenerateRandom",
            json!({"NumberOfBytes": 16, "CustomKeyStoreId": external})
        ))
        .0,
        ErrorName::UnsupportedOperationException
    );
}

#[test]
fn keys_of_a_disconnected_store_are_unavailable_until_it_reconnects() {
    let mut rt = runtime();
    let hsm = create(&mut rt, cloudhsm("hsm", "cluster-abcdefghijk"));
    connect(&mut rt, &hsm);
    let key = ok(
        &mut rt,
        "CreateKey",
        json!({"Origin": "AWS_CLOUDHSM", "CustomKeyStoreId": hsm}),
    )["KeyMetadata"]["KeyId"]
        .clone();
    let sealed = ok(&mut rt, "Encrypt", json!({"KeyId": key, "Plaintext": "aGk="}))["CiphertextBlob"].clone();
    disconnect(&mut rt, &hsm);
    let metadata = ok(&mut rt, "DescribeKey", json!({"KeyId": key}))["KeyMetadata"].clone();
    assert_eq!(metadata["KeyState"], "Unavailable");
    assert_eq!(metadata["Enabled"], false);
    let (name, message) = refused(call(&mut rt, "Decrypt", json!({"CiphertextBlob": sealed})));
    assert_eq!(name, ErrorName::KMSInvalidStateException);
    assert!(message.ends_with("is unavailable."), "{message}");
    // Still manageable: disabled while away, it comes back disabled.
    ok(&mut rt, "DisableKey", json!({"KeyId": key}));
    connect(&mut rt, &hsm);
    assert_eq!(
        ok(&mut rt, "DescribeKey", json!({"KeyId": key}))["KeyMetadata"]["KeyState"],
        "Disabled"
    );
    ok(&mut rt, "EnableKey", json!({"KeyId": key}));
    assert_eq!(
        ok(&mut rt, "Decrypt", json!({"CiphertextBlob": sealed}))["Plaintext"],
        "aGk="
    );
}

#[test]
fn a_store_is_deleted_only_disconnected_and_empty() {
    let mut rt = runtime();
    let hsm = create(&mut rt, cloudhsm("hsm", "cluster-abcdefghijk"));
    connect(&mut rt, &hsm);
    let key = ok(
        &mut rt,
        "CreateKey",
        json!({"Origin": "AWS_CLOUDHSM", "CustomKeyStoreId": hsm}),
    )["KeyMetadata"]["KeyId"]
        .clone();
    let delete = json!({"CustomKeyStoreId": hsm});
    assert_eq!(
        refused(call(&mut rt, "DeleteCustomKeyStore", delete.clone())).0,
        ErrorName::CustomKeyStoreInvalidStateException
    );
    disconnect(&mut rt, &hsm);
    assert_eq!(
        refused(call(&mut rt, "DeleteCustomKeyStore", delete.clone())).0,
        ErrorName::CustomKeyStoreHasCMKsException
    );
    // A key pending deletion still counts; once deleted, the store goes.
    ok(
        &mut rt,
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    );
    assert_eq!(
        refused(call(&mut rt, "DeleteCustomKeyStore", delete.clone())).0,
        ErrorName::CustomKeyStoreHasCMKsException
    );
    rt.clock.advance(7 * 86_400);
    rt.sweep();
    ok(&mut rt, "DeleteCustomKeyStore", delete);
    assert_eq!(
        refused(call(
            &mut rt,
            "DescribeCustomKeyStores",
            json!({"CustomKeyStoreId": hsm})
        ))
        .0,
        ErrorName::CustomKeyStoreNotFoundException
    );
}

#[test]
fn a_connected_store_takes_only_a_new_name_and_for_an_external_store_a_credential_or_path() {
    let mut rt = runtime();
    let hsm = create(&mut rt, cloudhsm("hsm", "cluster-abcdefghijk"));
    connect(&mut rt, &hsm);
    ok(
        &mut rt,
        "UpdateCustomKeyStore",
        json!({"CustomKeyStoreId": hsm, "NewCustomKeyStoreName": "renamed"}),
    );
    assert_eq!(describe(&mut rt, &hsm)["CustomKeyStoreName"], "renamed");
    let new_cluster = json!({"CustomKeyStoreId": hsm, "CloudHsmClusterId": "cluster-bbbbbbbbbbb"});
    assert_eq!(
        refused(call(&mut rt, "UpdateCustomKeyStore", new_cluster.clone())).0,
        ErrorName::CustomKeyStoreInvalidStateException
    );
    disconnect(&mut rt, &hsm);
    ok(&mut rt, "UpdateCustomKeyStore", new_cluster);
    assert_eq!(describe(&mut rt, &hsm)["CloudHsmClusterId"], "cluster-bbbbbbbbbbb");
    // Members of the other type are refused.
    assert_eq!(
        refused(call(
            &mut rt,
            "UpdateCustomKeyStore",
            json!({"CustomKeyStoreId": hsm, "XksProxyUriPath": "/kms/xks/v1"})
        ))
        .0,
        ErrorName::ValidationException
    );

    let external = create(&mut rt, xks("xks", "https://xks.example.com", "/kms/xks/v1"));
    connect(&mut rt, &external);
    ok(
        &mut rt,
        "UpdateCustomKeyStore",
        json!({"CustomKeyStoreId": external, "XksProxyUriPath": "/new/kms/xks/v1"}),
    );
    assert_eq!(
        describe(&mut rt, &external)["XksProxyConfiguration"]["UriPath"],
        "/new/kms/xks/v1"
    );
    assert_eq!(
        refused(call(
            &mut rt,
            "UpdateCustomKeyStore",
            json!({"CustomKeyStoreId": external, "XksProxyUriEndpoint": "https://moved.example.com"})
        ))
        .0,
        ErrorName::CustomKeyStoreInvalidStateException
    );
    assert_eq!(
        refused(call(
            &mut rt,
            "UpdateCustomKeyStore",
            json!({"CustomKeyStoreId": external, "NewCustomKeyStoreName": "renamed"})
        ))
        .0,
        ErrorName::CustomKeyStoreNameInUseException
    );
}

#[test]
fn custom_key_store_operations_are_authorized_by_identity_policies_alone() {
    let mut rt = runtime();
    let id = create(&mut rt, cloudhsm("hsm", "cluster-abcdefghijk"));
    let user = Caller::parse(&format!("arn:aws:iam::{ACCOUNT}:user/ops")).unwrap();
    let request = json!({"CustomKeyStoreId": id});
    let denied = run_json(&mut rt, &user, "ConnectCustomKeyStore", &request).unwrap_err();
    assert_eq!(denied.name, ErrorName::AccessDeniedException);
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": ["kms:ConnectCustomKeyStore", "kms:DescribeCustomKeyStores"], "Resource": "*"}]}"#;
    let Ok(crate::policy::Document::Policy(p)) = crate::policy::Document::parse(
        &crate::source::Source::new("iam", policy),
        Some(crate::policy::DocumentKind::IdentityPolicy),
    ) else {
        panic!("not a policy")
    };
    rt.identities.identity_policies.push((
        user.arn.clone(),
        crate::eval::CompiledPolicy::compile("iam", &p).unwrap(),
    ));
    run_json(&mut rt, &user, "ConnectCustomKeyStore", &request).unwrap();
    let described = run_json(&mut rt, &user, "DescribeCustomKeyStores", &json!({})).unwrap();
    assert_eq!(described["CustomKeyStores"][0]["ConnectionState"], "CONNECTED");
    let denied = run_json(&mut rt, &user, "DisconnectCustomKeyStore", &request).unwrap_err();
    assert_eq!(denied.name, ErrorName::AccessDeniedException);
}

#[test]
fn keys_in_a_custom_key_store_refuse_rotation_as_aws_does() {
    let mut rt = runtime();
    let hsm = create(&mut rt, cloudhsm("hsm", "cluster-abcdefghijk"));
    connect(&mut rt, &hsm);
    let key = ok(
        &mut rt,
        "CreateKey",
        json!({"Origin": "AWS_CLOUDHSM", "CustomKeyStoreId": hsm}),
    )["KeyMetadata"]["KeyId"]
        .clone();
    for operation in [
        "EnableKeyRotation",
        "DisableKeyRotation",
        "RotateKeyOnDemand",
        "GetKeyRotationStatus",
        "ListKeyRotations",
    ] {
        let (name, message) = refused(call(&mut rt, operation, json!({"KeyId": key})));
        assert_eq!(name, ErrorName::UnsupportedOperationException, "{operation}");
        assert!(
            message.ends_with("origin is AWS_CLOUDHSM which is not valid for this operation."),
            "{operation}: {message}"
        );
    }
}
