//! Imported key material: every wrapping algorithm, expiry on the runtime's
//! clock, re-import, deletion and the token's rules
//! (<https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html>).

use base64::Engine;
use serde_json::{json, Value};

use super::*;
use crate::crypto::import::{wrap, WrappingAlgorithm};
use crate::crypto::keys::{KeySpec, PublicKey};

pub(super) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(super) fn unb64(value: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(value.as_str().unwrap())
        .unwrap()
}

fn external_key(rt: &mut Runtime<SimulatedClock>) -> String {
    let created = ok(rt, "CreateKey", json!({"Origin": "EXTERNAL"}));
    assert_eq!(created["KeyMetadata"]["Origin"], "EXTERNAL");
    assert_eq!(created["KeyMetadata"]["KeyState"], "PendingImport");
    created["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned()
}

/// GetParametersForImport, then the material wrapped as a client would.
fn wrapped(
    rt: &mut Runtime<SimulatedClock>,
    key: &str,
    algorithm: WrappingAlgorithm,
    material: &[u8],
) -> (Value, Value) {
    let parameters = ok(
        rt,
        "GetParametersForImport",
        json!({"KeyId": key, "WrappingAlgorithm": algorithm.as_str(), "WrappingKeySpec": "RSA_2048"}),
    );
    let public = PublicKey::from_der(KeySpec::Rsa2048, &unb64(&parameters["PublicKey"])).unwrap();
    let encrypted = wrap(&public, algorithm, material).unwrap();
    (parameters["ImportToken"].clone(), json!(b64(&encrypted)))
}

#[test]
fn material_imported_with_each_rsa_wrapping_algorithm_encrypts_and_decrypts() {
    let mut rt = runtime();
    for algorithm in &WrappingAlgorithm::ALL[..4] {
        let key = external_key(&mut rt);
        assert_eq!(
            refused(call(&mut rt, "Encrypt", json!({"KeyId": key, "Plaintext": "eA=="}))).0,
            ErrorName::KMSInvalidStateException
        );
        let (token, material) = wrapped(&mut rt, &key, *algorithm, &[9u8; 32]);
        let imported = ok(
            &mut rt,
            "ImportKeyMaterial",
            json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": material, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
        );
        assert!(imported["KeyMaterialId"].is_string(), "{algorithm:?}");
        let metadata = ok(&mut rt, "DescribeKey", json!({"KeyId": key}))["KeyMetadata"].clone();
        assert_eq!(metadata["KeyState"], "Enabled");
        assert_eq!(metadata["ExpirationModel"], "KEY_MATERIAL_DOES_NOT_EXPIRE");
        let sealed = ok(&mut rt, "Encrypt", json!({"KeyId": key, "Plaintext": "eA=="}));
        let opened = ok(&mut rt, "Decrypt", json!({"CiphertextBlob": sealed["CiphertextBlob"]}));
        assert_eq!(opened["Plaintext"], "eA==");
        assert_eq!(opened["KeyMaterialId"], imported["KeyMaterialId"]);
    }
}

#[test]
fn material_expires_at_valid_to_and_only_the_same_material_comes_back() {
    let mut rt = runtime();
    let key = external_key(&mut rt);
    let now = rt.clock.now();
    let (token, material) = wrapped(&mut rt, &key, WrappingAlgorithm::RsaesOaepSha256, &[1u8; 32]);
    // ValidTo is required for KEY_MATERIAL_EXPIRES (the default), and within a year.
    for (expiration, valid_to) in [
        (json!(null), json!(null)),
        (json!("KEY_MATERIAL_DOES_NOT_EXPIRE"), json!(now + 3600)),
        (json!("KEY_MATERIAL_EXPIRES"), json!(now + 400 * 86_400)),
    ] {
        let request = json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": material,
            "ExpirationModel": expiration, "ValidTo": valid_to});
        assert_eq!(
            refused(call(&mut rt, "ImportKeyMaterial", request)).0,
            ErrorName::ValidationException
        );
    }
    let first = ok(
        &mut rt,
        "ImportKeyMaterial",
        json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": material, "ValidTo": now + 3600}),
    );
    let sealed = ok(&mut rt, "Encrypt", json!({"KeyId": key, "Plaintext": "eA=="}));
    rt.clock.advance(3601);
    rt.sweep();
    let described = ok(&mut rt, "DescribeKey", json!({"KeyId": key}))["KeyMetadata"].clone();
    assert_eq!(described["KeyState"], "PendingImport");
    assert_eq!(
        refused(call(
            &mut rt,
            "Decrypt",
            json!({"CiphertextBlob": sealed["CiphertextBlob"]})
        ))
        .0,
        ErrorName::KMSInvalidStateException
    );
    // Other material is refused; the same material brings the key back.
    let (token, other) = wrapped(&mut rt, &key, WrappingAlgorithm::RsaesOaepSha256, &[2u8; 32]);
    let request = json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": other, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"});
    assert_eq!(
        refused(call(&mut rt, "ImportKeyMaterial", request)).0,
        ErrorName::IncorrectKeyMaterialException
    );
    let (token, same) = wrapped(&mut rt, &key, WrappingAlgorithm::RsaesOaepSha256, &[1u8; 32]);
    let again = ok(
        &mut rt,
        "ImportKeyMaterial",
        json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": same, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
    );
    assert_eq!(again["KeyMaterialId"], first["KeyMaterialId"]);
    let opened = ok(&mut rt, "Decrypt", json!({"CiphertextBlob": sealed["CiphertextBlob"]}));
    assert_eq!(opened["Plaintext"], "eA==");
    // Deleted material: pending import again.
    let deleted = ok(&mut rt, "DeleteImportedKeyMaterial", json!({"KeyId": key}));
    assert_eq!(deleted["KeyMaterialId"], first["KeyMaterialId"]);
    assert_eq!(
        ok(&mut rt, "DescribeKey", json!({"KeyId": key}))["KeyMetadata"]["KeyState"],
        "PendingImport"
    );
}

