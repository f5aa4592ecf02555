//! Schema migration: a version 2 database (the flat, one-partition layout
//! the CLI wrote) built with the old schema's own SQL opens into its
//! partition with every row, its audit log and hashed grant tokens; one
//! that cannot be migrated is refused and left as it was.

use std::path::Path;

use rusqlite::{params, Connection};

use super::super::root_key::RootKey;
use super::super::{schema, wrap, Options, SqliteStore, StoreError, DATABASE_FILE, SCHEMA_VERSION};
use super::{describe_key, home, key, open, scratch_dir};
use crate::kms::runtime::AuditFilter;
use crate::kms::{Commit, Store};

/// Writes a version 2 database into `dir` the way keyward 0.1 did: the old
/// schema's SQL, its `instance` row, a key with two wrapped versions, an
/// alias, a grant with a token in the clear, and two audit records.
pub(super) fn version_2_fixture(dir: &Path, account: &str, region: &str) {
    let database = dir.join(DATABASE_FILE);
    let root = RootKey::load_or_create(dir, true, &database).unwrap();
    // keyward 0.1 made the file owner-only before SQLite saw it.
    let mut create = std::fs::OpenOptions::new();
    create.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut create, 0o600);
    create.open(&database).unwrap();
    let raw = Connection::open(&database).unwrap();
    raw.execute_batch("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL) STRICT;")
        .unwrap();
    raw.execute_batch(schema::V1).unwrap();
    raw.execute_batch(schema::V2).unwrap();
    raw.execute_batch("INSERT INTO schema_version VALUES (1, 0), (2, 0);")
        .unwrap();
    raw.execute(
        "INSERT INTO instance (id, account, region) VALUES (1, ?1, ?2)",
        params![account, region],
    )
    .unwrap();
    let partition = crate::kms::Partition::new(account, region);
    let k = key(&partition, "old-key", 2);
    raw.execute(
        "INSERT INTO keys (id, arn, description, state, key_spec, key_usage, created, deletion_date,
            policy_text, rotation_period, rotation_next, tags, manager)
         VALUES (?1, ?2, ?3, 'Enabled', 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', ?4, NULL, ?5, NULL, NULL,
            '{\"team\":\"billing\"}', 'CUSTOMER')",
        params![k.id, k.arn, k.description, k.created, k.policy_text],
    )
    .unwrap();
    for (position, m) in k.materials.iter().enumerate() {
        raw.execute(
            "INSERT INTO materials (key_id, position, material_id, wrapped, created, origin)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                k.id,
                position as i64,
                m.id.to_string(),
                wrap::wrap(&root, &k.id, &m.id, &m.material).unwrap(),
                m.created,
                m.origin.as_str()
            ],
        )
        .unwrap();
    }
    raw.execute(
        "INSERT INTO aliases (name, arn, target_key_id, created) VALUES ('alias/old', ?1, 'old-key', 5)",
        [format!("arn:aws:kms:{region}:{account}:alias/old")],
    )
    .unwrap();
    raw.execute(
        "INSERT INTO grants (position, key, grant_json, created_at, tokens)
         VALUES (0, ?1, '{\"GrantId\": \"g-old\", \"Operations\": [\"Decrypt\"]}', 6, '[\"clear-token\"]')",
        [&k.arn],
    )
    .unwrap();
    for (id, operation) in [(1, "CreateKey"), (2, "CreateGrant")] {
        let record = format!(
            r#"{{"eventID": {id}, "eventName": "{operation}", "userIdentity": {{"arn": "arn:aws:iam::{account}:root"}}, "resources": [{{"ARN": "{}"}}]}}"#,
            k.arn
        );
        raw.execute(
            "INSERT INTO audit (event_id, time, key_arn, principal_arn, operation, error_code, record)
             VALUES (?1, '2026-01-01T00:00:00Z', ?2, ?3, ?4, NULL, ?5)",
            params![id, k.arn, format!("arn:aws:iam::{account}:root"), operation, record],
        )
        .unwrap();
    }
}

