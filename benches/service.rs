//! One call through `kms::Service` onto a SQLite state on disk, as
//! `keyward serve` makes it: `CreateKey` (a key row, its wrapped material and
//! an audit record, synced) and `Encrypt` of 1 KiB (an audit record, synced),
//! with 100 and with 10,000 keys already in the state. The cost must not grow
//! with the state (issue 14: within 2x).
//!
//! Run with `cargo bench --bench service`. The state lives under
//! `target/bench-service` (set `KEYWARD_BENCH_DIR` to measure another disk).

use std::path::PathBuf;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use keyward::eval::Caller;
use keyward::kms::op::Json;
use keyward::kms::runtime::{Runtime, SimulatedClock};
use keyward::kms::{Authorizer, Change, Commit, Partition, Row, Service, Store};
use keyward::store::{Options, SqliteStore};
use serde_json::json;

const ACCOUNT: &str = "111122223333";
const REGION: &str = "us-east-1";
const NOW: i64 = 1_795_867_200;

fn scratch(name: &str) -> PathBuf {
    let base = std::env::var_os("KEYWARD_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("target")
                .join("bench-service")
        });
    let dir = base.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&base).expect("bench directory");
    dir
}

/// A state directory holding `keys` keys, written in one commit.
fn state_with(keys: usize) -> PathBuf {
    let dir = scratch(&format!("keys-{keys}"));
    let root = Caller::parse(&format!("arn:aws:iam::{ACCOUNT}:root")).expect("root");
    let mut runtime = Runtime::new(ACCOUNT, REGION, SimulatedClock::at(NOW));
    for _ in 0..keys {
        runtime.create_key(&root, Some("bench"), None, false).expect("key");
    }
    let store = SqliteStore::open_with(&dir, Options::quiet()).expect("store");
    let partition = Partition::new(ACCOUNT, REGION);
    let changes = runtime
        .export()
        .keys
        .into_iter()
        .map(|key| Change {
            partition: partition.clone(),
            row: Row::Key(key),
        })
        .collect();
    store
        .commit(Commit {
            changes,
            audit: Vec::new(),
            base: 0,
        })
        .expect("prefill");
    dir
}

fn bench(c: &mut Criterion) {
    let root = Caller::parse(&format!("arn:aws:iam::{ACCOUNT}:root")).expect("root");
    let mut group = c.benchmark_group("service-sqlite");
    group.sample_size(30);
    for keys in [100, 10_000] {
        let dir = state_with(keys);
        let store = SqliteStore::open_with(&dir, Options::quiet()).expect("store");
        let clock = Arc::new(SimulatedClock::at(NOW));
        let kms = Service::open(Box::new(store), Authorizer::default(), clock, ACCOUNT).expect("service");
        let request = json!({});
        group.bench_with_input(BenchmarkId::new("CreateKey", keys), &keys, |b, _| {
            b.iter(|| {
                kms.call(
                    &root,
                    REGION,
                    &Json {
                        operation: "CreateKey",
                        request: &request,
                    },
                )
                .expect("CreateKey")
            })
        });
        let key = kms
            .call(
                &root,
                REGION,
                &Json {
                    operation: "CreateKey",
                    request: &request,
                },
            )
            .expect("CreateKey")["KeyMetadata"]["KeyId"]
            .clone();
        let encrypt = json!({"KeyId": key, "Plaintext": base64_kib()});
        group.bench_with_input(BenchmarkId::new("Encrypt 1 KiB", keys), &keys, |b, _| {
            b.iter(|| {
                kms.call(
                    &root,
                    REGION,
                    &Json {
                        operation: "Encrypt",
                        request: &encrypt,
                    },
                )
                .expect("Encrypt")
            })
        });
    }
    group.finish();
}

fn base64_kib() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode([0x5a; 1024])
}

criterion_group!(benches, bench);
criterion_main!(benches);
