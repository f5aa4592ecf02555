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
//! among the wire bytes, which are written in one piece. Opening reads the
//! wire bytes of a batch's frames in one piece straight from the input,
//! decrypts each frame where it lies, and writes the plaintexts with one
//! vectored write. Nothing is allocated per frame and no byte is copied in
//! user space. A signing suite's digest of the wire bytes runs in the
//! pipeline's lane (sealed batches after sealing, read ones before
//! opening), beside the reads, writes and AES-GCM of the other batches.

use std::io::{IoSlice, Read, Write};

use zeroize::Zeroizing;

use super::header::{IV_LEN, TAG_LEN};
use super::io::{eof_is_truncation, fill, write_all_vectored};
use super::keys::{Hasher, MessageKeys};
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
/// headers and tags included); opening fills `wire` and decrypts each
/// frame's ciphertext in place. Both buffers are wiped when dropped (when
/// opening, `wire` holds plaintext) and only grow, so a batch reused costs
/// no allocation and no clearing.
pub(super) struct Batch {
    first_sequence: u32,
    last: bool,
    /// Frames in the batch, and the length of the final one (when `last`).
    count: usize,
    final_len: usize,
    data: Zeroizing<Vec<u8>>,
    /// The plaintext bytes of the batch.
    plain_len: usize,
    wire: Zeroizing<Vec<u8>>,
    wire_len: usize,
}

