//! The cryptographic operations: `Encrypt`, `Decrypt`, `ReEncrypt`,
//! `GenerateDataKey`, `GenerateDataKeyWithoutPlaintext` and
//! `GenerateRandom`. Each resolves the key, authorizes the call with its
//! encryption context, checks the key's state, then seals or opens a blob.

use std::collections::BTreeMap;

use zeroize::Zeroizing;

use super::key::Use;
use super::{Clock, Runtime};
use crate::crypto::{self, random_bytes};
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::request::KmsRequest;

/// What `Encrypt` returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encrypted {
    pub ciphertext_blob: Vec<u8>,
    pub key_arn: String,
    pub key_material_id: String,
}

/// What `Decrypt` returns; the plaintext is zeroized when dropped.
#[derive(Debug)]
pub struct Decrypted {
    pub plaintext: Zeroizing<Vec<u8>>,
    pub key_arn: String,
    pub key_material_id: String,
}

/// What `GenerateDataKey` returns (no plaintext for `…WithoutPlaintext`).
#[derive(Debug)]
pub struct DataKey {
    pub plaintext: Option<Zeroizing<Vec<u8>>>,
    pub ciphertext_blob: Vec<u8>,
    pub key_arn: String,
    pub key_material_id: String,
}

/// What `ReEncrypt` is asked (symmetric keys on both sides).
#[derive(Clone, Copy)]
pub struct ReEncryptCall<'a> {
    pub ciphertext_blob: &'a [u8],
    pub source_key_id: Option<&'a str>,
    pub source_context: &'a BTreeMap<String, String>,
    pub destination_key_id: &'a str,
    pub destination_context: &'a BTreeMap<String, String>,
    pub grant_tokens: &'a [String],
}

/// `KeySpec` or `NumberOfBytes` of a data key request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataKeySize {
    Aes128,
    Aes256,
    Bytes(i64),
}

impl DataKeySize {
    /// Exactly one of `KeySpec` (`AES_128`, `AES_256`) and `NumberOfBytes` (1–1024).
    pub fn parse(key_spec: Option<&str>, number_of_bytes: Option<i64>) -> Result<DataKeySize, KmsError> {
        match (key_spec, number_of_bytes) {
            (Some("AES_128"), None) => Ok(DataKeySize::Aes128),
            (Some("AES_256"), None) => Ok(DataKeySize::Aes256),
            (Some(other), None) => Err(KmsError::constraint(
                Some(other),
                "keySpec",
                "satisfy enum value set: [AES_256, AES_128]",
            )),
            (None, Some(n)) => Ok(DataKeySize::Bytes(n)),
            (Some(_), Some(_)) => Err(KmsError::new(
                ErrorName::ValidationException,
                "Please specify either number of bytes or key spec.",
            )),
            (None, None) => Err(KmsError::new(
                ErrorName::ValidationException,
                "Please specify either number of bytes or key spec.",
            )),
        }
    }

    fn bytes(self) -> Result<usize, KmsError> {
        match self {
            DataKeySize::Aes128 => Ok(16),
            DataKeySize::Aes256 => Ok(32),
            DataKeySize::Bytes(n) => number_of_bytes(n),
        }
    }
}

/// A blob naming a key that is not here: the same refusal as a key the
/// caller may not use, so a forged blob cannot probe which keys exist.
fn unknown_key() -> KmsError {
    KmsError::new(
        ErrorName::AccessDeniedException,
        "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.",
    )
}

/// 1–1024, with AWS's wording.
fn number_of_bytes(n: i64) -> Result<usize, KmsError> {
    match n {
        ..=0 => Err(KmsError::constraint(
            Some(&n.to_string()),
            "numberOfBytes",
            "have value greater than or equal to 1",
        )),
        1025.. => Err(KmsError::constraint(
            Some(&n.to_string()),
            "numberOfBytes",
            "have value less than or equal to 1024",
        )),
        _ => Ok(n as usize),
    }
}

/// The most bytes of keys and values one encryption context holds. AWS
/// documents no limit (reference §12.2); keyward picks the size of AWS's
/// other free-text members, so a context can never grow without bound.
pub const MAX_ENCRYPTION_CONTEXT_BYTES: usize = 8192;

/// The bytes of a context's keys and values.
pub(super) fn context_bytes(context: &BTreeMap<String, String>) -> usize {
    context.iter().map(|(k, v)| k.len() + v.len()).sum()
}

