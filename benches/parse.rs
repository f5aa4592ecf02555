//! Front-end throughput on a realistic ~5 KB KMS key policy.
//!
//! One group, three functions over the same text, so criterion's MB/s are
//! directly comparable:
//!
//! - `json::parse`: text → spanned JSON tree (screen, grammar, build);
//! - `json::parse + from_json`: the whole front end, `Policy::parse`;
//! - `serde_json::Value`: the reference, a plain JSON DOM without spans.
//!
//! A second, separate benchmark prints the parsed document back with
//! `fmt::to_canonical_json`.
//!
//! Run with `cargo bench --bench parse`; criterion reports
//! `time: [low median high]` and `thrpt: [low median high]` per function.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

use keyward::json;
use keyward::policy::{fmt, Document, Policy};
use keyward::Source;

const KEY_POLICY: &str = include_str!("key-policy-5k.json");

fn front_end(c: &mut Criterion) {
    let text = KEY_POLICY;
    let source = Source::new("key-policy-5k.json", text);
    // Fail loudly (not inside the timing loop) if the input stops being valid.
    json::parse(text).expect("benchmark input is valid JSON");
    Policy::parse(&source).expect("benchmark input is a valid policy");

    let mut group = c.benchmark_group("key-policy-5k");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("json::parse", |b| b.iter(|| json::parse(black_box(text)).unwrap()));
    group.bench_function("json::parse + from_json", |b| {
        b.iter(|| Policy::parse(black_box(&source)).unwrap())
    });
    group.bench_function("serde_json::Value", |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(text)).unwrap())
    });
    group.finish();
}

fn canonical(c: &mut Criterion) {
    let source = Source::new("key-policy-5k.json", KEY_POLICY);
    let document = Document::parse(&source, None).expect("benchmark input is valid");
    c.bench_function("fmt::to_canonical_json", |b| {
        b.iter(|| fmt::to_canonical_json(black_box(&document)))
    });
}

criterion_group!(benches, front_end, canonical);
criterion_main!(benches);
