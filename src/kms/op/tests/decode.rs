use serde_json::json;

use super::*;

fn decoded<T: Op>(request: Value) -> Result<T, (ErrorName, String)> {
    decode::<T>(&request).map_err(|e| (e.name, e.message))
}

#[test]
fn a_missing_required_member_is_a_validation_error_naming_it_in_camel_case() {
    assert_eq!(
        decoded::<Encrypt>(json!({"Plaintext": "eA=="})).unwrap_err(),
        (
            ErrorName::ValidationException,
            "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null"
                .to_owned()
        )
    );
    // The members are checked in the model's order.
    assert!(decoded::<CreateAlias>(json!({})).unwrap_err().1.contains("'aliasName'"));
    assert!(decoded::<TagResource>(json!({"KeyId": "k"}))
        .unwrap_err()
        .1
        .contains("'tags'"));
}

#[test]
fn a_member_set_to_null_counts_as_absent_and_unknown_members_are_ignored() {
    assert_eq!(
        decoded::<DescribeKey>(json!({"KeyId": null})).unwrap_err().0,
        ErrorName::ValidationException
    );
    let request: ListKeys = decoded(json!({"Limit": null, "Marker": null, "Colour": "blue"})).unwrap();
    assert_eq!(request, ListKeys::default());
}

#[test]
fn a_member_of_the_wrong_type_is_a_serialization_error_naming_it() {
    for (request, message) in [
        (json!({"KeyId": 7, "Plaintext": "eA=="}), "`KeyId` must be a string"),
        (
            json!({"KeyId": "k", "Plaintext": "not base64!"}),
            "`Plaintext` must be base64",
        ),
        (
            json!({"KeyId": "k", "Plaintext": "eA==", "EncryptionContext": {"a": 1}}),
            "`EncryptionContext.a` must be a string",
        ),
        (
            json!({"KeyId": "k", "Plaintext": "eA==", "EncryptionContext": ["a"]}),
            "`EncryptionContext` must be an object of strings",
        ),
        (
            json!({"KeyId": "k", "Plaintext": "eA==", "GrantTokens": [1]}),
            "`GrantTokens` must be a list of strings",
        ),
        (
            json!({"KeyId": "k", "Plaintext": "eA==", "DryRun": "yes"}),
            "`DryRun` must be true or false",
        ),
    ] {
        assert_eq!(
            decoded::<Encrypt>(request.clone()).unwrap_err(),
            (ErrorName::SerializationException, message.to_owned()),
            "{request}"
        );
    }
    assert_eq!(
        decoded::<ListKeys>(json!({"Limit": "10"})).unwrap_err().1,
        "`Limit` must be a number"
    );
    assert_eq!(
        decoded::<ListKeys>(json!({"Limit": 1.5})).unwrap_err().1,
        "`Limit` must be a whole number"
    );
    assert_eq!(
        decoded::<DescribeKey>(json!(["KeyId"])).unwrap_err(),
        (
            ErrorName::SerializationException,
            "the request body must be a JSON object of the operation's members".to_owned()
        )
    );
}

#[test]
fn a_tag_without_its_value_names_the_missing_member() {
    let (name, message) = decoded::<TagResource>(json!({"KeyId": "k", "Tags": [{"TagKey": "a"}]})).unwrap_err();
    assert_eq!(name, ErrorName::ValidationException);
    assert!(message.contains("'tagValue'"), "{message}");
}

#[test]
fn blobs_read_and_write_base64_and_never_print_their_bytes() {
    let request: Encrypt = decoded(json!({"KeyId": "k", "Plaintext": "c2VjcmV0"})).unwrap();
    assert_eq!(&*request.plaintext, b"secret");
    let printed = format!("{request:?}");
    assert!(!printed.contains("secret") && !printed.contains("115"), "{printed}");
    assert!(printed.contains("REDACTED"), "{printed}");
    assert_eq!(serde_json::to_value(&request.plaintext).unwrap(), json!("c2VjcmV0"));
}
