//! Typed requests built in Rust and handed to `kms::Service::call` are
//! checked against the API model (lengths, patterns, ranges, enums) as the
//! same request read from JSON is: the same `ValidationException`, with the
//! same message, before anything is authorized.

use std::sync::Arc;

use keyward::eval::Caller;
use keyward::kms::op::{self, Blob, Json, Tag};
use keyward::kms::runtime::SimulatedClock;
use keyward::kms::{Authorizer, ErrorName, KmsError, Operation, Service};
use keyward::store::MemoryStore;
use serde_json::{json, Value};

const A: &str = "111122223333";
const REGION: &str = "us-east-1";

type Kms = Service<Arc<SimulatedClock>>;

fn open() -> Kms {
    let clock = Arc::new(SimulatedClock::at(1_795_867_200));
    Service::open(Box::new(MemoryStore::new()), Authorizer::default(), clock, A).unwrap()
}

fn root() -> Caller {
    Caller::parse(&format!("arn:aws:iam::{A}:root")).unwrap()
}

fn over_the_wire(kms: &Kms, operation: &str, request: Value) -> KmsError {
    let request = &request;
    kms.call(&root(), REGION, &Json { operation, request })
        .expect_err("refused over the wire")
}

fn built_in_rust<O: Operation<Arc<SimulatedClock>>>(kms: &Kms, request: &O) -> KmsError
where
    O::Response: std::fmt::Debug,
{
    kms.call(&root(), REGION, request)
        .expect_err("refused when built in Rust")
}

fn key(kms: &Kms) -> String {
    let request = &json!({});
    let created = kms
        .call(
            &root(),
            REGION,
            &Json {
                operation: "CreateKey",
                request,
            },
        )
        .unwrap();
    created["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned()
}

#[test]
fn a_description_over_8192_characters_built_in_rust_is_the_same_validation_exception_as_over_the_wire() {
    let kms = open();
    let description = "d".repeat(8193);
    let typed = built_in_rust(
        &kms,
        &op::CreateKey {
            description: Some(description.clone()),
            ..op::CreateKey::default()
        },
    );
    let wire = over_the_wire(&kms, "CreateKey", json!({"Description": description}));
    assert_eq!(typed.name, ErrorName::ValidationException);
    assert_eq!((typed.name, &typed.message), (wire.name, &wire.message));
    assert!(typed.message.contains("'description'"), "{}", typed.message);
}

#[test]
fn a_key_material_description_of_300_characters_built_in_rust_is_refused_as_over_the_wire() {
    let kms = open();
    let id = key(&kms);
    let description = "m".repeat(300);
    let typed = built_in_rust(
        &kms,
        &op::ImportKeyMaterial {
            key_id: id.clone(),
            import_token: Blob::new(vec![1]),
            encrypted_key_material: Blob::new(vec![1]),
            key_material_description: Some(description.clone()),
            ..op::ImportKeyMaterial::default()
        },
    );
    let wire = over_the_wire(
        &kms,
        "ImportKeyMaterial",
        json!({"KeyId": id, "ImportToken": "AQ==", "EncryptedKeyMaterial": "AQ==",
               "KeyMaterialDescription": description}),
    );
    assert_eq!(typed.name, ErrorName::ValidationException);
    assert_eq!((typed.name, &typed.message), (wire.name, &wire.message));
    assert!(typed.message.contains("less than or equal to 256"), "{}", typed.message);
}

#[test]
fn a_bad_alias_name_built_in_rust_is_refused_as_over_the_wire() {
    let kms = open();
    let id = key(&kms);
    let name = "alias/not valid!";
    let typed = built_in_rust(
        &kms,
        &op::CreateAlias {
            alias_name: name.to_owned(),
            target_key_id: id.clone(),
        },
    );
    let wire = over_the_wire(&kms, "CreateAlias", json!({"AliasName": name, "TargetKeyId": id}));
    assert_eq!(typed.name, ErrorName::ValidationException);
    assert_eq!((typed.name, &typed.message), (wire.name, &wire.message));
    assert!(typed.message.contains("regular expression"), "{}", typed.message);
}

#[test]
fn several_broken_constraints_built_in_rust_are_all_reported_as_over_the_wire() {
    let kms = open();
    let tag = Tag {
        tag_key: "k".repeat(129),
        tag_value: "v".into(),
    };
    let typed = built_in_rust(
        &kms,
        &op::CreateKey {
            key_usage: Some("ENCRYPT".into()),
            tags: vec![tag],
            ..op::CreateKey::default()
        },
    );
    let wire = over_the_wire(
        &kms,
        "CreateKey",
        json!({"KeyUsage": "ENCRYPT", "Tags": [{"TagKey": "k".repeat(129), "TagValue": "v"}]}),
    );
    assert!(
        typed.message.starts_with("2 validation errors detected"),
        "{}",
        typed.message
    );
    assert_eq!((typed.name, &typed.message), (wire.name, &wire.message));
}

#[test]
fn a_valid_request_built_in_rust_runs() {
    let kms = open();
    let id = key(&kms);
    let sealed = kms
        .call(
            &root(),
            REGION,
            &op::Encrypt {
                key_id: id,
                plaintext: Blob::new(b"hello".to_vec()),
                ..op::Encrypt::default()
            },
        )
        .unwrap();
    let opened = kms
        .call(
            &root(),
            REGION,
            &op::Decrypt {
                ciphertext_blob: sealed.ciphertext_blob,
                ..op::Decrypt::default()
            },
        )
        .unwrap();
    assert_eq!(&*opened.plaintext, b"hello");
}
