//! Round trips over sizes around the frame length for every suite keyward
//! writes, and every kind of tampering refused.

use std::collections::BTreeMap;

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
    let mut input = message;
    let read = read_header(&mut input, None)?;
    let mut out = Vec::new();
    let options = Options {
        workers: 3,
        progress: &|_| {},
    };
    open(key, &read, &mut input, &mut out, &options)?;
    Ok(out)
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
        proptest::prop_assert_eq!(open_bytes(&key, &message).unwrap(), plaintext);
        let mut changed = message.clone();
        changed[flip.index(message.len())] ^= 0x80;
        proptest::prop_assert!(open_bytes(&key, &changed).is_err());
    }
}

/// A message the AWS Encryption SDK for Python 3.3.1 wrote (suite 0x0478,
/// frame length 128, context {"purpose": "kat"}, one EDK `aws-kms` /
/// `arn:aws:kms:us-east-1:111122223333:key/kat` / `kms-ciphertext`) with
/// the data key 00 01 … 1f, through a materials manager that fixes the key
/// (`tests/data/esdk/python_sdk_message.py`).
const PYTHON_SDK_MESSAGE: &str = "02047811010c9f40d4bcf9d8bfb3b4f6338ca3f632c66247c4fd49c163b90311e61616001000010007707572706f736500036b6174000100076177732d6b6d73002a61726e3a6177733a6b6d733a75732d656173742d313a3131313132323232333333333a6b65792f6b6174000e6b6d732d63697068657274657874020000008094e48ab9b66c275df41c24c25c2a8057ff1159de764fc886f006f6f3a8a5ed2f6b26c98d980e49b158fafa00d9b0378f0000000100000000000000000000000172e1d7e1cc3ff9a68098c168ce19f4ab75e653f60941f1f7647ff6fba24a8dcc34d392940fb506ab8e97340db95ce377b6f1181d63c679f8ce83cd93320c17da94b996807a9edb9868046df81e3ee24ab43c1b3cd5af6d951c9671e1664d462d3cc5560e4d5530ecae895cbb41bd5faa23c42d3cf7ad5b0b0242507fb345fc7b5be737f6732d08d08eeeb38596a9214a000000020000000000000000000000024c4fcfc2c7b2a5e8689c056a6b4ce6e647c866f936c9a9288846674b88933339e7063f81cfadb0156e18f7b7df2aebeab40e43545b4c0ed414a0ff50ad912c7d661f120358a9f9ea6dc563efc84269b0dc97afde62e69e5f947adc9ba8a82dde77690a72813e4df27b18d2a3d9e91344f8f4efc0c39d8bbb706244f840349c2363eb0b26c16bc3ccada1981c6d6507b0ffffffff0000000300000000000000000000000300000020b4dcbf414e11f3a0f357dc25dc246e09189ab23d98c7d5c3f2f3c1881bfe942302c854c09f79bcdd998b3c9dcbe1dd2c";

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn a_message_of_the_python_sdk_opens_and_is_reproduced_byte_for_byte() {
    let data_key: Vec<u8> = (0u8..32).collect();
    let message = unhex(PYTHON_SDK_MESSAGE);
    let expected = b"keyward reads the SDK's messages".repeat(9);
    assert_eq!(open_bytes(&data_key, &message).unwrap(), expected);
    // The committing suite without signature is deterministic given the
    // message id: keyward writes the very same bytes.
    let read = read_header(&mut &message[..], None).unwrap();
    let mut out = Vec::new();
    let options = Options {
        workers: 2,
        progress: &|_| {},
    };
    seal(&data_key, &read.header, None, &mut &expected[..], &mut out, &options).unwrap();
    assert!(out == message, "keyward's bytes differ from the SDK's");
}
