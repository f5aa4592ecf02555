//! Row commits: each commit writes exactly its rows, the change log numbers
//! them, a stale commit is refused whole, and the store numbers audit
//! records, also when many threads commit at once.

use std::sync::Arc;

use super::super::{StoreError, DATABASE_FILE};
use super::{
    alias, change, describe_change, describe_key, grant, home, key, material, open, sample_records, scratch_dir,
};
use crate::kms::runtime::AuditFilter;
use crate::kms::{Commit, Partition, Row, Store};

fn rows(changes: Vec<crate::kms::Change>, base: u64) -> Commit {
    Commit {
        changes,
        audit: Vec::new(),
        base,
    }
}

#[test]
fn committed_rows_of_several_partitions_read_back_after_reopening() {
    let dir = scratch_dir("rows");
    let eu = Partition::new("444455556666", "eu-west-1");
    let store = open(&dir);
    let a = key(&home(), "a", 2);
    let b = key(&eu, "b", 1);
    let seq = store
        .commit(rows(
            vec![
                change(&home(), Row::Key(a.clone())),
                change(&eu, Row::Key(b.clone())),
                change(&home(), Row::Alias(alias(&home(), "app", "a"))),
                change(&home(), Row::Grant(grant(&a.arn, "g1"))),
            ],
            0,
        ))
        .unwrap();
    assert_eq!(seq, 4, "one sequence number per row");
    drop(store);

    let snapshot = open(&dir).load().unwrap();
    assert_eq!(snapshot.seq, 4);
    let places: Vec<&Partition> = snapshot.partitions.iter().map(|p| &p.partition).collect();
    assert_eq!(places, [&home(), &eu], "ordered by account, then Region");
    let ours = &snapshot.partitions[0];
    assert_eq!(describe_key(&ours.keys[0]), describe_key(&a));
    assert_eq!(ours.aliases, [alias(&home(), "app", "a")]);
    assert_eq!(ours.grants, [grant(&a.arn, "g1")]);
    assert_eq!(describe_key(&snapshot.partitions[1].keys[0]), describe_key(&b));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn removing_a_key_removes_its_material_and_nothing_else() {
    let dir = scratch_dir("remove");
    let store = open(&dir);
    store
        .commit(rows(
            vec![
                change(&home(), Row::Key(key(&home(), "a", 3))),
                change(&home(), Row::Key(key(&home(), "b", 1))),
                change(&home(), Row::Alias(alias(&home(), "to-a", "a"))),
            ],
            0,
        ))
        .unwrap();
    store
        .commit(rows(vec![change(&home(), Row::KeyRemoved("a".into()))], 3))
        .unwrap();
    let snapshot = store.load().unwrap();
    let ids: Vec<&str> = snapshot.partitions[0].keys.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(ids, ["b"]);
    // The store keeps an alias whose key is gone: the service decides.
    assert_eq!(snapshot.partitions[0].aliases.len(), 1);
    let raw = rusqlite::Connection::open(dir.join(DATABASE_FILE)).unwrap();
    let materials: i64 = raw
        .query_row("SELECT count(*) FROM materials WHERE key_id = 'a'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(materials, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_rewritten_key_keeps_its_stored_versions_as_they_were_and_adds_the_new_one() {
    let dir = scratch_dir("rotate");
    let store = open(&dir);
    store
        .commit(rows(vec![change(&home(), Row::Key(key(&home(), "a", 1)))], 0))
        .unwrap();
    let raw = rusqlite::Connection::open(dir.join(DATABASE_FILE)).unwrap();
    let wrapped = |position: i64| -> Vec<u8> {
        raw.query_row(
            "SELECT wrapped FROM materials WHERE key_id = 'a' AND position = ?1",
            [position],
            |r| r.get(0),
        )
        .unwrap()
    };
    let before = wrapped(0);
    let mut rotated = key(&home(), "a", 2);
    rotated.description = "rotated".into();
    store
        .commit(rows(vec![change(&home(), Row::Key(rotated.clone()))], 1))
        .unwrap();
    assert_eq!(wrapped(0), before, "the first version is not wrapped again");
    let snapshot = store.load().unwrap();
    assert_eq!(describe_key(&snapshot.partitions[0].keys[0]), describe_key(&rotated));
    // A version dropped from the key (an import rolled back) goes too.
    store
        .commit(rows(vec![change(&home(), Row::Key(key(&home(), "a", 1)))], 2))
        .unwrap();
    let snapshot = store.load().unwrap();
    assert_eq!(snapshot.partitions[0].keys[0].materials.len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn changes_since_gives_each_changed_row_once_in_its_latest_state_in_order() {
    let dir = scratch_dir("since");
    let store = open(&dir);
    let a = key(&home(), "a", 1);
    store
        .commit(rows(
            vec![
                change(&home(), Row::Key(a.clone())),
                change(&home(), Row::Alias(alias(&home(), "x", "a"))),
            ],
            0,
        ))
        .unwrap();
    store
        .commit(rows(vec![change(&home(), Row::Grant(grant(&a.arn, "g")))], 2))
        .unwrap();
    let mut renamed = a.clone();
    renamed.description = "renamed".into();
    store
        .commit(rows(
            vec![
                change(&home(), Row::Key(renamed.clone())),
                change(&home(), Row::AliasRemoved("alias/x".into())),
            ],
            3,
        ))
        .unwrap();

    let (changes, seq) = store.changes_since(0).unwrap();
    assert_eq!(seq, 5);
    let seen: Vec<String> = changes.iter().map(describe_change).collect();
    assert_eq!(
        seen,
        [
            describe_change(&change(&home(), Row::Grant(grant(&a.arn, "g")))),
            describe_change(&change(&home(), Row::Key(renamed))),
            describe_change(&change(&home(), Row::AliasRemoved("alias/x".into()))),
        ]
    );
    let (later, seq) = store.changes_since(4).unwrap();
    assert_eq!((later.len(), seq), (1, 5));
    assert!(matches!(&later[0].row, Row::AliasRemoved(name) if name == "alias/x"));
    assert!(store.changes_since(5).unwrap().0.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_commit_against_a_stale_sequence_is_a_conflict_and_writes_nothing() {
    let dir = scratch_dir("conflict");
    let store = open(&dir);
    store
        .commit(rows(vec![change(&home(), Row::Key(key(&home(), "a", 1)))], 0))
        .unwrap();
    let (_, records) = sample_records();
    let stale = Commit {
        changes: vec![change(&home(), Row::Key(key(&home(), "b", 1)))],
        audit: records,
        base: 0,
    };
    let error = store.commit(stale).unwrap_err();
    assert!(matches!(error, StoreError::Conflict { base: 0, current: 1 }), "{error}");
    let snapshot = store.load().unwrap();
    assert_eq!((snapshot.seq, snapshot.partitions[0].keys.len()), (1, 1));
    assert!(store.audit(&AuditFilter::default()).unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn audit_only_commits_take_no_sequence_and_the_store_numbers_the_records() {
    let dir = scratch_dir("audit");
    let store = open(&dir);
    let (arn, records) = sample_records();
    // A stale base does not matter when nothing but audit is written.
    assert_eq!(
        store
            .commit(Commit {
                audit: records.clone(),
                base: 7,
                ..Commit::default()
            })
            .unwrap(),
        7
    );
    store
        .commit(Commit {
            audit: records[..1].to_vec(),
            ..Commit::default()
        })
        .unwrap();
    assert_eq!(store.seq().unwrap(), 0);
    let all = store.audit(&AuditFilter::default()).unwrap();
    let ids: Vec<u64> = all.iter().map(|r| r["eventID"].as_u64().unwrap()).collect();
    assert_eq!(ids, [1, 2, 3, 4], "numbered by the store, not the 1, 2, 3 given");
    let refused = store
        .audit(&AuditFilter {
            succeeded: Some(false),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(
        refused[0]["userIdentity"]["arn"],
        "arn:aws:iam::111122223333:user/reader"
    );
    let encrypts_on_key = store
        .audit(&AuditFilter {
            key: Some(arn),
            operation: Some("ENCRYPT".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(encrypts_on_key.len(), 2);
    assert_eq!(store.last_event_id().unwrap(), 4);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn grant_tokens_are_stored_as_the_hashes_given() {
    let dir = scratch_dir("tokens");
    let store = open(&dir);
    let g = grant("arn:aws:kms:us-east-1:111122223333:key/a", "g");
    store.commit(rows(vec![change(&home(), Row::Grant(g))], 0)).unwrap();
    let raw = rusqlite::Connection::open(dir.join(DATABASE_FILE)).unwrap();
    let tokens: String = raw.query_row("SELECT tokens FROM grants", [], |r| r.get(0)).unwrap();
    assert_eq!(tokens, format!(r#"["{}"]"#, crate::kms::token_hash("token-g")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn concurrent_commits_from_many_threads_all_land_each_all_or_nothing() {
    let dir = scratch_dir("group");
    let store = Arc::new(open(&dir));
    let (_, records) = sample_records();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let store = Arc::clone(&store);
            let records = records.clone();
            std::thread::spawn(move || {
                let mut conflicts = 0;
                for i in 0..25 {
                    // Audit only: always lands.
                    store
                        .commit(Commit {
                            audit: records.clone(),
                            ..Commit::default()
                        })
                        .unwrap();
                    // A key, against the sequence just read: lands or is
                    // refused whole when another thread got there first.
                    loop {
                        let base = store.seq().unwrap();
                        let id = format!("k{t}-{i}");
                        match store.commit(Commit {
                            changes: vec![change(&home(), Row::Key(key(&home(), &id, 1)))],
                            audit: records[..1].to_vec(),
                            base,
                        }) {
                            Ok(_) => break,
                            Err(StoreError::Conflict { .. }) => conflicts += 1,
                            Err(e) => panic!("{e}"),
                        }
                    }
                }
                conflicts
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let snapshot = store.load().unwrap();
    assert_eq!(snapshot.seq, 200);
    assert_eq!(snapshot.partitions[0].keys.len(), 200);
    let ids: Vec<u64> = store
        .audit(&AuditFilter::default())
        .unwrap()
        .iter()
        .map(|r| r["eventID"].as_u64().unwrap())
        .collect();
    // 8 × 25 × (3 + 1) records, numbered without gaps or repeats: a refused
    // commit's record was never written.
    assert_eq!(ids, (1..=800).collect::<Vec<u64>>());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_commit_beyond_the_writers_queue_waits_for_room_then_lands() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};
    let dir = scratch_dir("queue");
    let options = super::super::Options {
        writer_queue: 2,
        ..super::super::Options::quiet()
    };
    let store = Arc::new(super::super::SqliteStore::open_with(&dir, options).unwrap());
    // Another connection holds the write lock: the writer takes what is
    // queued when it starts (at most the first commit and the two queued
    // behind it) and waits for the database; two more fill its queue again.
    let raw = rusqlite::Connection::open(dir.join(DATABASE_FILE)).unwrap();
    raw.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (_, records) = sample_records();
    const COMMITS: usize = 20;
    let sent = Arc::new(AtomicUsize::new(0));
    let submitter = {
        let (store, sent) = (Arc::clone(&store), Arc::clone(&sent));
        std::thread::spawn(move || {
            let receipts: Vec<_> = (0..COMMITS)
                .map(|_| {
                    let receipt = store.submit(Commit {
                        audit: records.clone(),
                        ..Commit::default()
                    });
                    sent.fetch_add(1, Ordering::SeqCst);
                    receipt
                })
                .collect();
            receipts.into_iter().map(|r| r.wait()).collect::<Vec<_>>()
        })
    };
    // Wait until the submitter is stuck: nothing more is sent for 300 ms.
    let started = Instant::now();
    let mut seen = usize::MAX;
    while sent.load(Ordering::SeqCst) != seen && started.elapsed() < Duration::from_secs(10) {
        seen = sent.load(Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(300));
    }
    assert!(
        (3..=5).contains(&seen),
        "{seen} of {COMMITS} commits handed over while the writer is stuck; the others wait for room"
    );
    raw.execute_batch("COMMIT").unwrap();
    let answers = submitter.join().unwrap();
    assert_eq!(answers.len(), COMMITS);
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
    assert_eq!(store.audit(&AuditFilter::default()).unwrap().len(), 3 * COMMITS);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_commit_that_fails_half_written_is_undone_alone_and_the_others_of_its_batch_land() {
    let dir = scratch_dir("half");
    let store = open(&dir);
    let (_, records) = sample_records();
    // The writer takes the first commit and waits for the database, which
    // another connection holds; the next three queue behind it and are then
    // written in one transaction.
    let raw = rusqlite::Connection::open(dir.join(DATABASE_FILE)).unwrap();
    raw.execute_batch("BEGIN IMMEDIATE").unwrap();
    let first = store.submit(Commit {
        audit: records[..1].to_vec(),
        ..Commit::default()
    });
    std::thread::sleep(std::time::Duration::from_millis(200));
    let good = store.submit(rows(vec![change(&home(), Row::Key(key(&home(), "good", 1)))], 0));
    // A key whose two materials share an id: the second material's insert
    // breaks the table's primary key after the key row and the first
    // material have been written.
    let mut twin = key(&home(), "twin", 1);
    twin.materials.push(material(1));
    let broken = store.submit(rows(vec![change(&home(), Row::Key(twin))], 1));
    let audit_only = store.submit(Commit {
        audit: records.clone(),
        ..Commit::default()
    });
    raw.execute_batch("COMMIT").unwrap();
    assert_eq!(first.wait().unwrap(), 0);
    assert_eq!(good.wait().unwrap(), 1);
    assert!(matches!(broken.wait(), Err(StoreError::Database { .. })));
    audit_only.wait().unwrap();

    let snapshot = store.load().unwrap();
    assert_eq!(snapshot.seq, 1, "the broken commit used no sequence number");
    let ids: Vec<&str> = snapshot.partitions[0].keys.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(ids, ["good"], "nothing of the broken commit stays");
    let events: Vec<u64> = store
        .audit(&AuditFilter::default())
        .unwrap()
        .iter()
        .map(|r| r["eventID"].as_u64().unwrap())
        .collect();
    assert_eq!(
        events,
        [1, 2, 3, 4],
        "numbered without a gap where the broken commit was"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_commit_by_another_process_between_two_of_this_writers_is_seen_by_both_caches() {
    let dir = scratch_dir("cache");
    let store = open(&dir);
    let other = open(&dir);
    let (_, records) = sample_records();
    let audit = || Commit {
        audit: records[..1].to_vec(),
        ..Commit::default()
    };
    store
        .commit(rows(vec![change(&home(), Row::Key(key(&home(), "a", 1)))], 0))
        .unwrap();
    store.commit(audit()).unwrap();
    assert_eq!(store.seq().unwrap(), 1);
    // The other store's writer commits a row and a record in between.
    other
        .commit(rows(vec![change(&home(), Row::Key(key(&home(), "b", 1)))], 1))
        .unwrap();
    other.commit(audit()).unwrap();
    assert_eq!(
        store.seq().unwrap(),
        2,
        "the reader's cached sequence is not used after another commit"
    );
    // This writer numbers after the other's record and builds on its row.
    store
        .commit(rows(vec![change(&home(), Row::Key(key(&home(), "c", 1)))], 2))
        .unwrap();
    store.commit(audit()).unwrap();
    let events: Vec<u64> = store
        .audit(&AuditFilter::default())
        .unwrap()
        .iter()
        .map(|r| r["eventID"].as_u64().unwrap())
        .collect();
    assert_eq!(events, [1, 2, 3]);
    assert_eq!(store.seq().unwrap(), 3);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An import token's row: by the token's hash, the wrapping private key
/// sealed under the root key (not in the clear), read back whole after
/// reopening, and refused as corrupt when moved to another token.
#[test]
fn an_import_token_row_keeps_its_private_key_sealed_and_bound_to_its_token() {
    use crate::crypto::import::WrappingAlgorithm;
    use crate::crypto::keys::{KeySpec, PrivateKey};
    use crate::kms::runtime::StoredImport;

    let dir = scratch_dir("import-tokens");
    let store = open(&dir);
    let private = PrivateKey::generate(KeySpec::Rsa2048).unwrap();
    let der = private.to_pkcs8_der().unwrap();
    let import = StoredImport {
        token_hash: crate::kms::token_hash(b"import token"),
        key_arn: "arn:aws:kms:us-east-1:111122223333:key/a".into(),
        algorithm: WrappingAlgorithm::RsaAesKeyWrapSha256,
        wrapping_key_spec: KeySpec::Rsa2048,
        expires: 1_700_086_400,
        private_key: crate::crypto::KeyMaterial::from_secret(der.clone()),
    };
    store
        .commit(rows(vec![change(&home(), Row::Import(import.clone()))], 0))
        .unwrap();
    drop(store);

    let raw = rusqlite::Connection::open(dir.join(DATABASE_FILE)).unwrap();
    let (hash, wrapped): (String, Vec<u8>) = raw
        .query_row("SELECT token_hash, wrapped_key FROM import_tokens", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(hash, import.token_hash);
    assert!(
        !wrapped.windows(64).any(|w| w == &der[..64]),
        "the private key is not stored in the clear"
    );

    let loaded = open(&dir).load().unwrap();
    let back = &loaded.partitions[0].imports[0];
    assert_eq!(back.token_hash, import.token_hash);
    assert_eq!(back.key_arn, import.key_arn);
    assert_eq!(back.algorithm, import.algorithm);
    assert_eq!(back.wrapping_key_spec, import.wrapping_key_spec);
    assert_eq!(back.expires, import.expires);
    assert_eq!(back.private_key.expose_secret(), der.as_slice());

    raw.execute(
        "UPDATE import_tokens SET token_hash = ?1",
        [crate::kms::token_hash(b"other")],
    )
    .unwrap();
    match open(&dir).load() {
        Err(StoreError::Corrupt { what, .. }) => assert!(what.contains("does not unwrap"), "{what}"),
        other => panic!("a moved wrapping key loaded: {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
