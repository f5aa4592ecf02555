//! Key rotation: automatic on the runtime's clock (period 90–2560 days,
//! default 365) and on demand. A rotation adds a material version; blobs
//! name the version that sealed them, so old ciphertext still decrypts.

use super::imported::MaterialState;
use super::key::{Key, KeyState, Material, Origin, Rotation, Use};
use super::{Clock, KeyMetadata, Runtime};
use crate::crypto::{BlobCipher, MaterialId};
use crate::eval::{Caller, Context};
use crate::kms::error::{ErrorName, KmsError};

/// At most this many on-demand rotations per key (§12 #6).
pub const MAX_ON_DEMAND_ROTATIONS: usize = 25;
const DAY: i64 = 86_400;

/// One key material as `ListKeyRotations` lists it (`RotationsListEntry`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaterialEntry {
    pub key_material_id: String,
    /// When and how a rotation made it current (none for the first
    /// material, or one pending rotation).
    pub rotation: Option<(i64, Origin)>,
    pub state: MaterialState,
    /// For a symmetric key of origin `EXTERNAL`: its import.
    pub imported: Option<ImportedEntry>,
}

/// The import of one material of a key of origin `EXTERNAL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedEntry {
    /// `ImportState`: `IMPORTED`, or `PENDING_IMPORT` once deleted or expired.
    pub imported: bool,
    pub expiration_model: Option<&'static str>,
    pub valid_to: Option<i64>,
    pub description: Option<String>,
}

/// What `GetKeyRotationStatus` returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RotationStatus {
    pub key_rotation_enabled: bool,
    pub rotation_period_in_days: Option<i64>,
    pub next_rotation_date: Option<i64>,
}

/// A new version of `key`'s material, of the cipher of its `region`.
fn add_material(key: &mut Key, now: i64, region: &str, origin: Origin) {
    key.materials.push(Material {
        id: MaterialId::generate(),
        material: BlobCipher::in_region(region).generate_material(),
        created: now,
        origin,
    });
}

/// AWS's refusal of a 26th on-demand rotation.
pub(super) fn rotation_limit(arn: &str) -> KmsError {
    KmsError::new(
        ErrorName::LimitExceededException,
        format!("The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: {arn}"),
    )
}

fn unsupported(message: String) -> KmsError {
    KmsError::new(ErrorName::UnsupportedOperationException, message)
}

/// Whether `key` is the replica of a multi-Region key in `region`.
/// When `key` rotates automatically next, if it does in `region` as it is
/// now (enabled, available, rotation on, not a replica or imported).
pub(super) fn rotation_due(key: &Key, region: &str) -> Option<i64> {
    let next = key.rotation?.next;
    let rotates = key.state == KeyState::Enabled && !key.unavailable && refuse_automatic_rotation(key, region).is_ok();
    rotates.then_some(next)
}

fn is_replica(key: &Key, region: &str) -> bool {
    key.replication.as_ref().is_some_and(|r| r.primary_region != region)
}

/// Keys whose automatic rotation KMS refuses to configure
/// (<https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html>:
/// "You cannot enable automatic rotation of asymmetric KMS keys, HMAC KMS
/// keys, KMS keys with imported key material, or KMS keys in a custom key
/// store. To enable or disable automatic rotation of a set of related
/// multi-Region keys, set the property on the primary key."); key states of
/// KMS keys, footnote 6: `<arn> origin is EXTERNAL which is not valid for
/// this operation.`
fn refuse_automatic_rotation(key: &Key, region: &str) -> Result<(), KmsError> {
    if key.origin() != "AWS_KMS" {
        return Err(unsupported(format!(
            "{} origin is {} which is not valid for this operation.",
            key.arn,
            key.origin()
        )));
    }
    if is_replica(key, region) {
        return Err(unsupported(format!(
            "{} is a multi-Region replica key; automatic rotation of a multi-Region key is set on its primary key.",
            key.arn
        )));
    }
    Ok(())
}

