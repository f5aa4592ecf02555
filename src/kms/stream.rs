//! Envelope encryption of streams through KMS calls ([`KeyCalls`]): a data key from
//! `GenerateDataKey` under the first CMK, the same key `Encrypt`ed under each
//! further CMK so any one of them can open the stream, and the data sealed
//! in frames (`crypto::envelope`). Opening asks the runtime to `Decrypt` one
//! of the encrypted data keys, so it is authorized and audited like any other
//! call: a principal that may not decrypt with any of the CMKs cannot open
//! the stream. The plaintext data key lives only in zeroized buffers, and is
//! gone when the [`Sealer`] or [`Opener`] is dropped.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use zeroize::Zeroizing;

use super::error::{ErrorName, KmsError};
use crate::crypto::envelope::{self, EncryptedDataKey, EnvelopeError, Header, Options, ReadHeader, MAX_KEYS};
use crate::crypto::random_bytes;

/// Why a stream could not be sealed or opened.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeFailure {
    #[error("give 1 to {MAX_KEYS} keys")]
    KeyCount,
    /// A call to the runtime was refused.
    #[error("{operation} with {key} failed: {error}")]
    Kms {
        operation: &'static str,
        key: String,
        error: KmsError,
    },
    /// No encrypted data key of the stream could be decrypted by the caller.
    #[error("no key of the file lets you decrypt its data key: {}", list(.0))]
    NoUsableKey(Vec<(String, KmsError)>),
    /// No encrypted data key of the message is of a key the decryption may
    /// try (`allowed` says which), so no key was asked; `found` names the
    /// message's keys.
    #[error("no key of the file is {allowed}, so none was tried; the file's keys are: {}", listed(.found.iter().cloned()))]
    NoKeyAllowed { allowed: &'static str, found: Vec<String> },
    /// An expected encryption-context pair is not in the stream's header.
    #[error("the file's encryption context has no `{key}={value}`")]
    ContextMismatch { key: String, value: String },
    /// No encrypted data key of the message names a raw key given.
    #[error("the message has no data key wrapped by the raw key {}; its keys are: {}", .keyrings.join(", "), listed(.found.iter().cloned()))]
    NoRawKey { keyrings: Vec<String>, found: Vec<String> },
    /// A data key named for a raw key did not decrypt with it.
    #[error("the raw key {keyring} does not decrypt the data key made for that name: a different key or padding, or a changed encryption context or data key")]
    RawKeyRefused { keyring: String },
    #[error(transparent)]
    Format(#[from] EnvelopeError),
    #[error(transparent)]
    Sdk(#[from] crate::crypto::esdk::EsdkError),
}

/// The keys tried and why each failed.
fn list(failures: &[(String, KmsError)]) -> String {
    listed(failures.iter().map(|(key, error)| format!("`{key}`: {error}")))
}

/// Items about a file's keys, bounded whatever the file holds: a header may
/// name 65,535 keys of 64 KiB each, so each item is quoted short and at most
/// eight are named.
fn listed(items: impl ExactSizeIterator<Item = String>) -> String {
    const LISTED: usize = 8;
    let total = items.len();
    let mut text = items
        .take(LISTED)
        .map(|item| crate::source::shorten(&item).into_owned())
        .collect::<Vec<_>>()
        .join("; ");
    if total > LISTED {
        text.push_str(&format!("; and {} more", total - LISTED));
    }
    text
}

/// A refused KMS call of a sealer or opener, naming its operation and key.
fn refused<'k>(operation: &'static str, key: &'k str) -> impl FnOnce(KmsError) -> EnvelopeFailure + 'k {
    move |error| EnvelopeFailure::Kms {
        operation,
        key: key.to_owned(),
        error,
    }
}

fn data_key(plaintext: &[u8]) -> Result<Zeroizing<[u8; 32]>, EnvelopeError> {
    let mut key = Zeroizing::new([0u8; 32]);
    if plaintext.len() != key.len() {
        return Err(EnvelopeError::WrongDataKey);
    }
    key.copy_from_slice(plaintext);
    Ok(key)
}

/// A stream ready to be sealed: the data key, made by the runtime and held
/// in zeroized memory, and the header that carries its encrypted copies.
/// Making one calls the runtime; sealing does not, so a caller may let other
/// work use the runtime while a large stream is sealed.
pub struct Sealer {
    key: Zeroizing<[u8; 32]>,
    header: Header,
}

impl Sealer {
    /// A fresh data key that each of `key_ids` can decrypt, with `context`
    /// as the encryption context of every copy and of the header.
    pub fn new(
        kms: &mut impl KeyCalls,
        key_ids: &[String],
        context: &BTreeMap<String, String>,
        frame_size: u32,
    ) -> Result<Sealer, EnvelopeFailure> {
        let (first, others) = key_ids.split_first().ok_or(EnvelopeFailure::KeyCount)?;
        if key_ids.len() > MAX_KEYS {
            return Err(EnvelopeFailure::KeyCount);
        }
        let generated = kms
            .generate_data_key(first, 32, context)
            .map_err(refused("GenerateDataKey", first))?;
        let plaintext = generated.plaintext.ok_or(EnvelopeError::WrongDataKey)?;
        let key = data_key(&plaintext)?;
        let mut keys = vec![EncryptedDataKey {
            key_arn: generated.key_arn,
            ciphertext_blob: generated.ciphertext_blob,
        }];
        for other in others {
            let sealed = kms
                .encrypt(other, &plaintext, context)
                .map_err(refused("Encrypt", other))?;
            keys.push(EncryptedDataKey {
                key_arn: sealed.key_arn,
                ciphertext_blob: sealed.ciphertext_blob,
            });
        }
        let mut message_id = [0u8; 32];
        message_id.copy_from_slice(&random_bytes(32));
        let header = Header {
            message_id,
            frame_size,
            context: context.clone(),
            keys,
        };
        Ok(Sealer { key, header })
    }

    /// The CMKs whose encrypted data keys the header carries, as ARNs.
    pub fn key_arns(&self) -> Vec<String> {
        self.header.keys.iter().map(|k| k.key_arn.clone()).collect()
    }

    /// Writes the header, then `input` in sealed frames; returns the
    /// plaintext bytes sealed.
    pub fn seal(
        &self,
        input: &mut (impl Read + Send),
        output: &mut (impl Write + Send),
        options: &Options<'_>,
    ) -> Result<u64, EnvelopeError> {
        envelope::seal(&self.key, &self.header, input, output, options)
    }
}

/// A stream ready to be opened: its header, read before the runtime is
/// asked anything, and its data key, decrypted by the runtime.
pub struct Opener {
    key: Zeroizing<[u8; 32]>,
    read: ReadHeader,
    key_arn: String,
}

impl Opener {
    /// Every pair of `expected` must be in the header's encryption context;
    /// then the first of its encrypted data keys the caller may decrypt
    /// gives the data key.
    pub fn new(
        kms: &mut impl KeyCalls,
        expected: &BTreeMap<String, String>,
        read: ReadHeader,
    ) -> Result<Opener, EnvelopeFailure> {
        let context = &read.header.context;
        if let Some((key, value)) = expected.iter().find(|(k, v)| context.get(*k) != Some(*v)) {
            return Err(EnvelopeFailure::ContextMismatch {
                key: key.clone(),
                value: value.clone(),
            });
        }
        let mut failures = Vec::new();
        for encrypted in &read.header.keys {
            match kms.decrypt(&encrypted.ciphertext_blob, &encrypted.key_arn, context) {
                Ok(decrypted) => match data_key(&decrypted.plaintext) {
                    Ok(key) => {
                        return Ok(Opener {
                            key,
                            read,
                            key_arn: decrypted.key_arn,
                        })
                    }
                    // Not a data key of this format: try the next copy.
                    Err(_) => failures.push((
                        encrypted.key_arn.clone(),
                        KmsError::new(ErrorName::InvalidCiphertextException, ""),
                    )),
                },
                Err(error) => failures.push((encrypted.key_arn.clone(), error)),
            }
        }
        Err(EnvelopeFailure::NoUsableKey(failures))
    }

    /// The CMK that decrypted the data key.
    pub fn key_arn(&self) -> &str {
        &self.key_arn
    }

    pub fn context(&self) -> &BTreeMap<String, String> {
        &self.read.header.context
    }

    /// Writes the plaintext of the frames that follow the header in `input`;
    /// returns the plaintext bytes written.
    pub fn open(
        &self,
        input: &mut (impl Read + Send),
        output: &mut (impl Write + Send),
        options: &Options<'_>,
    ) -> Result<u64, EnvelopeError> {
        envelope::open(&self.key, &self.read, input, output, options)
    }
}

mod calls;
pub mod sdk;

pub use calls::{KeyCalls, OnRuntime, ThroughService};

#[cfg(test)]
mod tests;
