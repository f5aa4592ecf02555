//! Imported key material (origin `EXTERNAL`,
//! <https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html>):
//! `GetParametersForImport` hands out an RSA (or SM2) wrapping public key and
//! an import token, valid 24 hours; `ImportKeyMaterial` unwraps the material
//! with the matching private key and gives it to the key, with an expiry or
//! none; when a material expires (by the runtime's clock) or is deleted
//! (`DeleteImportedKeyMaterial`) the key is `PendingImport` until the same
//! material is imported again.
//!
//! Material fits the key's spec (`import_material`). A symmetric encryption
//! key takes several materials: new material is imported
//! `PENDING_ROTATION` and made current by `RotateKeyOnDemand`; in a
//! multi-Region primary it is `PENDING_MULTI_REGION_IMPORT_AND_ROTATION`
//! until every replica has imported it too, and the rotation rotates the
//! replicas with the primary. The wrapping key behind each import token is
//! part of the state ([`StoredImport`], its private key wrapped under the
//! store's root key like key material), so the import may run in another
//! process than the one that handed the token out, or after a restart.

use super::import_material;
use super::imported::{External, Imported, MaterialState};
use super::key::{Key, KeyState, Material, Origin, Use};
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

/// A wrapping key handed out by `GetParametersForImport`, until it is used
/// or expires, by the hash of its import token: the token itself is kept
/// nowhere (as grant tokens). An import that uses it removes it, and a
/// failed commit puts it back, so a token serves one successful import.
#[derive(Clone, Debug)]
pub struct StoredImport {
    /// SHA-256 of the import token, as 64 hex digits.
    pub token_hash: String,
    pub key_arn: String,
    pub algorithm: WrappingAlgorithm,
    pub wrapping_key_spec: KeySpec,
    /// When the token and its public key stop being valid (Unix seconds).
    pub expires: i64,
    /// The wrapping private key as PKCS#8 DER, in the clear in a zeroizing
    /// buffer: a store wraps it before writing it anywhere.
    pub private_key: KeyMaterial,
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
    pub key_material_description: Option<&'a str>,
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
    /// The key named, which must be of origin `EXTERNAL` and of a kind
    /// keyward imports material into.
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
                "{} has origin {}; key material is imported only into a key of origin EXTERNAL.",
                key.arn,
                key.origin()
            )));
        }
        if !import_material::importable(key.info) {
            return Err(unsupported(format!(
                "keyward imports symmetric, HMAC, RSA, ECC and SM2 key material, not material for {}.",
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
        let der = private_key
            .to_pkcs8_der()
            .map_err(|_| KmsError::new(ErrorName::KMSInternalException, "The wrapping key could not be kept."))?;
        let import_token = crate::crypto::random_bytes(64).to_vec();
        let now = self.clock.now();
        let expires = now + IMPORT_TOKEN_SECONDS;
        // Tokens that can no longer be used leave the state.
        self.imports.retain(|_, p| p.expires > now);
        let token_hash = crate::kms::token_hash(&import_token);
        self.imports.insert(
            token_hash.clone(),
            StoredImport {
                token_hash,
                key_arn: key_arn.clone(),
                algorithm,
                wrapping_key_spec: spec,
                expires,
                private_key: KeyMaterial::from_secret(der),
            },
        );
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
        let (id, arn, info) = (key.id.clone(), key.arn.clone(), key.info);
        let replica = key
            .replication
            .as_ref()
            .is_some_and(|r| r.primary_region != self.region);
        if matches!(key.state, KeyState::PendingDeletion | KeyState::PendingReplicaDeletion) {
            key.check(Use::Crypto)?;
        }
        let expires = expiry(import, now)?;
        let symmetric = info == KeyInfo::SYMMETRIC;
        if !symmetric && (import.key_material_id.is_some() || import.key_material_description.is_some()) {
            return Err(KmsError::new(
                ErrorName::ValidationException,
                "KeyMaterialId and KeyMaterialDescription are only usable with symmetric encryption keys.",
            ));
        }
        let token = crate::kms::token_hash(import.import_token);
        let unwrapped = {
            let parameters = self.imports.get(&token).filter(|p| p.key_arn == arn).ok_or_else(|| {
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
            let private_key =
                PrivateKey::from_pkcs8_der(parameters.wrapping_key_spec, parameters.private_key.expose_secret())
                    .map_err(|_| KmsError::new(ErrorName::KMSInternalException, "The wrapping key does not read."))?;
            import::unwrap(&private_key, parameters.algorithm, import.encrypted_key_material).map_err(|_| {
                // RSAES_OAEP cannot carry an RSA private key (AWS: use RSA_AES_KEY_WRAP).
                let hint = if info.spec.starts_with("RSA_") && parameters.algorithm.as_str().starts_with("RSAES") {
                    " An RSA private key is wrapped with RSA_AES_KEY_WRAP_SHA_1 or RSA_AES_KEY_WRAP_SHA_256."
                } else {
                    ""
                };
                KmsError::new(
                    ErrorName::InvalidCiphertextException,
                    format!("The encrypted key material could not be decrypted with the wrapping key of this import token.{hint}"),
                )
            })?
        };
        let material = import_material::fit(info, &self.region, &unwrapped)?;
        let version = material_id(&id, &material);
        let hex_id = version.to_string();
        let external = key.external.clone().unwrap_or_default();
        // ImportType: NEW_KEY_MATERIAL before the first import, EXISTING_KEY_MATERIAL after.
        let new_material = match import.import_type {
            Some(given) => given == "NEW_KEY_MATERIAL",
            None => external.materials.is_empty() && !replica,
        };
        // "You cannot directly import new key material into the replica
        // Region keys" (ImportKeyMaterial, API reference): a replica takes
        // only the material its primary associates with the key.
        if new_material && replica {
            return Err(unsupported(format!(
                "{arn} is a multi-Region replica key: import new key material into its primary key, then the same key material into this key with ImportType EXISTING_KEY_MATERIAL."
            )));
        }
        let terms = Terms {
            expires,
            valid_to: import.valid_to.filter(|_| expires),
            description: import.key_material_description,
        };
        let state = if new_material {
            if import.key_material_id.is_some() {
                return Err(KmsError::new(
                    ErrorName::ValidationException,
                    "You cannot specify a key material ID with ImportType set to NEW_KEY_MATERIAL.",
                ));
            }
            self.check_new_material(key, &external, &hex_id)?
        } else {
            check_existing_material(&external, &hex_id, import.key_material_id)?
        };
        let Some(key) = self.keys.get_mut(&id) else {
            return Err(KmsError::new(ErrorName::NotFoundException, "Key does not exist"));
        };
        if key.material(&version).is_none() {
            key.materials.push(Material {
                id: version,
                material: KeyMaterial::from_secret(material),
                created: now,
                origin: Origin::Initial,
            });
        }
        let copies: Vec<String> = key.replication.iter().flat_map(|r| r.regions().cloned()).collect();
        let external = key.external.get_or_insert_with(Default::default);
        let imported = match external.materials.iter().position(|m| m.id == hex_id) {
            Some(at) => &mut external.materials[at],
            None => {
                external.materials.push(Imported {
                    id: hex_id.clone(),
                    state,
                    expires: None,
                    valid_to: None,
                    description: None,
                    rotated: None,
                    lacking: Default::default(),
                });
                let last = external.materials.len() - 1;
                &mut external.materials[last]
            }
        };
        terms.apply(imported);
        // New material for the next rotation of a multi-Region primary waits
        // for every replica to import it: PENDING_MULTI_REGION_IMPORT_AND_ROTATION
        // until then (ImportKeyMaterial, API reference).
        if new_material {
            for copy in copies.iter().filter(|c| **c != self.region) {
                imported.held_in(copy, false);
            }
        }
        let pending_here = replica && imported.state.is_pending();
        imported.held_in(&self.region, true);
        if key.state == KeyState::PendingImport && every_material_imported(key) {
            key.state = KeyState::Enabled;
        }
        // The token is spent; a failed commit puts it back (`rollback`).
        self.imports.remove(&token);
        let metadata = Self::metadata(key);
        // The replicas of a primary learn which material to wait for; the
        // other copies, that a replica has pending material.
        if new_material {
            self.share(&id);
        } else if pending_here {
            self.tell_copies(&id, &hex_id, true);
        }
        Ok((metadata, hex_id))
    }

    /// New material: the key's first, or (symmetric encryption keys only)
    /// material for the next on-demand rotation, one at a time.
    fn check_new_material(&self, key: &super::Key, external: &External, id: &str) -> Result<MaterialState, KmsError> {
        if external.materials.is_empty() {
            return Ok(MaterialState::Current);
        }
        if external.find(id).is_some() {
            return Err(KmsError::new(
                ErrorName::IncorrectKeyMaterialException,
                "This key material is already associated with the KMS key; import it with ImportType EXISTING_KEY_MATERIAL.",
            ));
        }
        if key.info != KeyInfo::SYMMETRIC {
            return Err(unsupported(format!(
                "The key material of {} ({}) cannot change after the first import; only symmetric encryption keys take new key material.",
                key.arn, key.info.spec
            )));
        }
        if external.pending_rotation().is_some() {
            return Err(KmsError::new(
                ErrorName::KMSInvalidStateException,
                format!(
                    "{} already has key material pending rotation; rotate the key (RotateKeyOnDemand) or delete that material first.",
                    key.arn
                ),
            ));
        }
        Ok(MaterialState::PendingRotation)
    }

    pub(super) fn delete_imported_key_material_call(
        &mut self,
        caller: &Caller,
        key_id: &str,
        key_material_id: Option<&str>,
    ) -> Result<(String, Option<String>), KmsError> {
        let key = self.external_key(caller, "kms:DeleteImportedKeyMaterial", key_id, Default::default())?;
        key.check(Use::Manage)?;
        let external = key.external.clone().unwrap_or_default();
        // Without a KeyMaterialId, the current material.
        let target = match key_material_id {
            Some(given) => Some(external.find(given).map(|m| m.id.clone()).ok_or_else(|| {
                KmsError::new(
                    ErrorName::NotFoundException,
                    format!("{} has no key material with the KeyMaterialId {given}.", key.arn),
                )
            })?),
            None => external.current().map(|m| m.id.clone()),
        };
        let (id, arn) = (key.id.clone(), key.arn.clone());
        match &target {
            Some(material) => self.lose_material(&id, material),
            None => {
                if let Some(key) = self.keys.get_mut(&id) {
                    key_waits_for_import(key);
                }
            }
        }
        Ok((arn, target))
    }

    /// The copy here loses one material (deleted or expired). Material
    /// pending rotation lost by a primary is forgotten by its replicas too
    /// (DeleteImportedKeyMaterial, "Considerations for multi-Region symmetric
    /// encryption keys"); lost by a replica, it is lacking there again, and
    /// the other copies are otherwise unchanged.
    fn lose_material(&mut self, id: &str, material: &str) {
        let region = self.region.clone();
        let Some(key) = self.keys.get_mut(id) else { return };
        let primary = key.replication.as_ref().map(|r| r.primary_region == region);
        let pending = key
            .external
            .as_ref()
            .and_then(|e| e.find(material))
            .is_some_and(|m| m.state.is_pending());
        let replica = primary == Some(false);
        remove_material(key, material, replica.then_some(region.as_str()));
        if primary == Some(true) {
            self.share(id);
        } else if replica && pending {
            self.tell_copies(id, material, false);
        }
    }

    /// Removes imported material whose `ValidTo` has passed.
    pub(super) fn expire_imports(&mut self, now: i64) {
        // Each due material, as `expiry_due` finds the earliest.
        let due: Vec<(String, String)> = self
            .keys
            .values()
            .flat_map(|k| {
                let expired = k.external.iter().flat_map(|e| e.materials.iter());
                expired
                    .filter(|m| m.valid_to.is_some_and(|t| t <= now))
                    .map(|m| (k.id.clone(), m.id.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        for (id, material) in due {
            let Some(arn) = self.keys.get(&id).map(|k| k.arn.clone()) else {
                continue;
            };
            self.lose_material(&id, &material);
            self.audit
                .service_event(&self.region, &self.account, now, "DeleteExpiredKeyMaterial", &arn);
        }
    }

    /// `RotateKeyOnDemand` of a key with imported material: the material
    /// imported `PENDING_ROTATION` becomes current, the current one
    /// `NON_CURRENT`
    /// (<https://docs.aws.amazon.com/kms/latest/developerguide/rotating-keys-on-demand.html>).
    /// A multi-Region primary rotates once every replica has imported the
    /// material, and its replicas rotate with it (RotateKeyOnDemand, API
    /// reference: "import the same key material in each replica Region key,
    /// and invoke the on-demand rotation on the primary Region key").
    pub(super) fn rotate_to_imported(&mut self, id: &str) -> Result<KeyMetadata, KmsError> {
        let Some(key) = self.keys.get(id) else {
            return Err(KmsError::new(ErrorName::NotFoundException, "Key does not exist"));
        };
        let external = key.external.clone().unwrap_or_default();
        let pending = external
            .pending_rotation()
            .filter(|m| key.materials.iter().any(|held| held.id.to_string() == m.id))
            .ok_or_else(|| {
                KmsError::new(
                    ErrorName::KMSInvalidStateException,
                    format!("No available key material pending rotation for the key: {}.", key.arn),
                )
            })?;
        if !pending.lacking.is_empty() {
            let lacking: Vec<&str> = pending.lacking.iter().map(String::as_str).collect();
            return Err(KmsError::new(
                ErrorName::KMSInvalidStateException,
                format!(
                    "The key material {} of {} is PENDING_MULTI_REGION_IMPORT_AND_ROTATION: import it into the related multi-Region keys in {} before rotating the key.",
                    pending.id,
                    key.arn,
                    lacking.join(", ")
                ),
            ));
        }
        let pending = pending.id.clone();
        if external.rotations() >= super::rotation::MAX_ON_DEMAND_ROTATIONS {
            return Err(super::rotation::rotation_limit(&key.arn));
        }
        let rotated = self.modify(id, Use::Crypto, |key, now| {
            let Some(external) = key.external.as_mut() else { return };
            for material in &mut external.materials {
                if material.state == MaterialState::Current {
                    material.state = MaterialState::NonCurrent;
                } else if material.id == pending {
                    material.state = MaterialState::Current;
                    material.rotated = Some(now);
                }
            }
            // The newest version last, as for keys whose material KMS makes.
            if let Some(at) = key.materials.iter().position(|m| m.id.to_string() == pending) {
                let mut rotated = key.materials.remove(at);
                rotated.origin = Origin::OnDemand;
                rotated.created = now;
                key.materials.push(rotated);
            }
        })?;
        // The replicas rotate with their primary.
        self.share(id);
        Ok(rotated)
    }
}

/// The expiry an import asks for: whether it expires, checked against
/// `ValidTo` (required for `KEY_MATERIAL_EXPIRES`, the default, and at most
/// 365 days ahead; refused otherwise).
fn expiry(import: &Import<'_>, now: i64) -> Result<bool, KmsError> {
    match (import.expiration_model, import.valid_to) {
        (None | Some("KEY_MATERIAL_EXPIRES"), Some(valid_to)) => {
            if valid_to <= now || valid_to > now + MAX_VALID_DAYS * 86_400 {
                return Err(KmsError::new(
                    ErrorName::ValidationException,
                    "ValidTo must be in the future and at most 365 days from now.",
                ));
            }
            Ok(true)
        }
        (Some("KEY_MATERIAL_DOES_NOT_EXPIRE"), None) => Ok(false),
        (Some("KEY_MATERIAL_DOES_NOT_EXPIRE"), Some(_)) => Err(KmsError::new(
            ErrorName::ValidationException,
            "ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.",
        )),
        _ => Err(KmsError::new(
            ErrorName::ValidationException,
            "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.",
        )),
    }
}

/// Re-imported material: already associated with the key, and the
/// `KeyMaterialId` given, if any, is its id.
fn check_existing_material(external: &External, id: &str, given: Option<&str>) -> Result<MaterialState, KmsError> {
    if given.is_some_and(|given| given != id) {
        return Err(KmsError::new(
            ErrorName::IncorrectKeyMaterialException,
            "The key material does not match the KeyMaterialId given.",
        ));
    }
    external.find(id).map(|m| m.state).ok_or_else(|| {
        KmsError::new(
            ErrorName::IncorrectKeyMaterialException,
            "The key material is not the key material previously imported into this KMS key (import new key material with ImportType NEW_KEY_MATERIAL).",
        )
    })
}

/// The terms an import sets on its material; a description not given
/// keeps the one set before.
struct Terms<'a> {
    expires: bool,
    valid_to: Option<i64>,
    description: Option<&'a str>,
}

impl Terms<'_> {
    fn apply(&self, material: &mut Imported) {
        material.expires = Some(self.expires);
        material.valid_to = self.valid_to;
        if let Some(description) = self.description {
            material.description = Some(description.to_owned());
        }
    }
}

/// Whether the key holds every material associated with it but one
/// pending rotation (AWS: a key is enabled once all its materials are
/// imported).
fn every_material_imported(key: &super::Key) -> bool {
    let Some(external) = &key.external else { return true };
    external
        .materials
        .iter()
        .filter(|m| !m.state.is_pending())
        .all(|m| key.materials.iter().any(|held| held.id.to_string() == m.id))
}

/// The key loses one material. Material pending rotation is forgotten (it
/// is not yet the key's), unless this is a replica (`replica_region`),
/// whose primary still associates it with the key: it is lacking here
/// again. Any other material keeps its id, so only the same material can be
/// imported again, and the key waits for it in `PendingImport`.
fn remove_material(key: &mut super::Key, id: &str, replica_region: Option<&str>) {
    key.materials.retain(|m| m.id.to_string() != id);
    let Some(external) = &mut key.external else { return };
    let Some(at) = external.materials.iter().position(|m| m.id == id) else {
        return;
    };
    if external.materials[at].state.is_pending() {
        match replica_region {
            Some(region) => external.materials[at].held_in(region, false),
            None => {
                external.materials.remove(at);
            }
        }
        return;
    }
    let material = &mut external.materials[at];
    material.expires = None;
    material.valid_to = None;
    key_waits_for_import(key);
}

fn key_waits_for_import(key: &mut super::Key) {
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

/// When the first of `key`'s imported materials expires, if any does.
pub(super) fn expiry_due(key: &Key) -> Option<i64> {
    let materials = key.external.iter().flat_map(|e| e.materials.iter());
    materials.filter_map(|m| m.valid_to).min()
}
