//! Several stores on one directory, as several processes: opening a new
//! directory at once never fails with "database is locked", every commit
//! lands, a store catches up with another's commits, and a store kept
//! waiting says so once.

use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use super::super::{Options, SqliteStore, StoreError, DATABASE_FILE};
use super::{change, home, key, open, scratch_dir};
use crate::kms::{Commit, Row, Store};

#[test]
fn stores_opening_a_new_directory_at_once_never_find_it_locked() {
    for round in 0..20 {
        let dir = scratch_dir(&format!("race-{round}"));
        let start = Arc::new(Barrier::new(4));
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let dir = dir.clone();
                let start = Arc::clone(&start);
                std::thread::spawn(move || {
                    start.wait();
                    let store = SqliteStore::open_with(&dir, Options::quiet())?;
                    let mut landed = 0;
                    while landed < 5 {
                        let base = store.seq()?;
                        let id = format!("k{t}-{landed}");
                        match store.commit(Commit {
                            changes: vec![change(&home(), Row::Key(key(&home(), &id, 1)))],
                            audit: Vec::new(),
                            base,
                        }) {
                            Ok(_) => landed += 1,
                            Err(StoreError::Conflict { .. }) => {}
                            Err(e) => return Err(e),
                        }
                    }
                    Ok::<_, StoreError>(store.root().id)
                })
            })
            .collect();
        let roots: Vec<_> = threads
            .into_iter()
            .map(|t| t.join().unwrap().unwrap_or_else(|e| panic!("round {round}: {e}")))
            .collect();
        assert!(roots.windows(2).all(|w| w[0] == w[1]), "one root key for all");
        let snapshot = open(&dir).load().unwrap();
        assert_eq!(snapshot.partitions[0].keys.len(), 20, "round {round}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_store_catches_up_with_what_another_committed() {
    let dir = scratch_dir("catch-up");
    let first = open(&dir);
    let second = open(&dir);
    let seen = second.seq().unwrap();
    first
        .commit(Commit {
            changes: vec![change(&home(), Row::Key(key(&home(), "a", 1)))],
            ..Commit::default()
        })
        .unwrap();
    assert_eq!(second.seq().unwrap(), 1);
    let stale = second.commit(Commit {
        changes: vec![change(&home(), Row::KeyRemoved("a".into()))],
        audit: Vec::new(),
        base: seen,
    });
    assert!(matches!(stale, Err(StoreError::Conflict { base: 0, current: 1 })));
    let (changes, seq) = second.changes_since(seen).unwrap();
    assert_eq!((changes.len(), seq), (1, 1));
    assert!(matches!(&changes[0].row, Row::Key(k) if k.id == "a"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Holds the database's write lock from a plain connection for `held`.
fn hold_write_lock(dir: &std::path::Path, held: Duration) -> std::thread::JoinHandle<()> {
    let raw = rusqlite::Connection::open(dir.join(DATABASE_FILE)).unwrap();
    raw.execute_batch("BEGIN IMMEDIATE").unwrap();
    std::thread::spawn(move || {
        std::thread::sleep(held);
        raw.execute_batch("COMMIT").unwrap();
    })
}

#[test]
fn a_store_kept_waiting_over_a_second_says_so_once_then_commits() {
    let dir = scratch_dir("waiting");
    let told = Arc::new(Mutex::new(Vec::new()));
    let hook = Arc::clone(&told);
    let store = SqliteStore::open_with(
        &dir,
        Options::on_wait(move |waiting| hook.lock().unwrap().push(waiting.to_string())),
    )
    .unwrap();
    let holder = hold_write_lock(&dir, Duration::from_millis(1600));
    let seq = store
        .commit(Commit {
            changes: vec![change(&home(), Row::Key(key(&home(), "a", 1)))],
            ..Commit::default()
        })
        .unwrap();
    holder.join().unwrap();
    assert_eq!(seq, 1);
    let told = told.lock().unwrap();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains("is locked by another keyward process; waiting for it"),
        "{}",
        told[0]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_store_gives_up_after_its_lock_timeout_and_writes_nothing() {
    let dir = scratch_dir("timeout");
    let store = SqliteStore::open_with(
        &dir,
        Options {
            lock_timeout: Duration::from_millis(300),
            ..Options::quiet()
        },
    )
    .unwrap();
    let holder = hold_write_lock(&dir, Duration::from_millis(1200));
    let error = store
        .commit(Commit {
            changes: vec![change(&home(), Row::Key(key(&home(), "a", 1)))],
            ..Commit::default()
        })
        .unwrap_err();
    assert!(matches!(error, StoreError::Database { .. }), "{error}");
    holder.join().unwrap();
    assert_eq!(store.seq().unwrap(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}