impl<C: Clock> Runtime<C> {
    /// Resolves and authorizes a rotation call: only symmetric encryption
    /// keys rotate; asymmetric and HMAC keys are refused with
    /// `UnsupportedOperationException` (§4.3).
    fn rotatable(&self, caller: &Caller, action: &str, key_id: &str) -> Result<&Key, KmsError> {
        let key = self.authorized(caller, action, key_id)?;
        if key.info != crate::kms::key_spec::KeyInfo::SYMMETRIC {
            return Err(unsupported(format!(
                "{} key spec is {} which is not valid for this operation.",
                key.arn, key.info.spec
            )));
        }
        Ok(key)
    }

    /// [`rotatable`](Self::rotatable), for a call that configures automatic
    /// rotation: not on imported material, a custom key store or a replica.
    fn automatically_rotatable(&self, caller: &Caller, action: &str, key_id: &str) -> Result<&Key, KmsError> {
        let key = self.rotatable(caller, action, key_id)?;
        refuse_automatic_rotation(key, &self.region)?;
        Ok(key)
    }

    /// `EnableKeyRotation`: the first rotation comes one period later;
    /// calling again changes the period.
    pub(super) fn enable_key_rotation_call(
        &mut self,
        caller: &Caller,
        key_id: &str,
        period_days: Option<i64>,
    ) -> Result<(), KmsError> {
        let days = period_days.unwrap_or(365);
        if !(90..=2560).contains(&days) {
            let rule = if days < 90 {
                "have value greater than or equal to 90"
            } else {
                "have value less than or equal to 2560"
            };
            return Err(KmsError::constraint(
                Some(&days.to_string()),
                "rotationPeriodInDays",
                rule,
            ));
        }
        let mut context = Context::new();
        if let Some(given) = period_days {
            context.insert_one("kms:RotationPeriodInDays", given.to_string());
        }
        let key = self.rotatable(caller, "kms:EnableKeyRotation", key_id)?;
        refuse_automatic_rotation(key, &self.region)?;
        self.change_with(
            caller,
            "kms:EnableKeyRotation",
            key_id,
            context,
            Use::Crypto,
            |key, now| {
                key.rotation = Some(Rotation {
                    period_days: days,
                    next: now + days * DAY,
                });
            },
        )
        .map(|_| ())
    }

    pub(super) fn disable_key_rotation_call(&mut self, caller: &Caller, key_id: &str) -> Result<(), KmsError> {
        self.automatically_rotatable(caller, "kms:DisableKeyRotation", key_id)?;
        self.change(caller, "kms:DisableKeyRotation", key_id, Use::Crypto, |key, _| {
            key.rotation = None
        })
        .map(|_| ())
    }

    /// `GetKeyRotationStatus`: reads false while the key is pending deletion.
    pub(super) fn get_key_rotation_status_call(
        &self,
        caller: &Caller,
        key_id: &str,
    ) -> Result<RotationStatus, KmsError> {
        let key = self.authorized(caller, "kms:GetKeyRotationStatus", key_id)?;
        // Key states of KMS keys, footnote 7: not for a key in a custom key store.
        if key.custom_key_store.is_some() {
            return Err(unsupported(format!(
                "{} origin is {} which is not valid for this operation.",
                key.arn,
                key.origin()
            )));
        }
        let active = key.rotation.filter(|_| key.state != KeyState::PendingDeletion);
        Ok(RotationStatus {
            key_rotation_enabled: active.is_some(),
            rotation_period_in_days: active.map(|r| r.period_days),
            next_rotation_date: active.map(|r| r.next),
        })
    }

