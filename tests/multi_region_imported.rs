//! Imported key material in multi-Region keys through `kms::Service`
//! (<https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-import.html>):
//! KMS does not copy imported material to replicas; the same material is
//! imported into each copy, each with its own expiry and key state.

use std::sync::Arc;

use keyward::kms::runtime::SimulatedClock;
use keyward::kms::{Authorizer, ErrorName, KmsError, Service};
use keyward::store::MemoryStore;
use serde_json::{json, Value};

use crate::regional::{call, ok, refused, Kms, A};

const NOW: i64 = 1_795_867_200;
const PRIMARY: &str = "us-east-1";
const REPLICA: &str = "eu-west-1";

fn open(clock: Arc<SimulatedClock>) -> Kms {
    open_store(Box::new(MemoryStore::new()), clock)
}

fn open_store(store: Box<dyn keyward::kms::Store>, clock: Arc<SimulatedClock>) -> Kms {
    Service::open(store, Authorizer::default(), clock, A).unwrap()
}

/// `ImportKeyMaterial` of `material` into the copy of `key` in `region`,
/// wrapped as a client wraps it (RSAES_OAEP_SHA_256); `extra` members are
/// added to the request.
fn import(kms: &Kms, region: &str, key: &str, material: &[u8; 32], extra: Value) -> Result<Value, KmsError> {
    use base64::Engine as _;
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
    let mut request = json!({
        "KeyId": key,
        "ImportToken": parameters["ImportToken"],
        "EncryptedKeyMaterial": b64.encode(wrapped),
        "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
    });
    if let (Some(request), Some(extra)) = (request.as_object_mut(), extra.as_object()) {
        request.extend(extra.clone());
    }
    call(kms, region, "ImportKeyMaterial", request)
}

fn state(kms: &Kms, region: &str, key: &str) -> Value {
    ok(kms, region, "DescribeKey", json!({"KeyId": key}))["KeyMetadata"]["KeyState"].clone()
}

