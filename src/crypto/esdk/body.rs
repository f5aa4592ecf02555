//! The framed body and the footer. From the *message format reference*,
//! "Body structure" and "Footer structure"
//! (https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/message-format.html#body-structure):
//!
//! ```text
//! regular frame := sequence (4) | IV (12) | ciphertext (frame length) | tag (16)
//! final frame   := 0xFFFFFFFF | sequence (4) | IV (12) | length (4) | ciphertext (length) | tag (16)
//! footer        := signature length (2) | DER ECDSA signature      (signing suites only)
//! frame AAD     := message id | "AWSKMSEncryptionClient Frame" or "… Final Frame" | sequence (4) | length (8)
//! ```
//!
//! Sequence numbers start at 1 and the IV is the sequence number padded
//! with zeros on the left. Frames travel through the pipeline in batches
//! (about 256 KiB each), so the default 4 KiB frames cost no more to
//! schedule than large ones.

use std::io::{Read, Write};

use zeroize::Zeroizing;

use super::header::{IV_LEN, TAG_LEN};
use super::keys::{Hasher, MessageKeys};
use super::EsdkError;
use crate::crypto::envelope::pipeline::{self, Unit};

const FRAME: &[u8] = b"AWSKMSEncryptionClient Frame";
const FINAL_FRAME: &[u8] = b"AWSKMSEncryptionClient Final Frame";
const FINAL_MARKER: u32 = u32::MAX;
/// Plaintext bytes per batch (at least one frame).
const BATCH_BYTES: usize = 256 << 10;

pub(super) fn eof_is_truncation(e: std::io::Error) -> EsdkError {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => EsdkError::Truncated,
        _ => EsdkError::Io(e),
    }
}

/// Consecutive frames: the data of each, one after another, its length and
/// tag; the last frame of the last batch is the final frame.
pub(super) struct Batch {
    number: u32,
    first_sequence: u32,
    last: bool,
    data: Zeroizing<Vec<u8>>,
    lengths: Vec<usize>,
    tags: Vec<[u8; TAG_LEN]>,
}

impl Unit for Batch {
    fn blank(bytes: usize) -> Batch {
        Batch {
            number: 0,
            first_sequence: 0,
            last: false,
            data: Zeroizing::new(Vec::with_capacity(bytes)),
            lengths: Vec::new(),
            tags: Vec::new(),
        }
    }

    fn number(&self) -> u32 {
        self.number
    }

    fn is_last(&self) -> bool {
        self.last
    }
}

