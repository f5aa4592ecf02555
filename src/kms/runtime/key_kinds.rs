//! Keys of every kind in the runtime: fresh material for a `KeySpec`
//! (256 random bits, an HMAC secret, or a private key as PKCS#8 DER, all
//! kept as [`KeyMaterial`] and wrapped by the store like any material), the
//! parsed private keys (cached by material id, since parsing an RSA or
//! ML-DSA key costs more than some signatures), and the checks every
//! operation on a key makes before its cryptography: resolve, authorize with
//! the operation's condition keys, key state, key usage, then `DryRun`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::key::{Key, Use};
use super::{Clock, Runtime};
use crate::crypto::keys::{self, HmacKey, KeySpec, PrivateKey, PublicKey};
use crate::crypto::{BlobCipher, KeyMaterial, MaterialId};
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::key_spec::{KeyInfo, KeyKind, KeyUsage};
use crate::kms::request::KmsRequest;

/// Parsed key pairs by material id; at most `CACHED_KEYS` of them.
#[derive(Default)]
pub struct KeyPairCache(Mutex<HashMap<MaterialId, Arc<KeyPair>>>);

/// A private key and its public half, both parsed.
#[derive(Debug)]
pub struct KeyPair {
    pub private: PrivateKey,
    pub public: PublicKey,
}

/// A bound on the cache, so keys deleted long ago do not stay in memory.
const CACHED_KEYS: usize = 1024;

/// The crypto layer's name for a key's spec (every `KeyInfo` spec is one).
pub fn spec_of(info: KeyInfo) -> Result<KeySpec, KmsError> {
    info.spec.parse().map_err(|_| internal())
}

fn internal() -> KmsError {
    KmsError::new(ErrorName::KMSInternalException, "The key material could not be read.")
}

/// Fresh material for a key of `spec` in `region` (a symmetric key's is
/// 128 bits in the China Regions, [`BlobCipher`]). RSA keys take a while
/// (seconds for 4096 bits): callers on an async runtime call this off its
/// threads.
pub fn new_material(spec: KeySpec, region: &str) -> Result<KeyMaterial, KmsError> {
    if spec == KeySpec::SymmetricDefault {
        return Ok(BlobCipher::in_region(region).generate_material());
    }
    if spec.hmac_key_bytes().is_some() {
        let key = HmacKey::generate(spec).map_err(|_| internal())?;
        return Ok(KeyMaterial::from_secret(key.expose_for_wrapping()));
    }
    let key = PrivateKey::generate(spec).map_err(|_| internal())?;
    Ok(KeyMaterial::from_secret(key.to_pkcs8_der().map_err(|_| internal())?))
}

/// `DryRun`: every check passed; the call is not made.
pub fn dry_run(dry_run: Option<bool>) -> Result<(), KmsError> {
    if dry_run == Some(true) {
        return Err(KmsError::new(
            ErrorName::DryRunOperationException,
            "The request would have succeeded, but the DryRun option is set.",
        ));
    }
    Ok(())
}

/// AWS's refusal of a key whose usage does not fit the operation.
pub fn wrong_usage(key: &Key, operation: &str) -> KmsError {
    KmsError::new(
        ErrorName::InvalidKeyUsageException,
        format!(
            "{} key usage is {} which is not valid for {operation}.",
            key.arn,
            key.info.usage.as_str()
        ),
    )
}

