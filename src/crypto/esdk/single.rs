//! The non-framed body (content type `0x01`), which keyward reads and does
//! not write. From the *message format reference*, "Non-framed data"
//! (<https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/message-format.html#body-structure>)
//! and the *Body AAD reference*
//! (<https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/body-aad-reference.html>):
//!
//! ```text
//! non-framed body := IV (12) | encrypted content length (8) | encrypted content | tag (16)
//! body AAD        := message id | "AWSKMSEncryptionClient Single Block" | 1 (4) | length (8)
//! ```
//!
//! The SDKs write it only when asked (frame length 0). One AES-GCM tag
//! covers the whole content, so the content is held in memory until it has
//! checked: keyward reads non-framed bodies of up to 64 MiB (the format
//! allows 2^36 - 32 bytes).

use std::io::{Read, Write};

use zeroize::Zeroizing;

use super::body::aad;
use super::header::{IV_LEN, MAX_FRAME_LENGTH, TAG_LEN};
use super::io::eof_is_truncation;
use super::keys::MessageKeys;
use super::EsdkError;

pub(super) const SINGLE_BLOCK: &[u8] = b"AWSKMSEncryptionClient Single Block";
/// The format's bound on the content of a non-framed body.
const MAX_CONTENT_LENGTH: u64 = (1 << 36) - 32;

/// Reads the non-framed body of `input` and writes its plaintext to
/// `output`, only once its tag has checked; returns the bytes written.
pub(super) fn open(
    keys: &MessageKeys,
    message_id: &[u8],
    input: &mut impl Read,
    output: &mut impl Write,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64, EsdkError> {
    let mut iv = [0u8; IV_LEN];
    input.read_exact(&mut iv).map_err(eof_is_truncation)?;
    let mut word = [0u8; 8];
    input.read_exact(&mut word).map_err(eof_is_truncation)?;
    let length = u64::from_be_bytes(word);
    if length > MAX_CONTENT_LENGTH {
        return Err(EsdkError::Malformed(format!(
            "the non-framed body claims {length} bytes; the format allows at most 2^36 - 32"
        )));
    }
    if length > u64::from(MAX_FRAME_LENGTH) {
        return Err(EsdkError::NonFramedTooLarge(length));
    }
    // Read up to the length claimed, without reserving it first: a short
    // input is a cut, not a 64 MiB allocation.
    let mut data = Zeroizing::new(Vec::new());
    input.by_ref().take(length).read_to_end(&mut data)?;
    if data.len() as u64 != length {
        return Err(EsdkError::Truncated);
    }
    let mut tag = [0u8; TAG_LEN];
    input.read_exact(&mut tag).map_err(eof_is_truncation)?;
    let aad = aad(message_id, SINGLE_BLOCK, 1, data.len());
    if !keys.cipher.open(&iv, &aad, &mut data, &tag) {
        return Err(EsdkError::BodyTampered);
    }
    output.write_all(&data)?;
    progress(length);
    Ok(length)
}
