use serde_json::json;

use super::*;

// AliasNameType: pattern ^[a-zA-Z0-9:/_-]+$, and the `alias/` prefix.
#[test]
fn alias_names_have_the_prefix_and_the_pattern_of_the_model() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    assert_eq!(
        refused(call(
            &mut rt,
            "CreateAlias",
            json!({"AliasName": "alias/has space", "TargetKeyId": key})
        )),
        constraint(
            Some("alias/has space"),
            "aliasName",
            "satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"
        )
    );
    let (name, message) = refused(call(
        &mut rt,
        "CreateAlias",
        json!({"AliasName": "app", "TargetKeyId": key}),
    ));
    assert_eq!(name, ErrorName::ValidationException);
    assert!(message.contains("alias/"), "{message}");
    ok(
        &mut rt,
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": key}),
    );
    let listed = ok(&mut rt, "ListAliases", json!({"KeyId": key}));
    assert_eq!(listed["Aliases"][0]["AliasName"], "alias/app");
    assert_eq!(listed["Aliases"][0]["TargetKeyId"], json!(key));
    assert_eq!(listed["Truncated"], false);
    let other = new_key(&mut rt);
    ok(
        &mut rt,
        "UpdateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": other}),
    );
    let sealed = ok(&mut rt, "Encrypt", json!({"KeyId": "alias/app", "Plaintext": "eA=="}));
    assert!(sealed["KeyId"].as_str().unwrap().ends_with(&other));
    ok(&mut rt, "DeleteAlias", json!({"AliasName": "alias/app"}));
}

#[test]
fn grants_are_created_listed_retired_and_revoked_through_typed_requests() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    let grantee = "arn:aws:iam::111122223333:role/app";
    let issued = ok(
        &mut rt,
        "CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": grantee, "Operations": ["Decrypt"], "RetiringPrincipal": grantee}),
    );
    assert!(issued["GrantToken"].is_string() && issued["GrantId"].is_string());
    let listed = ok(&mut rt, "ListGrants", json!({"KeyId": key}));
    assert_eq!(listed["Grants"][0]["GrantId"], issued["GrantId"]);
    let retirable = ok(&mut rt, "ListRetirableGrants", json!({"RetiringPrincipal": grantee}));
    assert_eq!(retirable["Grants"].as_array().map(Vec::len), Some(1));
    ok(&mut rt, "RetireGrant", json!({"GrantToken": issued["GrantToken"]}));
    assert_eq!(ok(&mut rt, "ListGrants", json!({"KeyId": key}))["Grants"], json!([]));

    let again = ok(
        &mut rt,
        "CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": grantee, "Operations": ["Encrypt"]}),
    );
    ok(
        &mut rt,
        "RevokeGrant",
        json!({"KeyId": key, "GrantId": again["GrantId"]}),
    );
    assert_eq!(ok(&mut rt, "ListGrants", json!({"KeyId": key}))["Grants"], json!([]));
}

// GrantIdType: length 1 to 128.
#[test]
fn grant_ids_are_one_to_128_characters() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    assert_eq!(
        refused(call(
            &mut rt,
            "RevokeGrant",
            json!({"KeyId": key, "GrantId": "g".repeat(129)})
        )),
        constraint(None, "grantId", "have length less than or equal to 128")
    );
    assert_eq!(
        refused(call(&mut rt, "ListGrants", json!({"KeyId": key, "GrantId": ""}))),
        constraint(Some(""), "grantId", "have length greater than or equal to 1")
    );
}

#[test]
fn a_grant_the_reader_refuses_is_one_validation_error() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    let (name, message) = refused(call(
        &mut rt,
        "CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": "arn:aws:iam::111122223333:role/app", "Operations": ["Fly"]}),
    ));
    assert_eq!(name, ErrorName::ValidationException);
    assert!(message.contains("Fly"), "{message}");
}
