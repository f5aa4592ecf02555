//! The message header of the AWS Encryption SDK, versions 1 and 2, and its
//! header authentication. Layout from the *AWS Encryption SDK message format
//! reference*, "Header structure"
//! (<https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/message-format.html#header-structure>);
//! all integers big-endian.
//!
//! ```text
//! v2: 0x02 | suite (2) | message id (32) | AAD length (2) | AAD | EDK count (2) | EDKs
//!     | content type (1) | frame length (4) | suite data: commitment (32) | tag (16)
//! v1: 0x01 | 0x80 | suite (2) | message id (16) | AAD length (2) | AAD | EDK count (2) | EDKs
//!     | content type (1) | reserved 0 (4) | IV length 12 (1) | frame length (4) | IV (12) | tag (16)
//! content type: 0x02 framed (frame length 1 to 2^32 - 1), 0x01 non-framed (frame length 0)
//! AAD := pair count (2) | (key length (2) | key | value length (2) | value)*, sorted by key; empty context: no bytes
//! EDK := provider id length (2) | provider id | provider info length (2) | provider info | key length (2) | key
//! ```

use std::collections::BTreeMap;
use std::io::Read;

use super::suite::Suite;
use super::EsdkError;
use crate::source::read::{Bounded, Kind};

/// Framed content (`0x02`), the only kind keyward writes; non-framed
/// (`0x01`, one block) is read.
const FRAMED: u8 = 0x02;
const NON_FRAMED: u8 = 0x01;
/// Version 1's only message type: customer authenticated encrypted data.
const TYPE_CAED: u8 = 0x80;
pub const IV_LEN: usize = 12;
pub const TAG_LEN: usize = 16;
/// The largest frame this reader accepts (the format allows 2^32 - 1):
/// frames are held in memory, a few per worker.
pub const MAX_FRAME_LENGTH: u32 = 64 << 20;
/// The SDK's default frame length.
pub const DEFAULT_FRAME_LENGTH: u32 = 4096;

/// One encrypted copy of the data key. For the `aws-kms` provider the info
/// is the key ARN and the ciphertext is the KMS ciphertext blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedDataKey {
    pub provider_id: String,
    pub provider_info: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

/// What the header says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub suite: Suite,
    pub message_id: Vec<u8>,
    /// The whole encryption context, with `aws-crypto-public-key` for a
    /// signing suite.
    pub context: BTreeMap<String, String>,
    pub keys: Vec<EncryptedDataKey>,
    /// Plaintext bytes per frame; 0 for a non-framed message (content type
    /// `0x01`), which keyward reads but does not write.
    pub frame_length: u32,
}

/// A header as read: its fields, the bytes the header tag covers, the
/// commitment (version 2), the header IV (version 1) and tag, and every byte
/// read (the signature covers them).
#[derive(Clone, Debug)]
pub struct ReadHeader {
    pub header: Header,
    pub(super) body: Vec<u8>,
    pub(super) commitment: Option<[u8; 32]>,
    pub(super) iv: [u8; IV_LEN],
    pub(super) tag: [u8; TAG_LEN],
}

impl ReadHeader {
    /// Every byte of the header and its authentication, as in the file.
    pub(super) fn bytes(&self) -> Vec<u8> {
        let mut out = self.body.clone();
        if self.header.suite.message_version() == 1 {
            out.extend_from_slice(&self.iv);
        }
        out.extend_from_slice(&self.tag);
        out
    }
}

/// The serialized encryption context: no bytes when it is empty.
pub fn serialize_context(context: &BTreeMap<String, String>) -> Result<Vec<u8>, EsdkError> {
    if context.is_empty() {
        return Ok(Vec::new());
    }
    let too_long = || EsdkError::Malformed("the encryption context is over 65535 bytes".into());
    let mut out = Vec::new();
    out.extend_from_slice(&u16::try_from(context.len()).map_err(|_| too_long())?.to_be_bytes());
    // BTreeMap iterates in byte order of the keys, the SDK's order.
    for (key, value) in context {
        for part in [key, value] {
            out.extend_from_slice(&u16::try_from(part.len()).map_err(|_| too_long())?.to_be_bytes());
            out.extend_from_slice(part.as_bytes());
        }
    }
    if out.len() > usize::from(u16::MAX) {
        return Err(too_long());
    }
    Ok(out)
}

