//! The ciphertext blob, format version 1 (our own; AWS does not publish
//! theirs). Layout, all lengths big-endian:
//!
//! ```text
//! "KW" | 0x01 | key id length (u16) | key id (UTF-8) | key-material id (32)
//!      | salt (16) | nonce (12) | AES-256-GCM or SM4-GCM ciphertext | tag (16)
//! ```
//!
//! The header is everything before the ciphertext. The cipher is the key
//! material's (`blob_cipher`: SM4-GCM under the 128-bit material of a key in
//! a China Region). The per-blob key, as long as the cipher's, is
//! HKDF-SHA256(ikm = key material, salt, info = "keyward blob v1"); the
//! additional data is the header followed by the canonical encryption
//! context (`crypto::canonical`).
//!
//! Version 2 ([`DOUBLE_FORMAT_VERSION`]) is the double encryption of a key
//! in an external key store: a version-1 blob whose body an external key
//! store proxy encrypted again.

use std::collections::BTreeMap;

use aes_gcm::aead::Payload;
use zeroize::Zeroizing;

use super::blob_cipher::BlobKey;
use super::context::canonical;
use super::material::{random_bytes, KeyMaterial, MaterialId};

pub const FORMAT_VERSION: u8 = 1;
const MAGIC: &[u8; 2] = b"KW";
const INFO: &[u8] = b"keyward blob v1";
const TAG_BYTES: usize = 16;
/// The largest blob AWS accepts (`CiphertextType`, 1–6144 bytes).
pub const MAX_BLOB_BYTES: usize = 6144;
/// Key ids are at most this long (`KeyIdType`).
const MAX_KEY_ID_BYTES: usize = 2048;

/// Format version 2, double encryption (a key of an external key store):
/// the body of a version-1 blob (ciphertext and tag) encrypted again by an
/// external key store proxy, with the version-1 header as the proxy's AAD.
/// Layout:
///
/// ```text
/// "KW" | 0x02 | (the version-1 header after its version byte)
///      | IV length (u8) | IV | metadata length (u8) | metadata
///      | proxy tag (16) | proxy ciphertext (as long as the inner body)
/// ```
///
/// [`open`] refuses it: only the proxy can give back the inner body.
pub const DOUBLE_FORMAT_VERSION: u8 = 2;

/// What an external key store proxy's `Encrypt` returned (the XKS Proxy
/// API's `ciphertext`, `ciphertextMetadata`, `initializationVector`,
/// `authenticationTag`): the outer layer of a version-2 blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OuterLayer {
    pub ciphertext: Vec<u8>,
    pub metadata: Vec<u8>,
    pub iv: Vec<u8>,
    pub tag: Vec<u8>,
}

/// The one error opening a blob can give: it says nothing of which check
/// failed (AWS: `InvalidCiphertextException`, empty message).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the ciphertext is not valid")]
pub struct InvalidCiphertext;

/// What a blob says in the clear: which key and which version of its
/// material sealed it, and the per-blob salt and nonce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub key_id: String,
    pub material_id: MaterialId,
    pub salt: [u8; 16],
    pub nonce: [u8; 12],
}

impl Header {
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(3 + 2 + self.key_id.len() + 32 + 16 + 12);
        out.extend_from_slice(MAGIC);
        out.push(FORMAT_VERSION);
        // `seal` refuses longer ids, so this fits.
        out.extend_from_slice(&(self.key_id.len() as u16).to_be_bytes());
        out.extend_from_slice(self.key_id.as_bytes());
        out.extend_from_slice(&self.material_id.0);
        out.extend_from_slice(&self.salt);
        out.extend_from_slice(&self.nonce);
        out
    }
}

/// Reads a blob's header, so the caller can find (and authorize) its key:
/// a blob of either version.
pub fn peek(blob: &[u8]) -> Result<Header, InvalidCiphertext> {
    split(blob)
        .map(|(header, _, _)| header)
        .or_else(|_| unwrap_outer(blob).and_then(|(inner, _)| split_header(&inner)))
}

/// The header of a version-1 header's bytes.
fn split_header(header: &[u8]) -> Result<Header, InvalidCiphertext> {
    read_header(header, FORMAT_VERSION).map(|(header, _)| header)
}

/// Whether `blob` is of version 2 (double encryption).
pub fn is_double(blob: &[u8]) -> bool {
    blob.starts_with(MAGIC) && blob.get(2) == Some(&DOUBLE_FORMAT_VERSION)
}

/// A version-1 blob's header bytes and body (ciphertext and tag): what an
/// outer layer encrypts (the body) and authenticates (the header).
pub fn inner_parts(blob: &[u8]) -> Result<(&[u8], &[u8]), InvalidCiphertext> {
    split(blob).map(|(_, header, body)| (header, body))
}

/// A version-1 blob from its header bytes and body.
pub fn join_inner(header: &[u8], body: &[u8]) -> Vec<u8> {
    let mut blob = header.to_vec();
    blob.extend_from_slice(body);
    blob
}

/// The version-2 blob of a version-1 header and the outer layer sealed
/// over its body; `None` when a length does not fit the format.
pub fn wrap_outer(inner_header: &[u8], outer: &OuterLayer) -> Option<Vec<u8>> {
    read_header(inner_header, FORMAT_VERSION).ok()?;
    if outer.tag.len() != TAG_BYTES {
        return None;
    }
    let iv_len = u8::try_from(outer.iv.len()).ok()?;
    let metadata_len = u8::try_from(outer.metadata.len()).ok()?;
    let mut blob = Vec::with_capacity(
        inner_header.len() + 2 + outer.iv.len() + outer.metadata.len() + TAG_BYTES + outer.ciphertext.len(),
    );
    blob.extend_from_slice(MAGIC);
    blob.push(DOUBLE_FORMAT_VERSION);
    blob.extend_from_slice(&inner_header[3..]);
    blob.push(iv_len);
    blob.extend_from_slice(&outer.iv);
    blob.push(metadata_len);
    blob.extend_from_slice(&outer.metadata);
    blob.extend_from_slice(&outer.tag);
    blob.extend_from_slice(&outer.ciphertext);
    (blob.len() <= MAX_BLOB_BYTES).then_some(blob)
}

