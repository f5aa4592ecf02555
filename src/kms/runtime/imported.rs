//! What a key of origin `EXTERNAL` knows of its imported key materials
//! (<https://docs.aws.amazon.com/kms/latest/APIReference/API_RotationsListEntry.html>):
//! each material ever associated with the key, its `KeyMaterialState`
//! (`CURRENT`, `NON_CURRENT`, `PENDING_ROTATION`, and for a multi-Region key
//! `PENDING_MULTI_REGION_IMPORT_AND_ROTATION` while some copy lacks it), its
//! expiry terms and description, and when an on-demand rotation made it
//! current. Whether a
//! material is `IMPORTED` or `PENDING_IMPORT` is not kept: it is whether the
//! key holds its bytes.
//!
//! Kept in the key's properties JSON. A state written when keyward held one
//! material per key (`expires`, `valid_to`, `material_id` at the top) reads
//! as that one material, current.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// `KeyMaterialState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MaterialState {
    Current,
    NonCurrent,
    PendingRotation,
    /// New material of a multi-Region key that some copy has not imported
    /// yet; `PENDING_ROTATION` once every copy has
    /// (<https://docs.aws.amazon.com/kms/latest/APIReference/API_RotationsListEntry.html>).
    PendingMultiRegionImportAndRotation,
}

impl MaterialState {
    pub const fn as_str(self) -> &'static str {
        match self {
            MaterialState::Current => "CURRENT",
            MaterialState::NonCurrent => "NON_CURRENT",
            MaterialState::PendingRotation => "PENDING_ROTATION",
            MaterialState::PendingMultiRegionImportAndRotation => "PENDING_MULTI_REGION_IMPORT_AND_ROTATION",
        }
    }

    /// New material not yet rotated to: not permanently associated with
    /// the key (it can be deleted and other material imported instead).
    pub const fn is_pending(self) -> bool {
        matches!(
            self,
            MaterialState::PendingRotation | MaterialState::PendingMultiRegionImportAndRotation
        )
    }
}

/// One key material associated with a key of origin `EXTERNAL`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    /// `KeyMaterialId` (64 hex characters).
    pub id: String,
    pub state: MaterialState,
    /// Whether the material expires, while it is imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<bool>,
    /// Epoch seconds, when it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<i64>,
    /// `KeyMaterialDescription`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Epoch seconds: the on-demand rotation that made it current.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotated: Option<i64>,
    /// For pending material of a multi-Region key: the Regions whose copy
    /// has not imported it.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub lacking: BTreeSet<String>,
}

impl Imported {
    /// Notes whether the copy in `region` holds this material, while it is
    /// pending: it is `PENDING_ROTATION` once no copy lacks it.
    pub fn held_in(&mut self, region: &str, holds: bool) {
        if !self.state.is_pending() {
            return;
        }
        if holds {
            self.lacking.remove(region);
        } else {
            self.lacking.insert(region.to_owned());
        }
        self.settle();
    }

    /// The pending state that `lacking` implies.
    pub fn settle(&mut self) {
        if self.state.is_pending() {
            self.state = if self.lacking.is_empty() {
                MaterialState::PendingRotation
            } else {
                MaterialState::PendingMultiRegionImportAndRotation
            };
        }
    }

    /// `ExpirationModel`, while the material is imported.
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

/// The terms of a key of origin `EXTERNAL`: its materials, in the order
/// they were first imported.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredExternal")]
pub struct External {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub materials: Vec<Imported>,
}

impl External {
    /// The material that encrypts (none before the first import).
    pub fn current(&self) -> Option<&Imported> {
        self.materials.iter().find(|m| m.state == MaterialState::Current)
    }

    pub fn find(&self, id: &str) -> Option<&Imported> {
        self.materials.iter().find(|m| m.id == id)
    }

    pub fn find_mut(&mut self, id: &str) -> Option<&mut Imported> {
        self.materials.iter_mut().find(|m| m.id == id)
    }

    /// The new material not yet rotated to (one at most), whether or not
    /// every copy of a multi-Region key has it.
    pub fn pending_rotation(&self) -> Option<&Imported> {
        self.materials.iter().find(|m| m.state.is_pending())
    }

    /// `ExpirationModel` of `DescribeKey`: the current material's.
    pub fn expiration_model(&self) -> Option<&'static str> {
        self.current().and_then(Imported::expiration_model)
    }

    /// `ValidTo` of `DescribeKey`: the current material's.
    pub fn valid_to(&self) -> Option<i64> {
        self.current().and_then(|m| m.valid_to)
    }

    /// How many on-demand rotations the key has had.
    pub fn rotations(&self) -> usize {
        self.materials.iter().filter(|m| m.rotated.is_some()).count()
    }
}

/// `External` as stored, in either form.
#[derive(Deserialize)]
struct StoredExternal {
    #[serde(default)]
    materials: Vec<Imported>,
    // The form of one material per key.
    #[serde(default)]
    expires: Option<bool>,
    #[serde(default)]
    valid_to: Option<i64>,
    #[serde(default)]
    material_id: Option<String>,
}

impl From<StoredExternal> for External {
    fn from(stored: StoredExternal) -> External {
        let mut materials = stored.materials;
        if let (true, Some(id)) = (materials.is_empty(), stored.material_id) {
            materials.push(Imported {
                id,
                state: MaterialState::Current,
                expires: stored.expires,
                valid_to: stored.valid_to,
                description: None,
                rotated: None,
                lacking: BTreeSet::new(),
            });
        }
        External { materials }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_material_form_reads_as_one_current_material() {
        let old: External =
            serde_json::from_str(r#"{"expires":true,"valid_to":1900000000,"material_id":"ab"}"#).unwrap();
        assert_eq!(old.current().map(|m| m.id.as_str()), Some("ab"));
        assert_eq!(old.expiration_model(), Some("KEY_MATERIAL_EXPIRES"));
        assert_eq!(old.valid_to(), Some(1_900_000_000));
        let empty: External = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, External::default());
        let written = serde_json::to_string(&old).unwrap();
        assert_eq!(serde_json::from_str::<External>(&written).unwrap(), old);
    }

    #[test]
    fn pending_material_is_pending_rotation_once_no_copy_lacks_it() {
        let mut material: Imported = serde_json::from_str(r#"{"id":"ab","state":"PENDING_ROTATION"}"#).unwrap();
        material.held_in("eu-west-1", false);
        material.held_in("ap-south-1", false);
        assert_eq!(material.state, MaterialState::PendingMultiRegionImportAndRotation);
        assert_eq!(material.state.as_str(), "PENDING_MULTI_REGION_IMPORT_AND_ROTATION");
        let written = serde_json::to_string(&material).unwrap();
        assert!(
            written.contains(r#""state":"PENDING_MULTI_REGION_IMPORT_AND_ROTATION""#),
            "{written}"
        );
        material.held_in("eu-west-1", true);
        assert_eq!(material.state, MaterialState::PendingMultiRegionImportAndRotation);
        material.held_in("ap-south-1", true);
        assert_eq!(material.state, MaterialState::PendingRotation);
        assert!(!serde_json::to_string(&material).unwrap().contains("lacking"));
    }

    #[test]
    fn a_copy_lacking_material_already_rotated_to_leaves_its_state() {
        let mut material: Imported = serde_json::from_str(r#"{"id":"ab","state":"CURRENT"}"#).unwrap();
        material.held_in("eu-west-1", false);
        assert_eq!(material.state, MaterialState::Current);
        assert!(material.lacking.is_empty());
    }
}