impl Batch {
    /// Each frame: its sequence number, whether it is the final frame, and
    /// the range of its data.
    fn frames(&self) -> impl Iterator<Item = (u32, bool, std::ops::Range<usize>)> + '_ {
        let count = self.lengths.len();
        let mut at = 0;
        self.lengths.iter().enumerate().map(move |(i, len)| {
            let range = at..at + len;
            at += len;
            (
                self.first_sequence.wrapping_add(i as u32),
                self.last && i + 1 == count,
                range,
            )
        })
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
    aad.extend_from_slice(message_id);
    aad.extend_from_slice(label);
    aad.extend_from_slice(&sequence.to_be_bytes());
    aad.extend_from_slice(&(len as u64).to_be_bytes());
    aad
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

/// Reads up to `n` bytes, fewer only at the end of the input.
fn fill(input: &mut impl Read, buffer: &mut Vec<u8>, n: usize) -> std::io::Result<()> {
    buffer.clear();
    buffer.resize(n, 0);
    let mut filled = 0;
    while filled < n {
        match input.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(k) => filled += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buffer.truncate(filled);
    Ok(())
}

/// A writer that feeds a signing suite's digest with what it writes.
pub(super) struct Hashing<'a, T> {
    pub inner: &'a mut T,
    pub hasher: Option<Hasher>,
}

impl<T: Write> Write for Hashing<'_, T> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        if let Some(h) = &mut self.hasher {
            h.update(&buf[..n]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<T: Read> Read for Hashing<'_, T> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hasher {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// Seals `input` into frames written to `output`; returns the plaintext
/// bytes read.
pub(super) fn seal<W: Write>(
    keys: &MessageKeys,
    message_id: &[u8],
    frame_length: usize,
    workers: usize,
    input: &mut (impl Read + Send),
    output: &mut Hashing<'_, W>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64, EsdkError> {
    let per_batch = frames_per_batch(frame_length);
    let mut number = 0u32;
    let mut next_sequence = 1u32;
    let mut total = 0u64;
    pipeline::run::<Batch, EsdkError, _, _, _>(
        workers,
        per_batch * frame_length,
        |batch| {
            number = number.checked_add(1).ok_or(EsdkError::TooLarge)?;
            fill(input, &mut batch.data, per_batch * frame_length)?;
            batch.number = number;
            batch.first_sequence = next_sequence;
            batch.last = batch.data.len() < per_batch * frame_length;
            batch.lengths.clear();
            let full = batch.data.len() / frame_length;
            batch.lengths.extend(std::iter::repeat_n(frame_length, full));
            if batch.last {
                // The final frame holds the rest: fewer than a frame's bytes,
                // possibly none.
                batch.lengths.push(batch.data.len() % frame_length);
            }
            let count = u32::try_from(batch.lengths.len()).map_err(|_| EsdkError::TooLarge)?;
            next_sequence = next_sequence
                .checked_add(count)
                .filter(|n| *n < FINAL_MARKER)
                .ok_or(EsdkError::TooLarge)?;
            Ok(())
        },
        |batch| {
            let mut tags = std::mem::take(&mut batch.tags);
            tags.clear();
            let frames: Vec<_> = batch.frames().collect();
            for (sequence, is_final, range) in frames {
                let aad = aad(message_id, label(is_final), sequence, range.len());
                let tag = keys
                    .cipher
                    .seal(&iv(sequence), &aad, &mut batch.data[range])
                    .ok_or(EsdkError::TooLarge)?;
                tags.push(tag);
            }
            batch.tags = tags;
            Ok(())
        },
        |batch| {
            for ((sequence, is_final, range), tag) in batch.frames().zip(&batch.tags) {
                if is_final {
                    output.write_all(&FINAL_MARKER.to_be_bytes())?;
                }
                output.write_all(&sequence.to_be_bytes())?;
                output.write_all(&iv(sequence))?;
                if is_final {
                    output.write_all(&(range.len() as u32).to_be_bytes())?;
                }
                output.write_all(&batch.data[range])?;
                output.write_all(tag)?;
            }
            total += batch.data.len() as u64;
            progress(total);
            Ok(())
        },
    )?;
    Ok(total)
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
    output: &mut impl Write,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64, EsdkError> {
    let per_batch = frames_per_batch(frame_length);
    let mut number = 0u32;
    let mut expected = 1u32;
    let mut total = 0u64;
    pipeline::run::<Batch, EsdkError, _, _, _>(
        workers,
        per_batch * frame_length,
        |batch| {
            number = number.checked_add(1).ok_or(EsdkError::TooLarge)?;
            batch.number = number;
            batch.first_sequence = expected;
            batch.last = false;
            batch.data.clear();
            batch.lengths.clear();
            batch.tags.clear();
            while batch.lengths.len() < per_batch && !batch.last {
                let (is_final, len) = read_frame(input, batch, expected, frame_length)?;
                batch.last = is_final;
                batch.lengths.push(len);
                expected = expected.checked_add(1).ok_or(EsdkError::TooLarge)?;
            }
            Ok(())
        },
        |batch| {
            let frames: Vec<_> = batch.frames().collect();
            for ((sequence, is_final, range), tag) in frames.into_iter().zip(batch.tags.clone()) {
                let aad = aad(message_id, label(is_final), sequence, range.len());
                if !keys.cipher.open(&iv(sequence), &aad, &mut batch.data[range], &tag) {
                    return Err(EsdkError::FrameTampered { sequence });
                }
            }
            Ok(())
        },
        |batch| {
            output.write_all(&batch.data)?;
            total += batch.data.len() as u64;
            progress(total);
            Ok(())
        },
    )?;
    Ok(total)
}

/// Reads frame number `expected` onto the end of `batch`; returns whether
/// it is the final frame, and its length.
fn read_frame(
    input: &mut impl Read,
    batch: &mut Batch,
    expected: u32,
    frame_length: usize,
) -> Result<(bool, usize), EsdkError> {
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
        len
    } else {
        frame_length
    };
    let start = batch.data.len();
    batch.data.resize(start + len, 0);
    input.read_exact(&mut batch.data[start..]).map_err(eof_is_truncation)?;
    let mut tag = [0u8; TAG_LEN];
    input.read_exact(&mut tag).map_err(eof_is_truncation)?;
    batch.tags.push(tag);
    Ok((is_final, len))
}

/// The footer: the signature's length and the signature.
pub(super) fn write_footer(output: &mut impl Write, signature: &[u8]) -> Result<(), EsdkError> {
    let len = u16::try_from(signature.len()).map_err(|_| EsdkError::SignatureInvalid)?;
    output.write_all(&len.to_be_bytes())?;
    output.write_all(signature)?;
    Ok(())
}

pub(super) fn read_footer(input: &mut impl Read) -> Result<Vec<u8>, EsdkError> {
    let mut len = [0u8; 2];
    input.read_exact(&mut len).map_err(eof_is_truncation)?;
    let mut signature = vec![0u8; u16::from_be_bytes(len) as usize];
    input.read_exact(&mut signature).map_err(eof_is_truncation)?;
    Ok(signature)
}

/// Refuses anything after the end of the message.
pub(super) fn expect_end(input: &mut impl Read) -> Result<(), EsdkError> {
    let mut probe = [0u8; 1];
    loop {
        match input.read(&mut probe) {
            Ok(0) => return Ok(()),
            Ok(_) => return Err(EsdkError::TrailingData),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(EsdkError::Io(e)),
        }
    }
}
