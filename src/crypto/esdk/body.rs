//! The framed body. From the *message format reference*, "Body structure"
//! (<https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/message-format.html#body-structure>),
//! and the *Body AAD reference*
//! (<https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/body-aad-reference.html>):
//!
//! ```text
//! regular frame := sequence (4) | IV (12) | ciphertext (frame length) | tag (16)
//! final frame   := 0xFFFFFFFF | sequence (4) | IV (12) | length (4) | ciphertext (length) | tag (16)
//! frame AAD     := message id | "AWSKMSEncryptionClient Frame" or "… Final Frame" | sequence (4) | length (8)
//! ```
//!
//! Sequence numbers start at 1 and the IV is the sequence number padded
//! with zeros on the left. Frames travel through the pipeline in batches
//! (about 256 KiB each), so the default 4 KiB frames cost no more to
//! schedule than large ones. A batch keeps its buffers for its whole life
//! and stays on one thread from reading to writing. Sealing reads the
//! plaintext in one piece and encrypts each frame straight into its place
//! among the wire bytes, which are written in one piece. Opening reads each
//! frame's ciphertext into its place in one buffer (its tag beside it) and
//! decrypts it there, so the plaintext is written in one piece too. Nothing
//! is allocated per frame and nothing is copied twice.

use std::io::{Read, Write};

use zeroize::Zeroizing;

use super::header::{IV_LEN, TAG_LEN};
use super::io::{eof_is_truncation, fill, Hashing};
use super::keys::MessageKeys;
use super::EsdkError;
use crate::crypto::envelope::pipeline::{self, Unit};

const FRAME: &[u8] = b"AWSKMSEncryptionClient Frame";
const FINAL_FRAME: &[u8] = b"AWSKMSEncryptionClient Final Frame";
const FINAL_MARKER: u32 = u32::MAX;
/// Sequence number and IV.
const REGULAR_HEADER: usize = 4 + IV_LEN;
/// Marker, sequence number, IV and length.
const FINAL_HEADER: usize = 4 + 4 + IV_LEN + 4;
/// Plaintext bytes per batch (at least one frame).
const BATCH_BYTES: usize = 256 << 10;

/// Consecutive frames; the last frame of the last batch is the final frame.
/// Sealing fills `data` with plaintext and makes `wire` (every frame,
/// headers and tags included); opening fills `data` with the frames'
/// ciphertexts back to back and `tags` with their tags, and decrypts `data`
/// in place. The buffers only grow, so a batch reused costs no allocation
/// and no clearing.
pub(super) struct Batch {
    first_sequence: u32,
    last: bool,
    /// Frames in the batch, and the length of the final one (when `last`).
    count: usize,
    final_len: usize,
    data: Zeroizing<Vec<u8>>,
    data_len: usize,
    wire: Vec<u8>,
    wire_len: usize,
    tags: Vec<[u8; TAG_LEN]>,
}

impl Unit for Batch {
    /// `bytes` counts both buffers: the data's half is reserved, the wire
    /// bytes grow on first use (sealing only).
    fn blank(bytes: usize) -> Batch {
        Batch {
            first_sequence: 0,
            last: false,
            count: 0,
            final_len: 0,
            data: Zeroizing::new(Vec::with_capacity(bytes / 2)),
            data_len: 0,
            wire: Vec::new(),
            wire_len: 0,
            tags: Vec::new(),
        }
    }

    fn is_last(&self) -> bool {
        self.last
    }
}

impl Batch {
    /// Frame `i` of the batch: its sequence number, whether it is the final
    /// frame, and its plaintext length.
    fn frame(&self, i: usize, frame_length: usize) -> (u32, bool, usize) {
        let is_final = self.last && i + 1 == self.count;
        let len = if is_final { self.final_len } else { frame_length };
        (self.first_sequence.wrapping_add(i as u32), is_final, len)
    }
}

/// Grows `buffer` to at least `len` bytes (new bytes are zero).
fn at_least(buffer: &mut Vec<u8>, len: usize) {
    if buffer.len() < len {
        buffer.resize(len, 0);
    }
}

fn iv(sequence: u32) -> [u8; IV_LEN] {
    let mut iv = [0u8; IV_LEN];
    iv[8..].copy_from_slice(&sequence.to_be_bytes());
    iv
}

