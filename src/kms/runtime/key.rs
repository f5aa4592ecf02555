//! A key as the runtime keeps it: metadata, state, policy
//! and its versions of key material; and the key-state table of §3 for the
//! operations the runtime serves.

use std::fmt;

use crate::crypto::{KeyMaterial, MaterialId};
use crate::eval::CompiledPolicy;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::key_spec::KeyInfo;

/// `KeyState` (§3.1), the states a local symmetric key can be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState {
    Enabled,
    Disabled,
    PendingDeletion,
    /// A multi-Region primary key scheduled for deletion while it still has
    /// replicas: its waiting period starts once they are gone.
    PendingReplicaDeletion,
    /// A key of origin `EXTERNAL` without key material (not yet imported,
    /// expired or deleted).
    PendingImport,
    /// A key of a custom key store that is not connected: never stored,
    /// reported instead of `Enabled` or `Disabled` while the store is away.
    Unavailable,
}

impl KeyState {
    pub const fn as_str(self) -> &'static str {
        match self {
            KeyState::Enabled => "Enabled",
            KeyState::Disabled => "Disabled",
            KeyState::PendingDeletion => "PendingDeletion",
            KeyState::PendingReplicaDeletion => "PendingReplicaDeletion",
            KeyState::PendingImport => "PendingImport",
            KeyState::Unavailable => "Unavailable",
        }
    }
}

impl fmt::Display for KeyState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who manages a key (`KeyManager`, §4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyManager {
    /// Created and managed by the account (`CUSTOMER`).
    Customer,
    /// An AWS managed key (`AWS`): `alias/aws/<service>`, created by the
    /// service, used only through it, changed by no one.
    Aws,
    /// An AWS owned key: a service's own key, outside the account. It is
    /// never listed, described or audited there, so it has no `KeyManager`
    /// value in the API.
    AwsOwned,
}

impl KeyManager {
    /// The stored name: `CUSTOMER` and `AWS` as the API says them.
    pub const fn as_str(self) -> &'static str {
        match self {
            KeyManager::Customer => "CUSTOMER",
            KeyManager::Aws => "AWS",
            KeyManager::AwsOwned => "AWS_OWNED",
        }
    }

    pub fn parse(text: &str) -> Option<KeyManager> {
        [KeyManager::Customer, KeyManager::Aws, KeyManager::AwsOwned]
            .into_iter()
            .find(|m| m.as_str() == text)
    }
}

/// How an operation depends on the key's state (the columns of §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    /// Cryptography and `CreateGrant`: Enabled only.
    Crypto,
    /// `EnableKey`, `DisableKey`, `UpdateKeyDescription`, tags, `CreateAlias`:
    /// not while pending deletion.
    Manage,
    /// `ScheduleKeyDeletion`: not twice.
    Schedule,
    /// `CancelKeyDeletion`: only while pending deletion.
    Cancel,
    /// `DescribeKey`, policies, grants listing, retiring, revoking: any state.
    Read,
}

/// The state-table check, with the footnoted errors of §3.3.
pub fn check_state(state: KeyState, arn: &str, use_: Use) -> Result<(), KmsError> {
    let invalid = |text: &str| {
        Err(KmsError::new(
            ErrorName::KMSInvalidStateException,
            format!("{arn} {text}"),
        ))
    };
    match (use_, state) {
        (Use::Read, _) | (Use::Crypto, KeyState::Enabled) | (Use::Manage, KeyState::Enabled | KeyState::Disabled) => {
            Ok(())
        }
        (Use::Schedule, KeyState::Enabled | KeyState::Disabled) | (Use::Cancel, KeyState::PendingDeletion) => Ok(()),
        (Use::Crypto, KeyState::Disabled) => Err(KmsError::new(
            ErrorName::DisabledException,
            format!("{arn} is disabled."),
        )),
        (Use::Cancel, KeyState::PendingReplicaDeletion) => Ok(()),
        (Use::Manage | Use::Schedule, KeyState::PendingImport) => Ok(()),
        (Use::Crypto, KeyState::PendingImport) => invalid("is pending import."),
        // Key states of KMS keys, footnotes 11 and 12: unusable, manageable.
        (Use::Crypto, KeyState::Unavailable) => invalid("is unavailable."),
        (Use::Manage | Use::Schedule, KeyState::Unavailable) => Ok(()),
        (Use::Crypto | Use::Manage | Use::Schedule, KeyState::PendingDeletion | KeyState::PendingReplicaDeletion) => {
            invalid("is pending deletion (or pending replica deletion).")
        }
        (Use::Cancel, _) => invalid("is not pending deletion (or pending replica deletion)."),
    }
}