/// A crypto-layer refusal as AWS says it; `failed` is the error of a
/// cryptographic check that failed (a bad signature, MAC or ciphertext).
pub fn crypto_error(error: keys::Error, failed: ErrorName) -> KmsError {
    use keys::Error as E;
    let text = error.to_string();
    match error {
        E::SigningAlgorithm { algorithm, spec } => KmsError::new(
            ErrorName::InvalidKeyUsageException,
            format!("Algorithm {algorithm} is incompatible with key spec {spec}."),
        ),
        E::EncryptionAlgorithm { algorithm, spec } => KmsError::new(
            ErrorName::InvalidKeyUsageException,
            format!("Algorithm {algorithm} is incompatible with key spec {spec}."),
        ),
        E::NotForSpec(spec) => KmsError::new(
            ErrorName::InvalidKeyUsageException,
            format!("The operation is not valid for key spec {spec}."),
        ),
        E::DigestLength(algorithm) => KmsError::new(
            ErrorName::ValidationException,
            format!("Digest is invalid length for algorithm {algorithm}."),
        ),
        E::MessageType { .. } | E::InvalidPublicKey(_) => KmsError::new(ErrorName::ValidationException, text),
        E::PlaintextTooLarge { algorithm, spec, max } => KmsError::new(
            ErrorName::ValidationException,
            format!("Algorithm {algorithm} and key spec {spec} cannot encrypt data larger than {max} bytes."),
        ),
        E::InvalidKeyMaterial(_) => internal(),
        E::Crypto => KmsError::new(failed, ""),
    }
}

impl<C: Clock> Runtime<C> {
    /// Resolves `key_id`, authorizes `action` with `context` (the
    /// operation's condition keys, such as `kms:SigningAlgorithm`), checks
    /// that the key is enabled and has `usage` (any asymmetric usage when
    /// `None`). The caller checks its algorithm, then `DryRun`.
    pub(crate) fn key_for_use(
        &self,
        caller: &Caller,
        action: &str,
        key_id: &str,
        usage: Option<KeyUsage>,
        grant_tokens: &[String],
        context: &[(&str, &str)],
    ) -> Result<&Key, KmsError> {
        let key = self.resolve_for(caller, key_id)?;
        let mut request = KmsRequest::new(caller.clone(), action, &key.arn);
        for (name, value) in context {
            request.context.insert_one(name, *value);
        }
        request.grant_tokens = grant_tokens.to_vec();
        request.alias = crate::kms::KeyRef::parse(key_id).alias_name().map(str::to_owned);
        self.authorize(&mut request, Some(key))?;
        key.check(Use::Crypto)?;
        let operation = crate::kms::actions::operation(action).unwrap_or(action);
        match usage {
            Some(usage) if key.info.usage != usage => Err(wrong_usage(key, operation)),
            None if key.info.kind != KeyKind::Asymmetric => Err(KmsError::new(
                ErrorName::UnsupportedOperationException,
                format!(
                    "{} key spec is {} which is not valid for {operation}.",
                    key.arn, key.info.spec
                ),
            )),
            _ => Ok(key),
        }
    }

    /// The key pair of an asymmetric key's current material.
    pub(crate) fn key_pair(&self, key: &Key) -> Result<Arc<KeyPair>, KmsError> {
        let material = key.current().ok_or_else(internal)?;
        if let Some(parsed) = self.key_pairs.0.lock().ok().and_then(|c| c.get(&material.id).cloned()) {
            return Ok(parsed);
        }
        let spec = spec_of(key.info)?;
        let private = PrivateKey::from_pkcs8_der(spec, material.material.expose_secret()).map_err(|_| internal())?;
        let public = private.public_key();
        let parsed = Arc::new(KeyPair { private, public });
        if let Ok(mut cache) = self.key_pairs.0.lock() {
            if cache.len() >= CACHED_KEYS {
                cache.clear();
            }
            cache.insert(material.id, parsed.clone());
        }
        Ok(parsed)
    }

    /// A key's metadata, without a call (neither authorized nor audited):
    /// for a front end that made the key through an operation.
    pub fn metadata_of(&self, key_id: &str) -> Option<super::KeyMetadata> {
        self.resolve(key_id).ok().map(Self::metadata)
    }

    /// The secret of an HMAC key.
    pub(crate) fn hmac_key(&self, key: &Key) -> Result<HmacKey, KmsError> {
        let material = key.current().ok_or_else(internal)?;
        HmacKey::from_bytes(spec_of(key.info)?, material.material.expose_secret()).map_err(|_| internal())
    }
}
