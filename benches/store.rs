//! The cost of one commit as the state grows: a CreateKey-like commit (one
//! key row, its wrapped material and one audit record) and an Encrypt-like
//! commit (one audit record) into a store already holding 100 and 10,000
//! keys; and audit-only commits from 8 threads at once, which the writer
//! groups into shared transactions. Every commit is synced to disk.
//!
//! Run with `cargo bench --bench store`. The state lives under
//! `target/bench-store` (set `KEYWARD_BENCH_DIR` to measure another disk).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use keyward::eval::Caller;
use keyward::kms::runtime::{AuditRecord, Runtime, SimulatedClock, StoredKey};
use keyward::kms::{Change, Commit, Partition, Row, Store};
use keyward::store::{Options, SqliteStore};

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";

fn scratch(name: &str) -> PathBuf {
    let base = std::env::var_os("KEYWARD_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target")
                .join("bench-store")
        });
    let dir = base.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&base).expect("bench directory");
    dir
}

/// A real key as the runtime exports it, and the records of its creation.
fn made_key(rt: &mut Runtime<SimulatedClock>, root: &Caller) -> (StoredKey, Vec<AuditRecord>) {
    let made = rt.create_key(root, None, None, false).expect("key");
    let key = rt
        .export()
        .keys
        .into_iter()
        .find(|k| k.id == made.key_id)
        .expect("exported");
    (key, rt.audit.drain())
}

/// A store holding `keys` keys.
fn filled(name: &str, keys: usize) -> (SqliteStore, StoredKey, Vec<AuditRecord>) {
    let mut rt = Runtime::new(ACCOUNT, REGION, SimulatedClock::at(1_795_867_200));
    let root = Caller::parse("arn:aws:iam::111122223333:root").expect("root");
    let store = SqliteStore::open_with(&scratch(name), Options::quiet()).expect("store");
    let (template, records) = made_key(&mut rt, &root);
    let partition = Partition::new(ACCOUNT, REGION);
    for chunk in (0..keys).collect::<Vec<_>>().chunks(1000) {
        let changes = chunk
            .iter()
            .map(|i| {
                let mut key = template.clone();
                key.id = format!("fill-{i}");
                Change {
                    partition: partition.clone(),
                    row: Row::Key(key),
                }
            })
            .collect();
        let base = store.seq().expect("seq");
        store
            .commit(Commit {
                changes,
                audit: Vec::new(),
                base,
            })
            .expect("fill");
    }
    (store, template, records)
}

fn bench(c: &mut Criterion) {
    let partition = Partition::new(ACCOUNT, REGION);
    let mut group = c.benchmark_group("store-commit");
    group.sample_size(30).measurement_time(Duration::from_secs(8));
    for keys in [100usize, 10_000] {
        let (store, template, records) = filled(&format!("create-{keys}"), keys);
        let mut next = 0u64;
        group.bench_with_input(BenchmarkId::new("CreateKey-like", keys), &keys, |b, _| {
            b.iter(|| {
                next += 1;
                let mut key = template.clone();
                key.id = format!("new-{next}");
                let base = store.seq().expect("seq");
                store
                    .commit(Commit {
                        changes: vec![Change {
                            partition: partition.clone(),
                            row: Row::Key(key),
                        }],
                        audit: records.clone(),
                        base,
                    })
                    .expect("commit")
            })
        });
        group.bench_with_input(BenchmarkId::new("Encrypt-like (audit only)", keys), &keys, |b, _| {
            b.iter(|| {
                store
                    .commit(Commit {
                        changes: Vec::new(),
                        audit: records.clone(),
                        base: 0,
                    })
                    .expect("commit")
            })
        });
    }
    group.finish();

    // Group commit: 8 threads committing audit records at once.
    let mut group = c.benchmark_group("store-group-commit");
    group.sample_size(10).throughput(Throughput::Elements(1));
    let (store, _, records) = filled("group", 100);
    let store = Arc::new(store);
    group.bench_function("audit only, 8 threads", |b| {
        b.iter_custom(|iterations| {
            let per_thread = iterations.div_ceil(8);
            let started = Instant::now();
            let threads: Vec<_> = (0..8)
                .map(|_| {
                    let store = Arc::clone(&store);
                    let records = records.clone();
                    std::thread::spawn(move || {
                        for _ in 0..per_thread {
                            store
                                .commit(Commit {
                                    changes: Vec::new(),
                                    audit: records.clone(),
                                    base: 0,
                                })
                                .expect("commit");
                        }
                    })
                })
                .collect();
            for thread in threads {
                thread.join().expect("thread");
            }
            started.elapsed() * u32::try_from(iterations).unwrap_or(1) / u32::try_from(per_thread * 8).unwrap_or(1)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
