//! Authorizing one request against a realistic ten-statement key policy
//! with conditions plus one identity policy (the evaluator issue's figure).
//!
//! Run with `cargo bench --bench authorize`. Before timing, it counts heap
//! allocations of one decision with dhat and prints them.

use criterion::{criterion_group, Criterion};
use keyward::eval::access::{self, Policies, Target};
use keyward::eval::{evaluate, Caller, CompiledPolicy, Decision, Request};
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

/// An S3 request for the any-service evaluator: a bucket policy naming the
/// caller's role, the role's identity policy and its boundary.
type Attached = Vec<(String, CompiledPolicy)>;

fn setup_s3() -> (Attached, Attached, CompiledPolicy, Request) {
    let role = "arn:aws:iam::111122223333:role/app".to_owned();
    let identity = vec![(role.clone(), compile("app-role", include_str!("app-role.json")))];
    let boundary = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "kms:*"], "Resource": "*"}]}"#;
    let boundaries = vec![(role, compile("boundary", boundary))];
    let bucket = compile("bucket-policy", include_str!("bucket-policy.json"));
    let caller = Caller::parse("arn:aws:sts::111122223333:assumed-role/app/worker-7").expect("caller");
    let resource = "arn:aws:s3:::reports/billing/2026-11.csv";
    let mut context = access::derive_context(&caller, resource, Some("111122223333"), Some("2026-11-28T12:00:00Z"));
    context.insert_one("aws:SecureTransport", "true");
    let request = Request {
        caller,
        action: "s3:GetObject".into(),
        resource: resource.into(),
        context,
    };
    (identity, boundaries, bucket, request)
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
    let (identity, boundaries, bucket, s3) = setup_s3();
    let policies = Policies {
        resource: Some(&bucket),
        identity: &identity,
        boundaries: &boundaries,
        ..Policies::default()
    };
    let target = Target {
        resource_account: Some("111122223333"),
        no_resource: false,
    };
    let (s3_blocks, s3_decision) = allocations(|| access::authorize(&policies, &s3, target, None).decision);
    println!("allocations: any-service authorize (s3:GetObject) = {s3_blocks} ({s3_decision})");
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
    let (identity, boundaries, bucket, s3) = setup_s3();
    let policies = Policies {
        resource: Some(&bucket),
        identity: &identity,
        boundaries: &boundaries,
        ..Policies::default()
    };
    let target = Target {
        resource_account: Some("111122223333"),
        no_resource: false,
    };
    assert_eq!(
        access::authorize(&policies, &s3, target, None).decision,
        Decision::Allow
    );
    group.bench_function(
        "any service: s3:GetObject (bucket policy + identity policy + boundary)",
        |b| b.iter(|| access::authorize(&policies, &s3, target, None).decision),
    );
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    report_allocations();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