    /// `RotateKeyOnDemand`: a new material version now; the schedule is
    /// unchanged (<https://docs.aws.amazon.com/kms/latest/APIReference/API_RotateKeyOnDemand.html>).
    /// Not in a custom key store; the key must be enabled; a replica is
    /// rotated through its primary; a key with imported material rotates
    /// only to new material imported `PENDING_ROTATION`.
    pub(super) fn rotate_key_on_demand_call(&mut self, caller: &Caller, key_id: &str) -> Result<KeyMetadata, KmsError> {
        let key = self.rotatable(caller, "kms:RotateKeyOnDemand", key_id)?;
        if key.custom_key_store.is_some() {
            return Err(unsupported(format!(
                "{} origin is {} which is not valid for this operation.",
                key.arn,
                key.origin()
            )));
        }
        key.check(Use::Crypto)?;
        if is_replica(key, &self.region) {
            return Err(unsupported(format!(
                "{} is a multi-Region replica key; rotate its primary key.",
                key.arn
            )));
        }
        if key.external.is_some() {
            let id = key.id.clone();
            return self.rotate_to_imported(&id);
        }
        let on_demand = key.materials.iter().filter(|m| m.origin == Origin::OnDemand).count();
        if on_demand >= MAX_ON_DEMAND_ROTATIONS {
            return Err(rotation_limit(&key.arn));
        }
        let id = key.id.clone();
        let region = self.region.clone();
        let rotated = self.modify(&id, Use::Crypto, |key, now| {
            add_material(key, now, &region, Origin::OnDemand)
        })?;
        // Replicas share the primary's material.
        self.share(&id);
        Ok(rotated)
    }

    /// `ListKeyRotations`: the versions made by rotations, oldest first;
    /// with `include_all` also the first material and, for imported
    /// material, any pending rotation.
    pub(super) fn list_key_rotations_call(
        &self,
        caller: &Caller,
        key_id: &str,
        include_all: bool,
    ) -> Result<Vec<MaterialEntry>, KmsError> {
        let key = self.rotatable(caller, "kms:ListKeyRotations", key_id)?;
        if key.custom_key_store.is_some() {
            return Err(unsupported(format!(
                "{} origin is {} which is not valid for this operation.",
                key.arn,
                key.origin()
            )));
        }
        let entries: Vec<MaterialEntry> = match &key.external {
            Some(external) => external
                .materials
                .iter()
                .map(|m| MaterialEntry {
                    key_material_id: m.id.clone(),
                    rotation: m.rotated.map(|date| (date, Origin::OnDemand)),
                    state: m.state,
                    imported: Some(ImportedEntry {
                        imported: key.materials.iter().any(|held| held.id.to_string() == m.id),
                        expiration_model: m.expiration_model(),
                        valid_to: m.valid_to,
                        description: m.description.clone(),
                    }),
                })
                .collect(),
            None => {
                let last = key.materials.len().saturating_sub(1);
                key.materials
                    .iter()
                    .enumerate()
                    .map(|(i, m)| MaterialEntry {
                        key_material_id: m.id.to_string(),
                        rotation: (m.origin != Origin::Initial).then_some((m.created, m.origin)),
                        state: if i == last {
                            MaterialState::Current
                        } else {
                            MaterialState::NonCurrent
                        },
                        imported: None,
                    })
                    .collect()
            }
        };
        Ok(entries
            .into_iter()
            .filter(|e| include_all || e.rotation.is_some())
            .collect())
    }

    /// Rotates every enabled key whose next rotation is due; a key that was
    /// disabled past its date rotates when enabled and swept again. Keys
    /// that cannot rotate automatically (imported material, a custom key
    /// store, a replica, whose primary rotates for it) never do, whatever
    /// schedule a state written before these rules holds.
    pub(super) fn rotate_due(&mut self, now: i64) {
        let region = self.region.clone();
        let due: Vec<String> = self
            .keys()
            .filter(|k| rotation_due(k, &region).is_some_and(|next| next <= now))
            .map(|k| k.id.clone())
            .collect();
        let mut rotated = Vec::new();
        for id in due {
            let Some(key) = self.key_mut(&id) else { continue };
            let Some(rotation) = key.rotation else { continue };
            add_material(key, now, &region, Origin::Automatic);
            key.rotation = Some(Rotation {
                next: now.saturating_add(rotation.period_days.saturating_mul(DAY)),
                ..rotation
            });
            rotated.push((key.id.clone(), key.arn.clone()));
        }
        for (id, arn) in rotated {
            self.share(&id);
            self.audit
                .service_event(&self.region, &self.account, now, "RotateKey", &arn);
        }
    }
}
