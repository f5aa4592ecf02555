//! Multi-Region keys (<https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html>):
//! a primary key and its replicas in other Regions of the same account share
//! a key id (`mrk-…`), key material and rotation; each has its own policy,
//! description, tags, aliases, grants and state. Every copy knows the whole
//! set ([`Replication`]), as `MultiRegionConfiguration` shows it.
//!
//! A call runs in one partition (account, Region); what it must change in
//! the partitions of the other copies it leaves in the runtime's outbox as
//! [`Crossing`]s, which `Service` applies to those partitions and commits
//! in the same transaction.

use crate::arn::partition_of;
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::imported::{External, Imported};
use super::key::{Key, KeyState, Material, Use};
use super::{Clock, KeyMetadata, Runtime};
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::request::KmsRequest;

/// Where the copies of a multi-Region key are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replication {
    pub primary_region: String,
    pub replica_regions: BTreeSet<String>,
}

impl Replication {
    /// `PRIMARY` or `REPLICA`, for the copy in `region`.
    pub fn key_type(&self, region: &str) -> &'static str {
        if self.primary_region == region {
            "PRIMARY"
        } else {
            "REPLICA"
        }
    }

    /// Every Region with a copy.
    pub fn regions(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.primary_region).chain(&self.replica_regions)
    }
}

/// A change for the copy of a key in another Region of the account.
#[derive(Clone, Debug)]
pub enum Crossing {
    /// A new replica (`ReplicateKey`).
    Replica { region: String, key: Box<Key> },
    /// The shared properties of an existing copy: where the copies are, and
    /// the key material versions (after a rotation). For a key of origin
    /// `EXTERNAL`, no material crosses (AWS does not copy imported material,
    /// <https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-import.html>):
    /// only which materials the primary associates with the key, and their
    /// states (`imported`; `None` leaves them as they are).
    Shared {
        region: String,
        key_id: String,
        replication: Replication,
        materials: Vec<Material>,
        imported: Option<Vec<Imported>>,
    },
    /// The copy of a key of origin `EXTERNAL` in `holder` has imported
    /// (`holds`) or lost pending material `material`: every other copy
    /// notes it, so the material is `PENDING_ROTATION` everywhere once no
    /// copy lacks it (`KeyMaterialState`,
    /// <https://docs.aws.amazon.com/kms/latest/APIReference/API_RotationsListEntry.html>).
    Holds {
        region: String,
        key_id: String,
        material: String,
        holder: String,
        holds: bool,
    },
}

impl Crossing {
    pub fn region(&self) -> &str {
        match self {
            Crossing::Replica { region, .. } | Crossing::Shared { region, .. } | Crossing::Holds { region, .. } => {
                region
            }
        }
    }
}

/// A multi-Region key id: `mrk-` and 32 hex digits.
pub fn multi_region_key_id() -> String {
    format!("mrk-{}", crate::crypto::random_uuid().replace('-', ""))
}

fn unsupported(message: String) -> KmsError {
    KmsError::new(ErrorName::UnsupportedOperationException, message)
}

impl<C: Clock> Runtime<C> {
    /// The copies of a primary other than this one get its shared
    /// properties (after a rotation, a replication or a deletion).
    pub(super) fn share(&mut self, key_id: &str) {
        let Some(key) = self.keys.get(key_id) else { return };
        let Some(replication) = key.replication.clone() else {
            return;
        };
        let imported = key.external.as_ref().map(|e| e.materials.clone());
        let materials = if imported.is_some() {
            Vec::new()
        } else {
            key.materials.clone()
        };
        for region in replication.regions().filter(|r| **r != self.region) {
            self.outbox.push(Crossing::Shared {
                region: region.clone(),
                key_id: key.id.clone(),
                replication: replication.clone(),
                materials: materials.clone(),
                imported: imported.clone(),
            });
        }
    }