/// A version-2 blob's version-1 header bytes and its outer layer.
pub fn unwrap_outer(blob: &[u8]) -> Result<(Vec<u8>, OuterLayer), InvalidCiphertext> {
    let (_, header_len) = read_header(blob, DOUBLE_FORMAT_VERSION)?;
    let mut inner_header = blob[..header_len].to_vec();
    inner_header[2] = FORMAT_VERSION;
    let mut at = header_len;
    let mut take = |n: usize| {
        let part = blob.get(at..at + n).ok_or(InvalidCiphertext)?;
        at += n;
        Ok::<&[u8], InvalidCiphertext>(part)
    };
    let iv_len = take(1)?[0] as usize;
    let iv = take(iv_len)?.to_vec();
    let metadata_len = take(1)?[0] as usize;
    let metadata = take(metadata_len)?.to_vec();
    let tag = take(TAG_BYTES)?.to_vec();
    let ciphertext = blob[at..].to_vec();
    // The inner body holds at least the inner tag.
    if ciphertext.len() < TAG_BYTES {
        return Err(InvalidCiphertext);
    }
    Ok((
        inner_header,
        OuterLayer {
            ciphertext,
            metadata,
            iv,
            tag,
        },
    ))
}

/// Header, header bytes and sealed body of a version-1 blob.
fn split(blob: &[u8]) -> Result<(Header, &[u8], &[u8]), InvalidCiphertext> {
    let (header, header_len) = read_header(blob, FORMAT_VERSION)?;
    let body = &blob[header_len..];
    if body.len() < TAG_BYTES {
        return Err(InvalidCiphertext);
    }
    Ok((header, &blob[..header_len], body))
}

/// The header of a blob of `version` and its length in bytes.
fn read_header(blob: &[u8], version: u8) -> Result<(Header, usize), InvalidCiphertext> {
    if blob.len() > MAX_BLOB_BYTES || !blob.starts_with(MAGIC) || blob.get(2) != Some(&version) {
        return Err(InvalidCiphertext);
    }
    let mut at = 3;
    let mut take = |n: usize| {
        let part = blob.get(at..at + n).ok_or(InvalidCiphertext)?;
        at += n;
        Ok::<&[u8], InvalidCiphertext>(part)
    };
    let id_len = u16::from_be_bytes(take(2)?.try_into().map_err(|_| InvalidCiphertext)?) as usize;
    let key_id = std::str::from_utf8(take(id_len)?)
        .map_err(|_| InvalidCiphertext)?
        .to_owned();
    let material_id = MaterialId(take(32)?.try_into().map_err(|_| InvalidCiphertext)?);
    let salt = take(16)?.try_into().map_err(|_| InvalidCiphertext)?;
    let nonce = take(12)?.try_into().map_err(|_| InvalidCiphertext)?;
    if key_id.is_empty() {
        return Err(InvalidCiphertext);
    }
    Ok((
        Header {
            key_id,
            material_id,
            salt,
            nonce,
        },
        at,
    ))
}

fn cipher(material: &KeyMaterial, salt: &[u8; 16]) -> BlobKey {
    BlobKey::derive(material, salt, INFO)
}

fn aad(header: &[u8], context: &BTreeMap<String, String>) -> Vec<u8> {
    let mut aad = header.to_vec();
    aad.extend_from_slice(&canonical(context));
    aad
}

/// Seals a plaintext under a key's material, with a random salt and nonce.
/// `None` when the key id is empty or longer than AWS allows.
pub fn seal(
    material: &KeyMaterial,
    material_id: MaterialId,
    key_id: &str,
    plaintext: &[u8],
    context: &BTreeMap<String, String>,
) -> Option<Vec<u8>> {
    let random = random_bytes(28);
    let header = Header {
        key_id: key_id.to_owned(),
        material_id,
        salt: random[..16].try_into().ok()?,
        nonce: random[16..].try_into().ok()?,
    };
    seal_with(material, &header, plaintext, context)
}

/// [`seal`] with a given salt and nonce: for known-answer tests only.
pub(super) fn seal_with(
    material: &KeyMaterial,
    header: &Header,
    plaintext: &[u8],
    context: &BTreeMap<String, String>,
) -> Option<Vec<u8>> {
    if header.key_id.is_empty() || header.key_id.len() > MAX_KEY_ID_BYTES {
        return None;
    }
    let header_bytes = header.encode();
    let payload = Payload {
        msg: plaintext,
        aad: &aad(&header_bytes, context),
    };
    let body = cipher(material, &header.salt).encrypt(header.nonce, payload)?;
    let mut blob = header_bytes;
    blob.extend_from_slice(&body);
    Some(blob)
}

/// Opens a blob with the material its header names and the encryption
/// context it was sealed with.
pub fn open(
    blob: &[u8],
    material: &KeyMaterial,
    context: &BTreeMap<String, String>,
) -> Result<Zeroizing<Vec<u8>>, InvalidCiphertext> {
    let (header, header_bytes, body) = split(blob)?;
    let payload = Payload {
        msg: body,
        aad: &aad(header_bytes, context),
    };
    cipher(material, &header.salt)
        .decrypt(header.nonce, payload)
        .ok_or(InvalidCiphertext)
}