#[test]
fn an_import_token_is_for_its_key_for_24_hours_and_once() {
    let mut rt = runtime();
    let key = external_key(&mut rt);
    let other = external_key(&mut rt);
    let (token, material) = wrapped(&mut rt, &key, WrappingAlgorithm::RsaAesKeyWrapSha256, &[3u8; 32]);
    let on_other = json!({"KeyId": other, "ImportToken": token, "EncryptedKeyMaterial": material, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"});
    assert_eq!(
        refused(call(&mut rt, "ImportKeyMaterial", on_other)).0,
        ErrorName::InvalidImportTokenException
    );
    let garbled = json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": "AAAA", "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"});
    assert_eq!(
        refused(call(&mut rt, "ImportKeyMaterial", garbled)).0,
        ErrorName::InvalidCiphertextException
    );
    rt.clock.advance(24 * 3600 + 1);
    let late = json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": material, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"});
    assert_eq!(
        refused(call(&mut rt, "ImportKeyMaterial", late)).0,
        ErrorName::ExpiredImportTokenException
    );
    // An AWS_KMS key takes no import.
    let own = new_key(&mut rt);
    let request = json!({"KeyId": own, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"});
    assert_eq!(
        refused(call(&mut rt, "GetParametersForImport", request)).0,
        ErrorName::UnsupportedOperationException
    );
    let short = json!({"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_1024"});
    assert_eq!(
        refused(call(&mut rt, "GetParametersForImport", short)).0,
        ErrorName::ValidationException
    );
}

/// A token is used once, but only once the import is committed: an import
/// whose commit fails (its changes rolled back) leaves the token valid.
#[test]
fn an_import_token_is_spent_when_the_import_commits_and_kept_when_it_rolls_back() {
    let mut rt = runtime();
    let key = external_key(&mut rt);
    rt.settle();
    let (token, material) = wrapped(&mut rt, &key, WrappingAlgorithm::RsaesOaepSha256, &[5u8; 32]);
    // GetParametersForImport committed (the token is in the state).
    rt.settle();
    let request = json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": material, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"});
    ok(&mut rt, "ImportKeyMaterial", request.clone());
    rt.rollback();
    let state = |rt: &mut Runtime<SimulatedClock>| {
        ok(rt, "DescribeKey", json!({"KeyId": key}))["KeyMetadata"]["KeyState"].clone()
    };
    assert_eq!(state(&mut rt), "PendingImport", "the import is undone");
    ok(&mut rt, "ImportKeyMaterial", request.clone());
    rt.settle();
    assert_eq!(state(&mut rt), "Enabled");
    assert_eq!(
        refused(call(&mut rt, "ImportKeyMaterial", request)).0,
        ErrorName::InvalidImportTokenException,
        "a committed import spent the token"
    );
}

