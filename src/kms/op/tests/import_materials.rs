//! Imported material of every kind and several materials per key: HMAC and
//! asymmetric material (*Requirements for imported key material*), new
//! material imported `PENDING_ROTATION` and made current by
//! `RotateKeyOnDemand`, per-material expiry and deletion by `KeyMaterialId`
//! (<https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html>,
//! <https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyRotations.html>).

use serde_json::{json, Value};

use super::import::{b64, unb64};
use super::*;
use crate::crypto::import::{wrap, WrappingAlgorithm};
use crate::crypto::keys::{KeySpec, PrivateKey, PublicKey};

fn external(rt: &mut Runtime<SimulatedClock>, spec: &str, usage: &str) -> String {
    let created = ok(
        rt,
        "CreateKey",
        json!({"Origin": "EXTERNAL", "KeySpec": spec, "KeyUsage": usage}),
    );
    created["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned()
}

/// The import request for `material`, wrapped as a client would.
fn import_request(
    rt: &mut Runtime<SimulatedClock>,
    key: &str,
    algorithm: WrappingAlgorithm,
    material: &[u8],
    extra: Value,
) -> Value {
    let parameters = ok(
        rt,
        "GetParametersForImport",
        json!({"KeyId": key, "WrappingAlgorithm": algorithm.as_str(), "WrappingKeySpec": "RSA_3072"}),
    );
    let public = PublicKey::from_der(KeySpec::Rsa3072, &unb64(&parameters["PublicKey"])).unwrap();
    let mut request = json!({
        "KeyId": key,
        "ImportToken": parameters["ImportToken"],
        "EncryptedKeyMaterial": b64(&wrap(&public, algorithm, material).unwrap()),
        "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
    });
    if let (Some(request), Some(extra)) = (request.as_object_mut(), extra.as_object()) {
        for (name, value) in extra {
            if value.is_null() {
                request.remove(name);
            } else {
                request.insert(name.clone(), value.clone());
            }
        }
    }
    request
}

fn import(rt: &mut Runtime<SimulatedClock>, key: &str, material: &[u8], extra: Value) -> Result<Value, KmsError> {
    let request = import_request(rt, key, WrappingAlgorithm::RsaAesKeyWrapSha256, material, extra);
    call(rt, "ImportKeyMaterial", request)
}

fn state(rt: &mut Runtime<SimulatedClock>, key: &str) -> Value {
    ok(rt, "DescribeKey", json!({"KeyId": key}))["KeyMetadata"]["KeyState"].clone()
}

fn all_material(rt: &mut Runtime<SimulatedClock>, key: &str) -> Vec<Value> {
    let listed = ok(
        rt,
        "ListKeyRotations",
        json!({"KeyId": key, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"}),
    );
    listed["Rotations"].as_array().unwrap().clone()
}

#[test]
fn hmac_material_from_the_hash_length_to_the_block_size_imports_and_macs_as_given() {
    use hmac::{Hmac, KeyInit, Mac};
    let mut rt = runtime();
    let key = external(&mut rt, "HMAC_256", "GENERATE_VERIFY_MAC");
    assert_eq!(
        refused(import(&mut rt, &key, &[7; 31], json!({}))).0,
        ErrorName::IncorrectKeyMaterialException
    );
    assert_eq!(
        refused(import(&mut rt, &key, &[7; 65], json!({}))).0,
        ErrorName::IncorrectKeyMaterialException
    );
    let secret = [7u8; 40];
    let imported = import(&mut rt, &key, &secret, json!({})).unwrap();
    assert!(imported["KeyMaterialId"].is_string());
    assert_eq!(state(&mut rt, &key), "Enabled");
    let mac = ok(
        &mut rt,
        "GenerateMac",
        json!({"KeyId": key, "Message": b64(b"hello"), "MacAlgorithm": "HMAC_SHA_256"}),
    );
    let mut expected = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&secret).unwrap();
    expected.update(b"hello");
    assert_eq!(unb64(&mac["Mac"]), expected.finalize().into_bytes().to_vec());
    // The same material again, after deletion; other material never.
    ok(&mut rt, "DeleteImportedKeyMaterial", json!({"KeyId": key}));
    assert_eq!(state(&mut rt, &key), "PendingImport");
    assert_eq!(
        refused(import(&mut rt, &key, &[8; 40], json!({}))).0,
        ErrorName::IncorrectKeyMaterialException
    );
    assert_eq!(
        refused(import(
            &mut rt,
            &key,
            &[8; 40],
            json!({"ImportType": "NEW_KEY_MATERIAL"})
        ))
        .0,
        ErrorName::UnsupportedOperationException
    );
    let again = import(&mut rt, &key, &secret, json!({})).unwrap();
    assert_eq!(again["KeyMaterialId"], imported["KeyMaterialId"]);
    assert_eq!(state(&mut rt, &key), "Enabled");
}

#[test]
fn an_ecc_private_key_in_pkcs8_der_imports_and_signs_under_its_own_public_key() {
    let mut rt = runtime();
    let key = external(&mut rt, "ECC_NIST_P256", "SIGN_VERIFY");
    let private = PrivateKey::generate(KeySpec::EccNistP256).unwrap();
    let der = private.to_pkcs8_der().unwrap();
    // Not the spec's curve: refused.
    let other = PrivateKey::generate(KeySpec::EccNistP384)
        .unwrap()
        .to_pkcs8_der()
        .unwrap();
    let request = import_request(&mut rt, &key, WrappingAlgorithm::RsaesOaepSha256, &other, json!({}));
    assert_eq!(
        refused(call(&mut rt, "ImportKeyMaterial", request)).0,
        ErrorName::IncorrectKeyMaterialException
    );
    // RSAES_OAEP carries a P-256 key under RSA_3072.
    let request = import_request(&mut rt, &key, WrappingAlgorithm::RsaesOaepSha256, &der, json!({}));
    ok(&mut rt, "ImportKeyMaterial", request);
    let public = ok(&mut rt, "GetPublicKey", json!({"KeyId": key}));
    assert_eq!(unb64(&public["PublicKey"]), private.public_key().to_der());
    let signed = ok(
        &mut rt,
        "Sign",
        json!({"KeyId": key, "Message": b64(b"m"), "SigningAlgorithm": "ECDSA_SHA_256"}),
    );
    let verified = ok(
        &mut rt,
        "Verify",
        json!({"KeyId": key, "Message": b64(b"m"), "Signature": signed["Signature"], "SigningAlgorithm": "ECDSA_SHA_256"}),
    );
    assert_eq!(verified["SignatureValid"], true);
    // KeyMaterialDescription is for symmetric encryption keys only.
    let request = import_request(
        &mut rt,
        &key,
        WrappingAlgorithm::RsaesOaepSha256,
        &der,
        json!({"KeyMaterialDescription": "x"}),
    );
    assert_eq!(
        refused(call(&mut rt, "ImportKeyMaterial", request)).0,
        ErrorName::ValidationException
    );
}

#[test]
fn an_rsa_private_key_imports_with_an_rsa_aes_wrapping_algorithm_and_decrypts() {
    let mut rt = runtime();
    let key = external(&mut rt, "RSA_2048", "ENCRYPT_DECRYPT");
    let private = PrivateKey::generate(KeySpec::Rsa2048).unwrap();
    let der = private.to_pkcs8_der().unwrap();
    let request = import_request(&mut rt, &key, WrappingAlgorithm::RsaAesKeyWrapSha1, &der, json!({}));
    ok(&mut rt, "ImportKeyMaterial", request);
    let public = ok(&mut rt, "GetPublicKey", json!({"KeyId": key}));
    assert_eq!(unb64(&public["PublicKey"]), private.public_key().to_der());
    let sealed = ok(
        &mut rt,
        "Encrypt",
        json!({"KeyId": key, "Plaintext": b64(b"rsa"), "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}),
    );
    let opened = private
        .decrypt(
            crate::crypto::keys::EncryptionAlgorithm::RsaesOaepSha256,
            &unb64(&sealed["CiphertextBlob"]),
        )
        .unwrap();
    assert_eq!(opened.as_slice(), b"rsa");
}

#[test]
fn new_key_material_waits_pending_rotation_until_rotate_key_on_demand_makes_it_current() {
    let mut rt = runtime();
    let key = external(&mut rt, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    let arn = format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{key}");
    let first = import(&mut rt, &key, &[1; 32], json!({"KeyMaterialDescription": "first"})).unwrap();
    let old = ok(&mut rt, "Encrypt", json!({"KeyId": key, "Plaintext": "eA=="}));
    // KeyMaterialId only with EXISTING_KEY_MATERIAL.
    let with_id = json!({"ImportType": "NEW_KEY_MATERIAL", "KeyMaterialId": first["KeyMaterialId"]});
    assert_eq!(
        refused(import(&mut rt, &key, &[2; 32], with_id)).0,
        ErrorName::ValidationException
    );
    let second = import(&mut rt, &key, &[2; 32], json!({"ImportType": "NEW_KEY_MATERIAL"})).unwrap();
    assert_ne!(second["KeyMaterialId"], first["KeyMaterialId"]);
    // One material pending rotation at a time.
    assert_eq!(
        refused(import(
            &mut rt,
            &key,
            &[3; 32],
            json!({"ImportType": "NEW_KEY_MATERIAL"})
        ))
        .0,
        ErrorName::KMSInvalidStateException
    );
    let listed = all_material(&mut rt, &key);
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["KeyMaterialState"], "CURRENT");
    assert_eq!(listed[0]["KeyMaterialDescription"], "first");
    assert_eq!(listed[0]["ImportState"], "IMPORTED");
    assert_eq!(listed[0]["ExpirationModel"], "KEY_MATERIAL_DOES_NOT_EXPIRE");
    assert!(listed[0].get("RotationDate").is_none());
    assert_eq!(listed[1]["KeyMaterialState"], "PENDING_ROTATION");
    assert_eq!(
        ok(&mut rt, "ListKeyRotations", json!({"KeyId": key}))["Rotations"],
        json!([])
    );
    let rotated = ok(&mut rt, "RotateKeyOnDemand", json!({"KeyId": key}));
    assert_eq!(rotated["KeyId"], arn);
    let described = ok(&mut rt, "DescribeKey", json!({"KeyId": key}))["KeyMetadata"].clone();
    assert_eq!(described["CurrentKeyMaterialId"], second["KeyMaterialId"]);
    let new = ok(&mut rt, "Encrypt", json!({"KeyId": key, "Plaintext": "eQ=="}));
    for (blob, plaintext, material) in [(&old, "eA==", &first), (&new, "eQ==", &second)] {
        let opened = ok(&mut rt, "Decrypt", json!({"CiphertextBlob": blob["CiphertextBlob"]}));
        assert_eq!(opened["Plaintext"], plaintext);
        assert_eq!(opened["KeyMaterialId"], material["KeyMaterialId"]);
    }
    let rotations = ok(&mut rt, "ListKeyRotations", json!({"KeyId": key}))["Rotations"].clone();
    assert_eq!(rotations.as_array().unwrap().len(), 1);
    assert_eq!(rotations[0]["KeyMaterialId"], second["KeyMaterialId"]);
    assert_eq!(rotations[0]["RotationType"], "ON_DEMAND");
    assert_eq!(rotations[0]["KeyMaterialState"], "CURRENT");
    assert_eq!(all_material(&mut rt, &key)[0]["KeyMaterialState"], "NON_CURRENT");
    // Nothing is pending any more.
    assert_eq!(
        refused(call(&mut rt, "RotateKeyOnDemand", json!({"KeyId": key}))).0,
        ErrorName::KMSInvalidStateException
    );
}

#[test]
fn deleting_one_material_by_id_suspends_the_key_until_that_material_returns() {
    let mut rt = runtime();
    let key = external(&mut rt, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    let first = import(&mut rt, &key, &[1; 32], json!({})).unwrap();
    let sealed = ok(&mut rt, "Encrypt", json!({"KeyId": key, "Plaintext": "eA=="}));
    import(&mut rt, &key, &[2; 32], json!({"ImportType": "NEW_KEY_MATERIAL"})).unwrap();
    ok(&mut rt, "RotateKeyOnDemand", json!({"KeyId": key}));
    let deleted = ok(
        &mut rt,
        "DeleteImportedKeyMaterial",
        json!({"KeyId": key, "KeyMaterialId": first["KeyMaterialId"]}),
    );
    assert_eq!(deleted["KeyMaterialId"], first["KeyMaterialId"]);
    assert_eq!(state(&mut rt, &key), "PendingImport");
    assert_eq!(all_material(&mut rt, &key)[0]["ImportState"], "PENDING_IMPORT");
    let unknown = json!({"KeyId": key, "KeyMaterialId": "00".repeat(32)});
    assert_eq!(
        refused(call(&mut rt, "DeleteImportedKeyMaterial", unknown)).0,
        ErrorName::NotFoundException
    );
    // The wrong id for the material, then the right one.
    let wrong = json!({"KeyMaterialId": "11".repeat(32)});
    assert_eq!(
        refused(import(&mut rt, &key, &[1; 32], wrong)).0,
        ErrorName::IncorrectKeyMaterialException
    );
    let right = json!({"ImportType": "EXISTING_KEY_MATERIAL", "KeyMaterialId": first["KeyMaterialId"]});
    import(&mut rt, &key, &[1; 32], right).unwrap();
    assert_eq!(state(&mut rt, &key), "Enabled");
    let opened = ok(&mut rt, "Decrypt", json!({"CiphertextBlob": sealed["CiphertextBlob"]}));
    assert_eq!(opened["Plaintext"], "eA==");
    // Material pending rotation is forgotten when deleted; the key stays enabled.
    let third = import(&mut rt, &key, &[3; 32], json!({"ImportType": "NEW_KEY_MATERIAL"})).unwrap();
    ok(
        &mut rt,
        "DeleteImportedKeyMaterial",
        json!({"KeyId": key, "KeyMaterialId": third["KeyMaterialId"]}),
    );
    assert_eq!(state(&mut rt, &key), "Enabled");
    assert_eq!(all_material(&mut rt, &key).len(), 2);
}

#[test]
fn each_material_expires_at_its_own_valid_to() {
    let mut rt = runtime();
    let key = external(&mut rt, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    let now = rt.clock.now();
    import(&mut rt, &key, &[1; 32], json!({})).unwrap();
    let expiring =
        json!({"ImportType": "NEW_KEY_MATERIAL", "ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": now + 7200});
    import(&mut rt, &key, &[2; 32], expiring).unwrap();
    ok(&mut rt, "RotateKeyOnDemand", json!({"KeyId": key}));
    let described = ok(&mut rt, "DescribeKey", json!({"KeyId": key}))["KeyMetadata"].clone();
    assert_eq!(described["ExpirationModel"], "KEY_MATERIAL_EXPIRES");
    assert_eq!(described["ValidTo"], now + 7200);
    rt.clock.advance(7201);
    rt.sweep();
    assert_eq!(state(&mut rt, &key), "PendingImport");
    let listed = all_material(&mut rt, &key);
    assert_eq!(
        (listed[0]["ImportState"].clone(), listed[1]["ImportState"].clone()),
        (json!("IMPORTED"), json!("PENDING_IMPORT"))
    );
    assert!(listed[1].get("ValidTo").is_none());
}
