//! Multi-Region keys through `kms::Service`: a primary and its replicas in
//! other Regions of the same state share a key id, key material and
//! rotation; each keeps its own policy, tags and state; deletion waits for
//! the replicas
//! (<https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html>).

use std::sync::Arc;

use keyward::kms::runtime::SimulatedClock;
use keyward::kms::{Authorizer, ErrorName, Service};
use keyward::store::{MemoryStore, SqliteStore};
use serde_json::{json, Value};

use crate::regional::{call, ok, refused, Kms, A};

const NOW: i64 = 1_795_867_200;

fn open(store: Box<dyn keyward::kms::Store>, clock: Arc<SimulatedClock>) -> Kms {
    Service::open(store, Authorizer::default(), clock, A).unwrap()
}

fn primary(kms: &Kms) -> (String, Value) {
    let created = ok(kms, "us-east-1", "CreateKey", json!({"MultiRegion": true}));
    let id = created["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    (id, created["KeyMetadata"].clone())
}

#[test]
fn a_multi_region_key_has_an_mrk_id_and_its_configuration() {
    let kms = open(Box::new(MemoryStore::new()), Arc::new(SimulatedClock::at(NOW)));
    let (id, metadata) = primary(&kms);
    assert!(id.starts_with("mrk-") && id.len() == 36, "{id}");
    assert_eq!(metadata["MultiRegion"], true);
    assert_eq!(
        metadata["MultiRegionConfiguration"],
        json!({
            "MultiRegionKeyType": "PRIMARY",
            "PrimaryKey": {"Arn": format!("arn:aws:kms:us-east-1:{A}:key/{id}"), "Region": "us-east-1"},
            "ReplicaKeys": []
        })
    );
    let single = ok(&kms, "us-east-1", "CreateKey", json!({}));
    assert_eq!(single["KeyMetadata"]["MultiRegion"], false);
    assert!(single["KeyMetadata"].get("MultiRegionConfiguration").is_none());
}

#[test]
fn a_replica_decrypts_what_the_primary_encrypted_and_shares_its_rotations() {
    let kms = open(Box::new(MemoryStore::new()), Arc::new(SimulatedClock::at(NOW)));
    let (id, _) = primary(&kms);
    let replicated = ok(
        &kms,
        "us-east-1",
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": "eu-west-1", "Description": "replica", "Tags": [{"TagKey": "r", "TagValue": "eu"}]}),
    );
    let replica = &replicated["ReplicaKeyMetadata"];
    assert_eq!(replica["Arn"], format!("arn:aws:kms:eu-west-1:{A}:key/{id}"));
    assert_eq!(replica["MultiRegionConfiguration"]["MultiRegionKeyType"], "REPLICA");
    assert_eq!(replicated["ReplicaTags"], json!([{"TagKey": "r", "TagValue": "eu"}]));
    // Each copy sees the whole set.
    let described = ok(&kms, "us-east-1", "DescribeKey", json!({"KeyId": id}));
    assert_eq!(
        described["KeyMetadata"]["MultiRegionConfiguration"]["ReplicaKeys"],
        json!([{"Arn": format!("arn:aws:kms:eu-west-1:{A}:key/{id}"), "Region": "eu-west-1"}])
    );
    let in_eu = ok(&kms, "eu-west-1", "DescribeKey", json!({"KeyId": id}));
    assert_eq!(in_eu["KeyMetadata"]["Description"], "replica");
    // Tags are per copy.
    assert_eq!(
        ok(&kms, "us-east-1", "ListResourceTags", json!({"KeyId": id}))["Tags"],
        json!([])
    );

    let sealed = ok(&kms, "us-east-1", "Encrypt", json!({"KeyId": id, "Plaintext": "aGk="}));
    let opened = ok(
        &kms,
        "eu-west-1",
        "Decrypt",
        json!({"CiphertextBlob": sealed["CiphertextBlob"]}),
    );
    assert_eq!(opened["Plaintext"], "aGk=");
    assert_eq!(opened["KeyId"], format!("arn:aws:kms:eu-west-1:{A}:key/{id}"));

    ok(&kms, "us-east-1", "RotateKeyOnDemand", json!({"KeyId": id}));
    let after = ok(&kms, "us-east-1", "Encrypt", json!({"KeyId": id, "Plaintext": "aGk="}));
    let opened = ok(
        &kms,
        "eu-west-1",
        "Decrypt",
        json!({"CiphertextBlob": after["CiphertextBlob"]}),
    );
    assert_eq!(opened["Plaintext"], "aGk=");
    assert_eq!(
        refused(call(&kms, "eu-west-1", "RotateKeyOnDemand", json!({"KeyId": id}))),
        ErrorName::UnsupportedOperationException
    );
    // Only a primary is replicated, once per Region.
    assert_eq!(
        refused(call(
            &kms,
            "us-east-1",
            "ReplicateKey",
            json!({"KeyId": id, "ReplicaRegion": "eu-west-1"})
        )),
        ErrorName::AlreadyExistsException
    );
    assert_eq!(
        refused(call(
            &kms,
            "eu-west-1",
            "ReplicateKey",
            json!({"KeyId": id, "ReplicaRegion": "ap-south-1"})
        )),
        ErrorName::UnsupportedOperationException
    );
    let single = ok(&kms, "us-east-1", "CreateKey", json!({}))["KeyMetadata"]["KeyId"].clone();
    assert_eq!(
        refused(call(
            &kms,
            "us-east-1",
            "ReplicateKey",
            json!({"KeyId": single, "ReplicaRegion": "eu-west-1"})
        )),
        ErrorName::UnsupportedOperationException
    );
    assert_eq!(
        refused(call(
            &kms,
            "us-east-1",
            "ReplicateKey",
            json!({"KeyId": id, "ReplicaRegion": "Mars"})
        )),
        ErrorName::ValidationException
    );
    // "a different Region of the same Amazon Web Services partition" (ReplicateKey, KMS API reference)
    assert_eq!(
        refused(call(
            &kms,
            "us-east-1",
            "ReplicateKey",
            json!({"KeyId": id, "ReplicaRegion": "cn-north-1"})
        )),
        ErrorName::UnsupportedOperationException
    );
}

#[test]
fn update_primary_region_swaps_the_roles_in_every_copy() {
    let kms = open(Box::new(MemoryStore::new()), Arc::new(SimulatedClock::at(NOW)));
    let (id, _) = primary(&kms);
    for region in ["eu-west-1", "ap-south-1"] {
        ok(
            &kms,
            "us-east-1",
            "ReplicateKey",
            json!({"KeyId": id, "ReplicaRegion": region}),
        );
    }
    ok(
        &kms,
        "us-east-1",
        "UpdatePrimaryRegion",
        json!({"KeyId": id, "PrimaryRegion": "eu-west-1"}),
    );
    for region in ["us-east-1", "eu-west-1", "ap-south-1"] {
        let configuration =
            ok(&kms, region, "DescribeKey", json!({"KeyId": id}))["KeyMetadata"]["MultiRegionConfiguration"].clone();
        assert_eq!(configuration["PrimaryKey"]["Region"], "eu-west-1", "{region}");
        let expected = if region == "eu-west-1" { "PRIMARY" } else { "REPLICA" };
        assert_eq!(configuration["MultiRegionKeyType"], expected, "{region}");
        let replicas: Vec<&str> = configuration["ReplicaKeys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["Region"].as_str().unwrap())
            .collect();
        assert_eq!(replicas, ["ap-south-1", "us-east-1"], "{region}");
    }
    assert_eq!(
        refused(call(
            &kms,
            "eu-west-1",
            "UpdatePrimaryRegion",
            json!({"KeyId": id, "PrimaryRegion": "sa-east-1"})
        )),
        ErrorName::NotFoundException
    );
}

// https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-delete.html
#[test]
fn a_primary_with_replicas_waits_for_them_before_its_own_waiting_period() {
    let clock = Arc::new(SimulatedClock::at(NOW));
    let kms = open(Box::new(MemoryStore::new()), clock.clone());
    let (id, _) = primary(&kms);
    ok(
        &kms,
        "us-east-1",
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": "eu-west-1"}),
    );
    let scheduled = ok(
        &kms,
        "us-east-1",
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    );
    assert_eq!(scheduled["KeyState"], "PendingReplicaDeletion");
    ok(
        &kms,
        "eu-west-1",
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    );
    clock.advance(8 * 86_400);
    // The replica is gone (swept by the next call in its Region); the primary starts its 7 days.
    assert_eq!(
        refused(call(&kms, "eu-west-1", "DescribeKey", json!({"KeyId": id}))),
        ErrorName::NotFoundException
    );
    let primary = ok(&kms, "us-east-1", "DescribeKey", json!({"KeyId": id}))["KeyMetadata"].clone();
    assert_eq!(primary["KeyState"], "PendingDeletion");
    assert_eq!(primary["MultiRegionConfiguration"]["ReplicaKeys"], json!([]));
    clock.advance(8 * 86_400);
    assert_eq!(
        refused(call(&kms, "us-east-1", "DescribeKey", json!({"KeyId": id}))),
        ErrorName::NotFoundException
    );
}

#[test]
fn replicas_survive_a_restart_of_the_sqlite_store() {
    let dir = std::env::temp_dir().join(format!("keyward-mrk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let clock = Arc::new(SimulatedClock::at(NOW));
    let (id, sealed) = {
        let kms = open(Box::new(SqliteStore::open(&dir).unwrap()), clock.clone());
        let (id, _) = primary(&kms);
        ok(
            &kms,
            "us-east-1",
            "ReplicateKey",
            json!({"KeyId": id, "ReplicaRegion": "eu-west-1"}),
        );
        let sealed = ok(&kms, "us-east-1", "Encrypt", json!({"KeyId": id, "Plaintext": "aGk="}));
        (id, sealed)
    };
    let kms = open(Box::new(SqliteStore::open(&dir).unwrap()), clock);
    let in_eu = ok(&kms, "eu-west-1", "DescribeKey", json!({"KeyId": id}));
    assert_eq!(
        in_eu["KeyMetadata"]["MultiRegionConfiguration"]["PrimaryKey"]["Region"],
        "us-east-1"
    );
    let opened = ok(
        &kms,
        "eu-west-1",
        "Decrypt",
        json!({"CiphertextBlob": sealed["CiphertextBlob"]}),
    );
    assert_eq!(opened["Plaintext"], "aGk=");
    let _ = std::fs::remove_dir_all(&dir);
}

// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
// (kms:MultiRegion, kms:MultiRegionKeyType, kms:ReplicaRegion, kms:PrimaryRegion)
#[test]
fn the_multi_region_condition_keys_reach_the_key_policy() {
    let kms = open(Box::new(MemoryStore::new()), Arc::new(SimulatedClock::at(NOW)));
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{A}:root")}, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Deny", "Principal": "*", "Action": "kms:ReplicateKey", "Resource": "*",
             "Condition": {"StringEquals": {"kms:ReplicaRegion": "ap-south-1"}}},
            {"Effect": "Deny", "Principal": "*", "Action": "kms:UpdatePrimaryRegion", "Resource": "*",
             "Condition": {"StringEquals": {"kms:PrimaryRegion": "sa-east-1"}}},
            {"Effect": "Deny", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*",
             "Condition": {"StringEquals": {"kms:MultiRegionKeyType": "REPLICA"}, "Bool": {"kms:MultiRegion": "true"}}}
        ]
    })
    .to_string();
    let created = ok(
        &kms,
        "us-east-1",
        "CreateKey",
        json!({"MultiRegion": true, "Policy": policy}),
    );
    let id = created["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    for region in ["eu-west-1", "sa-east-1"] {
        ok(
            &kms,
            "us-east-1",
            "ReplicateKey",
            json!({"KeyId": id, "ReplicaRegion": region, "Policy": policy}),
        );
    }
    assert_eq!(
        refused(call(
            &kms,
            "us-east-1",
            "ReplicateKey",
            json!({"KeyId": id, "ReplicaRegion": "ap-south-1"})
        )),
        ErrorName::AccessDeniedException
    );
    assert_eq!(
        refused(call(
            &kms,
            "us-east-1",
            "UpdatePrimaryRegion",
            json!({"KeyId": id, "PrimaryRegion": "sa-east-1"})
        )),
        ErrorName::AccessDeniedException
    );
    ok(&kms, "us-east-1", "Encrypt", json!({"KeyId": id, "Plaintext": "aGk="}));
    assert_eq!(
        refused(call(
            &kms,
            "eu-west-1",
            "Encrypt",
            json!({"KeyId": id, "Plaintext": "aGk="})
        )),
        ErrorName::AccessDeniedException
    );
}