/// The body AAD of a frame (or of the non-framed body) with this label.
pub(super) fn aad(message_id: &[u8], label: &[u8], sequence: u32, len: usize) -> Vec<u8> {
    let mut aad = Vec::with_capacity(message_id.len() + label.len() + 12);
    aad_into(&mut aad, message_id, label, sequence, len);
    aad
}

/// Writes the body AAD into `aad`, reusing its allocation.
fn aad_into(aad: &mut Vec<u8>, message_id: &[u8], label: &[u8], sequence: u32, len: usize) {
    aad.clear();
    aad.extend_from_slice(message_id);
    aad.extend_from_slice(label);
    aad.extend_from_slice(&sequence.to_be_bytes());
    aad.extend_from_slice(&(len as u64).to_be_bytes());
}

fn label(is_final: bool) -> &'static [u8] {
    if is_final {
        FINAL_FRAME
    } else {
        FRAME
    }
}

fn frames_per_batch(frame_length: usize) -> usize {
    (BATCH_BYTES / frame_length.max(1)).max(1)
}

/// Seals `input` into frames written to `output`; returns the plaintext
/// bytes read.
pub(super) fn seal<W: Write + Send>(
    keys: &MessageKeys,
    message_id: &[u8],
    frame_length: usize,
    workers: usize,
    input: &mut (impl Read + Send),
    output: &mut Hashing<'_, W>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64, EsdkError> {
    let per_batch = frames_per_batch(frame_length);
    let batch_bytes = per_batch * frame_length;
    let mut next_sequence = 1u32;
    let mut total = 0u64;
    pipeline::run::<Batch, EsdkError, _, _, _>(
        workers,
        2 * batch_bytes,
        |batch| {
            at_least(&mut batch.data, batch_bytes);
            let n = fill(input, &mut batch.data[..batch_bytes])?;
            batch.first_sequence = next_sequence;
            batch.data_len = n;
            batch.last = n < batch_bytes;
            // The final frame holds the rest: fewer than a frame's bytes,
            // possibly none.
            batch.count = n / frame_length + usize::from(batch.last);
            batch.final_len = n % frame_length;
            let count = u32::try_from(batch.count).map_err(|_| EsdkError::TooLarge)?;
            next_sequence = next_sequence
                .checked_add(count)
                .filter(|n| *n < FINAL_MARKER)
                .ok_or(EsdkError::TooLarge)?;
            Ok(())
        },
        |batch| seal_batch(keys, message_id, frame_length, batch),
        |batch| {
            output.write_all(&batch.wire[..batch.wire_len])?;
            total += batch.data_len as u64;
            progress(total);
            Ok(())
        },
    )?;
    Ok(total)
}

/// Encrypts the frames of `batch.data` into `batch.wire`.
fn seal_batch(keys: &MessageKeys, message_id: &[u8], frame_length: usize, batch: &mut Batch) -> Result<(), EsdkError> {
    let regular = batch.count - usize::from(batch.last);
    let mut wire_len = regular * (REGULAR_HEADER + frame_length + TAG_LEN);
    if batch.last {
        wire_len += FINAL_HEADER + batch.final_len + TAG_LEN;
    }
    at_least(&mut batch.wire, wire_len);
    batch.wire_len = wire_len;
    let mut aad = Vec::with_capacity(message_id.len() + FINAL_FRAME.len() + 12);
    let (mut at, mut from) = (0, 0);
    for i in 0..batch.count {
        let (sequence, is_final, len) = batch.frame(i, frame_length);
        let iv = iv(sequence);
        let wire = &mut batch.wire[at..];
        let mut put = |bytes: &[u8], at: &mut usize| {
            wire[*at..*at + bytes.len()].copy_from_slice(bytes);
            *at += bytes.len();
        };
        let mut h = 0;
        if is_final {
            put(&FINAL_MARKER.to_be_bytes(), &mut h);
        }
        put(&sequence.to_be_bytes(), &mut h);
        put(&iv, &mut h);
        if is_final {
            put(&(len as u32).to_be_bytes(), &mut h);
        }
        aad_into(&mut aad, message_id, label(is_final), sequence, len);
        let (ciphertext, tag) = wire[h..h + len + TAG_LEN].split_at_mut(len);
        let sealed = keys
            .cipher
            .seal_into(&iv, &aad, &batch.data[from..from + len], ciphertext)
            .ok_or(EsdkError::TooLarge)?;
        tag.copy_from_slice(&sealed);
        at += h + len + TAG_LEN;
        from += len;
    }
    Ok(())
}