/// How a version of material came to be (`RotationType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The material the key was created with.
    Initial,
    Automatic,
    OnDemand,
}

/// One version of a key's material.
#[derive(Clone, Debug)]
pub struct Material {
    pub id: MaterialId,
    pub material: KeyMaterial,
    /// Seconds since the epoch.
    pub created: i64,
    pub origin: Origin,
}

/// Automatic rotation: the period, and when the next rotation is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rotation {
    pub period_days: i64,
    pub next: i64,
}

/// A symmetric encryption key.
#[derive(Clone, Debug)]
pub struct Key {
    pub id: String,
    pub arn: String,
    pub account: String,
    pub manager: KeyManager,
    pub description: String,
    pub state: KeyState,
    pub info: KeyInfo,
    /// Seconds since the epoch.
    pub created: i64,
    pub deletion_date: Option<i64>,
    pub policy_text: String,
    pub policy: CompiledPolicy,
    /// Every version, oldest first; the last one encrypts.
    pub materials: Vec<Material>,
    /// Automatic rotation, when enabled.
    pub rotation: Option<Rotation>,
    pub tags: std::collections::BTreeMap<String, String>,
    /// The copies of a multi-Region key (`None` for a single-Region key).
    pub replication: Option<super::multi_region::Replication>,
    /// The waiting period a primary in `PendingReplicaDeletion` will get.
    pub pending_window_days: Option<i64>,
    /// A key of origin `EXTERNAL`: its imported material's terms.
    pub external: Option<super::imported::External>,
    /// A key of a custom key store (origin `AWS_CLOUDHSM` or `EXTERNAL_KEY_STORE`).
    pub custom_key_store: Option<super::custom_key_stores::InStore>,
    /// Its custom key store is not connected (derived, never stored).
    pub unavailable: bool,
}

impl Key {
    /// The material that encrypts: the newest, or for a key of origin
    /// `EXTERNAL` the one imported as current (absent while it is not).
    pub fn current(&self) -> Option<&Material> {
        match &self.external {
            Some(external) => {
                let id = &external.current()?.id;
                self.materials.iter().find(|m| m.id.to_string() == *id)
            }
            None => self.materials.last(),
        }
    }

    pub fn material(&self, id: &MaterialId) -> Option<&Material> {
        self.materials.iter().find(|m| m.id == *id)
    }

    pub fn check(&self, use_: Use) -> Result<(), KmsError> {
        check_state(self.effective_state(), &self.arn, use_)
    }

    /// The state as AWS reports it: `Unavailable` instead of `Enabled` or
    /// `Disabled` while the key's custom key store is not connected (a key
    /// pending deletion stays so, and its deletion can still be cancelled).
    pub fn effective_state(&self) -> KeyState {
        match self.state {
            KeyState::Enabled | KeyState::Disabled if self.unavailable => KeyState::Unavailable,
            state => state,
        }
    }

    /// `Origin`: `AWS_KMS`, `EXTERNAL`, `AWS_CLOUDHSM` or `EXTERNAL_KEY_STORE`.
    pub fn origin(&self) -> &'static str {
        match (&self.external, &self.custom_key_store) {
            (Some(_), _) => "EXTERNAL",
            (None, Some(store)) => store.store_type.as_str(),
            (None, None) => "AWS_KMS",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_table_errors() {
        let arn = "arn:aws:kms:us-east-1:111122223333:key/k";
        let disabled = check_state(KeyState::Disabled, arn, Use::Crypto).unwrap_err();
        assert_eq!(
            (disabled.name, disabled.message.as_str()),
            (
                ErrorName::DisabledException,
                "arn:aws:kms:us-east-1:111122223333:key/k is disabled."
            )
        );
        let pending = check_state(KeyState::PendingDeletion, arn, Use::Crypto).unwrap_err();
        assert_eq!(pending.name, ErrorName::KMSInvalidStateException);
        assert!(check_state(KeyState::PendingDeletion, arn, Use::Read).is_ok());
        assert!(check_state(KeyState::PendingDeletion, arn, Use::Cancel).is_ok());
        let not_pending = check_state(KeyState::Enabled, arn, Use::Cancel).unwrap_err();
        assert!(not_pending
            .message
            .ends_with("is not pending deletion (or pending replica deletion)."));
        assert!(check_state(KeyState::Disabled, arn, Use::Manage).is_ok());
        assert!(check_state(KeyState::PendingDeletion, arn, Use::Schedule).is_err());
    }
}
