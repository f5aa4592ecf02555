//! Sign and Verify per algorithm, GenerateMac, and RSA_4096 key creation,
//! through `keyward::crypto::keys` (the layer the KMS operations call).
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

criterion_group!(benches, sign_verify, rsa_4096_creation);
criterion_main!(benches);