fn external_primary(kms: &Kms) -> String {
    let created = ok(
        kms,
        PRIMARY,
        "CreateKey",
        json!({"MultiRegion": true, "Origin": "EXTERNAL"}),
    );
    assert_eq!(created["KeyMetadata"]["Origin"], "EXTERNAL");
    assert_eq!(created["KeyMetadata"]["KeyState"], "PendingImport");
    created["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned()
}

fn replicate(kms: &Kms, key: &str) -> Value {
    ok(
        kms,
        PRIMARY,
        "ReplicateKey",
        json!({"KeyId": key, "ReplicaRegion": REPLICA}),
    )["ReplicaKeyMetadata"]
        .clone()
}

fn encrypt(kms: &Kms, region: &str, key: &str) -> Result<Value, KmsError> {
    call(kms, region, "Encrypt", json!({"KeyId": key, "Plaintext": "aGVsbG8="}))
}

fn decrypt(kms: &Kms, region: &str, blob: &Value) -> Result<Value, KmsError> {
    call(kms, region, "Decrypt", json!({"CiphertextBlob": blob}))
}

#[test]
fn a_replica_of_an_imported_primary_is_created_pending_import_without_material() {
    let kms = open(Arc::new(SimulatedClock::at(NOW)));
    let id = external_primary(&kms);
    assert!(id.starts_with("mrk-"), "{id}");
    import(&kms, PRIMARY, &id, &[1; 32], json!({})).unwrap();
    assert_eq!(state(&kms, PRIMARY, &id), "Enabled");
    let replica = replicate(&kms, &id);
    assert_eq!(replica["Origin"], "EXTERNAL");
    assert_eq!(replica["KeyState"], "PendingImport");
    assert_eq!(
        refused(encrypt(&kms, REPLICA, &id)),
        ErrorName::KMSInvalidStateException
    );
}

#[test]
fn the_same_material_in_primary_and_replica_decrypts_across_regions() {
    let kms = open(Arc::new(SimulatedClock::at(NOW)));
    let id = external_primary(&kms);
    import(&kms, PRIMARY, &id, &[2; 32], json!({})).unwrap();
    let from_primary = encrypt(&kms, PRIMARY, &id).unwrap()["CiphertextBlob"].clone();
    replicate(&kms, &id);
    assert_eq!(
        refused(decrypt(&kms, REPLICA, &from_primary)),
        ErrorName::KMSInvalidStateException
    );
    let imported = import(&kms, REPLICA, &id, &[2; 32], json!({})).unwrap();
    assert_eq!(state(&kms, REPLICA, &id), "Enabled");
    let primary_id = ok(
        &kms,
        PRIMARY,
        "ListKeyRotations",
        json!({"KeyId": id, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"}),
    );
    assert_eq!(
        imported["KeyMaterialId"], primary_id["Rotations"][0]["KeyMaterialId"],
        "the same material has the same KeyMaterialId in every Region"
    );
    assert_eq!(decrypt(&kms, REPLICA, &from_primary).unwrap()["Plaintext"], "aGVsbG8=");
    let from_replica = encrypt(&kms, REPLICA, &id).unwrap()["CiphertextBlob"].clone();
    assert_eq!(decrypt(&kms, PRIMARY, &from_replica).unwrap()["Plaintext"], "aGVsbG8=");
}

/// ImportKeyMaterial API reference: "You cannot directly import new key
/// material into the replica Region keys"; other material than the key's
/// is IncorrectKeyMaterialException.
#[test]
fn a_replica_refuses_material_other_than_its_primarys() {
    let kms = open(Arc::new(SimulatedClock::at(NOW)));
    let id = external_primary(&kms);
    import(&kms, PRIMARY, &id, &[3; 32], json!({})).unwrap();
    replicate(&kms, &id);
    assert_eq!(
        refused(import(&kms, REPLICA, &id, &[4; 32], json!({}))),
        ErrorName::IncorrectKeyMaterialException
    );
    assert_eq!(
        refused(import(
            &kms,
            REPLICA,
            &id,
            &[3; 32],
            json!({"ImportType": "NEW_KEY_MATERIAL"})
        )),
        ErrorName::UnsupportedOperationException
    );
    assert_eq!(state(&kms, REPLICA, &id), "PendingImport");
    import(
        &kms,
        REPLICA,
        &id,
        &[3; 32],
        json!({"ImportType": "EXISTING_KEY_MATERIAL"}),
    )
    .unwrap();
    assert_eq!(state(&kms, REPLICA, &id), "Enabled");
}

#[test]
fn a_replica_made_before_the_primary_has_material_waits_for_the_primarys_import() {
    let kms = open(Arc::new(SimulatedClock::at(NOW)));
    let id = external_primary(&kms);
    replicate(&kms, &id);
    assert_eq!(
        refused(import(&kms, REPLICA, &id, &[5; 32], json!({}))),
        ErrorName::IncorrectKeyMaterialException,
        "the replica takes no material before its primary has it"
    );
    import(&kms, PRIMARY, &id, &[5; 32], json!({})).unwrap();
    assert_eq!(
        refused(import(&kms, REPLICA, &id, &[6; 32], json!({}))),
        ErrorName::IncorrectKeyMaterialException
    );
    import(&kms, REPLICA, &id, &[5; 32], json!({})).unwrap();
    let blob = encrypt(&kms, PRIMARY, &id).unwrap()["CiphertextBlob"].clone();
    assert_eq!(decrypt(&kms, REPLICA, &blob).unwrap()["Plaintext"], "aGVsbG8=");
}

/// multi-region-keys-import.html: "The key states of related multi-Region
/// keys are independent of each other. For example, if the key material in
/// the primary key expires, its replica keys are unaffected."
#[test]
fn expiry_and_deletion_of_material_affect_only_that_regions_copy() {
    let clock = Arc::new(SimulatedClock::at(NOW));
    let kms = open(clock.clone());
    let id = external_primary(&kms);
    let expiring = json!({"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": NOW + 86_400});
    import(&kms, PRIMARY, &id, &[7; 32], expiring).unwrap();
    replicate(&kms, &id);
    import(&kms, REPLICA, &id, &[7; 32], json!({})).unwrap();
    let replica = ok(&kms, REPLICA, "DescribeKey", json!({"KeyId": id}))["KeyMetadata"].clone();
    assert_eq!(replica["ExpirationModel"], "KEY_MATERIAL_DOES_NOT_EXPIRE");
    assert!(replica.get("ValidTo").is_none());

    clock.advance(2 * 86_400);
    assert_eq!(state(&kms, PRIMARY, &id), "PendingImport");
    assert_eq!(state(&kms, REPLICA, &id), "Enabled");
    let blob = encrypt(&kms, REPLICA, &id).unwrap()["CiphertextBlob"].clone();

    import(&kms, PRIMARY, &id, &[7; 32], json!({})).unwrap();
    ok(&kms, REPLICA, "DeleteImportedKeyMaterial", json!({"KeyId": id}));
    assert_eq!(state(&kms, REPLICA, &id), "PendingImport");
    assert_eq!(state(&kms, PRIMARY, &id), "Enabled");
    assert_eq!(decrypt(&kms, PRIMARY, &blob).unwrap()["Plaintext"], "aGVsbG8=");

    ok(&kms, PRIMARY, "DeleteImportedKeyMaterial", json!({"KeyId": id}));
    import(&kms, REPLICA, &id, &[7; 32], json!({})).unwrap();
    assert_eq!(state(&kms, PRIMARY, &id), "PendingImport");
    assert_eq!(state(&kms, REPLICA, &id), "Enabled");
}

// On-demand rotation of a multi-Region key with imported material
// (ImportKeyMaterial and RotateKeyOnDemand, API reference:
// <https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html>,
// <https://docs.aws.amazon.com/kms/latest/APIReference/API_RotateKeyOnDemand.html>):
// new material is imported into the primary (`NEW_KEY_MATERIAL`), then into
// each replica (`EXISTING_KEY_MATERIAL`); it is
// `PENDING_MULTI_REGION_IMPORT_AND_ROTATION` until every replica has it, then
// `PENDING_ROTATION` (`KeyMaterialState`,
// <https://docs.aws.amazon.com/kms/latest/APIReference/API_RotationsListEntry.html>),
// and the primary's rotation rotates every copy.

const THIRD: &str = "ap-southeast-2";

fn replicate_to(kms: &Kms, key: &str, region: &str) {
    ok(
        kms,
        PRIMARY,
        "ReplicateKey",
        json!({"KeyId": key, "ReplicaRegion": region}),
    );
}

/// Each material of the copy in `region`: (KeyMaterialId, KeyMaterialState, ImportState).
fn materials(kms: &Kms, region: &str, key: &str) -> Vec<(String, String, String)> {
    let listed = ok(
        kms,
        region,
        "ListKeyRotations",
        json!({"KeyId": key, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"}),
    );
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    listed["Rotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                text(&r["KeyMaterialId"]),
                text(&r["KeyMaterialState"]),
                text(&r["ImportState"]),
            )
        })
        .collect()
}

/// The state and import state of material `id` in the copy in `region`.
fn material(kms: &Kms, region: &str, key: &str, id: &Value) -> (String, String) {
    let id = id.as_str().unwrap();
    let found = materials(kms, region, key).into_iter().find(|(m, ..)| m == id);
    let (_, state, import_state) = found.unwrap_or_else(|| panic!("{region} does not list {id}"));
    (state, import_state)
}

fn current_material(kms: &Kms, region: &str, key: &str) -> Value {
    ok(kms, region, "DescribeKey", json!({"KeyId": key}))["KeyMetadata"]["CurrentKeyMaterialId"].clone()
}

/// A primary in PRIMARY with replicas in REPLICA and THIRD, all holding
/// material `[first; 32]`; its KeyMaterialId.
fn imported_in_three_regions(kms: &Kms, first: u8) -> (String, Value) {
    let id = external_primary(kms);
    let imported = import(kms, PRIMARY, &id, &[first; 32], json!({})).unwrap();
    for region in [REPLICA, THIRD] {
        replicate_to(kms, &id, region);
        import(kms, region, &id, &[first; 32], json!({})).unwrap();
    }
    (id, imported["KeyMaterialId"].clone())
}

fn new_material(kms: &Kms, key: &str, material: u8) -> Value {
    import(
        kms,
        PRIMARY,
        key,
        &[material; 32],
        json!({"ImportType": "NEW_KEY_MATERIAL"}),
    )
    .unwrap()["KeyMaterialId"]
        .clone()
}

const PENDING_MULTI_REGION: &str = "PENDING_MULTI_REGION_IMPORT_AND_ROTATION";

#[test]
fn new_material_in_a_primary_is_pending_multi_region_import_until_every_replica_has_it() {
    let kms = open(Arc::new(SimulatedClock::at(NOW)));
    let (id, first) = imported_in_three_regions(&kms, 10);
    let second = new_material(&kms, &id, 11);
    assert_ne!(second, first);
    let pending = |import_state: &str| (PENDING_MULTI_REGION.to_owned(), import_state.to_owned());
    assert_eq!(material(&kms, PRIMARY, &id, &second), pending("IMPORTED"));
    for region in [REPLICA, THIRD] {
        assert_eq!(material(&kms, region, &id, &second), pending("PENDING_IMPORT"));
        assert_eq!(
            state(&kms, region, &id),
            "Enabled",
            "pending material does not hold a replica up"
        );
    }

    // "The import type for the replica Region key should be EXISTING_KEY_MATERIAL."
    assert_eq!(
        refused(import(
            &kms,
            REPLICA,
            &id,
            &[11; 32],
            json!({"ImportType": "NEW_KEY_MATERIAL"})
        )),
        ErrorName::UnsupportedOperationException
    );
    import(
        &kms,
        REPLICA,
        &id,
        &[11; 32],
        json!({"ImportType": "EXISTING_KEY_MATERIAL", "KeyMaterialId": second}),
    )
    .unwrap();
    assert_eq!(material(&kms, REPLICA, &id, &second), pending("IMPORTED"));
    assert_eq!(
        material(&kms, PRIMARY, &id, &second).0,
        PENDING_MULTI_REGION,
        "{THIRD} still lacks it"
    );

    import(&kms, THIRD, &id, &[11; 32], json!({})).unwrap();
    for region in [PRIMARY, REPLICA, THIRD] {
        assert_eq!(
            material(&kms, region, &id, &second),
            ("PENDING_ROTATION".to_owned(), "IMPORTED".to_owned()),
            "{region}"
        );
        assert_eq!(material(&kms, region, &id, &first).0, "CURRENT", "{region}");
        assert_eq!(current_material(&kms, region, &id), first, "{region}");
    }
}

#[test]
fn rotate_key_on_demand_waits_for_every_replica_then_rotates_the_primary_and_its_replicas() {
    let kms = open(Arc::new(SimulatedClock::at(NOW)));
    let (id, first) = imported_in_three_regions(&kms, 20);
    let old = encrypt(&kms, REPLICA, &id).unwrap()["CiphertextBlob"].clone();
    let second = new_material(&kms, &id, 21);
    import(&kms, REPLICA, &id, &[21; 32], json!({})).unwrap();

    let early = call(&kms, PRIMARY, "RotateKeyOnDemand", json!({"KeyId": id})).unwrap_err();
    assert_eq!(early.name, ErrorName::KMSInvalidStateException);
    assert!(early.message.contains(THIRD), "{}", early.message);
    assert_eq!(current_material(&kms, PRIMARY, &id), first);

    import(&kms, THIRD, &id, &[21; 32], json!({})).unwrap();
    assert_eq!(
        refused(call(&kms, REPLICA, "RotateKeyOnDemand", json!({"KeyId": id}))),
        ErrorName::UnsupportedOperationException,
        "a replica is rotated through its primary"
    );
    ok(&kms, PRIMARY, "RotateKeyOnDemand", json!({"KeyId": id}));
    for region in [PRIMARY, REPLICA, THIRD] {
        assert_eq!(current_material(&kms, region, &id), second, "{region}");
        assert_eq!(material(&kms, region, &id, &second).0, "CURRENT", "{region}");
        assert_eq!(material(&kms, region, &id, &first).0, "NON_CURRENT", "{region}");
    }
    let new = encrypt(&kms, THIRD, &id).unwrap()["CiphertextBlob"].clone();
    for region in [PRIMARY, REPLICA, THIRD] {
        let opened = decrypt(&kms, region, &new).unwrap();
        assert_eq!(opened["KeyMaterialId"], second, "{region}");
        assert_eq!(decrypt(&kms, region, &old).unwrap()["KeyMaterialId"], first, "{region}");
    }
    let rotations = ok(&kms, REPLICA, "ListKeyRotations", json!({"KeyId": id}));
    assert_eq!(rotations["Rotations"][0]["KeyMaterialId"], second);
    assert_eq!(rotations["Rotations"][0]["RotationType"], "ON_DEMAND");
}

#[test]
fn a_replica_made_after_new_material_was_imported_must_import_it_too() {
    let kms = open(Arc::new(SimulatedClock::at(NOW)));
    let id = external_primary(&kms);
    let first = import(&kms, PRIMARY, &id, &[30; 32], json!({})).unwrap()["KeyMaterialId"].clone();
    let second = new_material(&kms, &id, 31);
    assert_eq!(
        material(&kms, PRIMARY, &id, &second).0,
        "PENDING_ROTATION",
        "a primary without replicas lacks nothing"
    );
    replicate(&kms, &id);
    assert_eq!(material(&kms, PRIMARY, &id, &second).0, PENDING_MULTI_REGION);
    assert_eq!(
        material(&kms, REPLICA, &id, &second),
        (PENDING_MULTI_REGION.to_owned(), "PENDING_IMPORT".to_owned())
    );
    assert_eq!(
        refused(call(&kms, PRIMARY, "RotateKeyOnDemand", json!({"KeyId": id}))),
        ErrorName::KMSInvalidStateException
    );
    import(&kms, REPLICA, &id, &[30; 32], json!({})).unwrap();
    assert_eq!(state(&kms, REPLICA, &id), "Enabled");
    assert_eq!(material(&kms, PRIMARY, &id, &second).0, PENDING_MULTI_REGION);
    import(&kms, REPLICA, &id, &[31; 32], json!({})).unwrap();
    assert_eq!(material(&kms, PRIMARY, &id, &second).0, "PENDING_ROTATION");
    ok(&kms, PRIMARY, "RotateKeyOnDemand", json!({"KeyId": id}));
    assert_eq!(current_material(&kms, REPLICA, &id), second);
    assert_eq!(material(&kms, REPLICA, &id, &first).0, "NON_CURRENT");
}

/// DeleteImportedKeyMaterial, "Considerations for multi-Region symmetric
/// encryption keys": deleting pending material from the primary deletes it
/// from the replicas; deleting it from a replica leaves the others unchanged.
#[test]
fn pending_material_deleted_from_a_replica_is_lacking_again_and_from_the_primary_is_gone_everywhere() {
    let kms = open(Arc::new(SimulatedClock::at(NOW)));
    let (id, _) = imported_in_three_regions(&kms, 40);
    let second = new_material(&kms, &id, 41);
    for region in [REPLICA, THIRD] {
        import(&kms, region, &id, &[41; 32], json!({})).unwrap();
    }
    assert_eq!(material(&kms, PRIMARY, &id, &second).0, "PENDING_ROTATION");

    ok(
        &kms,
        THIRD,
        "DeleteImportedKeyMaterial",
        json!({"KeyId": id, "KeyMaterialId": second}),
    );
    assert_eq!(
        material(&kms, THIRD, &id, &second),
        (PENDING_MULTI_REGION.to_owned(), "PENDING_IMPORT".to_owned())
    );
    assert_eq!(state(&kms, THIRD, &id), "Enabled");
    assert_eq!(
        material(&kms, REPLICA, &id, &second),
        (PENDING_MULTI_REGION.to_owned(), "IMPORTED".to_owned())
    );
    assert_eq!(
        refused(call(&kms, PRIMARY, "RotateKeyOnDemand", json!({"KeyId": id}))),
        ErrorName::KMSInvalidStateException
    );

    ok(
        &kms,
        PRIMARY,
        "DeleteImportedKeyMaterial",
        json!({"KeyId": id, "KeyMaterialId": second}),
    );
    for region in [PRIMARY, REPLICA, THIRD] {
        let listed = materials(&kms, region, &id);
        assert_eq!(listed.len(), 1, "{region}: {listed:?}");
        assert_eq!(state(&kms, region, &id), "Enabled", "{region}");
    }
    // Other new material can take its place.
    let third = new_material(&kms, &id, 42);
    assert_eq!(material(&kms, REPLICA, &id, &third).0, PENDING_MULTI_REGION);
    assert_eq!(
        refused(import(&kms, REPLICA, &id, &[41; 32], json!({}))),
        ErrorName::IncorrectKeyMaterialException
    );
}

#[test]
fn a_replica_deleted_while_it_lacks_new_material_no_longer_holds_up_the_rotation() {
    let clock = Arc::new(SimulatedClock::at(NOW));
    let kms = open(clock.clone());
    let (id, _) = imported_in_three_regions(&kms, 50);
    let second = new_material(&kms, &id, 51);
    import(&kms, THIRD, &id, &[51; 32], json!({})).unwrap();
    ok(
        &kms,
        REPLICA,
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    );
    assert_eq!(material(&kms, PRIMARY, &id, &second).0, PENDING_MULTI_REGION);
    clock.advance(8 * 86_400);
    // The replica's Region removes it at its next call.
    ok(&kms, REPLICA, "ListKeys", json!({}));
    assert_eq!(material(&kms, PRIMARY, &id, &second).0, "PENDING_ROTATION");
    assert_eq!(material(&kms, THIRD, &id, &second).0, "PENDING_ROTATION");
    ok(&kms, PRIMARY, "RotateKeyOnDemand", json!({"KeyId": id}));
    assert_eq!(current_material(&kms, THIRD, &id), second);
}

#[test]
fn pending_material_expiring_in_a_replica_is_lacking_there_again() {
    let clock = Arc::new(SimulatedClock::at(NOW));
    let kms = open(clock.clone());
    let (id, _) = imported_in_three_regions(&kms, 60);
    let second = new_material(&kms, &id, 61);
    import(&kms, REPLICA, &id, &[61; 32], json!({})).unwrap();
    let expiring = json!({"ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": NOW + 86_400});
    import(&kms, THIRD, &id, &[61; 32], expiring).unwrap();
    assert_eq!(material(&kms, PRIMARY, &id, &second).0, "PENDING_ROTATION");
    clock.advance(2 * 86_400);
    ok(&kms, THIRD, "ListKeys", json!({}));
    assert_eq!(
        material(&kms, THIRD, &id, &second),
        (PENDING_MULTI_REGION.to_owned(), "PENDING_IMPORT".to_owned())
    );
    assert_eq!(material(&kms, PRIMARY, &id, &second).0, PENDING_MULTI_REGION);
    assert_eq!(state(&kms, THIRD, &id), "Enabled");
    assert_eq!(
        refused(call(&kms, PRIMARY, "RotateKeyOnDemand", json!({"KeyId": id}))),
        ErrorName::KMSInvalidStateException
    );
}

#[test]
fn the_regions_lacking_new_material_survive_a_restart_of_the_sqlite_store() {
    use keyward::store::SqliteStore;
    let dir = std::env::temp_dir().join(format!("keyward-mrk-pending-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let clock = Arc::new(SimulatedClock::at(NOW));
    let (id, second) = {
        let kms = open_store(Box::new(SqliteStore::open(&dir).unwrap()), clock.clone());
        let (id, _) = imported_in_three_regions(&kms, 70);
        let second = new_material(&kms, &id, 71);
        import(&kms, REPLICA, &id, &[71; 32], json!({})).unwrap();
        (id, second)
    };
    let kms = open_store(Box::new(SqliteStore::open(&dir).unwrap()), clock);
    assert_eq!(material(&kms, PRIMARY, &id, &second).0, PENDING_MULTI_REGION);
    assert_eq!(
        refused(call(&kms, PRIMARY, "RotateKeyOnDemand", json!({"KeyId": id}))),
        ErrorName::KMSInvalidStateException
    );
    import(&kms, THIRD, &id, &[71; 32], json!({})).unwrap();
    assert_eq!(material(&kms, PRIMARY, &id, &second).0, "PENDING_ROTATION");
    ok(&kms, PRIMARY, "RotateKeyOnDemand", json!({"KeyId": id}));
    assert_eq!(current_material(&kms, REPLICA, &id), second);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pending_material_expiring_in_the_primary_is_gone_from_every_copy() {
    let clock = Arc::new(SimulatedClock::at(NOW));
    let kms = open(clock.clone());
    let (id, _) = imported_in_three_regions(&kms, 80);
    let expiring =
        json!({"ImportType": "NEW_KEY_MATERIAL", "ExpirationModel": "KEY_MATERIAL_EXPIRES", "ValidTo": NOW + 86_400});
    import(&kms, PRIMARY, &id, &[81; 32], expiring).unwrap();
    import(&kms, REPLICA, &id, &[81; 32], json!({})).unwrap();
    clock.advance(2 * 86_400);
    ok(&kms, PRIMARY, "ListKeys", json!({}));
    for region in [PRIMARY, REPLICA, THIRD] {
        assert_eq!(materials(&kms, region, &id).len(), 1, "{region}");
        assert_eq!(state(&kms, region, &id), "Enabled", "{region}");
    }
    assert_eq!(
        refused(call(&kms, PRIMARY, "RotateKeyOnDemand", json!({"KeyId": id}))),
        ErrorName::KMSInvalidStateException
    );
}

#[test]
fn a_new_primary_rotates_its_copies_once_every_copy_has_the_new_material() {
    let kms = open(Arc::new(SimulatedClock::at(NOW)));
    let (id, first) = imported_in_three_regions(&kms, 90);
    let second = new_material(&kms, &id, 91);
    import(&kms, REPLICA, &id, &[91; 32], json!({})).unwrap();
    ok(
        &kms,
        PRIMARY,
        "UpdatePrimaryRegion",
        json!({"KeyId": id, "PrimaryRegion": REPLICA}),
    );
    assert_eq!(
        refused(call(&kms, REPLICA, "RotateKeyOnDemand", json!({"KeyId": id}))),
        ErrorName::KMSInvalidStateException,
        "{THIRD} still lacks the material"
    );
    import(&kms, THIRD, &id, &[91; 32], json!({})).unwrap();
    ok(&kms, REPLICA, "RotateKeyOnDemand", json!({"KeyId": id}));
    for region in [PRIMARY, REPLICA, THIRD] {
        assert_eq!(current_material(&kms, region, &id), second, "{region}");
        assert_eq!(material(&kms, region, &id, &first).0, "NON_CURRENT", "{region}");
    }
}