impl Unit for Batch {
    /// Both buffers grow on first use, to the size the batch needs.
    fn blank(_bytes: usize) -> Batch {
        Batch {
            first_sequence: 0,
            last: false,
            count: 0,
            final_len: 0,
            data: Zeroizing::new(Vec::new()),
            plain_len: 0,
            wire: Zeroizing::new(Vec::new()),
            wire_len: 0,
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

    /// Where the ciphertext of frame `i` lies in `wire` when opening (each
    /// frame before it regular), and its length.
    fn ciphertext_at(&self, i: usize, frame_length: usize) -> (usize, usize) {
        let (_, is_final, len) = self.frame(i, frame_length);
        let header = if is_final { FINAL_HEADER } else { REGULAR_HEADER };
        (i * slot(frame_length) + header, len)
    }
}

/// The wire bytes of a regular frame.
fn slot(frame_length: usize) -> usize {
    REGULAR_HEADER + frame_length + TAG_LEN
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

/// What the frames of one message share: its keys, its id (in each
/// frame's AAD) and its frame length.
#[derive(Clone, Copy)]
pub(super) struct Body<'a> {
    pub keys: &'a MessageKeys,
    pub message_id: &'a [u8],
    pub frame_length: usize,
}

impl Body<'_> {
    /// Seals `input` into frames written to `output` and fed, in order, to
    /// `hasher` (a signing suite's); returns the plaintext bytes read and the
    /// hasher.
    pub fn seal(
        self,
        workers: usize,
        input: &mut (impl Read + Send),
        hasher: Option<Hasher>,
        output: &mut (impl Write + Send),
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(u64, Option<Hasher>), EsdkError> {
        let frame_length = self.frame_length;
        let per_batch = frames_per_batch(frame_length);
        let batch_bytes = per_batch * frame_length;
        let mut next_sequence = 1u32;
        let mut total = 0u64;
        let hasher = pipeline::run::<Batch, EsdkError, _, _, _, _>(
            workers,
            2 * batch_bytes,
            hasher,
            |batch| {
                at_least(&mut batch.data, batch_bytes);
                let n = fill(input, &mut batch.data[..batch_bytes])?;
                batch.first_sequence = next_sequence;
                batch.plain_len = n;
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
            |batch, lane| {
                self.seal_batch(batch)?;
                lane.in_order(|h: &mut Hasher| h.update(&batch.wire[..batch.wire_len]));
                Ok(())
            },
            |batch| {
                output.write_all(&batch.wire[..batch.wire_len])?;
                total += batch.plain_len as u64;
                progress(total);
                Ok(())
            },
        )?;
        Ok((total, hasher))
    }

    /// Encrypts the frames of `batch.data` into `batch.wire`.
    fn seal_batch(self, batch: &mut Batch) -> Result<(), EsdkError> {
        let Body {
            keys,
            message_id,
            frame_length,
        } = self;
        let regular = batch.count - usize::from(batch.last);
        let mut wire_len = regular * slot(frame_length);
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
    /// `output`, each only once its tag has checked, and feeds `hasher` (a
    /// signing suite's) with their wire bytes. Returns the plaintext bytes
    /// written and the bytes read past the final frame (the footer, or what
    /// must not be there), from which the caller goes on reading.
    pub fn open<R: Read + Send>(
        self,
        workers: usize,
        input: &mut R,
        hasher: &mut Option<Hasher>,
        output: &mut (impl Write + Send),
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(u64, Vec<u8>), EsdkError> {
        let frame_length = self.frame_length;
        let per_batch = frames_per_batch(frame_length);
        let mut expected = 1u32;
        let mut after = Vec::new();
        let mut total = 0u64;
        *hasher = pipeline::run::<Batch, EsdkError, _, _, _, _>(
            workers,
            per_batch * slot(frame_length),
            hasher.take(),
            |batch| {
                read_batch(input, batch, expected, per_batch, frame_length, &mut after)?;
                let count = u32::try_from(batch.count).map_err(|_| EsdkError::TooLarge)?;
                expected = expected.checked_add(count).ok_or(EsdkError::TooLarge)?;
                Ok(())
            },
            |batch, lane| {
                // The digest covers the ciphertext, which opening replaces.
                lane.in_order(|h: &mut Hasher| h.update(&batch.wire[..batch.wire_len]));
                self.open_batch(batch)
            },
            |batch| {
                let mut plaintexts: Vec<IoSlice<'_>> = (0..batch.count)
                    .map(|i| batch.ciphertext_at(i, frame_length))
                    .filter(|&(_, len)| len > 0)
                    .map(|(at, len)| IoSlice::new(&batch.wire[at..at + len]))
                    .collect();
                write_all_vectored(output, &mut plaintexts)?;
                total += batch.plain_len as u64;
                progress(total);
                Ok(())
            },
        )?;
        Ok((total, after))
    }

    /// Decrypts each frame of `batch.wire` where it lies.
    fn open_batch(self, batch: &mut Batch) -> Result<(), EsdkError> {
        let Body {
            keys,
            message_id,
            frame_length,
        } = self;
        let mut aad = Vec::with_capacity(message_id.len() + FINAL_FRAME.len() + 12);
        for i in 0..batch.count {
            let (sequence, is_final, len) = batch.frame(i, frame_length);
            let (at, _) = batch.ciphertext_at(i, frame_length);
            let (ciphertext, rest) = batch.wire[at..at + len + TAG_LEN].split_at_mut(len);
            let mut tag = [0u8; TAG_LEN];
            tag.copy_from_slice(rest);
            aad_into(&mut aad, message_id, label(is_final), sequence, len);
            if !keys.cipher.open(&iv(sequence), &aad, ciphertext, &tag) {
                return Err(EsdkError::FrameTampered { sequence });
            }
        }
        Ok(())
    }
}

/// Reads the next `per_batch` frames (or up to the final frame) into
/// `batch.wire` in one piece, checking each frame's sequence number and IV;
/// what was read past the final frame goes to `after`.
fn read_batch(
    input: &mut impl Read,
    batch: &mut Batch,
    expected: u32,
    per_batch: usize,
    frame_length: usize,
    after: &mut Vec<u8>,
) -> Result<(), EsdkError> {
    let slot = slot(frame_length);
    let want = per_batch * slot;
    // A final frame in the last slot may be longer than a regular one.
    at_least(&mut batch.wire, want + FINAL_HEADER - REGULAR_HEADER);
    let mut read = fill(input, &mut batch.wire[..want])?;
    batch.first_sequence = expected;
    batch.last = false;
    batch.count = 0;
    batch.plain_len = 0;
    let word = |wire: &[u8], at: usize| u32::from_be_bytes([wire[at], wire[at + 1], wire[at + 2], wire[at + 3]]);
    while batch.count < per_batch {
        let at = batch.count * slot;
        let sequence = expected.wrapping_add(batch.count as u32);
        if at + 4 > read {
            return Err(EsdkError::Truncated);
        }
        let is_final = word(&batch.wire, at) == FINAL_MARKER;
        let header = if is_final { FINAL_HEADER } else { REGULAR_HEADER };
        if at + header > read {
            return Err(EsdkError::Truncated);
        }
        let found = word(&batch.wire, at + header - REGULAR_HEADER - usize::from(is_final) * 4);
        if found != sequence {
            return Err(EsdkError::OutOfOrder {
                expected: sequence,
                found,
            });
        }
        let iv_at = at + header - IV_LEN - usize::from(is_final) * 4;
        if batch.wire[iv_at..iv_at + IV_LEN] != iv(sequence) {
            return Err(EsdkError::FrameTampered { sequence });
        }
        let len = if is_final {
            let len = word(&batch.wire, at + header - 4) as usize;
            if len > frame_length {
                return Err(EsdkError::Malformed(format!(
                    "the final frame holds {len} bytes; the frame length is {frame_length}"
                )));
            }
            len
        } else {
            frame_length
        };
        let end = at + header + len + TAG_LEN;
        if end > read {
            // Only a final frame in the last slot reaches past what a full
            // read holds; anything else is a cut.
            if read < want || !is_final {
                return Err(EsdkError::Truncated);
            }
            input
                .read_exact(&mut batch.wire[read..end])
                .map_err(eof_is_truncation)?;
            read = end;
        }
        batch.count += 1;
        batch.plain_len += len;
        batch.wire_len = end;
        if is_final {
            batch.last = true;
            batch.final_len = len;
            after.extend_from_slice(&batch.wire[end..read]);
            break;
        }
    }
    Ok(())
}
