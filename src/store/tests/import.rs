//! The old server layout (`<state>/<account>/<region>/keyward.db`, each
//! with its own root key) moves into the one database when the state
//! directory is opened, once, and is kept renamed; a database an old
//! server still holds is refused, not half imported.

use super::super::{Options, SqliteStore, StoreError, DATABASE_FILE, IMPORTED_SUFFIX, ROOT_KEY_FILE};
use super::migration::version_2_fixture;
use super::{describe_key, key, open, scratch_dir};
use crate::kms::runtime::AuditFilter;
use crate::kms::{Commit, Partition, Store};

#[test]
fn the_old_server_layout_is_imported_once_under_the_main_root_key_and_kept_renamed() {
    let dir = scratch_dir("import");
    let us = Partition::new("111122223333", "us-east-1");
    let eu = Partition::new("444455556666", "eu-west-1");
    for p in [&us, &eu] {
        let old = dir.join(&p.account).join(&p.region);
        std::fs::create_dir_all(&old).unwrap();
        version_2_fixture(&old, &p.account, &p.region);
    }
    let store = open(&dir);
    let snapshot = store.load().unwrap();
    let places: Vec<&Partition> = snapshot.partitions.iter().map(|p| &p.partition).collect();
    assert_eq!(places, [&us, &eu]);
    for rows in &snapshot.partitions {
        // The material unwrapped with the old root key reads back, rewrapped.
        assert_eq!(
            describe_key(&rows.keys[0]),
            describe_key(&key(&rows.partition, "old-key", 2))
        );
        assert_eq!(rows.grants[0].grant_id, "g-old");
    }
    let ids: Vec<u64> = store
        .audit(&AuditFilter::default())
        .unwrap()
        .iter()
        .map(|r| r["eventID"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 3, 4], "renumbered into one sequence");
    for p in [&us, &eu] {
        let old = dir.join(&p.account).join(&p.region);
        assert!(!old.join(DATABASE_FILE).exists());
        assert!(old.join(format!("{DATABASE_FILE}{IMPORTED_SUFFIX}")).is_file());
        assert!(
            old.join(ROOT_KEY_FILE).is_file(),
            "the old root key stays with its database"
        );
    }
    drop(store);

    // Opened again, nothing is imported twice.
    let again = open(&dir);
    assert_eq!(again.load().unwrap().partitions[0].keys.len(), 1);
    assert_eq!(again.audit(&AuditFilter::default()).unwrap().len(), 4);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_import_interrupted_before_the_rename_finishes_without_importing_twice() {
    let dir = scratch_dir("import-again");
    let old = dir.join("111122223333").join("us-east-1");
    std::fs::create_dir_all(&old).unwrap();
    version_2_fixture(&old, "111122223333", "us-east-1");
    let copy = std::fs::read(old.join(DATABASE_FILE)).unwrap();
    drop(open(&dir));
    // As if the process had died between the commit and the rename.
    std::fs::remove_file(old.join(format!("{DATABASE_FILE}{IMPORTED_SUFFIX}"))).unwrap();
    std::fs::write(old.join(DATABASE_FILE), copy).unwrap();
    let store = open(&dir);
    assert_eq!(store.load().unwrap().partitions[0].keys.len(), 1);
    assert_eq!(store.audit(&AuditFilter::default()).unwrap().len(), 2);
    assert!(!old.join(DATABASE_FILE).exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_database_an_old_server_still_holds_is_refused_and_left_in_place() {
    let dir = scratch_dir("import-busy");
    let old = dir.join("111122223333").join("us-east-1");
    std::fs::create_dir_all(&old).unwrap();
    version_2_fixture(&old, "111122223333", "us-east-1");
    let lock = std::fs::File::create(old.join("keyward.lock")).unwrap();
    lock.lock().unwrap();
    // The lock is per open file description: another open of it, as in
    // another process, is refused.
    let error = SqliteStore::open_with(&dir, Options::quiet()).unwrap_err();
    assert!(matches!(error, StoreError::ImportBusy { .. }), "{error}");
    assert!(old.join(DATABASE_FILE).is_file());
    drop(lock);
    let store = open(&dir);
    assert_eq!(store.load().unwrap().partitions.len(), 1);
    store.commit(Commit::default()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