    /// Takes what this call must change in other partitions.
    pub fn take_outbox(&mut self) -> Vec<Crossing> {
        std::mem::take(&mut self.outbox)
    }

    /// Applies a change another partition's call made to this one's copy.
    pub fn receive(&mut self, crossing: Crossing) -> Result<(), String> {
        match crossing {
            Crossing::Replica { key, .. } => {
                if self.keys.contains_key(&key.id) {
                    return Err(format!("{} already has a copy here", key.id));
                }
                self.keys.insert(key.id.clone(), *key);
            }
            Crossing::Shared {
                key_id,
                replication,
                materials,
                imported,
                ..
            } => {
                let now = self.clock.now();
                let Some(key) = self.keys.get_mut(&key_id) else {
                    return Ok(());
                };
                key.replication = Some(replication.clone());
                for material in materials {
                    if key.material(&material.id).is_none() {
                        key.materials.push(material);
                    }
                }
                if let Some(external) = key.external.as_mut() {
                    if let Some(primary) = imported {
                        follow_imported(external, &mut key.materials, &primary);
                    }
                    // A replica that left the set lacks nothing any more.
                    for material in &mut external.materials {
                        material.lacking.retain(|r| replication.regions().any(|c| c == r));
                        material.settle();
                    }
                }
                // A primary waiting for its replicas to go is deleted once they have.
                if key.state == KeyState::PendingReplicaDeletion && replication.replica_regions.is_empty() {
                    key.state = KeyState::PendingDeletion;
                    let days = key.pending_window_days.unwrap_or(30);
                    key.deletion_date = Some(now + days * 86_400);
                }
            }
            Crossing::Holds {
                key_id,
                material,
                holder,
                holds,
                ..
            } => {
                let external = self.keys.get_mut(&key_id).and_then(|k| k.external.as_mut());
                if let Some(known) = external.and_then(|e| e.find_mut(&material)) {
                    known.held_in(&holder, holds);
                }
            }
        }
        Ok(())
    }

    /// The other copies of the multi-Region key `key_id` learn whether the
    /// copy here holds its pending material `material`.
    pub(super) fn tell_copies(&mut self, key_id: &str, material: &str, holds: bool) {
        let Some(replication) = self.keys.get(key_id).and_then(|k| k.replication.clone()) else {
            return;
        };
        for region in replication.regions().filter(|r| **r != self.region) {
            self.outbox.push(Crossing::Holds {
                region: region.clone(),
                key_id: key_id.to_owned(),
                material: material.to_owned(),
                holder: self.region.clone(),
                holds,
            });
        }
    }

