//! Imported key material (origin `EXTERNAL`,
//! <https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html>):
//! `GetParametersForImport` hands out an RSA (or SM2) wrapping public key and
//! an import token, valid 24 hours; `ImportKeyMaterial` unwraps the material
//! with the matching private key and gives it to the key, with an expiry or
//! none; when it expires (by the runtime's clock) or is deleted
//! (`DeleteImportedKeyMaterial`) the key is `PendingImport` until the same
//! material is imported again.
//!
//! Symmetric encryption keys take 32 bytes of material. The wrapping private
//! keys live in memory only (never in the store): an import token does not
//! survive a restart of the process that issued it.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::key::{KeyState, Material, Origin, Use};
use super::{Clock, KeyMetadata, Runtime};
use crate::crypto::import::{self, WrappingAlgorithm};
use crate::crypto::keys::{KeySpec, PrivateKey};
use crate::crypto::{KeyMaterial, MaterialId};
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::key_spec::KeyInfo;

/// How long an import token and its public key may be used (24 hours).
pub const IMPORT_TOKEN_SECONDS: i64 = 24 * 3600;

/// Imported material may expire at most 365 days ahead.
const MAX_VALID_DAYS: i64 = 365;

/// The terms of a key of origin `EXTERNAL`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct External {
    /// Whether the material in the key expires (`None`: none imported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<i64>,
    /// The id of the material first imported (hex): only it may be imported again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material_id: Option<String>,
}

impl External {
    pub fn expiration_model(&self) -> Option<&'static str> {
        self.expires.map(|expires| {
            if expires {
                "KEY_MATERIAL_EXPIRES"
            } else {
                "KEY_MATERIAL_DOES_NOT_EXPIRE"
            }
        })
    }
}

/// A wrapping key handed out, until it is used or expires.
struct Parameters {
    key_arn: String,
    private_key: PrivateKey,
    algorithm: WrappingAlgorithm,
    expires: i64,
}

/// The wrapping keys handed out, by import token (hex). A token is used
/// once: the import that uses it sets it aside until its changes are
/// committed ([`Pending::settle`]), and puts it back if the commit fails
/// ([`Pending::rollback`]), so a failed call leaves the token as it was.
#[derive(Default)]
pub struct Pending {
    open: Mutex<HashMap<String, Parameters>>,
    spent: Mutex<Vec<(String, Parameters)>>,
}

impl Pending {
    /// The imports' changes were committed: their tokens are gone.
    pub(super) fn settle(&self) {
        if let Ok(mut spent) = self.spent.lock() {
            spent.clear();
        }
    }

    /// The imports' changes could not be committed: their tokens are valid again.
    pub(super) fn rollback(&self) {
        let (Ok(mut spent), Ok(mut open)) = (self.spent.lock(), self.open.lock()) else {
            return;
        };
        open.extend(spent.drain(..));
    }
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pending([REDACTED])")
    }
}

/// What `GetParametersForImport` answers.
#[derive(Debug)]
pub struct ImportParameters {
    pub key_arn: String,
    pub import_token: Vec<u8>,
    /// DER `SubjectPublicKeyInfo`.
    pub public_key: Vec<u8>,
    pub parameters_valid_to: i64,
}

/// What `ImportKeyMaterial` is given.
pub struct Import<'a> {
    pub import_token: &'a [u8],
    pub encrypted_key_material: &'a [u8],
    pub valid_to: Option<i64>,
    pub expiration_model: Option<&'a str>,
    pub import_type: Option<&'a str>,
    pub key_material_id: Option<&'a str>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unsupported(message: String) -> KmsError {
    KmsError::new(ErrorName::UnsupportedOperationException, message)
}

/// The id of imported material: derived from the key id and the material,
/// so the same material imported again has the same id.
fn material_id(key_id: &str, material: &[u8]) -> MaterialId {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(b"keyward imported key material id\0");
    hash.update(key_id.as_bytes());
    hash.update([0]);
    hash.update(material);
    MaterialId(hash.finalize().into())
}

