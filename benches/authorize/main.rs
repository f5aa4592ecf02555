//! Authorizing one request against a realistic ten-statement key policy
//! with conditions plus one identity policy (the evaluator issue's figure).
//!
//! Run with `cargo bench --bench authorize`. Before timing, it counts heap
//! allocations of one decision with dhat and prints them.

use criterion::{criterion_group, Criterion};
use keyward::eval::{evaluate, Caller, CompiledPolicy, Decision};
use keyward::kms::{Authorizer, KmsRequest};
use keyward::policy::Document;
use keyward::Source;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn compile(name: &str, text: &str) -> CompiledPolicy {
    let Document::Policy(policy) = Document::parse(&Source::new(name, text), None).expect("valid policy") else {
        panic!("{name} is not a policy")
    };
    CompiledPolicy::compile(name, &policy).expect("compiles")
}

fn setup() -> (Authorizer, KmsRequest) {
    let mut authorizer = Authorizer {
        key_policy: Some(compile("key-policy", include_str!("key-policy.json"))),
        ..Authorizer::default()
    };
    authorizer.identity_policies.push((
        "arn:aws:iam::111122223333:role/app".into(),
        compile("app-role", include_str!("app-role.json")),
    ));
    let caller = Caller::parse("arn:aws:sts::111122223333:assumed-role/app/worker-7").expect("caller");
    let mut request = KmsRequest::new(caller, "kms:Decrypt", KEY);
    request.encryption_context.insert("app".into(), "billing".into());
    request.encryption_context.insert("invoice".into(), "2026-11".into());
    request.time = Some("2026-11-28T12:00:00Z".into());
    request.context.insert_one("aws:ResourceTag/project", "billing");
    request.context.insert_one("aws:SourceIp", "203.0.113.50");
    request.context.insert_one("aws:ViaAWSService", "false");
    (authorizer, request)
}

fn allocations<T>(f: impl FnOnce() -> T) -> (u64, T) {
    let _profiler = dhat::Profiler::builder().testing().build();
    let before = dhat::HeapStats::get().total_blocks;
    let out = f();
    (dhat::HeapStats::get().total_blocks - before, out)
}

fn report_allocations() {
    let (authorizer, request) = setup();
    let eval_request = request.to_eval_request();
    let key_policy = authorizer.key_policy.as_ref().expect("key policy");
    let (eval_blocks, decision) = allocations(|| evaluate(key_policy, &eval_request).decision);
    let (decide_blocks, verdict) = allocations(|| authorizer.decide(&request, &eval_request, None).decision);
    let (context_blocks, _) = allocations(|| request.to_eval_request());
    let (authorize_blocks, authorization) = allocations(|| authorizer.authorize(&request, false));
    assert_eq!(authorization.decision, Decision::Allow, "{}", authorization.summary);
    println!("allocations: evaluate(key policy) = {eval_blocks} ({decision})");
    println!("allocations: decide (key policy + identity policy) = {decide_blocks} ({verdict})");
    println!("allocations: derive request context = {context_blocks}");
    println!("allocations: authorize (context + decision + explanation) = {authorize_blocks}");
}

fn bench(c: &mut Criterion) {
    let (authorizer, request) = setup();
    let eval_request = request.to_eval_request();
    let key_policy = authorizer.key_policy.as_ref().expect("key policy");
    let mut group = c.benchmark_group("authorize");
    group.bench_function("evaluate key policy (10 statements)", |b| {
        b.iter(|| evaluate(key_policy, &eval_request).decision)
    });
    let identity = &authorizer.identity_policies[0].1;
    group.bench_function("evaluate identity policy (2 statements)", |b| {
        b.iter(|| evaluate(identity, &eval_request).decision)
    });
    group.bench_function("decide (key policy + identity policy)", |b| {
        b.iter(|| authorizer.decide(&request, &eval_request, None).decision)
    });
    group.bench_function("derive request context", |b| b.iter(|| request.to_eval_request()));
    group.bench_function("authorize (context + decision + explanation)", |b| {
        b.iter(|| authorizer.authorize(&request, false).decision)
    });
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    report_allocations();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
