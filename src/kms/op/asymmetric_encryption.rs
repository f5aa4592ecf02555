//! `Encrypt`, `Decrypt` and `ReEncrypt` with RSA and SM2 `ENCRYPT_DECRYPT`
//! keys: the request names an asymmetric `EncryptionAlgorithm`
//! (`RSAES_OAEP_SHA_1`, `RSAES_OAEP_SHA_256`, `SM2PKE`), the ciphertext is
//! the raw standard output with no metadata, so `Decrypt` needs `KeyId`
//! too, and AWS's plaintext limits apply (RSA_2048 with RSAES_OAEP_SHA_256:
//! 190 bytes, …; API Reference, `Encrypt`). Encryption contexts exist only
//! for symmetric keys: one given with an asymmetric key is refused.

use serde_json::json;
use zeroize::Zeroizing;

use super::blob::Blob;
use super::encrypt::{DecryptResponse, EncryptResponse, ReEncryptResponse};
use super::members;
use super::shapes::Context;
use crate::crypto::keys::EncryptionAlgorithm;
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::runtime::{crypto_error, Clock, Key, Runtime};
use crate::kms::KeyUsage;

/// The asymmetric algorithm a request names (`None` for none or
/// `SYMMETRIC_DEFAULT`, which take the symmetric path).
pub fn asymmetric(algorithm: Option<&str>) -> Option<EncryptionAlgorithm> {
    algorithm
        .and_then(|a| a.parse().ok())
        .filter(|a| *a != EncryptionAlgorithm::SymmetricDefault)
}

fn no_context(member: &str, context: &Context) -> Result<(), KmsError> {
    if context.is_empty() {
        Ok(())
    } else {
        Err(KmsError::new(
            ErrorName::ValidationException,
            format!("{member} is not supported with asymmetric KMS keys."),
        ))
    }
}

fn check_algorithm(key: &Key, algorithm: EncryptionAlgorithm) -> Result<(), KmsError> {
    if members::spec(key)?.facts().encryption.contains(&algorithm) {
        Ok(())
    } else {
        Err(members::incompatible(algorithm.as_str(), key))
    }
}

fn key_required(member: &str, algorithm: EncryptionAlgorithm) -> KmsError {
    KmsError::new(
        ErrorName::ValidationException,
        format!("{member} is required when the encryption algorithm is {algorithm}."),
    )
}

/// The request members of one side of a call.
pub struct Side<'a> {
    pub key_id: &'a str,
    pub algorithm: EncryptionAlgorithm,
    pub grant_tokens: &'a [String],
}

impl<C: Clock> Runtime<C> {
    /// Authorizes `action` on an asymmetric encryption key with
    /// `kms:EncryptionAlgorithm` (and `extra`), checks its state, usage and
    /// algorithm.
    fn asymmetric_key(
        &self,
        caller: &Caller,
        action: &str,
        side: &Side,
        extra: &[(&str, &str)],
    ) -> Result<&Key, KmsError> {
        let mut context = vec![("kms:EncryptionAlgorithm", side.algorithm.as_str())];
        context.extend_from_slice(extra);
        let usage = Some(KeyUsage::EncryptDecrypt);
        let key = self.key_for_use(caller, action, side.key_id, usage, side.grant_tokens, &context)?;
        check_algorithm(key, side.algorithm)?;
        Ok(key)
    }

    fn asymmetric_seal(
        &self,
        caller: &Caller,
        action: &str,
        side: &Side,
        extra: &[(&str, &str)],
        plaintext: &[u8],
    ) -> Result<(String, Vec<u8>), KmsError> {
        let key = self.asymmetric_key(caller, action, side, extra)?;
        let ciphertext = self
            .key_pair(key)?
            .public
            .encrypt(side.algorithm, plaintext)
            .map_err(|e| crypto_error(e, ErrorName::KMSInternalException))?;
        Ok((key.arn.clone(), ciphertext))
    }

    fn asymmetric_open(
        &self,
        caller: &Caller,
        action: &str,
        side: &Side,
        extra: &[(&str, &str)],
        ciphertext: &[u8],
    ) -> Result<(String, Zeroizing<Vec<u8>>), KmsError> {
        let key = self.asymmetric_key(caller, action, side, extra)?;
        let plaintext = self
            .key_pair(key)?
            .private
            .decrypt(side.algorithm, ciphertext)
            .map_err(|e| crypto_error(e, ErrorName::InvalidCiphertextException))?;
        Ok((key.arn.clone(), plaintext))
    }
}

