//! Round trips over sizes around the frame length for every suite keyward
//! writes, and every kind of tampering refused.

use std::collections::BTreeMap;

use sha2::Digest;

use super::header::IV_LEN;
use super::*;

fn context() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("purpose".to_owned(), "test".to_owned()),
        ("a".to_owned(), "b".to_owned()),
    ])
}

fn seal_bytes(suite: Suite, key: &[u8], frame_length: u32, plaintext: &[u8], workers: usize) -> Vec<u8> {
    let (context, signer) = message_context(suite, &context()).unwrap();
    let header = Header {
        suite,
        message_id: new_message_id(suite),
        context,
        keys: vec![EncryptedDataKey {
            provider_id: "aws-kms".into(),
            provider_info: b"arn:aws:kms:us-east-1:111122223333:key/test".to_vec(),
            ciphertext: vec![7; 40],
        }],
        frame_length,
    };
    let mut out = Vec::new();
    let options = Options {
        workers,
        progress: &|_| {},
    };
    let n = seal(key, &header, signer.as_ref(), &mut &plaintext[..], &mut out, &options).unwrap();
    assert_eq!(n, plaintext.len() as u64);
    out
}

fn open_bytes(key: &[u8], message: &[u8]) -> Result<Vec<u8>, EsdkError> {
    let (opened, out) = open_with(key, message, 3);
    opened.map(|_| out)
}

/// Opens `message` on `workers` threads; returns the outcome and whatever
/// was written, failure or not.
fn open_with(key: &[u8], message: &[u8], workers: usize) -> (Result<u64, EsdkError>, Vec<u8>) {
    let mut input = message;
    let mut out = Vec::new();
    let options = Options {
        workers,
        progress: &|_| {},
    };
    let opened = read_header(&mut input, None).and_then(|read| open(key, &read, &mut input, &mut out, &options));
    (opened, out)
}

const WRITTEN: [Suite; 3] = [
    Suite::AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
    Suite::AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
    Suite::AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384,
];

#[test]
fn round_trips_at_every_size_around_a_frame_for_each_suite() {
    let key = [5u8; 32];
    for suite in WRITTEN {
        for frame in [1u32, 7, 4096] {
            let f = frame as usize;
            for len in [0, 1, f - 1, f, f + 1, 3 * f, 3 * f + 2, 100 * f + 3] {
                let plaintext: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
                for workers in [1, 4] {
                    let message = seal_bytes(suite, &key, frame, &plaintext, workers);
                    assert_eq!(message[0], suite.message_version());
                    assert_eq!(open_bytes(&key, &message).unwrap(), plaintext, "{suite} {frame} {len}");
                }
            }
        }
    }
}

/// Messages of many batches (a batch holds 256 KiB of plaintext) sealed on
/// one thread open on several and the other way round, byte for byte the
/// same whatever the threads. With the signing suite, whose digest of the
/// message runs beside the sealing and opening of other batches, the
/// signature made on any number of threads verifies on any other.
#[test]
fn many_batches_round_trip_on_one_thread_or_several() {
    let key = [5u8; 32];
    let len = (1 << 20) + 17;
    let plaintext: Vec<u8> = (0..len).map(|i| (i * 7 % 253) as u8).collect();
    for suite in [
        Suite::AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
        Suite::AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
    ] {
        for frame in [4096u32, 100_000] {
            let one = seal_bytes(suite, &key, frame, &plaintext, 1);
            let several = seal_bytes(suite, &key, frame, &plaintext, 3);
            // Apart from the message id (random) and the signature (of
            // varying DER length), the messages have the same length.
            assert!(one.len().abs_diff(several.len()) <= 2, "{suite}");
            for workers in [1, 2, 5] {
                for message in [&one, &several] {
                    let (opened, out) = open_with(&key, message, workers);
                    assert_eq!(opened.unwrap(), len as u64, "{suite}, frame {frame}, {workers} threads");
                    assert!(out == plaintext, "{suite}, frame {frame}, {workers} threads");
                }
            }
        }
    }
}