    /// `ReplicateKey`: a replica of a multi-Region primary key in
    /// `replica_region`, with its own policy, description and tags.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn replicate_key_call(
        &mut self,
        caller: &Caller,
        key_id: &str,
        replica_region: &str,
        policy: Option<&str>,
        bypass_policy_lockout_safety_check: bool,
        description: Option<&str>,
        tags: &[(String, String)],
    ) -> Result<KeyMetadata, KmsError> {
        super::tagging::check_tags(tags)?;
        let key = self.resolve_for(caller, key_id)?;
        let mut request = KmsRequest::new(caller.clone(), "kms:ReplicateKey", &key.arn);
        request.context.insert_one("kms:ReplicaRegion", replica_region);
        self.authorize(&mut request, Some(key))?;
        let Some(replication) = key.replication.clone() else {
            return Err(unsupported(format!("{} is not a multi-Region key.", key.arn)));
        };
        if replication.primary_region != self.region {
            return Err(unsupported(format!("{} is not a multi-Region primary key.", key.arn)));
        }
        key.check(Use::Manage)?;
        // "a different Region of the same Amazon Web Services partition" (ReplicateKey, API reference)
        if partition_of(replica_region) != partition_of(&self.region) {
            return Err(unsupported(format!(
                "{replica_region} is in the {} partition; a replica of {} must be in {}.",
                partition_of(replica_region),
                key.arn,
                partition_of(&self.region)
            )));
        }
        if replication.regions().any(|r| r == replica_region) {
            return Err(KmsError::new(
                ErrorName::AlreadyExistsException,
                format!("{} already has a replica or primary key in {replica_region}.", key.arn),
            ));
        }
        // The replica's Region also needs kms:CreateKey (an IAM-only action).
        let mut create = KmsRequest::new(caller.clone(), "kms:CreateKey", "*");
        super::tagging::add_request_tags(&mut create, tags);
        self.authorize(&mut create, None)?;
        let arn = super::kms_arn(replica_region, &self.account, &format!("key/{}", key.id));
        let default_policy = self.default_key_policy();
        let policy_text = policy.map_or(default_policy, str::to_owned);
        let compiled = self.compile_key_policy(&arn, &policy_text)?;
        if policy.is_some() && !bypass_policy_lockout_safety_check {
            self.lockout_check(caller, &arn, &compiled)?;
        }
        let mut replication = replication;
        replication.replica_regions.insert(replica_region.to_owned());
        let now = self.clock.now();
        let replica = Key {
            arn,
            description: description.unwrap_or_default().to_owned(),
            state: KeyState::Enabled,
            created: now,
            deletion_date: None,
            policy_text,
            policy: compiled,
            rotation: None,
            tags: tags.iter().cloned().collect(),
            replication: Some(replication.clone()),
            pending_window_days: None,
            ..key.clone()
        };
        // "AWS KMS does not copy or synchronize the key material from a
        // primary key with imported key material to its replica keys"
        // (multi-region-keys-import.html): the replica waits in
        // PendingImport for the same material to be imported into it.
        // New material pending rotation must be imported into the new
        // replica too before the primary rotates (ImportKeyMaterial, API
        // reference: "You must do this for every replica Region key").
        let external = key.external.clone().map(|mut external| {
            lacks_pending(&mut external, replica_region);
            external
        });
        let replica = match &external {
            Some(external) => Key {
                state: KeyState::PendingImport,
                materials: Vec::new(),
                external: Some(replica_external(external)),
                ..replica
            },
            None => replica,
        };
        let metadata = Self::metadata(&replica);
        let id = key.id.clone();
        if let Some(primary) = self.keys.get_mut(&id) {
            primary.replication = Some(replication);
            primary.external = external;
        }
        self.outbox.push(Crossing::Replica {
            region: replica_region.to_owned(),
            key: Box::new(replica),
        });
        // The other replicas learn of the new one.
        self.share(&id);
        self.outbox
            .retain(|c| !matches!(c, Crossing::Shared { region, .. } if region == replica_region));
        Ok(metadata)
    }

    /// `UpdatePrimaryRegion`: the replica in `primary_region` becomes the
    /// primary, and this primary a replica.
    pub(super) fn update_primary_region_call(
        &mut self,
        caller: &Caller,
        key_id: &str,
        primary_region: &str,
    ) -> Result<(), KmsError> {
        let key = self.resolve_for(caller, key_id)?;
        let mut request = KmsRequest::new(caller.clone(), "kms:UpdatePrimaryRegion", &key.arn);
        request.context.insert_one("kms:PrimaryRegion", primary_region);
        self.authorize(&mut request, Some(key))?;
        let Some(mut replication) = key.replication.clone() else {
            return Err(unsupported(format!("{} is not a multi-Region key.", key.arn)));
        };
        if replication.primary_region != self.region {
            return Err(unsupported(format!("{} is not a multi-Region primary key.", key.arn)));
        }
        key.check(Use::Manage)?;
        if !replication.replica_regions.contains(primary_region) {
            return Err(KmsError::new(
                ErrorName::NotFoundException,
                format!("{} has no replica in {primary_region}.", key.arn),
            ));
        }
        replication.replica_regions.remove(primary_region);
        replication.replica_regions.insert(self.region.clone());
        replication.primary_region = primary_region.to_owned();
        let id = key.id.clone();
        if let Some(key) = self.keys.get_mut(&id) {
            key.replication = Some(replication);
        }
        self.share(&id);
        Ok(())
    }

    /// A replica deleted here leaves the set: the other copies learn it.
    pub(super) fn forget_replica(&mut self, key: &Key) {
        let Some(mut replication) = key.replication.clone() else {
            return;
        };
        if replication.primary_region == self.region {
            return;
        }
        replication.replica_regions.remove(&self.region);
        for region in replication.regions() {
            self.outbox.push(Crossing::Shared {
                region: region.clone(),
                key_id: key.id.clone(),
                replication: replication.clone(),
                materials: Vec::new(),
                imported: None,
            });
        }
    }
}