/// `Encrypt` under an RSA or SM2 key.
pub fn encrypt<C: Clock>(
    rt: &mut Runtime<C>,
    caller: &Caller,
    side: Side,
    plaintext: &[u8],
    context: &Context,
) -> Result<EncryptResponse, KmsError> {
    let parameters = json!({"keyId": side.key_id, "encryptionAlgorithm": side.algorithm.as_str()});
    rt.audited("Encrypt", caller, Some(side.key_id), parameters, true, |rt| {
        no_context("EncryptionContext", context)?;
        let (key_arn, ciphertext) = rt.asymmetric_seal(caller, "kms:Encrypt", &side, &[], plaintext)?;
        Ok(EncryptResponse {
            ciphertext_blob: Blob::new(ciphertext),
            key_id: key_arn,
            encryption_algorithm: side.algorithm.as_str().to_owned(),
        })
    })
}

/// `Decrypt` of a raw RSAES-OAEP or SM2PKE ciphertext: `KeyId` required.
pub fn decrypt<C: Clock>(
    rt: &mut Runtime<C>,
    caller: &Caller,
    key_id: Option<&str>,
    side: (EncryptionAlgorithm, &[String]),
    ciphertext: &[u8],
    context: &Context,
) -> Result<DecryptResponse, KmsError> {
    let (algorithm, grant_tokens) = side;
    let parameters = json!({"keyId": key_id, "encryptionAlgorithm": algorithm.as_str()});
    rt.audited("Decrypt", caller, key_id, parameters, true, |rt| {
        let key_id = key_id.ok_or_else(|| key_required("KeyId", algorithm))?;
        no_context("EncryptionContext", context)?;
        let side = Side {
            key_id,
            algorithm,
            grant_tokens,
        };
        let (key_arn, plaintext) = rt.asymmetric_open(caller, "kms:Decrypt", &side, &[], ciphertext)?;
        Ok(DecryptResponse {
            key_id: key_arn,
            plaintext: Blob::from(plaintext),
            encryption_algorithm: algorithm.as_str().to_owned(),
            key_material_id: None,
        })
    })
}

/// What `ReEncrypt` is asked when either side is asymmetric.
pub struct ReEncryption<'a> {
    pub ciphertext: &'a [u8],
    pub source_key_id: Option<&'a str>,
    pub source_algorithm: Option<EncryptionAlgorithm>,
    pub source_context: &'a Context,
    pub destination_key_id: &'a str,
    pub destination_algorithm: Option<EncryptionAlgorithm>,
    pub destination_context: &'a Context,
    pub grant_tokens: &'a [String],
}

/// `ReEncrypt` with an asymmetric source, destination or both: the source
/// side opens under `kms:ReEncryptFrom` in `source`, the destination seals
/// under `kms:ReEncryptTo` in `destination` (another partition's runtime, or
/// `None` for the source's own), each with its own algorithm or context.
pub fn re_encrypt<C: Clock>(
    source: &mut Runtime<C>,
    destination: Option<&mut Runtime<C>>,
    caller: &Caller,
    call: ReEncryption,
) -> Result<ReEncryptResponse, KmsError> {
    let name = |a: Option<EncryptionAlgorithm>| a.map_or("SYMMETRIC_DEFAULT", EncryptionAlgorithm::as_str);
    let parameters = || {
        json!({
            "sourceKeyId": call.source_key_id,
            "destinationKeyId": call.destination_key_id,
            "sourceEncryptionAlgorithm": name(call.source_algorithm),
            "destinationEncryptionAlgorithm": name(call.destination_algorithm),
        })
    };
    let keys = call
        .source_key_id
        .into_iter()
        .chain([call.destination_key_id])
        .collect::<Vec<_>>();
    let result = {
        let to: &Runtime<C> = destination.as_deref().unwrap_or(source);
        re_encrypt_between(source, to, caller, &call)
    };
    match destination {
        None => source.audited("ReEncrypt", caller, keys.first().copied(), parameters(), true, |_| {
            result
        }),
        Some(other) => {
            let seen = result.as_ref().map(|_| ()).map_err(Clone::clone);
            let source_key = call.source_key_id;
            let result = source.audited("ReEncrypt", caller, source_key, parameters(), true, |_| result);
            let destination_key = Some(call.destination_key_id);
            other.audited("ReEncrypt", caller, destination_key, parameters(), true, |_| seen)?;
            result
        }
    }
}

