//! Automatic and on-demand rotation of key material.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::timestamp::from_epoch;

use super::check;
use super::keys::{key_only, KeyIdResponse};
use super::shapes::{Empty, RotationsListEntry};
use super::{KeyIdForms, Op};
use crate::eval::Caller;
use crate::kms::error::KmsError;
use crate::kms::runtime::{Clock, Origin, Paging, Runtime};

/// `EnableKeyRotation`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EnableKeyRotation {
    pub key_id: String,
    /// 90 to 2560 days (the runtime checks it); 365 when absent.
    pub rotation_period_in_days: Option<i64>,
}

impl Op for EnableKeyRotation {
    const NAME: &'static str = "EnableKeyRotation";
    const ACTION: &'static str = "kms:EnableKeyRotation";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:RotationPeriodInDays"];
    type Response = Empty;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<Empty, KmsError> {
        rt.enable_key_rotation(caller, &self.key_id, self.rotation_period_in_days)?;
        Ok(Empty {})
    }
}

key_only!(
    /// `DisableKeyRotation`.
    DisableKeyRotation, true, Empty, |rt, caller, key| rt
        .disable_key_rotation(caller, key)
        .map(|()| Empty {})
);

key_only!(
    /// `RotateKeyOnDemand`.
    RotateKeyOnDemand, true, KeyIdResponse, |rt, caller, key| rt
        .rotate_key_on_demand(caller, key)
        .map(|m| KeyIdResponse { key_id: m.arn })
);

/// `GetKeyRotationStatus`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetKeyRotationStatus {
    pub key_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetKeyRotationStatusResponse {
    pub key_rotation_enabled: bool,
    pub key_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotation_period_in_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", with = "super::timestamp::opt_epoch")]
    pub next_rotation_date: Option<SystemTime>,
}

impl Op for GetKeyRotationStatus {
    const NAME: &'static str = "GetKeyRotationStatus";
    const ACTION: &'static str = "kms:GetKeyRotationStatus";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = GetKeyRotationStatusResponse;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)
    }

    fn target(&self) -> crate::kms::Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<GetKeyRotationStatusResponse, KmsError> {
        let status = rt.get_key_rotation_status(caller, &self.key_id)?;
        Ok(GetKeyRotationStatusResponse {
            key_rotation_enabled: status.key_rotation_enabled,
            key_id: rt.resolve(&self.key_id)?.arn.clone(),
            rotation_period_in_days: status.rotation_period_in_days,
            next_rotation_date: status.next_rotation_date.map(from_epoch),
        })
    }
}

/// `ListKeyRotations`: 100 rotations a page unless `Limit` says otherwise.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeyRotations {
    pub key_id: String,
    /// `ROTATIONS_ONLY` (the default) or `ALL_KEY_MATERIAL`.
    pub include_key_material: Option<String>,
    pub limit: Option<i64>,
    pub marker: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeyRotationsResponse {
    pub rotations: Vec<RotationsListEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    pub truncated: bool,
}

impl Op for ListKeyRotations {
    const NAME: &'static str = "ListKeyRotations";
    const ACTION: &'static str = "kms:ListKeyRotations";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = ListKeyRotationsResponse;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<ListKeyRotationsResponse, KmsError> {
        let paging = Paging {
            limit: self.limit,
            marker: self.marker.as_deref(),
        };
        let include_all = self.include_key_material.as_deref() == Some("ALL_KEY_MATERIAL");
        let page = rt.list_key_rotations_paged(caller, &self.key_id, paging, include_all)?;
        let arn = rt.resolve(&self.key_id)?.arn.clone();
        let truncated = page.truncated();
        Ok(ListKeyRotationsResponse {
            next_marker: page.next_marker,
            rotations: page
                .items
                .into_iter()
                .map(|entry| {
                    let imported = entry.imported;
                    RotationsListEntry {
                        key_id: arn.clone(),
                        key_material_id: entry.key_material_id,
                        key_material_description: imported.as_ref().and_then(|i| i.description.clone()),
                        import_state: imported
                            .as_ref()
                            .map(|i| if i.imported { "IMPORTED" } else { "PENDING_IMPORT" }),
                        key_material_state: entry.state.as_str(),
                        expiration_model: imported.as_ref().and_then(|i| i.expiration_model),
                        valid_to: imported.as_ref().and_then(|i| i.valid_to).map(from_epoch),
                        rotation_date: entry.rotation.map(|(date, _)| from_epoch(date)),
                        rotation_type: entry.rotation.map(|(_, origin)| match origin {
                            Origin::OnDemand => "ON_DEMAND",
                            _ => "AUTOMATIC",
                        }),
                    }
                })
                .collect(),
            truncated,
        })
    }
}