/// The request members every cryptographic operation shares, checked before
/// anything else as the API model's constraints are.
pub(crate) fn check_shared_members(
    contexts: &[(&str, &BTreeMap<String, String>)],
    grant_tokens: &[String],
) -> Result<(), KmsError> {
    for (member, context) in contexts {
        if context_bytes(context) > MAX_ENCRYPTION_CONTEXT_BYTES {
            return Err(KmsError::constraint(
                None,
                member,
                "have keys and values of at most 8192 bytes in all (a keyward limit)",
            ));
        }
    }
    if grant_tokens.len() > 10 {
        return Err(KmsError::constraint(
            None,
            "grantTokens",
            "have length less than or equal to 10",
        ));
    }
    if grant_tokens.iter().any(String::is_empty) {
        let rule = "have length greater than or equal to 1";
        return Err(KmsError::constraint(None, "grantTokens.member", rule));
    }
    if grant_tokens.iter().any(|t| t.chars().count() > 8192) {
        let rule = "have length less than or equal to 8192";
        return Err(KmsError::constraint(None, "grantTokens.member", rule));
    }
    Ok(())
}

/// The blob operations work on symmetric encryption keys only: another
/// usage is AWS's `InvalidKeyUsageException` naming it; an RSA or SM2
/// encryption key needs an asymmetric `EncryptionAlgorithm` instead.
fn symmetric_only(key: &super::Key, action: &str) -> Result<(), KmsError> {
    use crate::kms::key_spec::{KeyInfo, KeyUsage};
    if key.info == KeyInfo::SYMMETRIC {
        return Ok(());
    }
    let operation = crate::kms::actions::operation(action).unwrap_or(action);
    let operation = operation
        .strip_suffix("From")
        .or(operation.strip_suffix("To"))
        .unwrap_or(operation);
    if key.info.usage != KeyUsage::EncryptDecrypt || operation.starts_with("GenerateDataKey") {
        return Err(super::wrong_usage(key, operation));
    }
    Err(KmsError::new(
        ErrorName::InvalidKeyUsageException,
        format!(
            "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec {}.",
            key.info.spec
        ),
    ))
}

impl<C: Clock> Runtime<C> {
    /// Resolves the key, authorizes `action` with the context, checks that
    /// the key can be used for cryptography, and returns its id.
    pub(crate) fn for_crypto(
        &self,
        caller: &Caller,
        action: &str,
        key_id: &str,
        context: &BTreeMap<String, String>,
        grant_tokens: &[String],
        extra: &[(&str, &str)],
    ) -> Result<String, KmsError> {
        let key = self.resolve_for(caller, key_id)?;
        let mut request = KmsRequest::new(caller.clone(), action, &key.arn);
        for (name, value) in extra {
            request.context.insert_one(name, *value);
        }
        request.encryption_context = context.clone();
        request.grant_tokens = grant_tokens.to_vec();
        request.alias = crate::kms::KeyRef::parse(key_id).alias_name().map(str::to_owned);
        // Authorized first, so a caller without rights learns nothing of the
        // key's state (§9.3's order is inferred, not documented).
        self.authorize(&mut request, Some(key))?;
        key.check(Use::Crypto)?;
        symmetric_only(key, action)?;
        Ok(key.id.clone())
    }

    /// `Encrypt`: 1–4096 bytes under the key's current material.
    pub(super) fn encrypt_call(
        &self,
        caller: &Caller,
        key_id: &str,
        plaintext: &[u8],
        context: &BTreeMap<String, String>,
        grant_tokens: &[String],
    ) -> Result<Encrypted, KmsError> {
        check_shared_members(&[("encryptionContext", context)], grant_tokens)?;
        if plaintext.is_empty() || plaintext.len() > 4096 {
            let rule = if plaintext.is_empty() {
                "have length greater than or equal to 1"
            } else {
                "have length less than or equal to 4096"
            };
            return Err(KmsError::constraint(None, "plaintext", rule));
        }
        let id = self.for_crypto(caller, "kms:Encrypt", key_id, context, grant_tokens, &[])?;
        self.seal(&id, plaintext, context, caller, "Encrypt")
    }

