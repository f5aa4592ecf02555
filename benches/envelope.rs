//! Envelope throughput: AES-256-GCM from the `aes-gcm` crate alone on one
//! core (16 KiB blocks, as `openssl speed -bytes 16384` measures), and
//! keyward's envelope format and the AWS Encryption SDK format (committing
//! suite without signing, 4 KiB frames) sealing and opening 64 MiB in
//! memory with one worker and with one per core.
//!
//! Run with `cargo bench --bench envelope`.

use std::collections::BTreeMap;

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use keyward::crypto::envelope::{self, EncryptedDataKey, Header, Options};
use keyward::crypto::esdk;
use zeroize::Zeroizing;

fn aes_gcm_alone(c: &mut Criterion) {
    let cipher = Aes256Gcm::new(&[7u8; 32].into());
    let mut block = vec![0u8; 16 * 1024];
    let mut group = c.benchmark_group("aes-gcm");
    group.throughput(Throughput::Bytes(block.len() as u64));
    group.bench_function("encrypt 16 KiB, one core", |b| {
        b.iter(|| {
            cipher
                .encrypt_inout_detached(&Nonce::from([1u8; 12]), b"", block.as_mut_slice().into())
                .expect("seal")
        })
    });
    group.finish();
}

fn envelope_in_memory(c: &mut Criterion) {
    let key = Zeroizing::new([9u8; 32]);
    let header = Header {
        message_id: [1; 32],
        frame_size: envelope::DEFAULT_FRAME_SIZE,
        context: BTreeMap::new(),
        keys: vec![EncryptedDataKey {
            key_arn: "arn:aws:kms:us-east-1:111122223333:key/bench".into(),
            ciphertext_blob: vec![0; 100],
        }],
    };
    let plaintext = vec![0x5a_u8; 64 << 20];
    let mut sealed = Vec::with_capacity(plaintext.len() + (1 << 20));
    envelope::seal(&key, &header, &mut &plaintext[..], &mut sealed, &Options::default()).expect("seal");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    let mut group = c.benchmark_group("envelope-64MiB");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(plaintext.len() as u64));
    for workers in [1, cores] {
        let options = Options {
            workers,
            progress: &|_| {},
        };
        let mut out = Vec::with_capacity(sealed.len());
        group.bench_function(format!("seal, {workers} worker(s)"), |b| {
            b.iter(|| {
                out.clear();
                envelope::seal(&key, &header, &mut &plaintext[..], &mut out, &options).expect("seal")
            })
        });
        group.bench_function(format!("open, {workers} worker(s)"), |b| {
            b.iter(|| {
                out.clear();
                let mut input = &sealed[..];
                let read = envelope::read_header(&mut input).expect("header");
                envelope::open(&key, &read, &mut input, &mut out, &options).expect("open")
            })
        });
    }
    group.finish();
}

fn esdk_in_memory(c: &mut Criterion) {
    let data_key = [9u8; 32];
    let suite = esdk::Suite::AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
    let header = esdk::Header {
        suite,
        message_id: esdk::new_message_id(suite),
        context: BTreeMap::new(),
        keys: vec![esdk::EncryptedDataKey {
            provider_id: "aws-kms".into(),
            provider_info: b"arn:aws:kms:us-east-1:111122223333:key/bench".to_vec(),
            ciphertext: vec![0; 100],
        }],
        frame_length: esdk::DEFAULT_FRAME_LENGTH,
    };
    let plaintext = vec![0x5a_u8; 64 << 20];
    let mut sealed = Vec::with_capacity(plaintext.len() + (2 << 20));
    esdk::seal(
        &data_key,
        &header,
        None,
        &mut &plaintext[..],
        &mut sealed,
        &Options::default(),
    )
    .expect("seal");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    let mut group = c.benchmark_group("esdk-64MiB");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(plaintext.len() as u64));
    for workers in [1, cores] {
        let options = Options {
            workers,
            progress: &|_| {},
        };
        let mut out = Vec::with_capacity(sealed.len());
        group.bench_function(format!("seal, {workers} worker(s)"), |b| {
            b.iter(|| {
                out.clear();
                esdk::seal(&data_key, &header, None, &mut &plaintext[..], &mut out, &options).expect("seal")
            })
        });
        group.bench_function(format!("open, {workers} worker(s)"), |b| {
            b.iter(|| {
                out.clear();
                let mut input = &sealed[..];
                let read = esdk::read_header(&mut input, None).expect("header");
                esdk::open(&data_key, &read, &mut input, &mut out, &options).expect("open")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, aes_gcm_alone, envelope_in_memory, esdk_in_memory);
criterion_main!(benches);