/// A frame changed in a late batch, or a message cut in one, fails on one
/// thread or several, and what was written before the failure is whole
/// frames of plaintext before the changed one: never its bytes, nor any
/// after it.
#[test]
fn a_change_late_in_the_body_releases_nothing_from_its_frame_on() {
    let key = [5u8; 32];
    let suite = Suite::AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
    let frame = 4096usize;
    let plaintext: Vec<u8> = (0..1 << 20).map(|i| (i % 241) as u8).collect();
    let message = seal_bytes(suite, &key, frame as u32, &plaintext, 2);
    let body_start = message.len() - (plaintext.len() / frame) * (4 + IV_LEN + frame + 16) - (4 + 4 + IV_LEN + 4 + 16);
    let regular = 4 + IV_LEN + frame + 16;
    for target in [0usize, 63, 64, 130, 255] {
        let at = body_start + target * regular + 4 + IV_LEN + 10;
        let mut changed = message.clone();
        changed[at] ^= 0x20;
        for workers in [1, 2, 5] {
            let (opened, out) = open_with(&key, &changed, workers);
            assert!(
                matches!(opened, Err(EsdkError::FrameTampered { sequence }) if sequence as usize == target + 1),
                "frame {target}, {workers} threads: {opened:?}"
            );
            assert!(out.len() <= target * frame, "frame {target}: {} bytes out", out.len());
            assert!(out.len() % frame == 0 && out[..] == plaintext[..out.len()]);
        }
    }
    let cut = &message[..body_start + 200 * regular + 9];
    for workers in [1, 3] {
        let (opened, out) = open_with(&key, cut, workers);
        assert!(matches!(opened, Err(EsdkError::Truncated)), "{opened:?}");
        assert!(out.len() <= 199 * frame && out[..] == plaintext[..out.len()]);
    }
}

#[test]
fn every_non_committing_suite_of_the_reference_round_trips() {
    for suite in Suite::ALL.iter().copied().filter(|s| !s.commits()) {
        let key = vec![9u8; suite.key_len];
        let plaintext = vec![1u8; 10_000];
        let message = seal_bytes(suite, &key, 4096, &plaintext, 2);
        assert_eq!(open_bytes(&key, &message).unwrap(), plaintext, "{suite}");
    }
}

#[test]
fn a_flipped_byte_anywhere_is_refused_for_each_suite() {
    let key = [5u8; 32];
    for suite in WRITTEN {
        let message = seal_bytes(suite, &key, 64, &[3u8; 150], 2);
        for at in 0..message.len() {
            let mut changed = message.clone();
            changed[at] ^= 0x01;
            assert!(
                open_bytes(&key, &changed).is_err(),
                "{suite}: byte {at} of {}",
                message.len()
            );
        }
    }
}

#[test]
fn truncation_and_appending_are_refused() {
    let key = [5u8; 32];
    for suite in WRITTEN {
        let message = seal_bytes(suite, &key, 64, &[3u8; 150], 1);
        for len in 0..message.len() {
            assert!(open_bytes(&key, &message[..len]).is_err(), "{suite}: cut at {len}");
        }
        let mut longer = message.clone();
        longer.push(0);
        assert!(matches!(open_bytes(&key, &longer), Err(EsdkError::TrailingData)));
    }
}

#[test]
fn another_data_key_fails_the_commitment() {
    let message = seal_bytes(Suite::AES_256_GCM_HKDF_SHA512_COMMIT_KEY, &[5u8; 32], 4096, b"hello", 1);
    assert!(matches!(open_bytes(&[6u8; 32], &message), Err(EsdkError::WrongDataKey)));
}

#[test]
fn reserved_context_keys_and_policies_are_refused() {
    let reserved = BTreeMap::from([("aws-crypto-public-key".to_owned(), "x".to_owned())]);
    assert!(matches!(
        message_context(Suite::DEFAULT, &reserved),
        Err(EsdkError::ReservedContextKey(_))
    ));
    let policy = CommitmentPolicy::default();
    assert!(policy.check_encrypt(Suite::DEFAULT).is_ok());
    assert!(policy
        .check_decrypt(Suite::AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384)
        .is_err());
    assert!(CommitmentPolicy::RequireEncryptAllowDecrypt
        .check_decrypt(Suite::AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384)
        .is_ok());
}

