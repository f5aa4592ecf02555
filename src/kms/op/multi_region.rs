//! `ReplicateKey` and `UpdatePrimaryRegion`: the operations on multi-Region
//! keys (`CreateKey` with `MultiRegion` makes a primary). A replica is
//! written in the partition of its Region by the service, in the same
//! commit as the call (`runtime::multi_region`).

use serde::{Deserialize, Serialize};

use super::check;
use super::shapes::{Empty, Tag};
use super::{KeyIdForms, Op};
use crate::eval::Caller;
use crate::kms::error::KmsError;
use crate::kms::runtime::{Clock, KeyMetadata, Runtime};

/// `ReplicateKey`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicateKey {
    pub key_id: String,
    pub replica_region: String,
    pub policy: Option<String>,
    #[serde(default)]
    pub bypass_policy_lockout_safety_check: bool,
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicateKeyResponse {
    pub replica_key_metadata: KeyMetadata,
    pub replica_policy: String,
    pub replica_tags: Vec<Tag>,
}

impl Op for ReplicateKey {
    const NAME: &'static str = "ReplicateKey";
    const ACTION: &'static str = "kms:ReplicateKey";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:ReplicaRegion"];
    type Response = ReplicateKeyResponse;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<ReplicateKeyResponse, KmsError> {
        let tags: Vec<(String, String)> = self
            .tags
            .iter()
            .map(|t| (t.tag_key.clone(), t.tag_value.clone()))
            .collect();
        let metadata = rt.replicate_key(
            caller,
            &self.key_id,
            &self.replica_region,
            self.policy.as_deref(),
            self.bypass_policy_lockout_safety_check,
            self.description.as_deref(),
            &tags,
        )?;
        let replica_policy = self.policy.clone().unwrap_or_else(|| rt.default_key_policy());
        Ok(ReplicateKeyResponse {
            replica_key_metadata: metadata,
            replica_policy,
            replica_tags: self.tags.clone(),
        })
    }
}

/// `UpdatePrimaryRegion`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdatePrimaryRegion {
    pub key_id: String,
    pub primary_region: String,
}

impl Op for UpdatePrimaryRegion {
    const NAME: &'static str = "UpdatePrimaryRegion";
    const ACTION: &'static str = "kms:UpdatePrimaryRegion";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:PrimaryRegion"];
    type Response = Empty;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<Empty, KmsError> {
        rt.update_primary_region(caller, &self.key_id, &self.primary_region)?;
        Ok(Empty {})
    }
}
