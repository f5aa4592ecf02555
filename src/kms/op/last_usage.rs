//! `GetKeyLastUsage`: when a key was last used for a successful
//! cryptographic operation
//! (<https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html>).

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::timestamp::from_epoch;

use super::check;
use super::{KeyIdForms, Op};
use crate::eval::Caller;
use crate::kms::error::KmsError;
use crate::kms::runtime::{Clock, Runtime};

/// `GetKeyLastUsage`: key ID or key ARN only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetKeyLastUsage {
    pub key_id: String,
}

/// `KeyLastUsageData`: empty when the key has not been used since tracking began.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyLastUsageData {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", with = "super::timestamp::opt_epoch")]
    pub timestamp: Option<SystemTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_trail_event_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_request_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetKeyLastUsageResponse {
    pub key_id: String,
    pub key_last_usage: KeyLastUsageData,
    #[serde(with = "super::timestamp::epoch")]
    pub tracking_start_date: SystemTime,
    #[serde(with = "super::timestamp::epoch")]
    pub key_creation_date: SystemTime,
}

impl Op for GetKeyLastUsage {
    const NAME: &'static str = "GetKeyLastUsage";
    const ACTION: &'static str = "kms:GetKeyLastUsage";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = GetKeyLastUsageResponse;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<GetKeyLastUsageResponse, KmsError> {
        let usage = rt.get_key_last_usage(caller, &self.key_id)?;
        let last = usage
            .last
            .map_or_else(KeyLastUsageData::default, |last| KeyLastUsageData {
                operation: Some(last.operation),
                timestamp: Some(from_epoch(last.timestamp)),
                cloud_trail_event_id: Some(last.event_id),
                kms_request_id: Some(last.request_id),
            });
        Ok(GetKeyLastUsageResponse {
            key_id: usage.key_arn,
            key_last_usage: last,
            tracking_start_date: from_epoch(usage.tracking_start),
            key_creation_date: from_epoch(usage.key_created),
        })
    }
}