#[test]
fn too_many_encrypted_data_keys_are_refused_before_reading_them() {
    let message = seal_bytes(Suite::AES_256_GCM_HKDF_SHA512_COMMIT_KEY, &[5u8; 32], 4096, b"x", 1);
    assert!(matches!(
        read_header(&mut &message[..], Some(0)),
        Err(EsdkError::TooManyKeys { found: 1, max: 0 })
    ));
    assert!(read_header(&mut &message[..], Some(1)).is_ok());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// open(seal(x)) = x for any size and frame length, and any flipped
    /// byte fails.
    #[test]
    fn any_size_and_frame_length_round_trips_and_any_flip_fails(
        len in 0usize..20_000,
        frame in 1u32..5000,
        flip in proptest::prelude::any::<proptest::sample::Index>(),
        workers in 1usize..4,
    ) {
        let plaintext: Vec<u8> = (0..len).map(|i| (i % 256) as u8).collect();
        let key = [1u8; 32];
        let message = seal_bytes(Suite::AES_256_GCM_HKDF_SHA512_COMMIT_KEY, &key, frame, &plaintext, workers);
        let (opened, out) = open_with(&key, &message, 4 - workers);
        proptest::prop_assert_eq!(opened.unwrap(), len as u64);
        proptest::prop_assert_eq!(out, plaintext);
        let mut changed = message.clone();
        changed[flip.index(message.len())] ^= 0x80;
        proptest::prop_assert!(open_with(&key, &changed, workers).0.is_err());
    }
}

/// Known-answer messages the AWS Encryption SDK for Python 3.3.1 wrote for
/// every algorithm suite, framed (frame lengths 128 and 4096; plaintexts of
/// 0, 1, f-1, f, f+1 and 3f+2 bytes) and non-framed (0, 1 and 386 bytes),
/// through a materials manager that fixes the data key, the encrypted data
/// key and the signing key (`tests/data/esdk/python_sdk_message.py`).
const PYTHON_VECTORS: &str = include_str!("../../../tests/data/esdk/python-3.3.1.json");

#[derive(serde::Deserialize)]
struct Vectors {
    data_key: String,
    signing_scalars: BTreeMap<String, String>,
    vectors: Vec<Vector>,
}

/// A message kept whole (`message`), or, when it is large, as its header,
/// its footer (signing suites), its length and its SHA-256.
#[derive(serde::Deserialize)]
struct Vector {
    suite: u16,
    frame_length: u32,
    plaintext_length: usize,
    message: Option<String>,
    header: Option<String>,
    footer: Option<String>,
    message_length: Option<usize>,
    sha256: Option<String>,
}

pub(super) fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

use crate::crypto::hex;

fn python_vectors() -> Vectors {
    serde_json::from_str(PYTHON_VECTORS).unwrap()
}

