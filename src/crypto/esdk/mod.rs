//! The AWS Encryption SDK message format, so files move freely between
//! keyward and the official SDKs and CLI: message format versions 1 and 2,
//! framed bodies (non-framed ones too for reading), every algorithm suite
//! for reading, and the committing suites (with or without an ECDSA P-384
//! signature) for writing. Layouts and derivations follow the *AWS
//! Encryption SDK message format reference*
//! (<https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/message-format.html>)
//! and the *Algorithms reference*
//! (<https://docs.aws.amazon.com/encryption-sdk/latest/developer-guide/algorithms-reference.html>).
//! This module knows nothing of KMS: it takes the plaintext data key and the
//! encrypted data keys a keyring made.
//!
//! # Security notes
//! - **Key commitment** (version 2): the header carries a commitment derived
//!   with the frame key from the data key and message id, so a message opens
//!   to one plaintext only, whichever of its encrypted data keys is used.
//! - **Header authentication**: an AES-GCM tag over every header byte under
//!   the derived key; no byte of the header can change.
//! - **Frames** bind the message id, their sequence number, whether they are
//!   final, and their length: reordering, repeating, dropping, cutting or
//!   moving frames between messages fails.
//! - **Signatures** (ECDSA suites) cover every byte before the footer, so a
//!   holder of the data key who is not the sender cannot forge a message. The
//!   signature is checked only at the end: frames written before then are not
//!   yet authenticated as a whole, so callers that need all or nothing write
//!   to a temporary place and keep the output only on success (as
//!   `decrypt-file` does).

mod body;
mod header;
mod io;
mod keys;
mod raw_aes;
mod raw_keyring;
mod raw_rsa;
mod rsa_key;
mod single;
mod suite;

use std::collections::BTreeMap;
use std::io::{BufWriter, Read, Write};

pub use header::{
    read_header, serialize_context, EncryptedDataKey, Header, ReadHeader, DEFAULT_FRAME_LENGTH, MAX_FRAME_LENGTH,
};
pub use keys::{Signer, PUBLIC_KEY_CONTEXT_KEY, RESERVED_PREFIX};
pub use raw_aes::RawAesKeyring;
pub use raw_keyring::{RawKeyError, RawKeyring};
pub use raw_rsa::{RawRsaKeyring, RsaPadding};
pub use suite::{CommitmentPolicy, Kdf, Signing, Suite};

use crate::crypto::envelope::{EnvelopeError, Options};
use io::Hashing;
use keys::{Hasher, MessageKeys};

/// The buffer between the header and the caller's writer: smaller than a
/// batch of frames, which goes to the writer without being copied.
const WRITE_BUFFER: usize = 64 << 10;