#[test]
fn a_version_2_database_opens_into_its_partition_with_hashed_grant_tokens() {
    let dir = scratch_dir("v2");
    version_2_fixture(&dir, "111122223333", "us-east-1");
    let store = open(&dir);
    let snapshot = store.load().unwrap();
    assert_eq!(snapshot.partitions.len(), 1);
    let rows = &snapshot.partitions[0];
    assert_eq!(rows.partition, home());
    assert_eq!(describe_key(&rows.keys[0]), describe_key(&key(&home(), "old-key", 2)));
    assert_eq!(rows.aliases[0].name, "alias/old");
    assert_eq!(rows.grants[0].grant_id, "g-old");
    assert_eq!(rows.grants[0].tokens, [crate::kms::token_hash("clear-token")]);
    // The moved rows are in the change log, so a cache catches up with them.
    assert_eq!(snapshot.seq, 3);
    assert_eq!(store.changes_since(0).unwrap().0.len(), 3);
    // The audit log keeps its numbers and continues after them.
    store
        .commit(Commit {
            audit: super::sample_records().1,
            ..Commit::default()
        })
        .unwrap();
    let ids: Vec<u64> = store
        .audit(&AuditFilter::default())
        .unwrap()
        .iter()
        .map(|r| r["eventID"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    drop(store);
    let raw = Connection::open(dir.join(DATABASE_FILE)).unwrap();
    let version: i64 = raw
        .query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let clear: i64 = raw
        .query_row(
            "SELECT count(*) FROM grants WHERE tokens LIKE '%clear-token%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(clear, 0, "no token is left in the clear");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_version_1_database_migrates_with_every_key_customer_managed() {
    let dir = scratch_dir("v1");
    version_2_fixture(&dir, "111122223333", "us-east-1");
    let raw = Connection::open(dir.join(DATABASE_FILE)).unwrap();
    raw.execute_batch("ALTER TABLE keys DROP COLUMN manager; DELETE FROM schema_version WHERE version > 1;")
        .unwrap();
    drop(raw);
    let snapshot = open(&dir).load().unwrap();
    let migrated = &snapshot.partitions[0].keys[0];
    assert_eq!(migrated.manager, crate::kms::runtime::KeyManager::Customer);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_version_2_database_with_keys_but_no_account_is_refused_and_left_unchanged() {
    let dir = scratch_dir("v2-orphan");
    version_2_fixture(&dir, "111122223333", "us-east-1");
    let raw = Connection::open(dir.join(DATABASE_FILE)).unwrap();
    raw.execute_batch("DELETE FROM instance").unwrap();
    drop(raw);
    let error = SqliteStore::open_with(&dir, Options::quiet()).unwrap_err();
    assert!(matches!(error, StoreError::Unmigratable { version: 2, .. }), "{error}");
    assert!(error.to_string().contains("schema version 2"), "{error}");
    let raw = Connection::open(dir.join(DATABASE_FILE)).unwrap();
    let (version, keys): (i64, i64) = raw
        .query_row(
            "SELECT (SELECT max(version) FROM schema_version), (SELECT count(*) FROM keys)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((version, keys), (2, 1), "the refused migration changed nothing");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_database_from_a_newer_keyward_is_refused_naming_both_versions() {
    let dir = scratch_dir("too-new");
    drop(open(&dir));
    let raw = Connection::open(dir.join(DATABASE_FILE)).unwrap();
    raw.execute("INSERT INTO schema_version VALUES (?1, 0)", [SCHEMA_VERSION + 1])
        .unwrap();
    drop(raw);
    let error = SqliteStore::open_with(&dir, Options::quiet()).unwrap_err();
    assert!(
        matches!(error, StoreError::TooNew { found, known, .. } if found == SCHEMA_VERSION + 1 && known == SCHEMA_VERSION),
        "{error}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A state written by schema 4 (no custom key stores or import tokens; a
/// change log whose kinds are key, alias and grant): the version 2 fixture opened, then
/// taken back to what schema 4 left.
fn version_4_fixture(dir: &Path) {
    version_2_fixture(dir, "111122223333", "us-east-1");
    drop(open(dir));
    let raw = Connection::open(dir.join(DATABASE_FILE)).unwrap();
    raw.execute_batch(
        "DROP TABLE custom_key_stores;
         DROP TABLE import_tokens;
         ALTER TABLE changes RENAME TO changes_v5;
         CREATE TABLE changes (
             seq     INTEGER PRIMARY KEY AUTOINCREMENT,
             account TEXT NOT NULL,
             region  TEXT NOT NULL,
             kind    TEXT NOT NULL CHECK (kind IN ('key', 'alias', 'grant')),
             id      TEXT NOT NULL,
             UNIQUE (account, region, kind, id)
         ) STRICT;
         INSERT INTO changes SELECT * FROM changes_v5;
         DROP TABLE changes_v5;
         DELETE FROM schema_version WHERE version > 4;",
    )
    .unwrap();
}

#[test]
fn a_version_4_database_keeps_its_change_log_and_takes_custom_key_stores() {
    let dir = scratch_dir("v4");
    version_4_fixture(&dir);
    let store = open(&dir);
    let before = store.load().unwrap();
    assert_eq!(before.seq, 3);
    assert_eq!(store.changes_since(0).unwrap().0.len(), 3);
    assert!(before.partitions[0].custom_key_stores.is_empty());
    let saved = super::custom_key_store(1, true);
    let seq = store
        .commit(Commit {
            changes: vec![super::change(&home(), crate::kms::Row::CustomKeyStore(saved.clone()))],
            base: 3,
            ..Commit::default()
        })
        .unwrap();
    assert_eq!(seq, 4);
    drop(store);
    let store = open(&dir);
    let after = store.load().unwrap();
    assert_eq!(after.partitions[0].custom_key_stores, std::slice::from_ref(&saved));
    let (changes, seq) = store.changes_since(3).unwrap();
    assert_eq!(seq, 4);
    assert!(matches!(&changes[..], [c] if matches!(&c.row, crate::kms::Row::CustomKeyStore(s) if *s == saved)));
    drop(store);
    let raw = Connection::open(dir.join(DATABASE_FILE)).unwrap();
    let version: i64 = raw
        .query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    // The proxy secret is in the row only wrapped under the root key.
    let row: String = raw
        .query_row("SELECT store FROM custom_key_stores", [], |r| r.get(0))
        .unwrap();
    assert!(
        row.contains("wrapped_proxy_secret") && !row.contains(super::STORE_SECRET),
        "{row}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
