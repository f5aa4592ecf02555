//! Symmetric encryption keys in the China Regions through `kms::Service`:
//! 128-bit material that seals with SM4-GCM. CreateKey, `KeySpec`
//! (<https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html>):
//! SYMMETRIC_DEFAULT is a 256-bit AES-GCM key "except in China Regions,
//! where it creates a 128-bit symmetric key that uses SM4 encryption";
//! *Supported algorithms*
//! (<https://docs.amazonaws.cn/en_us/kms/latest/developerguide/supported-algorithms.html>):
//! "SM4-128 (China Regions only)".

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine as _;
use keyward::crypto::KeyMaterial;
use keyward::kms::runtime::SimulatedClock;
use keyward::kms::{Authorizer, ErrorName, KmsError, Service};
use keyward::store::MemoryStore;
use serde_json::{json, Value};

use crate::regional::{call, ok, Kms, A};
use zeroize::Zeroizing;

const NOW: i64 = 1_795_867_200;
const BEIJING: &str = "cn-north-1";
const NINGXIA: &str = "cn-northwest-1";

fn open() -> Kms {
    let clock = Arc::new(SimulatedClock::at(NOW));
    Service::open(Box::new(MemoryStore::new()), Authorizer::default(), clock, A).unwrap()
}

fn create(kms: &Kms, region: &str, extra: Value) -> String {
    let mut request = json!({});
    if let (Some(request), Some(extra)) = (request.as_object_mut(), extra.as_object()) {
        request.extend(extra.clone());
    }
    ok(kms, region, "CreateKey", request)["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn encrypt(kms: &Kms, region: &str, key: &str, plaintext: &[u8]) -> Value {
    let b64 = base64::engine::general_purpose::STANDARD;
    ok(
        kms,
        region,
        "Encrypt",
        json!({"KeyId": key, "Plaintext": b64.encode(plaintext), "EncryptionContext": {"dept": "eng"}}),
    )["CiphertextBlob"]
        .clone()
}

fn decrypt(kms: &Kms, region: &str, blob: &Value) -> Vec<u8> {
    let response = ok(
        kms,
        region,
        "Decrypt",
        json!({"CiphertextBlob": blob, "EncryptionContext": {"dept": "eng"}}),
    );
    base64::engine::general_purpose::STANDARD
        .decode(response["Plaintext"].as_str().unwrap())
        .unwrap()
}

/// `ImportKeyMaterial` of `material`, wrapped as a client wraps it
/// (RSAES_OAEP_SHA_256).
fn import(kms: &Kms, region: &str, key: &str, material: &[u8]) -> Result<Value, KmsError> {
    use keyward::crypto::import::{wrap, WrappingAlgorithm};
    use keyward::crypto::keys::{KeySpec, PublicKey};
    let parameters = ok(
        kms,
        region,
        "GetParametersForImport",
        json!({"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
    );
    let b64 = base64::engine::general_purpose::STANDARD;
    let der = b64.decode(parameters["PublicKey"].as_str().unwrap()).unwrap();
    let public = PublicKey::from_der(KeySpec::Rsa2048, &der).unwrap();
    let wrapped = wrap(&public, WrappingAlgorithm::RsaesOaepSha256, material).unwrap();
    call(
        kms,
        region,
        "ImportKeyMaterial",
        json!({
            "KeyId": key,
            "ImportToken": parameters["ImportToken"],
            "EncryptedKeyMaterial": b64.encode(wrapped),
            "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
        }),
    )
}

#[test]
fn sm4_keys_in_cn_north_1_encrypt_reencrypt_generate_data_keys_and_rotate() {
    let kms = open();
    let key = create(&kms, BEIJING, json!({}));
    let other = create(&kms, BEIJING, json!({}));
    let metadata = &ok(&kms, BEIJING, "DescribeKey", json!({"KeyId": key}))["KeyMetadata"];
    assert_eq!(metadata["KeySpec"], "SYMMETRIC_DEFAULT");
    assert!(metadata["Arn"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws-cn:kms:cn-north-1:"));

    let before = encrypt(&kms, BEIJING, &key, b"beijing secret");
    assert_eq!(decrypt(&kms, BEIJING, &before), b"beijing secret");

    ok(&kms, BEIJING, "RotateKeyOnDemand", json!({"KeyId": key}));
    let after = encrypt(&kms, BEIJING, &key, b"after rotation");
    assert_eq!(decrypt(&kms, BEIJING, &after), b"after rotation");
    // Blobs sealed under the first material stay readable.
    assert_eq!(decrypt(&kms, BEIJING, &before), b"beijing secret");

    let moved = ok(
        &kms,
        BEIJING,
        "ReEncrypt",
        json!({
            "CiphertextBlob": before,
            "SourceEncryptionContext": {"dept": "eng"},
            "DestinationKeyId": other,
            "DestinationEncryptionContext": {"dept": "eng"},
        }),
    );
    assert!(moved["KeyId"].as_str().unwrap().ends_with(&other));
    assert_eq!(decrypt(&kms, BEIJING, &moved["CiphertextBlob"]), b"beijing secret");

    // GenerateDataKey: "To generate a 128-bit SM4 data key (China Regions
    // only), specify a KeySpec value of AES_128" (GenerateDataKey, API reference).
    let data_key = ok(
        &kms,
        BEIJING,
        "GenerateDataKey",
        json!({"KeyId": key, "KeySpec": "AES_128", "EncryptionContext": {"dept": "eng"}}),
    );
    let plaintext = base64::engine::general_purpose::STANDARD
        .decode(data_key["Plaintext"].as_str().unwrap())
        .unwrap();
    assert_eq!(plaintext.len(), 16);
    assert_eq!(decrypt(&kms, BEIJING, &data_key["CiphertextBlob"]), plaintext);
}

#[test]
fn imported_16_byte_material_in_cn_northwest_1_seals_with_sm4_and_32_bytes_are_refused() {
    // *Requirements for imported key material*
    // (https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-conceptual.html):
    // 256-bit symmetric material, 128 bits in the China Regions.
    let kms = open();
    let key = create(&kms, NINGXIA, json!({"Origin": "EXTERNAL"}));
    let refused = import(&kms, NINGXIA, &key, &[7; 32]).unwrap_err();
    assert_eq!(refused.name, ErrorName::IncorrectKeyMaterialException);
    let material: Vec<u8> = (1..=16).collect();
    import(&kms, NINGXIA, &key, &material).unwrap();

    let blob = encrypt(&kms, NINGXIA, &key, b"ningxia secret");
    assert_eq!(decrypt(&kms, NINGXIA, &blob), b"ningxia secret");
    // The blob opens offline under the imported 128 bits (SM4-GCM).
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(blob.as_str().unwrap())
        .unwrap();
    let context = BTreeMap::from([("dept".to_owned(), "eng".to_owned())]);
    let imported = KeyMaterial::from_secret(Zeroizing::new(material));
    assert_eq!(
        keyward::crypto::open(&bytes, &imported, &context).unwrap().as_slice(),
        b"ningxia secret"
    );

    // Outside the China Regions 16 bytes are too few.
    let elsewhere = create(&kms, "us-west-2", json!({"Origin": "EXTERNAL"}));
    assert_eq!(
        import(&kms, "us-west-2", &elsewhere, &[7; 16])
            .map(|_| ())
            .unwrap_err()
            .name,
        ErrorName::IncorrectKeyMaterialException
    );
}

#[test]
fn a_multi_region_sm4_key_decrypts_in_the_other_china_region_after_rotation() {
    let kms = open();
    let key = create(&kms, BEIJING, json!({"MultiRegion": true}));
    ok(
        &kms,
        BEIJING,
        "ReplicateKey",
        json!({"KeyId": key, "ReplicaRegion": NINGXIA}),
    );
    let blob = encrypt(&kms, BEIJING, &key, b"shared");
    assert_eq!(decrypt(&kms, NINGXIA, &blob), b"shared");
    ok(&kms, BEIJING, "RotateKeyOnDemand", json!({"KeyId": key}));
    let rotated = encrypt(&kms, NINGXIA, &key, b"rotated");
    assert_eq!(decrypt(&kms, BEIJING, &rotated), b"rotated");
    assert_eq!(decrypt(&kms, NINGXIA, &blob), b"shared");
}
