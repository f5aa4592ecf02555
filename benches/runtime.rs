//! Encrypt and Decrypt of 1 KiB through the in-memory runtime, each call
//! authorized against the realistic 10-statement key policy of
//! `benches/runtime-key-policy.json`; and the two halves of the cost apart:
//! authorization alone and sealing/opening alone.
//!
//! Run with `cargo bench --bench runtime`.

use std::collections::BTreeMap;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use keyward::crypto::{self, KeyMaterial, MaterialId};
use keyward::eval::Caller;
use keyward::kms::runtime::{Runtime, SimulatedClock};
use keyward::kms::KmsRequest;

fn bench(c: &mut Criterion) {
    let mut rt = Runtime::new("111122223333", "us-east-1", SimulatedClock::at(1_795_867_200));
    let root = Caller::parse("arn:aws:iam::111122223333:root").expect("root");
    // The authorize benchmark's policy, with guardrails a local caller can pass
    // (no source IP or MFA age in a runtime request).
    let policy = include_str!("runtime-key-policy.json");
    let key = rt.create_key(&root, Some("bench"), Some(policy), false).expect("key");
    let app = Caller::parse("arn:aws:sts::111122223333:assumed-role/app/worker-7").expect("caller");
    let mut context = BTreeMap::new();
    context.insert("app".to_owned(), "billing".to_owned());
    let plaintext = vec![0x5a; 1024];
    let blob = rt
        .encrypt(&app, &key.key_id, &plaintext, &context, &[])
        .expect("encrypt")
        .ciphertext_blob;

    let mut group = c.benchmark_group("runtime-1KiB");
    group.throughput(Throughput::Elements(1));
    group.bench_function("Encrypt (authorize + seal)", |b| {
        b.iter(|| {
            let sealed = rt
                .encrypt(&app, &key.key_id, &plaintext, &context, &[])
                .expect("encrypt");
            // The record is made and dropped each call, as a store would take
            // it; a log left to grow would time its reallocations instead.
            rt.audit.drain();
            sealed
        })
    });
    group.bench_function("Decrypt (authorize + open)", |b| {
        b.iter(|| {
            let opened = rt.decrypt(&app, &blob, None, &context, &[]).expect("decrypt");
            rt.audit.drain();
            opened
        })
    });
    group.bench_function("authorization alone (Encrypt)", |b| {
        b.iter(|| {
            let mut request = KmsRequest::new(app.clone(), "kms:Encrypt", &key.arn);
            request.encryption_context = context.clone();
            rt.identities
                .authorize_for(
                    Some(&rt.resolve(&key.key_id).expect("key").policy),
                    &[],
                    &request,
                    false,
                )
                .decision
        })
    });
    let material = KeyMaterial::generate();
    let id = MaterialId::generate();
    let sealed = crypto::seal(&material, id, &key.key_id, &plaintext, &context).expect("seal");
    group.bench_function("seal alone", |b| {
        b.iter(|| crypto::seal(&material, id, &key.key_id, &plaintext, &context))
    });
    group.bench_function("open alone", |b| {
        b.iter(|| crypto::open(&sealed, &material, &context).expect("open"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
