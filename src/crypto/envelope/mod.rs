//! Envelope encryption of data of any size (format version 1, specified in
//! `docs/envelope-format.md`): a header naming the encryption context and
//! the data key encrypted under one or more CMKs, then the data in
//! fixed-size AES-256-GCM frames, streamed in constant memory and sealed or
//! opened on several threads. This module knows nothing of CMKs: it takes
//! the plaintext data key and the encrypted copies the caller made.
//!
//! # Security notes
//! - The frame key is HKDF-SHA256(data key, salt = message id), so each file
//!   has its own key and frame nonces (the sequence numbers) never repeat.
//! - The header carries a key commitment (a second HKDF output), so one file
//!   cannot open to different plaintexts under different data keys, and a
//!   tag under the frame key, so no byte of it can change.
//! - Each frame binds the digest of the header, its sequence number, whether
//!   it is the last and its length: moving frames to another file,
//!   reordering, repeating, dropping or cutting them fails, and so does
//!   anything after the last frame.
//! - Opening writes a frame's plaintext only after its tag checks. A file cut
//!   short or changed mid-way is detected at the frame where it happens, so
//!   the frames before it have been written: callers that need all or
//!   nothing write to a temporary file and rename it on success.

mod frames;
mod header;
pub(crate) mod pipeline;

use std::io::{Read, Write};

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub use header::{
    read_header, EncryptedDataKey, Header, ReadHeader, ALGORITHM, DEFAULT_FRAME_SIZE, FRAME_SIZES, MAGIC, MAX_KEYS,
    VERSION,
};

use header::FileKeys;

/// Why a file could not be sealed or opened. Each says what is wrong with
/// the file; none reveals key material.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    #[error("the input is not a keyward envelope file (it does not start with `KWEF`)")]
    NotAnEnvelope,
    #[error("the file has format version {0}; this keyward reads version 1")]
    UnsupportedVersion(u8),
    #[error("the file uses algorithm {0}; this keyward knows algorithm 1 (AES-256-GCM frames)")]
    UnsupportedAlgorithm(u8),
    #[error("the file is malformed: {0}")]
    Malformed(String),
    #[error("the data key does not match the file's key commitment: an encrypted data key was replaced")]
    WrongDataKey,
    #[error("the file's header failed authentication: it was changed")]
    HeaderTampered,
    #[error("frame {sequence} failed authentication: the file was changed")]
    FrameTampered { sequence: u32 },
    #[error("frame {found} came where frame {expected} belongs: frames were reordered, repeated or dropped")]
    OutOfOrder { expected: u32, found: u32 },
    #[error("the file ends before its last frame: it was cut short")]
    Truncated,
    #[error("bytes follow the last frame: something was appended to the file")]
    TrailingData,
    #[error("the data is too large for one file (2^32 - 1 frames)")]
    TooLarge,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// How to run: how many threads seal or open frames, and who hears of
/// progress (the plaintext bytes done so far).
pub struct Options<'a> {
    pub workers: usize,
    pub progress: &'a (dyn Fn(u64) + Sync),
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            progress: &|_| {},
        }
    }
}

/// Writes `header` and then `input` sealed under `data_key`; returns the
/// plaintext bytes sealed.
pub fn seal(
    data_key: &Zeroizing<[u8; 32]>,
    header: &Header,
    input: &mut (impl Read + Send),
    output: &mut (impl Write + Send),
    options: &Options<'_>,
) -> Result<u64, EnvelopeError> {
    let keys = FileKeys::derive(data_key, &header.message_id);
    let authenticated = header.encode(&keys.commitment)?;
    output.write_all(&authenticated)?;
    output.write_all(&keys.header_tag(&authenticated))?;
    frames::seal(
        &keys,
        &Sha256::digest(&authenticated).into(),
        header.frame_size as usize,
        options.workers,
        input,
        output,
        options.progress,
    )
}

/// Checks a header read with [`read_header`] against `data_key`, then
/// writes the plaintext of the frames that follow in `input`; returns the
/// plaintext bytes written.
pub fn open(
    data_key: &Zeroizing<[u8; 32]>,
    read: &ReadHeader,
    input: &mut (impl Read + Send),
    output: &mut (impl Write + Send),
    options: &Options<'_>,
) -> Result<u64, EnvelopeError> {
    let keys = FileKeys::derive(data_key, &read.header.message_id);
    keys.verify(read)?;
    frames::open(
        &keys,
        &Sha256::digest(&read.authenticated).into(),
        read.header.frame_size as usize,
        options.workers,
        input,
        output,
        options.progress,
    )
}

#[cfg(test)]
mod tests;
