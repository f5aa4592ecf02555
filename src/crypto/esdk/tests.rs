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