// API_EnableKeyRotation: "To enable or disable automatic rotation of a set of
// related multi-Region keys, set the property on the primary key."
#[test]
fn automatic_rotation_of_a_multi_region_key_is_set_on_its_primary_only() {
    let kms = open(Box::new(MemoryStore::new()), Arc::new(SimulatedClock::at(NOW)));
    let (id, _) = primary(&kms);
    ok(
        &kms,
        "us-east-1",
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": "eu-west-1"}),
    );
    for operation in ["EnableKeyRotation", "DisableKeyRotation"] {
        let error = call(&kms, "eu-west-1", operation, json!({"KeyId": id})).unwrap_err();
        assert_eq!(error.name, ErrorName::UnsupportedOperationException, "{operation}");
        assert!(error.message.contains("set on its primary key"), "{}", error.message);
    }
    ok(&kms, "us-east-1", "EnableKeyRotation", json!({"KeyId": id}));
    ok(&kms, "us-east-1", "DisableKeyRotation", json!({"KeyId": id}));
}

/// A call's sweep (here an automatic rotation that fell due) runs before
/// the call, and is committed whatever the call does; a `DryRun` call undoes
/// only its own changes, so the replicas still get the rotated material.
#[test]
fn a_rotation_swept_before_a_dry_run_call_still_reaches_the_replicas() {
    let clock = Arc::new(SimulatedClock::at(NOW));
    let kms = open(Box::new(MemoryStore::new()), clock.clone());
    let (id, _) = primary(&kms);
    ok(
        &kms,
        "us-east-1",
        "ReplicateKey",
        json!({"KeyId": id, "ReplicaRegion": "eu-west-1"}),
    );
    ok(
        &kms,
        "us-east-1",
        "EnableKeyRotation",
        json!({"KeyId": id, "RotationPeriodInDays": 90}),
    );
    clock.advance(91 * 86_400);
    let dry = call(
        &kms,
        "us-east-1",
        "Encrypt",
        json!({"KeyId": id, "Plaintext": "aGk=", "DryRun": true}),
    );
    assert_eq!(dry.unwrap_err().name, ErrorName::DryRunOperationException);
    let sealed = ok(&kms, "us-east-1", "Encrypt", json!({"KeyId": id, "Plaintext": "aGk="}));
    let opened = ok(
        &kms,
        "eu-west-1",
        "Decrypt",
        json!({"CiphertextBlob": sealed["CiphertextBlob"]}),
    );
    assert_eq!(opened["Plaintext"], "aGk=");
}