impl<C: Clock> Runtime<C> {
    /// The key named, which must be of origin `EXTERNAL`.
    fn external_key(
        &self,
        caller: &Caller,
        action: &str,
        key_id: &str,
        context: crate::eval::Context,
    ) -> Result<&super::Key, KmsError> {
        let key = self.authorized_with(caller, action, key_id, context)?;
        if key.external.is_none() {
            return Err(unsupported(format!(
                "{} has origin AWS_KMS; key material is imported only into a key of origin EXTERNAL.",
                key.arn
            )));
        }
        if key.info != KeyInfo::SYMMETRIC {
            return Err(unsupported(format!(
                "keyward imports symmetric encryption key material only, not for {}.",
                key.info.spec
            )));
        }
        Ok(key)
    }

    pub(super) fn get_parameters_for_import_call(
        &mut self,
        caller: &Caller,
        key_id: &str,
        algorithm: &str,
        wrapping_key_spec: &str,
    ) -> Result<ImportParameters, KmsError> {
        // https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-wrapping-algorithm
        // and #conditions-kms-wrapping-key-spec: the request's own values.
        let mut context = crate::eval::Context::new();
        context.insert_one("kms:WrappingAlgorithm", algorithm);
        context.insert_one("kms:WrappingKeySpec", wrapping_key_spec);
        let key = self.external_key(caller, "kms:GetParametersForImport", key_id, context)?;
        if matches!(key.state, KeyState::PendingDeletion | KeyState::PendingReplicaDeletion) {
            key.check(Use::Schedule)?;
        }
        let key_arn = key.arn.clone();
        let algorithm = WrappingAlgorithm::parse(algorithm).ok_or_else(|| {
            unsupported(format!(
                "keyward does not take the wrapping algorithm {algorithm} (RSAES_PKCS1_V1_5 is no longer accepted by KMS)."
            ))
        })?;
        let spec = match wrapping_key_spec {
            "RSA_2048" => KeySpec::Rsa2048,
            "RSA_3072" => KeySpec::Rsa3072,
            "RSA_4096" => KeySpec::Rsa4096,
            "SM2" => KeySpec::Sm2,
            other => return Err(unsupported(format!("The wrapping key spec {other} is not supported."))),
        };
        let sm2 = spec == KeySpec::Sm2;
        if sm2 != (algorithm == WrappingAlgorithm::Sm2pke) {
            return Err(KmsError::new(
                ErrorName::ValidationException,
                format!(
                    "The wrapping algorithm {} does not fit the wrapping key spec {wrapping_key_spec}.",
                    algorithm.as_str()
                ),
            ));
        }
        let private_key = PrivateKey::generate(spec)
            .map_err(|_| KmsError::new(ErrorName::KMSInternalException, "The wrapping key could not be made."))?;
        let public_key = private_key.public_key().to_der().to_vec();
        let import_token = crate::crypto::random_bytes(64).to_vec();
        let expires = self.clock.now() + IMPORT_TOKEN_SECONDS;
        if let Ok(mut pending) = self.imports.open.lock() {
            let now = self.clock.now();
            pending.retain(|_, p| p.expires > now);
            pending.insert(
                hex(&import_token),
                Parameters {
                    key_arn: key_arn.clone(),
                    private_key,
                    algorithm,
                    expires,
                },
            );
        }
        Ok(ImportParameters {
            key_arn,
            import_token,
            public_key,
            parameters_valid_to: expires,
        })
    }

