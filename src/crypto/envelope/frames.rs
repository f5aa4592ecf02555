//! The body: fixed-size frames, each sealed with AES-256-GCM under the
//! file's frame key. A frame's additional data binds the SHA-256 digest of
//! the file's header, its sequence number, whether it is the last, and its
//! length, so frames cannot be moved to another file, repeated, dropped or
//! cut without failing.
//!
//! ```text
//! frame := sequence (u32) | last (u8: 0 or 1) | length (u32) | ciphertext (length) | tag (16)
//! ```
//!
//! Every frame but the last holds exactly `frame_size` plaintext bytes; the
//! last holds fewer (possibly none), so the reader always knows which frame
//! is the last without reading ahead.

use std::io::{Read, Write};

use aes_gcm::aead::AeadInOut;
use aes_gcm::Tag;

use super::header::{nonce, FileKeys};
use super::pipeline::{self, Frame};
use super::EnvelopeError;

const FRAME_HEAD: usize = 9;

/// The additional data of a frame.
fn aad(header_digest: &[u8; 32], frame: &Frame) -> [u8; 32 + FRAME_HEAD] {
    let mut aad = [0u8; 32 + FRAME_HEAD];
    aad[..32].copy_from_slice(header_digest);
    aad[32..].copy_from_slice(&head(frame));
    aad
}

fn head(frame: &Frame) -> [u8; FRAME_HEAD] {
    let mut head = [0u8; FRAME_HEAD];
    head[..4].copy_from_slice(&frame.sequence.to_be_bytes());
    head[4] = u8::from(frame.last);
    head[5..].copy_from_slice(&(frame.data.len() as u32).to_be_bytes());
    head
}

/// Reads up to `n` bytes into `buffer` (replacing what it held), fewer only
/// at the end of the input.
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

/// Seals `input` into frames written to `output`; returns the plaintext
/// bytes read. `progress` hears the running total after each frame.
pub(super) fn seal(
    keys: &FileKeys,
    header_digest: &[u8; 32],
    frame_size: usize,
    workers: usize,
    input: &mut (impl Read + Send),
    output: &mut (impl Write + Send),
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64, EnvelopeError> {
    let mut sequence = 0u32;
    let mut total = 0u64;
    pipeline::run::<Frame, EnvelopeError, (), _, _, _>(
        workers,
        frame_size,
        None,
        |frame| {
            sequence = sequence.checked_add(1).ok_or(EnvelopeError::TooLarge)?;
            fill(input, &mut frame.data, frame_size).map_err(EnvelopeError::Io)?;
            frame.sequence = sequence;
            frame.last = frame.data.len() < frame_size;
            Ok(())
        },
        |frame, _| {
            let aad = aad(header_digest, frame);
            let tag = keys
                .cipher
                .encrypt_inout_detached(&nonce(frame.sequence), &aad, frame.data.as_mut_slice().into())
                .map_err(|_| EnvelopeError::TooLarge)?;
            frame.tag = tag.into();
            Ok(())
        },
        |frame| {
            output.write_all(&head(frame))?;
            output.write_all(&frame.data)?;
            output.write_all(&frame.tag)?;
            total += frame.data.len() as u64;
            progress(total);
            Ok(())
        },
    )?;
    output.flush()?;
    Ok(total)
}

/// Opens the frames of `input` and writes their plaintext, in order, to
/// `output`. A frame's plaintext is written only once its tag has been
/// checked; a failure stops at the frame that failed.
pub(super) fn open(
    keys: &FileKeys,
    header_digest: &[u8; 32],
    frame_size: usize,
    workers: usize,
    input: &mut (impl Read + Send),
    output: &mut (impl Write + Send),
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64, EnvelopeError> {
    let mut expected = 0u32;
    let mut total = 0u64;
    pipeline::run::<Frame, EnvelopeError, (), _, _, _>(
        workers,
        frame_size,
        None,
        |frame| {
            expected = expected.checked_add(1).ok_or(EnvelopeError::TooLarge)?;
            read_frame(input, frame, expected, frame_size)
        },
        |frame, _| {
            let aad = aad(header_digest, frame);
            let tag = Tag::from(frame.tag);
            keys.cipher
                .decrypt_inout_detached(&nonce(frame.sequence), &aad, frame.data.as_mut_slice().into(), &tag)
                .map_err(|_| EnvelopeError::FrameTampered {
                    sequence: frame.sequence,
                })
        },
        |frame| {
            output.write_all(&frame.data)?;
            total += frame.data.len() as u64;
            progress(total);
            Ok(())
        },
    )?;
    output.flush()?;
    Ok(total)
}

/// Reads frame number `expected`: its head must say so, its length must fit
/// the frame size, and nothing may follow the last frame.
fn read_frame(input: &mut impl Read, frame: &mut Frame, expected: u32, frame_size: usize) -> Result<(), EnvelopeError> {
    let mut head = [0u8; FRAME_HEAD];
    read_all(input, &mut head)?;
    let sequence = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    let last = match head[4] {
        0 => false,
        1 => true,
        other => {
            return Err(EnvelopeError::Malformed(format!(
                "frame {sequence} has the end marker {other}"
            )))
        }
    };
    let length = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) as usize;
    if sequence != expected {
        return Err(EnvelopeError::OutOfOrder {
            expected,
            found: sequence,
        });
    }
    let fits = if last {
        length < frame_size
    } else {
        length == frame_size
    };
    if !fits {
        return Err(EnvelopeError::Malformed(format!(
            "frame {sequence} holds {length} bytes; the frame size is {frame_size}"
        )));
    }
    frame.data.clear();
    frame.data.resize(length, 0);
    read_all(input, &mut frame.data)?;
    read_all(input, &mut frame.tag)?;
    frame.sequence = sequence;
    frame.last = last;
    if last {
        let mut probe = [0u8; 1];
        if read_some(input, &mut probe)? != 0 {
            return Err(EnvelopeError::TrailingData);
        }
    }
    Ok(())
}

fn read_all(input: &mut impl Read, buffer: &mut [u8]) -> Result<(), EnvelopeError> {
    input.read_exact(buffer).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => EnvelopeError::Truncated,
        _ => EnvelopeError::Io(e),
    })
}

fn read_some(input: &mut impl Read, buffer: &mut [u8]) -> Result<usize, EnvelopeError> {
    loop {
        match input.read(buffer) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            other => return other.map_err(EnvelopeError::Io),
        }
    }
}

/// The bytes a frame adds to its plaintext.
#[cfg(test)]
pub(super) const FRAME_OVERHEAD: usize = FRAME_HEAD + super::header::TAG_BYTES;