fn re_encrypt_between<C: Clock>(
    from: &Runtime<C>,
    to: &Runtime<C>,
    caller: &Caller,
    call: &ReEncryption,
) -> Result<ReEncryptResponse, KmsError> {
    let name = |a: Option<EncryptionAlgorithm>| a.map_or("SYMMETRIC_DEFAULT", EncryptionAlgorithm::as_str);
    let source_key = match (call.source_key_id, call.source_algorithm) {
        (Some(named), _) => from.resolve_for(caller, named)?.id.clone(),
        (None, Some(algorithm)) => return Err(key_required("SourceKeyId", algorithm)),
        (None, None) => {
            let header = crate::crypto::peek(call.ciphertext)
                .map_err(|_| KmsError::new(ErrorName::InvalidCiphertextException, ""))?;
            from.resolve(&header.key_id)?.id.clone()
        }
    };
    let same = to
        .resolve_for(caller, call.destination_key_id)
        .is_ok_and(|d| from.resolve(&source_key).is_ok_and(|s| s.arn == d.arn));
    let on_same_key = [("kms:ReEncryptOnSameKey", if same { "true" } else { "false" })];
    let (source_arn, plaintext) = match call.source_algorithm {
        Some(algorithm) => {
            no_context("SourceEncryptionContext", call.source_context)?;
            let side = Side {
                key_id: call.source_key_id.unwrap_or(&source_key),
                algorithm,
                grant_tokens: call.grant_tokens,
            };
            from.asymmetric_open(caller, "kms:ReEncryptFrom", &side, &on_same_key, call.ciphertext)?
        }
        None => {
            let invalid = || KmsError::new(ErrorName::InvalidCiphertextException, "");
            let header = crate::crypto::peek(call.ciphertext).map_err(|_| invalid())?;
            let id = from.for_crypto(
                caller,
                "kms:ReEncryptFrom",
                call.source_key_id.unwrap_or(&source_key),
                call.source_context,
                call.grant_tokens,
                &on_same_key,
            )?;
            let key = from.resolve(&id)?;
            if key.id != header.key_id && key.arn != header.key_id {
                return Err(KmsError::new(
                    ErrorName::IncorrectKeyException,
                    "The key ID in the request does not identify a CMK that can perform this operation.",
                ));
            }
            let (plaintext, _) = from.open_blob(key, call.ciphertext, call.source_context, caller, "ReEncrypt")?;
            (key.arn.clone(), plaintext)
        }
    };
    let (key_arn, ciphertext, material_id) = match call.destination_algorithm {
        Some(algorithm) => {
            no_context("DestinationEncryptionContext", call.destination_context)?;
            let side = Side {
                key_id: call.destination_key_id,
                algorithm,
                grant_tokens: call.grant_tokens,
            };
            let (arn, ciphertext) = to.asymmetric_seal(caller, "kms:ReEncryptTo", &side, &on_same_key, &plaintext)?;
            (arn, ciphertext, None)
        }
        None => {
            let id = to.for_crypto(
                caller,
                "kms:ReEncryptTo",
                call.destination_key_id,
                call.destination_context,
                call.grant_tokens,
                &on_same_key,
            )?;
            let sealed = to.seal(&id, &plaintext, call.destination_context, caller, "ReEncrypt")?;
            (sealed.key_arn, sealed.ciphertext_blob, Some(sealed.key_material_id))
        }
    };
    Ok(ReEncryptResponse {
        ciphertext_blob: Blob::new(ciphertext),
        source_key_id: Some(source_arn),
        key_id: key_arn,
        source_encryption_algorithm: name(call.source_algorithm).to_owned(),
        destination_encryption_algorithm: name(call.destination_algorithm).to_owned(),
        source_key_material_id: None,
        destination_key_material_id: material_id,
    })
}