    /// Seals `plaintext` under key `id`'s current material; for a key of a
    /// live external key store, the proxy then encrypts that again
    /// (double encryption) for `caller`'s `operation`.
    pub(crate) fn seal(
        &self,
        id: &str,
        plaintext: &[u8],
        context: &BTreeMap<String, String>,
        caller: &Caller,
        operation: &str,
    ) -> Result<Encrypted, KmsError> {
        let internal = || KmsError::new(ErrorName::NotFoundException, "The key has no key material.");
        let key = self.resolve(id)?;
        let current = key.current().ok_or_else(internal)?;
        let seal = || crypto::seal(&current.material, current.id, &key.id, plaintext, context);
        let blob = match self.live_store_of(key) {
            Some(store) => {
                // The proxy encrypts this blob's body: the same blob when
                // the call runs again with the proxy's answer.
                let purpose = (
                    key.id.clone(),
                    current.id,
                    Zeroizing::new(plaintext.to_vec()),
                    context.clone(),
                );
                let inner = self.replayed(purpose, seal).ok_or_else(internal)?;
                self.seal_outer(key, store, &inner, caller, operation)?
            }
            None => seal().ok_or_else(internal)?,
        };
        Ok(Encrypted {
            ciphertext_blob: blob,
            key_arn: key.arn.clone(),
            key_material_id: current.id.to_string(),
        })
    }

    /// `Decrypt`: the key comes from the blob; a `KeyId` that names another
    /// key is `IncorrectKeyException`; any tampering, a wrong context or an
    /// unknown material is one opaque `InvalidCiphertextException`.
    pub(super) fn decrypt_call(
        &self,
        caller: &Caller,
        ciphertext_blob: &[u8],
        key_id: Option<&str>,
        context: &BTreeMap<String, String>,
        grant_tokens: &[String],
    ) -> Result<Decrypted, KmsError> {
        check_shared_members(&[("encryptionContext", context)], grant_tokens)?;
        let invalid = || KmsError::new(ErrorName::InvalidCiphertextException, "");
        let header = crypto::peek(ciphertext_blob).map_err(|_| invalid())?;
        let key = self.resolve(&header.key_id).map_err(|_| unknown_key())?;
        if let Some(named) = key_id {
            if self.resolve_for(caller, named)?.id != key.id {
                return Err(KmsError::new(
                    ErrorName::IncorrectKeyException,
                    "The key ID in the request does not identify a CMK that can perform this operation.",
                ));
            }
        }
        let id = self.for_crypto(
            caller,
            "kms:Decrypt",
            key_id.unwrap_or(&key.arn),
            context,
            grant_tokens,
            &[],
        )?;
        let key = self.resolve(&id)?;
        let (plaintext, material) = self.open_blob(key, ciphertext_blob, context, caller, "Decrypt")?;
        Ok(Decrypted {
            plaintext,
            key_arn: key.arn.clone(),
            key_material_id: material.id.to_string(),
        })
    }

