//! The envelope header: what a file says in the clear about itself, its
//! encoding, and the keys derived from the data key for it. The layout is
//! in `docs/envelope-format.md`.

use std::collections::BTreeMap;
use std::io::Read;

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use hkdf::Hkdf;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::EnvelopeError;
use crate::crypto::context::{canonical, decode_canonical};
use crate::crypto::MAX_BLOB_BYTES;
use crate::source::read::{Bounded, Kind};

pub const MAGIC: &[u8; 4] = b"KWEF";
pub const VERSION: u8 = 1;
/// AES-256-GCM frames under an HKDF-SHA256 key, with a key commitment.
pub const ALGORITHM: u8 = 1;
/// The plaintext bytes of a frame unless told otherwise.
pub const DEFAULT_FRAME_SIZE: u32 = 64 * 1024;
/// Frame sizes a file may declare.
pub const FRAME_SIZES: std::ops::RangeInclusive<u32> = 1024..=(16 << 20);
/// At most this many encrypted data keys.
pub const MAX_KEYS: usize = 16;
const MAX_ARN_BYTES: usize = 2048;
const MAX_CONTEXT_BYTES: usize = 64 * 1024;
pub const TAG_BYTES: usize = 16;

/// One copy of the data key, encrypted under one CMK.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedDataKey {
    pub key_arn: String,
    pub ciphertext_blob: Vec<u8>,
}

/// What the header says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub message_id: [u8; 32],
    pub frame_size: u32,
    pub context: BTreeMap<String, String>,
    pub keys: Vec<EncryptedDataKey>,
}

/// A header as read from a file: the fields, every byte the header tag
/// covers, and the commitment and tag to check once the data key is known.
#[derive(Debug)]
pub struct ReadHeader {
    pub header: Header,
    pub(super) authenticated: Vec<u8>,
    pub(super) commitment: [u8; 32],
    pub(super) tag: [u8; TAG_BYTES],
}

/// The keys one data key gives one file.
pub(super) struct FileKeys {
    pub cipher: Aes256Gcm,
    pub commitment: [u8; 32],
}

impl FileKeys {
    /// HKDF-SHA256 with the message id as salt: the frame key, and a
    /// commitment that ties the file to this one data key.
    pub fn derive(data_key: &[u8; 32], message_id: &[u8; 32]) -> FileKeys {
        let hkdf = Hkdf::<Sha256>::new(Some(message_id), data_key);
        let mut key = Zeroizing::new([0u8; 32]);
        let mut commitment = [0u8; 32];
        // 32 bytes are always within HKDF-SHA256's 8,160.
        let _ = hkdf.expand(b"keyward envelope v1 frame key", key.as_mut());
        let _ = hkdf.expand(b"keyward envelope v1 commitment", &mut commitment);
        FileKeys {
            cipher: Aes256Gcm::new((&*key).into()),
            commitment,
        }
    }

    /// The tag over the header: nonce 0, no plaintext.
    pub fn header_tag(&self, authenticated: &[u8]) -> [u8; TAG_BYTES] {
        let tag = self
            .cipher
            .encrypt_inout_detached(&nonce(0), authenticated, (&mut [][..]).into())
            .unwrap_or_default();
        tag.into()
    }

    /// Checks a read header against this data key: the commitment, then
    /// the tag, each in constant time.
    pub fn verify(&self, read: &ReadHeader) -> Result<(), EnvelopeError> {
        if !bool::from(self.commitment.ct_eq(&read.commitment)) {
            return Err(EnvelopeError::WrongDataKey);
        }
        let tag = Tag::from(read.tag);
        self.cipher
            .decrypt_inout_detached(&nonce(0), &read.authenticated, (&mut [][..]).into(), &tag)
            .map_err(|_| EnvelopeError::HeaderTampered)
    }
}

/// The nonce of frame `sequence` (0 is the header's).
pub(super) fn nonce(sequence: u32) -> Nonce<aes_gcm::aead::consts::U12> {
    let mut bytes = [0u8; 12];
    bytes[8..].copy_from_slice(&sequence.to_be_bytes());
    Nonce::from(bytes)
}

impl Header {
    /// The header bytes the tag covers, or what makes it unwritable.
    pub(super) fn encode(&self, commitment: &[u8; 32]) -> Result<Vec<u8>, EnvelopeError> {
        let invalid = |what: &str| Err(EnvelopeError::Malformed(what.to_owned()));
        if !FRAME_SIZES.contains(&self.frame_size) {
            return invalid("the frame size must be 1 KiB to 16 MiB");
        }
        if self.keys.is_empty() || self.keys.len() > MAX_KEYS {
            return invalid("a file has 1 to 16 encrypted data keys");
        }
        let context = canonical(&self.context);
        if context.len() > MAX_CONTEXT_BYTES {
            return invalid("the encryption context is over 64 KiB");
        }
        let mut out = Vec::with_capacity(128 + context.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[VERSION, ALGORITHM]);
        out.extend_from_slice(&self.message_id);
        out.extend_from_slice(&self.frame_size.to_be_bytes());
        out.extend_from_slice(&(context.len() as u32).to_be_bytes());
        out.extend_from_slice(&context);
        out.extend_from_slice(&(self.keys.len() as u16).to_be_bytes());
        for key in &self.keys {
            if key.key_arn.is_empty() || key.key_arn.len() > MAX_ARN_BYTES {
                return invalid("a key ARN is 1 to 2048 bytes");
            }
            if key.ciphertext_blob.is_empty() || key.ciphertext_blob.len() > MAX_BLOB_BYTES {
                return invalid("an encrypted data key is 1 to 6144 bytes");
            }
            out.extend_from_slice(&(key.key_arn.len() as u16).to_be_bytes());
            out.extend_from_slice(key.key_arn.as_bytes());
            out.extend_from_slice(&(key.ciphertext_blob.len() as u32).to_be_bytes());
            out.extend_from_slice(&key.ciphertext_blob);
        }
        out.extend_from_slice(commitment);
        Ok(out)
    }
}