/// A copy of a key of origin `EXTERNAL` follows the materials its primary
/// associates with the key: it learns new ones (to be imported here, with
/// this copy's own expiry terms), takes their states after a rotation, and
/// forgets the ones pending rotation the primary deleted
/// (DeleteImportedKeyMaterial, "Considerations for multi-Region symmetric
/// encryption keys").
fn follow_imported(external: &mut External, held: &mut Vec<Material>, primary: &[Imported]) {
    let forgotten: Vec<String> = external
        .materials
        .iter()
        .filter(|m| m.state.is_pending() && !primary.iter().any(|p| p.id == m.id))
        .map(|m| m.id.clone())
        .collect();
    external.materials.retain(|m| !forgotten.contains(&m.id));
    held.retain(|m| !forgotten.contains(&m.id.to_string()));
    for shared in primary {
        match external.find_mut(&shared.id) {
            Some(known) => {
                known.state = shared.state;
                known.rotated = shared.rotated;
                known.lacking.clone_from(&shared.lacking);
            }
            None => external.materials.push(Imported {
                id: shared.id.clone(),
                state: shared.state,
                expires: None,
                valid_to: None,
                description: None,
                rotated: shared.rotated,
                lacking: shared.lacking.clone(),
            }),
        }
    }
}

/// The copy in `region` lacks every pending material of `external`.
fn lacks_pending(external: &mut External, region: &str) {
    for material in &mut external.materials {
        material.held_in(region, false);
    }
}

/// The imported-material terms of a new replica of `primary`: the
/// materials the primary associates with the key, none imported yet.
fn replica_external(primary: &External) -> External {
    let mut replica = External::default();
    follow_imported(&mut replica, &mut Vec::new(), &primary.materials);
    replica
}

/// The audited operations.
impl<C: Clock> Runtime<C> {
    #[allow(clippy::too_many_arguments)]
    pub fn replicate_key(
        &mut self,
        caller: &Caller,
        key_id: &str,
        replica_region: &str,
        policy: Option<&str>,
        bypass_policy_lockout_safety_check: bool,
        description: Option<&str>,
        tags: &[(String, String)],
    ) -> Result<KeyMetadata, KmsError> {
        let parameters =
            serde_json::json!({"keyId": key_id, "replicaRegion": replica_region, "description": description});
        self.audited_mut("ReplicateKey", caller, Some(key_id), parameters, |rt| {
            rt.replicate_key_call(
                caller,
                key_id,
                replica_region,
                policy,
                bypass_policy_lockout_safety_check,
                description,
                tags,
            )
        })
    }

    pub fn update_primary_region(
        &mut self,
        caller: &Caller,
        key_id: &str,
        primary_region: &str,
    ) -> Result<(), KmsError> {
        let parameters = serde_json::json!({"keyId": key_id, "primaryRegion": primary_region});
        self.audited_mut("UpdatePrimaryRegion", caller, Some(key_id), parameters, |rt| {
            rt.update_primary_region_call(caller, key_id, primary_region)
        })
    }
}