/// Opens the frames of `input` and writes their plaintext, in order, to
/// `output`, each only once its tag has checked; returns the plaintext bytes
/// written. Reading stops after the final frame: the caller reads the
/// footer, or checks that nothing follows.
pub(super) fn open<R: Read + Send>(
    keys: &MessageKeys,
    message_id: &[u8],
    frame_length: usize,
    workers: usize,
    input: &mut Hashing<'_, R>,
    output: &mut (impl Write + Send),
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64, EsdkError> {
    let per_batch = frames_per_batch(frame_length);
    let mut expected = 1u32;
    let mut total = 0u64;
    pipeline::run::<Batch, EsdkError, _, _, _>(
        workers,
        2 * per_batch * frame_length,
        |batch| {
            batch.first_sequence = expected;
            batch.last = false;
            batch.count = 0;
            batch.data_len = 0;
            batch.tags.clear();
            while batch.count < per_batch && !batch.last {
                read_frame(input, batch, expected, frame_length)?;
                expected = expected.checked_add(1).ok_or(EsdkError::TooLarge)?;
            }
            Ok(())
        },
        |batch| open_batch(keys, message_id, frame_length, batch),
        |batch| {
            output.write_all(&batch.data[..batch.data_len])?;
            total += batch.data_len as u64;
            progress(total);
            Ok(())
        },
    )?;
    Ok(total)
}

/// Decrypts the frames of `batch.data` in place.
fn open_batch(keys: &MessageKeys, message_id: &[u8], frame_length: usize, batch: &mut Batch) -> Result<(), EsdkError> {
    let mut aad = Vec::with_capacity(message_id.len() + FINAL_FRAME.len() + 12);
    let mut at = 0;
    for (i, tag) in batch.tags.iter().enumerate() {
        let (sequence, is_final, len) = batch.frame(i, frame_length);
        aad_into(&mut aad, message_id, label(is_final), sequence, len);
        if !keys
            .cipher
            .open(&iv(sequence), &aad, &mut batch.data[at..at + len], tag)
        {
            return Err(EsdkError::FrameTampered { sequence });
        }
        at += len;
    }
    Ok(())
}

/// Reads frame number `expected` onto the end of `batch`: its ciphertext
/// and tag, once its sequence number and IV have checked.
fn read_frame(input: &mut impl Read, batch: &mut Batch, expected: u32, frame_length: usize) -> Result<(), EsdkError> {
    let mut word = [0u8; 4];
    input.read_exact(&mut word).map_err(eof_is_truncation)?;
    let mut sequence = u32::from_be_bytes(word);
    let is_final = sequence == FINAL_MARKER;
    if is_final {
        input.read_exact(&mut word).map_err(eof_is_truncation)?;
        sequence = u32::from_be_bytes(word);
    }
    if sequence != expected {
        return Err(EsdkError::OutOfOrder {
            expected,
            found: sequence,
        });
    }
    let mut frame_iv = [0u8; IV_LEN];
    input.read_exact(&mut frame_iv).map_err(eof_is_truncation)?;
    if frame_iv != iv(sequence) {
        return Err(EsdkError::FrameTampered { sequence });
    }
    let len = if is_final {
        input.read_exact(&mut word).map_err(eof_is_truncation)?;
        let len = u32::from_be_bytes(word) as usize;
        if len > frame_length {
            return Err(EsdkError::Malformed(format!(
                "the final frame holds {len} bytes; the frame length is {frame_length}"
            )));
        }
        batch.final_len = len;
        len
    } else {
        frame_length
    };
    let start = batch.data_len;
    at_least(&mut batch.data, start + len);
    input
        .read_exact(&mut batch.data[start..start + len])
        .map_err(eof_is_truncation)?;
    let mut tag = [0u8; TAG_LEN];
    input.read_exact(&mut tag).map_err(eof_is_truncation)?;
    batch.tags.push(tag);
    batch.data_len = start + len;
    batch.count += 1;
    batch.last = is_final;
    Ok(())
}