/// Why a message could not be written or read. None reveals key material.
#[derive(Debug, thiserror::Error)]
pub enum EsdkError {
    #[error("the input is not an AWS Encryption SDK message (nor a keyward envelope file)")]
    NotAMessage,
    #[error("the message has format version {0}; keyward reads versions 1 and 2")]
    UnsupportedVersion(u8),
    #[error("the message uses algorithm suite 0x{0:04x}, which the AWS Encryption SDK does not define")]
    UnsupportedSuite(u16),
    #[error("the commitment policy {policy:?} does not allow algorithm suite {suite}")]
    Policy { policy: CommitmentPolicy, suite: Suite },
    #[error("the message has {found} encrypted data keys; at most {max} are allowed (--max-encrypted-data-keys)")]
    TooManyKeys { found: usize, max: usize },
    #[error("encryption context keys beginning with `aws-crypto-` are reserved: `{0}`")]
    ReservedContextKey(String),
    #[error("the message is malformed: {0}")]
    Malformed(String),
    #[error("the data key does not match the message's key commitment")]
    WrongDataKey,
    #[error("the message header failed authentication: it was changed")]
    HeaderTampered,
    #[error("frame {sequence} failed authentication: the message was changed")]
    FrameTampered { sequence: u32 },
    #[error("the message body failed authentication: the message was changed")]
    BodyTampered,
    #[error("the non-framed body holds {0} bytes; keyward reads non-framed bodies of at most 64 MiB")]
    NonFramedTooLarge(u64),
    #[error("frame {found} came where frame {expected} belongs: frames were reordered, repeated or dropped")]
    OutOfOrder { expected: u32, found: u32 },
    #[error("the message ends before its final frame or footer: it was cut short")]
    Truncated,
    #[error("bytes follow the end of the message: something was appended")]
    TrailingData,
    #[error("the message signature does not verify: the message was changed")]
    SignatureInvalid,
    #[error("the data is too large for one message")]
    TooLarge,
    #[error("the raw key {0} could not wrap the data key")]
    KeyWrap(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl From<EnvelopeError> for EsdkError {
    fn from(e: EnvelopeError) -> EsdkError {
        match e {
            EnvelopeError::Io(e) => EsdkError::Io(e),
            EnvelopeError::Truncated => EsdkError::Truncated,
            _ => EsdkError::TooLarge,
        }
    }
}

impl CommitmentPolicy {
    /// Refuses a suite this policy may not write.
    pub fn check_encrypt(self, suite: Suite) -> Result<(), EsdkError> {
        self.may_encrypt(suite)
            .then_some(())
            .ok_or(EsdkError::Policy { policy: self, suite })
    }

    /// Refuses a suite this policy may not read.
    pub fn check_decrypt(self, suite: Suite) -> Result<(), EsdkError> {
        self.may_decrypt(suite)
            .then_some(())
            .ok_or(EsdkError::Policy { policy: self, suite })
    }
}

/// The encryption context a message of `suite` carries: the caller's, which
/// must not use the reserved prefix, plus the public key of a fresh signing
/// key pair for a signing suite. Keyrings encrypt the data key under this
/// context.
pub fn message_context(
    suite: Suite,
    context: &BTreeMap<String, String>,
) -> Result<(BTreeMap<String, String>, Option<Signer>), EsdkError> {
    if let Some(key) = context.keys().find(|k| k.starts_with(RESERVED_PREFIX)) {
        return Err(EsdkError::ReservedContextKey(key.clone()));
    }
    let mut full = context.clone();
    let signer = suite.signing.map(Signer::generate);
    if let Some(signer) = &signer {
        full.insert(PUBLIC_KEY_CONTEXT_KEY.to_owned(), signer.public_key());
    }
    serialize_context(&full)?;
    Ok((full, signer))
}

/// A fresh random message id of the suite's length.
pub fn new_message_id(suite: Suite) -> Vec<u8> {
    crate::crypto::random_bytes(suite.message_id_len()).to_vec()
}

/// Writes the message: `header`, then `input` sealed in frames under
/// `data_key`, then, for a signing suite, the footer signed by `signer`
/// (the one [`message_context`] made). Returns the plaintext bytes sealed.
pub fn seal<W: Write + Send>(
    data_key: &[u8],
    header: &Header,
    signer: Option<&Signer>,
    input: &mut (impl Read + Send),
    output: &mut W,
    options: &Options<'_>,
) -> Result<u64, EsdkError> {
    let suite = header.suite;
    if suite.signing.is_some() != signer.is_some() {
        return Err(EsdkError::Malformed(
            "a signing suite needs its signer, and only it".into(),
        ));
    }
    if let Some(signer) = signer {
        if header.context.get(PUBLIC_KEY_CONTEXT_KEY) != Some(&signer.public_key()) {
            return Err(EsdkError::Malformed(
                "the context does not carry the signer's public key".into(),
            ));
        }
    }
    let keys = MessageKeys::derive(suite, data_key, &header.message_id)?;
    let body = header.encode(keys.commitment.as_ref())?;
    let iv = [0u8; header::IV_LEN];
    let tag = keys.cipher.seal(&iv, &body, &mut []).ok_or(EsdkError::TooLarge)?;
    // The header is written in small pieces, the frames a batch at a time.
    let mut buffered = BufWriter::with_capacity(WRITE_BUFFER, output);
    let mut out = Hashing {
        inner: &mut buffered,
        hasher: suite.signing.map(Hasher::new),
    };
    out.write_all(&body)?;
    if suite.message_version() == 1 {
        out.write_all(&iv)?;
    }
    out.write_all(&tag)?;
    let (total, hasher) = body::Body {
        keys: &keys,
        message_id: &header.message_id,
        frame_length: header.frame_length as usize,
    }
    .seal(options.workers, input, out.hasher.take(), out.inner, options.progress)?;
    if let (Some(signer), Some(hasher)) = (signer, hasher) {
        io::write_footer(out.inner, &signer.sign(hasher)?)?;
    }
    buffered.flush()?;
    Ok(total)
}

/// The keys `data_key` gives the message of `read`, once its key
/// commitment (version 2) and its header tag check.
fn checked_keys(data_key: &[u8], read: &ReadHeader) -> Result<MessageKeys, EsdkError> {
    let header = &read.header;
    let keys = MessageKeys::derive(header.suite, data_key, &header.message_id)?;
    keys.check_commitment(read.commitment.as_ref())?;
    if !keys.cipher.open(&read.iv, &read.body, &mut [], &read.tag) {
        return Err(EsdkError::HeaderTampered);
    }
    Ok(keys)
}

/// Whether `data_key` is the data key of the message of `read`: its length
/// is the suite's, and the key commitment and header tag check. A keyring
/// whose decryption cannot tell a wrong key (RSA with PKCS #1 v1.5 padding)
/// asks this before it trusts what it decrypted.
pub fn is_data_key_of(data_key: &[u8], read: &ReadHeader) -> bool {
    data_key.len() == read.header.suite.key_len && checked_keys(data_key, read).is_ok()
}

/// Checks a header read with [`read_header`] against `data_key` (the key
/// commitment, then the header tag), then writes the plaintext of the
/// frames (or the non-framed body) that follow in `input`, checks the signature of a signing suite
/// and that nothing follows. Returns the plaintext bytes written.
pub fn open<R: Read + Send>(
    data_key: &[u8],
    read: &ReadHeader,
    input: &mut R,
    output: &mut (impl Write + Send),
    options: &Options<'_>,
) -> Result<u64, EsdkError> {
    let header = &read.header;
    let suite = header.suite;
    let keys = checked_keys(data_key, read)?;
    let mut hasher = suite.signing.map(Hasher::new);
    if let Some(h) = &mut hasher {
        h.update(&read.bytes());
    }
    let (total, after_body) = if header.frame_length == 0 {
        let mut hashing = Hashing {
            inner: &mut *input,
            hasher: hasher.take(),
        };
        let total = single::open(&keys, &header.message_id, &mut hashing, output, options.progress)?;
        hasher = hashing.hasher;
        (total, Vec::new())
    } else {
        body::Body {
            keys: &keys,
            message_id: &header.message_id,
            frame_length: header.frame_length as usize,
        }
        .open(options.workers, input, &mut hasher, output, options.progress)?
    };
    // The footer and the end, from what the body read past its final
    // frame, then the input.
    let mut rest = (&after_body[..]).chain(input);
    if let (Some(signing), Some(hasher)) = (suite.signing, hasher) {
        let signature = io::read_footer(&mut rest)?;
        keys::verify(signing, &header.context, hasher, &signature)?;
    }
    io::expect_end(&mut rest)?;
    output.flush()?;
    Ok(total)
}

#[cfg(test)]
mod tests;