fn parse_context(bytes: &[u8]) -> Result<BTreeMap<String, String>, EsdkError> {
    let mut context = BTreeMap::new();
    if bytes.is_empty() {
        return Ok(context);
    }
    let bad = |what: &str| EsdkError::Malformed(format!("the encryption context {what}"));
    let mut rest = bytes;
    let mut take = |n: usize| -> Result<&[u8], EsdkError> {
        if rest.len() < n {
            return Err(bad("is cut short"));
        }
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Ok(head)
    };
    let count = be16(take(2)?);
    if count == 0 {
        return Err(bad("has a pair count of 0"));
    }
    for _ in 0..count {
        let key_len = be16(take(2)?) as usize;
        let key = String::from_utf8(take(key_len)?.to_vec()).map_err(|_| bad("is not UTF-8"))?;
        let value_len = be16(take(2)?) as usize;
        let value = String::from_utf8(take(value_len)?.to_vec()).map_err(|_| bad("is not UTF-8"))?;
        if context.insert(key, value).is_some() {
            return Err(bad("repeats a key"));
        }
    }
    if !rest.is_empty() {
        return Err(bad("has bytes after its last pair"));
    }
    Ok(context)
}

fn be16(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0u16, |n, b| (n << 8) | u16::from(*b))
}

fn put16(out: &mut Vec<u8>, n: usize, what: &str) -> Result<(), EsdkError> {
    let n = u16::try_from(n).map_err(|_| EsdkError::Malformed(format!("{what} is over 65535 bytes")))?;
    out.extend_from_slice(&n.to_be_bytes());
    Ok(())
}

impl Header {
    /// The header body: every byte before the header authentication.
    pub(super) fn encode(&self, commitment: Option<&[u8; 32]>) -> Result<Vec<u8>, EsdkError> {
        let suite = self.suite;
        if self.message_id.len() != suite.message_id_len() {
            return Err(EsdkError::Malformed("the message id has the wrong length".into()));
        }
        if self.frame_length == 0 || self.frame_length > MAX_FRAME_LENGTH {
            return Err(EsdkError::Malformed(format!(
                "the frame length must be 1 to {MAX_FRAME_LENGTH}"
            )));
        }
        if self.keys.is_empty() {
            return Err(EsdkError::Malformed("a message needs an encrypted data key".into()));
        }
        let mut out = Vec::with_capacity(256);
        out.push(suite.message_version());
        if suite.message_version() == 1 {
            out.push(TYPE_CAED);
        }
        out.extend_from_slice(&suite.id.to_be_bytes());
        out.extend_from_slice(&self.message_id);
        let aad = serialize_context(&self.context)?;
        put16(&mut out, aad.len(), "the encryption context")?;
        out.extend_from_slice(&aad);
        put16(&mut out, self.keys.len(), "the number of encrypted data keys")?;
        for key in &self.keys {
            put16(&mut out, key.provider_id.len(), "a provider id")?;
            out.extend_from_slice(key.provider_id.as_bytes());
            put16(&mut out, key.provider_info.len(), "a provider info")?;
            out.extend_from_slice(&key.provider_info);
            put16(&mut out, key.ciphertext.len(), "an encrypted data key")?;
            out.extend_from_slice(&key.ciphertext);
        }
        out.push(FRAMED);
        if suite.message_version() == 1 {
            out.extend_from_slice(&[0, 0, 0, 0, IV_LEN as u8]);
        }
        out.extend_from_slice(&self.frame_length.to_be_bytes());
        if let Some(commitment) = commitment {
            out.extend_from_slice(commitment);
        }
        Ok(out)
    }
}