    pub(super) fn import_key_material_call(
        &mut self,
        caller: &Caller,
        key_id: &str,
        import: &Import<'_>,
    ) -> Result<(KeyMetadata, String), KmsError> {
        let now = self.clock.now();
        // https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-expiration-model
        // and #conditions-kms-valid-to: set from the members sent, absent
        // when the request leaves them out (a `Null` condition tells).
        let mut context = crate::eval::Context::new();
        if let Some(model) = import.expiration_model {
            context.insert_one("kms:ExpirationModel", model);
        }
        if let Some(valid_to) = import.valid_to {
            context.insert_one("kms:ValidTo", valid_to.to_string());
        }
        let key = self.external_key(caller, "kms:ImportKeyMaterial", key_id, context)?;
        let (id, arn) = (key.id.clone(), key.arn.clone());
        if matches!(key.state, KeyState::PendingDeletion | KeyState::PendingReplicaDeletion) {
            key.check(Use::Crypto)?;
        }
        let expires = match (import.expiration_model, import.valid_to) {
            (None | Some("KEY_MATERIAL_EXPIRES"), Some(valid_to)) => {
                if valid_to <= now || valid_to > now + MAX_VALID_DAYS * 86_400 {
                    return Err(KmsError::new(
                        ErrorName::ValidationException,
                        "ValidTo must be in the future and at most 365 days from now.",
                    ));
                }
                true
            }
            (Some("KEY_MATERIAL_DOES_NOT_EXPIRE"), None) => false,
            (Some("KEY_MATERIAL_DOES_NOT_EXPIRE"), Some(_)) => {
                return Err(KmsError::new(
                    ErrorName::ValidationException,
                    "ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.",
                ))
            }
            _ => {
                return Err(KmsError::new(
                    ErrorName::ValidationException,
                    "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.",
                ))
            }
        };
        let token = hex(import.import_token);
        let material = {
            let pending = self
                .imports
                .open
                .lock()
                .map_err(|_| KmsError::new(ErrorName::KMSInternalException, "The import state is unavailable."))?;
            let parameters = pending.get(&token).filter(|p| p.key_arn == arn).ok_or_else(|| {
                KmsError::new(
                    ErrorName::InvalidImportTokenException,
                    "The import token is not valid for this KMS key.",
                )
            })?;
            if parameters.expires <= now {
                return Err(KmsError::new(
                    ErrorName::ExpiredImportTokenException,
                    "The import token has expired; call GetParametersForImport again.",
                ));
            }
            import::unwrap(
                &parameters.private_key,
                parameters.algorithm,
                import.encrypted_key_material,
            )
            .map_err(|_| {
                KmsError::new(
                    ErrorName::InvalidCiphertextException,
                    "The encrypted key material could not be decrypted with the wrapping key of this import token.",
                )
            })?
        };
        let bytes: Zeroizing<[u8; 32]> = Zeroizing::new(material.as_slice().try_into().map_err(|_| {
            KmsError::new(
                ErrorName::IncorrectKeyMaterialException,
                "Symmetric encryption key material must be 32 bytes (256 bits).",
            )
        })?);
        let material_id = material_id(&id, bytes.as_slice());
        let hex_id = material_id.to_string();
        let previous = self.keys.get(&id).and_then(|k| k.external.clone()).unwrap_or_default();
        let new_material = import.import_type == Some("NEW_KEY_MATERIAL");
        if new_material && previous.material_id.is_some() {
            return Err(unsupported(
                "keyward keeps one imported key material per key; import the same material again (EXISTING_KEY_MATERIAL).".into(),
            ));
        }
        if import.key_material_id.is_some_and(|given| given != hex_id) {
            return Err(KmsError::new(
                ErrorName::IncorrectKeyMaterialException,
                "The key material does not match the KeyMaterialId given.",
            ));
        }
        if previous.material_id.as_ref().is_some_and(|known| *known != hex_id) {
            return Err(KmsError::new(
                ErrorName::IncorrectKeyMaterialException,
                "The key material is not the key material previously imported into this KMS key.",
            ));
        }
        let Some(key) = self.keys.get_mut(&id) else {
            return Err(KmsError::new(ErrorName::NotFoundException, "Key does not exist"));
        };
        if key.material(&material_id).is_none() {
            key.materials = vec![Material {
                id: material_id,
                material: KeyMaterial::from_bytes(*bytes),
                created: now,
                origin: Origin::Initial,
            }];
        }
        key.external = Some(External {
            expires: Some(expires),
            valid_to: import.valid_to.filter(|_| expires),
            material_id: Some(hex_id.clone()),
        });
        if key.state == KeyState::PendingImport {
            key.state = KeyState::Enabled;
        }
        if let (Ok(mut pending), Ok(mut spent)) = (self.imports.open.lock(), self.imports.spent.lock()) {
            if let Some(parameters) = pending.remove(&token) {
                spent.push((token, parameters));
            }
        }
        Ok((Self::metadata(key), hex_id))
    }