/// The generator's plaintext: byte i is i * 31 % 251.
fn python_plaintext(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

/// The body's bytes for `len` plaintext bytes: full regular frames, then a
/// final frame with the rest (possibly none); or the one non-framed block.
fn body_length(frame_length: u32, len: usize) -> usize {
    let f = frame_length as usize;
    if f == 0 {
        return 12 + 8 + len + 16;
    }
    (len / f) * (4 + 12 + f + 16) + (4 + 4 + 12 + 4 + len % f + 16)
}

/// keyward's message for the header read and `plaintext`, signed (for a
/// signing suite) with the generator's signing key.
fn reseal(file: &Vectors, read: &ReadHeader, data_key: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let signer = read.header.suite.signing.map(|signing| {
        let curve = match signing {
            Signing::EcdsaP256Sha256 => "p256",
            Signing::EcdsaP384Sha384 => "p384",
        };
        Signer::from_scalar(signing, &unhex(&file.signing_scalars[curve])).unwrap()
    });
    let mut out = Vec::new();
    let options = Options {
        workers: 2,
        progress: &|_| {},
    };
    seal(
        data_key,
        &read.header,
        signer.as_ref(),
        &mut &plaintext[..],
        &mut out,
        &options,
    )
    .unwrap();
    out
}

#[test]
fn every_suite_and_frame_shape_of_the_python_sdk_opens_and_is_rewritten_byte_for_byte() {
    let file = python_vectors();
    let data_key = unhex(&file.data_key);
    let mut shapes = std::collections::BTreeSet::new();
    for v in &file.vectors {
        let suite = Suite::from_id(v.suite).unwrap();
        let what = format!("{suite}, frame length {}, {} bytes", v.frame_length, v.plaintext_length);
        let key = &data_key[..suite.key_len];
        let plaintext = python_plaintext(v.plaintext_length);
        let message = match &v.message {
            Some(message) => unhex(message),
            None => {
                // A large message: keyward writes it again from its header
                // (message id, context, data key), the footer is the SDK's,
                // and the digest shows the bytes are the SDK's very bytes.
                let header = unhex(v.header.as_deref().unwrap());
                let read = read_header(&mut &header[..], None).unwrap();
                assert!(read.bytes() == header, "{what}: the header is read whole");
                let footer = unhex(v.footer.as_deref().unwrap_or(""));
                let length = v.message_length.unwrap();
                let mut rebuilt = reseal(&file, &read, key, &plaintext);
                rebuilt.truncate(length - footer.len());
                rebuilt.extend_from_slice(&footer);
                assert_eq!(rebuilt.len(), length, "{what}");
                assert_eq!(
                    Some(hex(&sha2::Sha256::digest(&rebuilt))),
                    v.sha256,
                    "{what}: keyward's bytes differ from the SDK's"
                );
                rebuilt
            }
        };
        let read = read_header(&mut &message[..], None).unwrap();
        assert_eq!(read.header.frame_length, v.frame_length, "{what}");
        assert_eq!(read.header.context.get("purpose").map(String::as_str), Some("vectors"));
        assert_eq!(read.header.keys.len(), 1);
        assert_eq!(open_bytes(key, &message).expect(&what), plaintext, "{what}");
        let before_footer = read.bytes().len() + body_length(v.frame_length, v.plaintext_length);
        if suite.signing.is_some() {
            let signature = u16::from_be_bytes([message[before_footer], message[before_footer + 1]]);
            assert_eq!(message.len(), before_footer + 2 + usize::from(signature), "{what}");
        } else {
            assert_eq!(message.len(), before_footer, "{what}");
        }
        // Framed messages are written byte for byte the same (all but the
        // random ECDSA signature); keyward writes no non-framed message.
        if v.frame_length > 0 {
            let ours = reseal(&file, &read, key, &plaintext);
            assert!(
                ours[..before_footer] == message[..before_footer],
                "{what}: bytes differ"
            );
            if suite.signing.is_none() {
                assert!(ours == message, "{what}: bytes differ");
            }
        }
        shapes.insert((v.suite, v.frame_length));
    }
    assert_eq!(
        shapes.len(),
        Suite::ALL.len() * 3,
        "every suite, framed twice and non-framed"
    );
}

/// The SDK's non-framed message of 386 bytes in `suite`.
fn python_non_framed(suite: Suite) -> Vec<u8> {
    let file = python_vectors();
    let v = file
        .vectors
        .iter()
        .find(|v| v.suite == suite.id && v.frame_length == 0 && v.plaintext_length == 386)
        .unwrap();
    unhex(v.message.as_deref().unwrap())
}

#[test]
fn a_non_framed_message_with_any_byte_flipped_cut_or_appended_is_refused() {
    let data_key: Vec<u8> = (0u8..32).collect();
    for suite in [
        Suite::AES_256_GCM_IV12_TAG16_HKDF_SHA256,
        Suite::AES_128_GCM_IV12_TAG16_HKDF_SHA256_ECDSA_P256,
        Suite::AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
    ] {
        let key = &data_key[..suite.key_len];
        let message = python_non_framed(suite);
        assert_eq!(open_bytes(key, &message).unwrap(), python_plaintext(386));
        for at in 0..message.len() {
            let mut changed = message.clone();
            changed[at] ^= 0x01;
            assert!(open_bytes(key, &changed).is_err(), "{suite}: byte {at}");
        }
        for len in 0..message.len() {
            assert!(open_bytes(key, &message[..len]).is_err(), "{suite}: cut at {len}");
        }
        let mut longer = message.clone();
        longer.push(0);
        assert!(matches!(open_bytes(key, &longer), Err(EsdkError::TrailingData)));
    }
}

#[test]
fn a_non_framed_body_over_64_mib_is_refused_before_it_is_read() {
    let suite = Suite::AES_256_GCM_IV12_TAG16_HKDF_SHA256;
    let data_key: Vec<u8> = (0u8..32).collect();
    let message = python_non_framed(suite);
    let header = read_header(&mut &message[..], None).unwrap().bytes().len();
    let length = header + IV_LEN;
    for (claim, refused) in [
        (u64::from(MAX_FRAME_LENGTH) + 1, "NonFramedTooLarge"),
        (1 << 36, "Malformed"),
    ] {
        let mut changed = message.clone();
        changed[length..length + 8].copy_from_slice(&claim.to_be_bytes());
        let error = open_bytes(&data_key, &changed).unwrap_err();
        assert!(format!("{error:?}").starts_with(refused), "{claim}: {error:?}");
    }
}
