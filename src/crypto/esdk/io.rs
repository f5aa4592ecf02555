//! Reading and writing the bytes around the frames: the digest a signing
//! suite keeps of everything it writes or reads, the footer, and the checks
//! that a message is neither cut short nor followed by anything. From the
//! *message format reference*, "Footer structure"
//! (<https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/message-format.html#footer-structure>):
//!
//! ```text
//! footer := signature length (2) | DER ECDSA signature      (signing suites only)
//! ```

use std::io::{IoSlice, Read, Write};

use super::keys::Hasher;
use super::EsdkError;

pub(super) fn eof_is_truncation(e: std::io::Error) -> EsdkError {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => EsdkError::Truncated,
        _ => EsdkError::Io(e),
    }
}

/// A writer (or reader) that feeds a signing suite's digest with what it
/// writes (or reads).
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

/// Fills `buffer` from `input`; returns the bytes read, fewer than the
/// buffer's length only at the end of the input.
pub(super) fn fill(input: &mut impl Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match input.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(k) => filled += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Writes every byte of `slices`, in as few calls as the writer allows.
pub(super) fn write_all_vectored(output: &mut impl Write, mut slices: &mut [IoSlice<'_>]) -> std::io::Result<()> {
    while !slices.is_empty() {
        match output.write_vectored(slices) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut slices, n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
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
