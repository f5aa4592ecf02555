//! The store's behaviours, one module per area: files and keys on disk,
//! row commits and the change log, schema migration, import of the old
//! server layout, several stores on one directory, and the in-memory store
//! answering as SQLite does.

mod commits;
mod equivalence;
mod files;
mod import;
mod migration;
mod sharing;

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{Options, SqliteStore};
use crate::crypto::{KeyMaterial, MaterialId};
use crate::kms::runtime::{Alias, AuditRecord, KeyManager, KeyState, Origin, StoredKey, StoredMaterial};
use crate::kms::{Change, Partition, PartitionState, Row, Snapshot, StoredGrant};

pub(super) const ACCOUNT: &str = "111122223333";
pub(super) const REGION: &str = "us-east-1";

/// A fresh, empty directory under the system's temporary one.
pub(super) fn scratch_dir(name: &str) -> PathBuf {
    let suffix: String = crate::crypto::random_bytes(6)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let dir = std::env::temp_dir().join(format!("keyward-store-{name}-{suffix}"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(super) fn open(dir: &std::path::Path) -> SqliteStore {
    SqliteStore::open_with(dir, Options::quiet()).unwrap()
}

pub(super) fn home() -> Partition {
    Partition::new(ACCOUNT, REGION)
}

/// Material whose bytes are all `byte`, with an id from `byte` too.
pub(super) fn material(byte: u8) -> StoredMaterial {
    StoredMaterial {
        id: MaterialId([byte; 32]),
        material: KeyMaterial::from_bytes([byte; 32]),
        created: i64::from(byte),
        origin: if byte == 1 { Origin::Initial } else { Origin::OnDemand },
    }
}

/// A key with `versions` materials (bytes 1..=versions).
pub(super) fn key(partition: &Partition, id: &str, versions: u8) -> StoredKey {
    StoredKey {
        replication: None,
        pending_window_days: None,
        external: None,
        custom_key_store: None,
        id: id.to_owned(),
        arn: format!("arn:aws:kms:{}:{}:key/{id}", partition.region, partition.account),
        manager: KeyManager::Customer,
        description: format!("key {id}"),
        state: KeyState::Enabled,
        key_spec: "SYMMETRIC_DEFAULT".into(),
        key_usage: "ENCRYPT_DECRYPT".into(),
        created: 1_700_000_000,
        deletion_date: None,
        policy_text: r#"{"Version": "2012-10-17", "Statement": []}"#.into(),
        materials: (1..=versions).map(material).collect(),
        rotation: None,
        tags: BTreeMap::from([("team".to_owned(), "billing".to_owned())]),
    }
}

pub(super) fn alias(partition: &Partition, name: &str, target: &str) -> Alias {
    Alias {
        name: format!("alias/{name}"),
        arn: format!("arn:aws:kms:{}:{}:alias/{name}", partition.region, partition.account),
        target_key_id: target.to_owned(),
        created: 1_700_000_001,
    }
}

pub(super) fn grant(key_arn: &str, id: &str) -> StoredGrant {
    StoredGrant {
        grant_id: id.to_owned(),
        key: key_arn.to_owned(),
        grant_json: format!(r#"{{"GrantId": "{id}", "Operations": ["Decrypt"]}}"#),
        created_at: 1_700_000_002,
        tokens: vec![crate::kms::token_hash(format!("token-{id}"))],
    }
}

pub(super) fn change(partition: &Partition, row: Row) -> Change {
    Change {
        partition: partition.clone(),
        row,
    }
}

/// Three real audit records on one key: `CreateKey` and `Encrypt` by the
/// account's root, and an `Encrypt` refused to a user. Returns the key ARN.
pub(super) fn sample_records() -> (String, Vec<AuditRecord>) {
    use crate::eval::Caller;
    use crate::kms::runtime::{Runtime, SimulatedClock};
    let mut rt = Runtime::new(ACCOUNT, REGION, SimulatedClock::at(1_795_867_200));
    let root = Caller::parse("arn:aws:iam::111122223333:root").unwrap();
    let user = Caller::parse("arn:aws:iam::111122223333:user/reader").unwrap();
    let created = rt.create_key(&root, None, None, false).unwrap();
    rt.encrypt(&root, &created.key_id, b"x", &BTreeMap::new(), &[]).unwrap();
    assert!(rt.encrypt(&user, &created.key_id, b"x", &BTreeMap::new(), &[]).is_err());
    (created.arn, rt.audit.drain())
}

/// A snapshot as comparable text: every field, material bytes included.
pub(super) fn describe(snapshot: &Snapshot) -> String {
    let mut out = format!("seq {}\n", snapshot.seq);
    for partition in &snapshot.partitions {
        out.push_str(&describe_partition(partition));
    }
    out
}

pub(super) fn describe_partition(rows: &PartitionState) -> String {
    let mut out = format!("{}/{}\n", rows.partition.account, rows.partition.region);
    for key in &rows.keys {
        out.push_str(&format!("  {}\n", describe_key(key)));
    }
    for alias in &rows.aliases {
        out.push_str(&format!("  {alias:?}\n"));
    }
    for grant in &rows.grants {
        out.push_str(&format!("  {grant:?}\n"));
    }
    for store in &rows.custom_key_stores {
        out.push_str(&format!("  {store:?}\n"));
    }
    for import in &rows.imports {
        out.push_str(&format!("  {}\n", describe_import(import)));
    }
    out
}

/// An import token's row with its private key's bytes (`Debug` hides them).
pub(super) fn describe_import(import: &crate::kms::runtime::StoredImport) -> String {
    format!(
        "{import:?} key {}",
        crate::crypto::hex(import.private_key.expose_secret())
    )
}

/// An import token's row for `partition`, token `n`, with a stand-in
/// private key (the store keeps the bytes; it never parses them).
pub(super) fn import_token(partition: &Partition, n: u8, expires: i64) -> crate::kms::runtime::StoredImport {
    crate::kms::runtime::StoredImport {
        token_hash: crate::kms::token_hash([n]),
        key_arn: format!("arn:aws:kms:{}:{}:key/key-{n}", partition.region, partition.account),
        algorithm: crate::crypto::import::WrappingAlgorithm::RsaesOaepSha256,
        wrapping_key_spec: crate::crypto::keys::KeySpec::Rsa2048,
        expires,
        private_key: KeyMaterial::from_secret(zeroize::Zeroizing::new(vec![n; 40])),
    }
}

/// An external key store, `cks-<n>`, connected or not.
pub(super) fn custom_key_store(n: u8, connected: bool) -> crate::kms::runtime::CustomKeyStore {
    use crate::kms::runtime::{ConnectionState, CustomKeyStore, ProxySecret, StoreType, XksProxy};
    CustomKeyStore {
        id: format!("cks-{n:017}"),
        name: format!("store {n}"),
        store_type: StoreType::External,
        created: 1_795_867_200,
        state: if connected {
            ConnectionState::Connected
        } else {
            ConnectionState::Disconnected
        },
        error_code: None,
        cloud_hsm_cluster_id: None,
        trust_anchor_certificate: None,
        xks: Some(XksProxy {
            connectivity: "PUBLIC_ENDPOINT".into(),
            access_key_id: "ABCDEFGHIJKLMNOPQRST".into(),
            uri_endpoint: format!("https://xks{n}.example.com"),
            uri_path: "/kms/xks/v1".into(),
            vpc_endpoint_service_name: None,
            vpc_endpoint_service_owner: None,
            secret: Some(ProxySecret::new(STORE_SECRET)),
        }),
    }
}

/// The proxy secret of [`custom_key_store`]'s stores.
pub(super) const STORE_SECRET: &str = "c3RvcmUtdGVzdC1wcm94eS1zZWNyZXQtMDEyMzQ1Njc4OQ==";

pub(super) fn describe_key(key: &StoredKey) -> String {
    let materials: Vec<String> = key
        .materials
        .iter()
        .map(|m| {
            format!(
                "{}:{:02x?}:{}:{}",
                m.id,
                m.material.expose_for_wrapping().as_slice(),
                m.created,
                m.origin.as_str()
            )
        })
        .collect();
    format!(
        "{} {} {} {} {} {:?} {} {:?} {:?} [{}]",
        key.id,
        key.arn,
        key.manager.as_str(),
        key.state.as_str(),
        key.description,
        key.deletion_date,
        key.created,
        key.rotation,
        key.tags,
        materials.join(", ")
    )
}

pub(super) fn describe_change(change: &Change) -> String {
    let row = match &change.row {
        Row::Key(key) => describe_key(key),
        Row::Import(import) => describe_import(import),
        other => format!("{other:?}"),
    };
    format!("{}/{} {row}", change.partition.account, change.partition.region)
}
