//! Sign and Verify per algorithm, GenerateMac, and RSA_4096 key creation,
//! through `keyward::crypto::keys` (the layer the KMS operations call), and
//! Sign, Verify and GenerateMac through the KMS operations themselves.
//! Compare with `openssl speed rsa2048 ecdsap256 ed25519` in the same run:
//! `scripts/bench-keys.sh` does both.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use keyward::crypto::keys::{HmacKey, KeySpec as K, MacAlgorithm, MessageType as T, PrivateKey, SigningAlgorithm as S};

fn sign_verify(c: &mut Criterion) {
    let message = [0x42u8; 64];
    let cases = [
        (K::Rsa2048, S::RsassaPkcs1V15Sha256),
        (K::Rsa2048, S::RsassaPssSha256),
        (K::EccNistP256, S::EcdsaSha256),
        (K::EccSecgP256k1, S::EcdsaSha256),
        (K::EccNistEdwards25519, S::Ed25519Sha512),
        (K::MlDsa65, S::MlDsaShake256),
    ];
    let mut group = c.benchmark_group("keys");
    group
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    for (spec, algorithm) in cases {
        let key = PrivateKey::generate(spec).unwrap();
        let public = key.public_key();
        let signature = key.sign(algorithm, T::Raw, &message).unwrap();
        group.bench_function(format!("sign {spec} {algorithm}"), |b| {
            b.iter(|| key.sign(algorithm, T::Raw, &message).unwrap())
        });
        group.bench_function(format!("verify {spec} {algorithm}"), |b| {
            b.iter(|| public.verify(algorithm, T::Raw, &message, &signature).unwrap())
        });
    }
    let hmac = HmacKey::generate(K::Hmac256).unwrap();
    group.bench_function("generate-mac HMAC_256 64 bytes", |b| {
        b.iter(|| hmac.mac(MacAlgorithm::HmacSha256, &message).unwrap())
    });
    group.finish();
}

fn rsa_4096_creation(c: &mut Criterion) {
    let mut group = c.benchmark_group("keys");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.bench_function("create RSA_4096", |b| {
        b.iter_batched(
            || (),
            |()| PrivateKey::generate(K::Rsa4096).unwrap(),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// The same through the KMS operations (`op::Sign`, `op::Verify`,
/// `op::GenerateMac` on a runtime): member checks, key lookup, the
/// authorizer's decision and the audit record on top of the cryptography.
fn kms_operations(c: &mut Criterion) {
    use keyward::eval::Caller;
    use keyward::kms::op::{GenerateMac, Sign, Verify};
    use keyward::kms::runtime::{Runtime, SimulatedClock};
    use keyward::kms::Operation;

    let caller = Caller::parse("arn:aws:iam::111122223333:root").unwrap();
    let mut rt = Runtime::new("111122223333", "us-east-1", SimulatedClock::at(1_795_867_200));
    let mut group = c.benchmark_group("kms");
    group
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    let cases = [
        ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256"),
        ("ECC_NIST_P256", "ECDSA_SHA_256"),
        ("ECC_SECG_P256K1", "ECDSA_SHA_256"),
        ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512"),
        ("ML_DSA_65", "ML_DSA_SHAKE_256"),
    ];
    for (spec, algorithm) in cases {
        let create = serde_json::json!({"KeySpec": spec, "KeyUsage": "SIGN_VERIFY"});
        let key = keyward::kms::op::run_json(&mut rt, &caller, "CreateKey", &create).unwrap()["KeyMetadata"]["KeyId"]
            .as_str()
            .unwrap()
            .to_owned();
        let sign = Sign {
            key_id: key.clone(),
            message: keyward::kms::op::Blob::new(vec![0x42; 64]),
            signing_algorithm: algorithm.to_owned(),
            ..Sign::default()
        };
        let signature = Operation::run(&sign, &mut rt, &caller).unwrap().signature;
        let verify = Verify {
            key_id: key,
            message: sign.message.clone(),
            signature,
            signing_algorithm: algorithm.to_owned(),
            ..Verify::default()
        };
        group.bench_function(format!("Sign {spec} {algorithm}"), |b| {
            b.iter(|| {
                Operation::run(&sign, &mut rt, &caller).unwrap();
                rt.audit.drain();
            })
        });
        group.bench_function(format!("Verify {spec} {algorithm}"), |b| {
            b.iter(|| {
                Operation::run(&verify, &mut rt, &caller).unwrap();
                rt.audit.drain();
            })
        });
    }
    let create = serde_json::json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"});
    let key = keyward::kms::op::run_json(&mut rt, &caller, "CreateKey", &create).unwrap()["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_owned();
    let mac = GenerateMac {
        key_id: key,
        message: keyward::kms::op::Blob::new(vec![0x42; 64]),
        mac_algorithm: "HMAC_SHA_256".to_owned(),
        ..GenerateMac::default()
    };
    group.bench_function("GenerateMac HMAC_256 64 bytes", |b| {
        b.iter(|| {
            Operation::run(&mac, &mut rt, &caller).unwrap();
            rt.audit.drain();
        })
    });
    group.finish();
}

criterion_group!(benches, sign_verify, kms_operations, rsa_4096_creation);
criterion_main!(benches);