/// Reads a header, keeping every byte it reads; checks only the shape (the
/// tag needs the data key, which needs the header's encrypted keys). At
/// most the `envelope-header` input limit is read ([`Kind::EnvelopeHeader`]).
pub fn read_header(input: &mut impl Read) -> Result<ReadHeader, EnvelopeError> {
    let mut bounded = Bounded::new(input, "", Kind::EnvelopeHeader);
    let mut reader = Recorder {
        input: &mut bounded,
        bytes: Vec::with_capacity(256),
    };
    let magic = reader.take(4).map_err(|_| EnvelopeError::NotAnEnvelope)?;
    if magic != MAGIC {
        return Err(EnvelopeError::NotAnEnvelope);
    }
    let version = reader.u8()?;
    if version != VERSION {
        return Err(EnvelopeError::UnsupportedVersion(version));
    }
    let algorithm = reader.u8()?;
    if algorithm != ALGORITHM {
        return Err(EnvelopeError::UnsupportedAlgorithm(algorithm));
    }
    let message_id: [u8; 32] = reader.array()?;
    let frame_size = u32::from_be_bytes(reader.array()?);
    if !FRAME_SIZES.contains(&frame_size) {
        return Err(EnvelopeError::Malformed(format!(
            "the frame size {frame_size} is not 1 KiB to 16 MiB"
        )));
    }
    let context_len = u32::from_be_bytes(reader.array()?) as usize;
    if context_len > MAX_CONTEXT_BYTES {
        return Err(EnvelopeError::Malformed("the encryption context is over 64 KiB".into()));
    }
    let context = decode_canonical(&reader.take(context_len)?)
        .ok_or_else(|| EnvelopeError::Malformed("the encryption context does not decode".into()))?;
    let count = u16::from_be_bytes(reader.array()?) as usize;
    if count == 0 || count > MAX_KEYS {
        return Err(EnvelopeError::Malformed(format!(
            "{count} encrypted data keys; a file has 1 to 16"
        )));
    }
    let mut keys = Vec::with_capacity(count);
    for _ in 0..count {
        let arn_len = u16::from_be_bytes(reader.array()?) as usize;
        if arn_len == 0 || arn_len > MAX_ARN_BYTES {
            return Err(EnvelopeError::Malformed("a key ARN is not 1 to 2048 bytes".into()));
        }
        let key_arn = String::from_utf8(reader.take(arn_len)?)
            .map_err(|_| EnvelopeError::Malformed("a key ARN is not UTF-8".into()))?;
        let blob_len = u32::from_be_bytes(reader.array()?) as usize;
        if blob_len == 0 || blob_len > MAX_BLOB_BYTES {
            return Err(EnvelopeError::Malformed(
                "an encrypted data key is not 1 to 6144 bytes".into(),
            ));
        }
        let ciphertext_blob = reader.take(blob_len)?;
        keys.push(EncryptedDataKey {
            key_arn,
            ciphertext_blob,
        });
    }
    let commitment: [u8; 32] = reader.array()?;
    let authenticated = std::mem::take(&mut reader.bytes);
    let tag: [u8; TAG_BYTES] = reader.array()?;
    Ok(ReadHeader {
        header: Header {
            message_id,
            frame_size,
            context,
            keys,
        },
        authenticated,
        commitment,
        tag,
    })
}

/// A reader that keeps what it reads.
struct Recorder<'a, R: Read> {
    input: &'a mut R,
    bytes: Vec<u8>,
}

impl<R: Read> Recorder<'_, R> {
    fn take(&mut self, n: usize) -> Result<Vec<u8>, EnvelopeError> {
        let mut buffer = vec![0u8; n];
        self.input.read_exact(&mut buffer).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => EnvelopeError::Truncated,
            _ => EnvelopeError::Io(e),
        })?;
        self.bytes.extend_from_slice(&buffer);
        Ok(buffer)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], EnvelopeError> {
        let bytes = self.take(N)?;
        bytes.try_into().map_err(|_| EnvelopeError::Truncated)
    }

    fn u8(&mut self) -> Result<u8, EnvelopeError> {
        Ok(self.array::<1>()?[0])
    }
}