// API_EnableKeyRotation / API_DisableKeyRotation: "You cannot enable
// automatic rotation of ... KMS keys with imported key material"; key states
// of KMS keys, footnote 6, gives the message. API_RotateKeyOnDemand: an
// imported key rotates only to new material imported PENDING_ROTATION.
#[test]
fn keys_with_imported_material_refuse_automatic_rotation_and_have_nothing_pending_rotation() {
    let mut rt = runtime();
    let key = external_key(&mut rt);
    let arn = format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{key}");
    let expected = (
        ErrorName::UnsupportedOperationException,
        format!("{arn} origin is EXTERNAL which is not valid for this operation."),
    );
    // Pending import, then with its material.
    assert_eq!(
        refused(call(&mut rt, "EnableKeyRotation", json!({"KeyId": key}))),
        expected
    );
    let (token, material) = wrapped(&mut rt, &key, WrappingAlgorithm::RsaesOaepSha256, &[5u8; 32]);
    ok(
        &mut rt,
        "ImportKeyMaterial",
        json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": material, "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
    );
    assert_eq!(
        refused(call(
            &mut rt,
            "EnableKeyRotation",
            json!({"KeyId": key, "RotationPeriodInDays": 90})
        )),
        expected
    );
    assert_eq!(
        refused(call(&mut rt, "DisableKeyRotation", json!({"KeyId": key}))),
        expected
    );
    assert_eq!(
        refused(call(&mut rt, "RotateKeyOnDemand", json!({"KeyId": key}))),
        (
            ErrorName::KMSInvalidStateException,
            format!("No available key material pending rotation for the key: {arn}.")
        )
    );
    let status = ok(&mut rt, "GetKeyRotationStatus", json!({"KeyId": key}));
    assert_eq!(status["KeyRotationEnabled"], false);
    assert_eq!(
        ok(&mut rt, "ListKeyRotations", json!({"KeyId": key}))["Rotations"],
        json!([])
    );
}

// API_ListKeyRotations: Limit "defaults to 100"; beyond it the answer is
// Truncated with a NextMarker.
#[test]
fn list_key_rotations_without_a_limit_answers_100_rotations_and_a_marker() {
    let mut rt = runtime();
    let key = new_key(&mut rt);
    for _ in 0..25 {
        ok(&mut rt, "RotateKeyOnDemand", json!({"KeyId": key}));
    }
    ok(
        &mut rt,
        "EnableKeyRotation",
        json!({"KeyId": key, "RotationPeriodInDays": 90}),
    );
    for _ in 0..76 {
        rt.clock.advance(90 * 86_400);
        rt.sweep();
    }
    let first = ok(&mut rt, "ListKeyRotations", json!({"KeyId": key}));
    assert_eq!(first["Rotations"].as_array().unwrap().len(), 100);
    assert_eq!(first["Truncated"], true);
    let rest = ok(
        &mut rt,
        "ListKeyRotations",
        json!({"KeyId": key, "Marker": first["NextMarker"]}),
    );
    assert_eq!(rest["Rotations"].as_array().unwrap().len(), 1);
    assert_eq!(rest["Rotations"][0]["RotationType"], "AUTOMATIC");
    assert_eq!(rest["Truncated"], false);
    assert!(rest.get("NextMarker").is_none());
}