    pub(super) fn delete_imported_key_material_call(
        &mut self,
        caller: &Caller,
        key_id: &str,
        key_material_id: Option<&str>,
    ) -> Result<(String, Option<String>), KmsError> {
        let key = self.external_key(caller, "kms:DeleteImportedKeyMaterial", key_id, Default::default())?;
        key.check(Use::Manage)?;
        let current = key.external.as_ref().and_then(|e| e.material_id.clone());
        if key_material_id.is_some_and(|given| Some(given) != current.as_deref()) {
            return Err(KmsError::new(
                ErrorName::NotFoundException,
                "The key has no key material with that KeyMaterialId.",
            ));
        }
        let (id, arn) = (key.id.clone(), key.arn.clone());
        if let Some(key) = self.keys.get_mut(&id) {
            remove_material(key);
        }
        Ok((arn, current))
    }

    /// Removes imported material whose `ValidTo` has passed.
    pub(super) fn expire_imports(&mut self, now: i64) {
        let due: Vec<String> = self
            .keys
            .values()
            .filter(|k| k.external.as_ref().and_then(|e| e.valid_to).is_some_and(|t| t <= now))
            .filter(|k| !k.materials.is_empty())
            .map(|k| k.id.clone())
            .collect();
        for id in due {
            if let Some(key) = self.keys.get_mut(&id) {
                remove_material(key);
                let arn = key.arn.clone();
                self.audit
                    .service_event(&self.region, &self.account, now, "DeleteExpiredKeyMaterial", &arn);
            }
        }
    }
}

/// The key loses its material (the id of what was imported is kept, so only
/// the same material can be imported again) and waits for an import.
fn remove_material(key: &mut super::Key) {
    key.materials.clear();
    if let Some(external) = &mut key.external {
        external.expires = None;
        external.valid_to = None;
    }
    if matches!(key.state, KeyState::Enabled | KeyState::Disabled) {
        key.state = KeyState::PendingImport;
    }
}

/// The audited operations.
impl<C: Clock> Runtime<C> {
    pub fn get_parameters_for_import(
        &mut self,
        caller: &Caller,
        key_id: &str,
        algorithm: &str,
        wrapping_key_spec: &str,
    ) -> Result<ImportParameters, KmsError> {
        let parameters =
            serde_json::json!({"keyId": key_id, "wrappingAlgorithm": algorithm, "wrappingKeySpec": wrapping_key_spec});
        self.audited_mut("GetParametersForImport", caller, Some(key_id), parameters, |rt| {
            rt.get_parameters_for_import_call(caller, key_id, algorithm, wrapping_key_spec)
        })
    }

    pub fn import_key_material(
        &mut self,
        caller: &Caller,
        key_id: &str,
        import: &Import<'_>,
    ) -> Result<(KeyMetadata, String), KmsError> {
        let parameters = serde_json::json!({
            "keyId": key_id, "validTo": import.valid_to, "expirationModel": import.expiration_model,
            "importType": import.import_type,
        });
        self.audited_mut("ImportKeyMaterial", caller, Some(key_id), parameters, |rt| {
            rt.import_key_material_call(caller, key_id, import)
        })
    }

    pub fn delete_imported_key_material(
        &mut self,
        caller: &Caller,
        key_id: &str,
        key_material_id: Option<&str>,
    ) -> Result<(String, Option<String>), KmsError> {
        let parameters = serde_json::json!({"keyId": key_id, "keyMaterialId": key_material_id});
        self.audited_mut("DeleteImportedKeyMaterial", caller, Some(key_id), parameters, |rt| {
            rt.delete_imported_key_material_call(caller, key_id, key_material_id)
        })
    }
}
