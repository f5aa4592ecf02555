//! The envelope format on its own: round trips at the sizes around a frame,
//! the known-answer vector, and every kind of tampering.

use std::collections::BTreeMap;

use super::frames::FRAME_OVERHEAD;
use super::*;

const FRAME: u32 = 1024;

fn data_key(byte: u8) -> Zeroizing<[u8; 32]> {
    Zeroizing::new([byte; 32])
}

fn header(frame_size: u32) -> Header {
    Header {
        message_id: [7; 32],
        frame_size,
        context: BTreeMap::from([("purpose".to_owned(), "test".to_owned())]),
        keys: vec![EncryptedDataKey {
            key_arn: "arn:aws:kms:us-east-1:111122223333:key/k".to_owned(),
            ciphertext_blob: vec![1, 2, 3],
        }],
    }
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

fn seal_bytes(key: &Zeroizing<[u8; 32]>, header: &Header, plaintext: &[u8], workers: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let options = Options {
        workers,
        progress: &|_| {},
    };
    let sealed = seal(key, header, &mut &plaintext[..], &mut out, &options).expect("seal");
    assert_eq!(sealed, plaintext.len() as u64);
    out
}

/// Opens a whole file; on failure, also what was written before it.
fn open_bytes(key: &Zeroizing<[u8; 32]>, file: &[u8]) -> Result<Vec<u8>, (EnvelopeError, Vec<u8>)> {
    let mut input = file;
    let read = read_header(&mut input).map_err(|e| (e, Vec::new()))?;
    let mut out = Vec::new();
    match open(key, &read, &mut input, &mut out, &Options::default()) {
        Ok(n) => {
            assert_eq!(n, out.len() as u64);
            Ok(out)
        }
        Err(e) => Err((e, out)),
    }
}

fn header_len(file: &[u8]) -> usize {
    let mut input = file;
    read_header(&mut input).expect("a header");
    file.len() - input.len()
}

fn unhex(text: &str) -> Vec<u8> {
    let text = text.trim();
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn round_trips_at_every_size_around_a_frame() {
    let key = data_key(1);
    let f = FRAME as usize;
    for len in [0, 1, f - 1, f, f + 1, 2 * f, 3 * 1024 * 1024 + 17] {
        for workers in [1, 3] {
            let plaintext = data(len);
            let file = seal_bytes(&key, &header(FRAME), &plaintext, workers);
            // Full frames, then one shorter last frame (empty when the size
            // is a multiple of the frame size).
            let frames = len / f + 1;
            assert_eq!(
                file.len(),
                header_len(&file) + len + frames * FRAME_OVERHEAD,
                "size {len}"
            );
            assert_eq!(open_bytes(&key, &file).expect("opens"), plaintext, "size {len}");
        }
    }
}

#[test]
fn the_known_answer_vector_is_reproduced_byte_for_byte() {
    // docs/envelope-v1-kat.hex, printed by docs/envelope-kat.py, an
    // independent implementation of docs/envelope-format.md (pyca/cryptography).
    let expected = unhex(include_str!("../../../docs/envelope-v1-kat.hex"));
    let header = Header {
        message_id: [0x5a; 32],
        frame_size: 1024,
        context: BTreeMap::from([
            ("purpose".to_owned(), "kat".to_owned()),
            ("app".to_owned(), "keyward".to_owned()),
        ]),
        keys: vec![EncryptedDataKey {
            key_arn: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab".to_owned(),
            ciphertext_blob: vec![0xc0; 8],
        }],
    };
    let key = Zeroizing::new(core::array::from_fn(|i| i as u8));
    let plaintext = data(1500);
    assert_eq!(seal_bytes(&key, &header, &plaintext, 2), expected);
    assert_eq!(open_bytes(&key, &expected).expect("opens"), plaintext);
    let mut input = &expected[..];
    assert_eq!(read_header(&mut input).expect("header").header, header);
}

#[test]
fn every_flipped_bit_fails_and_releases_nothing_past_it() {
    let key = data_key(2);
    let plaintext = data(2 * FRAME as usize + 100);
    let file = seal_bytes(&key, &header(FRAME), &plaintext, 2);
    for byte in 0..file.len() {
        let mut bad = file.clone();
        bad[byte] ^= 1 << (byte % 8);
        let (_, written) = open_bytes(&key, &bad).expect_err(&format!("byte {byte} flipped"));
        // Whatever was written is whole, authenticated frames from the start.
        assert!(plaintext.starts_with(&written), "byte {byte}");
        assert_eq!(written.len() % FRAME as usize, 0, "byte {byte}");
    }
}

#[test]
fn truncation_reordering_duplication_and_appending_fail() {
    let key = data_key(3);
    let plaintext = data(3 * FRAME as usize + 5);
    let file = seal_bytes(&key, &header(FRAME), &plaintext, 2);
    let body = header_len(&file);
    let frame = FRAME as usize + FRAME_OVERHEAD;
    let frames: Vec<&[u8]> = (0..3)
        .map(|i| &file[body + i * frame..body + (i + 1) * frame])
        .collect();
    let last = &file[body + 3 * frame..];
    let assemble = |parts: &[&[u8]]| -> Vec<u8> {
        let mut out = file[..body].to_vec();
        parts.iter().for_each(|p| out.extend_from_slice(p));
        out
    };

    for cut in [body, body + frame, body + frame + 10, file.len() - 1] {
        let (error, _) = open_bytes(&key, &file[..cut]).expect_err("cut");
        assert!(matches!(error, EnvelopeError::Truncated), "cut at {cut}: {error}");
    }
    // Dropping the last frame leaves a file that ends on a full frame.
    let (error, _) = open_bytes(&key, &assemble(&frames)).expect_err("no last frame");
    assert!(matches!(error, EnvelopeError::Truncated), "{error}");
    let (error, _) = open_bytes(&key, &assemble(&[frames[1], frames[0], frames[2], last])).expect_err("swapped");
    assert!(
        matches!(error, EnvelopeError::OutOfOrder { expected: 1, found: 2 }),
        "{error}"
    );
    let (error, _) =
        open_bytes(&key, &assemble(&[frames[0], frames[0], frames[1], frames[2], last])).expect_err("repeated");
    assert!(
        matches!(error, EnvelopeError::OutOfOrder { expected: 2, found: 1 }),
        "{error}"
    );
    let (error, written) = open_bytes(&key, &[file.as_slice(), b"x"].concat()).expect_err("appended");
    assert!(matches!(error, EnvelopeError::TrailingData), "{error}");
    assert!(written.len() < plaintext.len(), "the last frame is not released");
}

#[test]
fn a_changed_header_or_another_data_key_fails() {
    let key = data_key(4);
    let file = seal_bytes(&key, &header(FRAME), &data(10), 1);
    let (error, _) = open_bytes(&data_key(5), &file).expect_err("another key");
    assert!(matches!(error, EnvelopeError::WrongDataKey), "{error}");

    // The same file with another context in its header.
    let mut other = header(FRAME);
    other.context.insert("purpose".to_owned(), "tset".to_owned());
    let forged = seal_bytes(&key, &other, &data(10), 1);
    let spliced = [&forged[..header_len(&forged)], &file[header_len(&file)..]].concat();
    let (error, _) = open_bytes(&key, &spliced).expect_err("spliced");
    assert!(matches!(error, EnvelopeError::FrameTampered { sequence: 1 }), "{error}");

    let mut bad_magic = file.clone();
    bad_magic[0] = b'X';
    assert!(matches!(
        open_bytes(&key, &bad_magic),
        Err((EnvelopeError::NotAnEnvelope, _))
    ));
    let mut future = file.clone();
    future[4] = 2;
    assert!(matches!(
        open_bytes(&key, &future),
        Err((EnvelopeError::UnsupportedVersion(2), _))
    ));
    assert!(matches!(
        open_bytes(&key, b"KW"),
        Err((EnvelopeError::NotAnEnvelope, _))
    ));
}

#[test]
fn headers_that_cannot_be_written_are_refused() {
    let key = data_key(6);
    let mut out = Vec::new();
    for bad in [
        Header {
            frame_size: 512,
            ..header(FRAME)
        },
        Header {
            keys: Vec::new(),
            ..header(FRAME)
        },
    ] {
        let result = seal(&key, &bad, &mut &b"x"[..], &mut out, &Options::default());
        assert!(matches!(result, Err(EnvelopeError::Malformed(_))), "{result:?}");
    }
}

#[test]
fn progress_reports_the_running_total() {
    let seen = std::sync::Mutex::new(Vec::new());
    let record = |n: u64| seen.lock().expect("lock").push(n);
    let options = Options {
        workers: 2,
        progress: &record,
    };
    let mut out = Vec::new();
    let plaintext = data(2 * FRAME as usize + 1);
    seal(&data_key(7), &header(FRAME), &mut &plaintext[..], &mut out, &options).expect("seal");
    assert_eq!(*seen.lock().expect("lock"), [1024, 2048, 2049]);
}