/// Reads a header, checking its shape only: the tag needs the data key,
/// which needs the header's encrypted data keys. More than `max_keys`
/// encrypted data keys are refused before any is read. At most the
/// `envelope-header` input limit is read ([`Kind::EnvelopeHeader`], 1 MiB
/// unless raised): a longer header is refused naming the limit and its flag.
pub fn read_header(input: &mut impl Read, max_keys: Option<usize>) -> Result<ReadHeader, EsdkError> {
    let mut bounded = Bounded::new(input, "", Kind::EnvelopeHeader);
    let mut r = Recorder {
        input: &mut bounded,
        bytes: Vec::with_capacity(512),
    };
    let version = r.array::<1>().map_err(|_| EsdkError::NotAMessage)?[0];
    match version {
        1 => {
            if r.array::<1>()?[0] != TYPE_CAED {
                return Err(EsdkError::Malformed("the message type is not 0x80".into()));
            }
        }
        2 => {}
        other @ 3..=9 => return Err(EsdkError::UnsupportedVersion(other)),
        _ => return Err(EsdkError::NotAMessage),
    }
    let id = u16::from_be_bytes(r.array()?);
    let suite = Suite::from_id(id).ok_or(EsdkError::UnsupportedSuite(id))?;
    if suite.message_version() != version {
        return Err(EsdkError::Malformed(format!(
            "suite {suite} is not written in message format version {version}"
        )));
    }
    let message_id = r.take(suite.message_id_len())?;
    let aad_len = u16::from_be_bytes(r.array()?) as usize;
    let context = parse_context(&r.take(aad_len)?)?;
    let count = u16::from_be_bytes(r.array()?) as usize;
    if count == 0 {
        return Err(EsdkError::Malformed("the message has no encrypted data key".into()));
    }
    if let Some(max) = max_keys.filter(|max| count > *max) {
        return Err(EsdkError::TooManyKeys { found: count, max });
    }
    let mut keys = Vec::with_capacity(count.min(64));
    for _ in 0..count {
        let provider_id =
            String::from_utf8(r.field()?).map_err(|_| EsdkError::Malformed("a provider id is not UTF-8".into()))?;
        let provider_info = r.field()?;
        let ciphertext = r.field()?;
        keys.push(EncryptedDataKey {
            provider_id,
            provider_info,
            ciphertext,
        });
    }
    let framed = match r.array::<1>()?[0] {
        FRAMED => true,
        NON_FRAMED => false,
        other => return Err(EsdkError::Malformed(format!("content type {other} is unknown"))),
    };
    if version == 1 {
        let [r0, r1, r2, r3, iv_len] = r.array::<5>()?;
        if [r0, r1, r2, r3] != [0; 4] || iv_len as usize != IV_LEN {
            return Err(EsdkError::Malformed(
                "the reserved bytes or the IV length are wrong".into(),
            ));
        }
    }
    let frame_length = u32::from_be_bytes(r.array()?);
    if !framed && frame_length != 0 {
        return Err(EsdkError::Malformed(format!(
            "a non-framed message has frame length {frame_length}, not 0"
        )));
    }
    if framed && (frame_length == 0 || frame_length > MAX_FRAME_LENGTH) {
        return Err(EsdkError::Malformed(format!(
            "the frame length {frame_length} is not 1 to {MAX_FRAME_LENGTH}"
        )));
    }
    let commitment = if version == 2 { Some(r.array()?) } else { None };
    let body = std::mem::take(&mut r.bytes);
    let iv = if version == 1 { r.array()? } else { [0; IV_LEN] };
    let tag = r.array()?;
    Ok(ReadHeader {
        header: Header {
            suite,
            message_id,
            context,
            keys,
            frame_length,
        },
        body,
        commitment,
        iv,
        tag,
    })
}

/// A reader that keeps what it reads (its input is bounded).
struct Recorder<'a, R: Read> {
    input: &'a mut R,
    bytes: Vec<u8>,
}

impl<R: Read> Recorder<'_, R> {
    /// `n` is at most 64 KiB (a 2-byte length), so a header that claims more
    /// than it holds costs no more than that before it ends.
    fn take(&mut self, n: usize) -> Result<Vec<u8>, EsdkError> {
        let mut buffer = vec![0u8; n];
        self.input
            .read_exact(&mut buffer)
            .map_err(super::io::eof_is_truncation)?;
        self.bytes.extend_from_slice(&buffer);
        Ok(buffer)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], EsdkError> {
        self.take(N)?.try_into().map_err(|_| EsdkError::Truncated)
    }

    /// A field with a 2-byte length.
    fn field(&mut self) -> Result<Vec<u8>, EsdkError> {
        let n = u16::from_be_bytes(self.array()?) as usize;
        self.take(n)
    }
}