    /// Opens a symmetric blob of `key` with the material its header names;
    /// a key of a live external key store first has the proxy take off the
    /// outer layer (and takes only such doubly encrypted blobs). Any failure
    /// of the blob itself is one opaque `InvalidCiphertextException`.
    pub(crate) fn open_blob<'k>(
        &self,
        key: &'k super::Key,
        blob: &[u8],
        context: &BTreeMap<String, String>,
        caller: &Caller,
        operation: &str,
    ) -> Result<(Zeroizing<Vec<u8>>, &'k super::Material), KmsError> {
        let invalid = || KmsError::new(ErrorName::InvalidCiphertextException, "");
        let header = crypto::peek(blob).map_err(|_| invalid())?;
        let material = key.material(&header.material_id).ok_or_else(invalid)?;
        let inner;
        let blob = match self.live_store_of(key) {
            Some(store) => {
                if !crypto::is_double(blob) {
                    return Err(invalid());
                }
                inner = self.open_outer(key, store, blob, caller, operation)?;
                inner.as_slice()
            }
            None => blob,
        };
        let plaintext = crypto::open(blob, &material.material, context).map_err(|_| invalid())?;
        Ok((plaintext, material))
    }

    /// `ReEncrypt`: `kms:ReEncryptFrom` on the source key with the source
    /// context, `kms:ReEncryptTo` on the destination with its context. The
    /// source key is the one the ciphertext names, in `source` (its
    /// partition); the destination is looked up in `destination`, which is
    /// `source` itself unless the destination key is in another account
    /// (each side authorized under its own key policy).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn re_encrypt_call(
        source: &Self,
        destination: &Self,
        caller: &Caller,
        ciphertext_blob: &[u8],
        source_key_id: Option<&str>,
        source_context: &BTreeMap<String, String>,
        destination_key_id: &str,
        destination_context: &BTreeMap<String, String>,
        grant_tokens: &[String],
    ) -> Result<Encrypted, KmsError> {
        check_shared_members(
            &[
                ("sourceEncryptionContext", source_context),
                ("destinationEncryptionContext", destination_context),
            ],
            grant_tokens,
        )?;
        let invalid = || KmsError::new(ErrorName::InvalidCiphertextException, "");
        let header = crypto::peek(ciphertext_blob).map_err(|_| invalid())?;
        let source_key = source.resolve(&header.key_id).map_err(|_| unknown_key())?;
        if let Some(named) = source_key_id {
            if source.resolve_for(caller, named)?.arn != source_key.arn {
                return Err(KmsError::new(
                    ErrorName::IncorrectKeyException,
                    "The key ID in the request does not identify a CMK that can perform this operation.",
                ));
            }
        }
        let same_key = destination
            .resolve_for(caller, destination_key_id)
            .is_ok_and(|d| d.arn == source_key.arn);
        let on_same_key = [("kms:ReEncryptOnSameKey", if same_key { "true" } else { "false" })];
        let (from_tokens, to_tokens) = tokens_of_each(source, destination, grant_tokens)?;
        let source_arn = source_key.arn.clone();
        let source_id = source.for_crypto(
            caller,
            "kms:ReEncryptFrom",
            &source_arn,
            source_context,
            &from_tokens,
            &on_same_key,
        )?;
        let destination_id = destination.for_crypto(
            caller,
            "kms:ReEncryptTo",
            destination_key_id,
            destination_context,
            &to_tokens,
            &on_same_key,
        )?;
        let source_key = source.resolve(&source_id)?;
        let (plaintext, _) = source.open_blob(source_key, ciphertext_blob, source_context, caller, "ReEncrypt")?;
        destination.seal(&destination_id, &plaintext, destination_context, caller, "ReEncrypt")
    }

    /// `GenerateDataKey` (with `plaintext`) or `GenerateDataKeyWithoutPlaintext`.
    pub(super) fn generate_data_key_call(
        &self,
        caller: &Caller,
        key_id: &str,
        size: DataKeySize,
        context: &BTreeMap<String, String>,
        grant_tokens: &[String],
        with_plaintext: bool,
    ) -> Result<DataKey, KmsError> {
        check_shared_members(&[("encryptionContext", context)], grant_tokens)?;
        let bytes = size.bytes()?;
        let action = if with_plaintext {
            "kms:GenerateDataKey"
        } else {
            "kms:GenerateDataKeyWithoutPlaintext"
        };
        let id = self.for_crypto(caller, action, key_id, context, grant_tokens, &[])?;
        // Drawn once across the rounds of a call that waits for a proxy.
        let data_key = self.replayed(("data key", id.clone(), bytes), || random_bytes(bytes));
        let operation = if with_plaintext {
            "GenerateDataKey"
        } else {
            "GenerateDataKeyWithoutPlaintext"
        };
        let sealed = self.seal(&id, &data_key, context, caller, operation)?;
        Ok(DataKey {
            plaintext: with_plaintext.then_some(data_key),
            ciphertext_blob: sealed.ciphertext_blob,
            key_arn: sealed.key_arn,
            key_material_id: sealed.key_material_id,
        })
    }

    /// `GenerateRandom`: 1–1024 bytes; an IAM-only action.
    pub(super) fn generate_random_call(
        &self,
        caller: &Caller,
        number_of_bytes: Option<i64>,
        custom_key_store_id: Option<&str>,
    ) -> Result<Zeroizing<Vec<u8>>, KmsError> {
        let n = number_of_bytes
            .ok_or_else(|| KmsError::new(ErrorName::ValidationException, "NumberOfBytes is required."))?;
        let n = self::number_of_bytes(n)?;
        self.authorize(&mut KmsRequest::new(caller.clone(), "kms:GenerateRandom", "*"), None)?;
        if let Some(id) = custom_key_store_id {
            self.check_random_source(id)?;
        }
        Ok(random_bytes(n))
    }
}

/// The grant tokens each side of a `ReEncrypt` uses: all of them on one
/// partition; across two (another account's key), each partition the
/// tokens of its own grants, since a token names one grant of one key. A
/// token neither partition knows is invalid, as on one partition.
fn tokens_of_each<C: Clock>(
    source: &Runtime<C>,
    destination: &Runtime<C>,
    tokens: &[String],
) -> Result<(Vec<String>, Vec<String>), KmsError> {
    if std::ptr::eq(source, destination) {
        return Ok((tokens.to_vec(), tokens.to_vec()));
    }
    let (mut from, mut to) = (Vec::new(), Vec::new());
    for token in tokens {
        let (in_source, in_destination) = (source.grants.knows(token), destination.grants.knows(token));
        if !in_source && !in_destination {
            return Err(crate::kms::grant_book::invalid_token());
        }
        if in_source {
            from.push(token.clone());
        }
        if in_destination {
            to.push(token.clone());
        }
    }
    Ok((from, to))
}
