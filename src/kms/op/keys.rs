//! Keys: creation, metadata, listing, states, deletion and descriptions.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::check;
use super::shapes::{Empty, KeyListEntry, Tag};
use super::{KeyIdForms, Op};
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::key_spec::KeyInfo;
use crate::kms::runtime::{Clock, InStoreRequest, KeyMetadata, NewKey, Paging, Runtime, StoreType};

fn unsupported(what: &str) -> KmsError {
    KmsError::new(ErrorName::UnsupportedOperationException, what.to_owned())
}

/// `CreateKey`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateKey {
    pub policy: Option<String>,
    pub description: Option<String>,
    pub key_usage: Option<String>,
    pub customer_master_key_spec: Option<String>,
    pub key_spec: Option<String>,
    pub origin: Option<String>,
    pub custom_key_store_id: Option<String>,
    #[serde(default)]
    pub bypass_policy_lockout_safety_check: bool,
    #[serde(default)]
    pub tags: Vec<Tag>,
    pub multi_region: Option<bool>,
    pub xks_key_id: Option<String>,
}

/// `CreateKey`'s and `DescribeKey`'s response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMetadataResponse {
    pub key_metadata: KeyMetadata,
}

impl CreateKey {
    /// `KeySpec` and `KeyUsage` as AWS checks them (§4.2, §11.3): an
    /// unknown value is a constraint error, a missing `KeyUsage` for any
    /// spec but `SYMMETRIC_DEFAULT` and a pair the spec does not allow are
    /// `ValidationException`s with AWS's messages.
    fn check_spec(&self) -> Result<KeyInfo, KmsError> {
        let spec = self
            .key_spec
            .as_deref()
            .or(self.customer_master_key_spec.as_deref())
            .unwrap_or("SYMMETRIC_DEFAULT");
        let usage = self.key_usage.as_deref();
        let usages = [
            "ENCRYPT_DECRYPT",
            "SIGN_VERIFY",
            "GENERATE_VERIFY_MAC",
            "KEY_AGREEMENT",
            "ENCAPSULATE_DECAPSULATE",
        ];
        if usages.iter().all(|u| KeyInfo::parse(spec, Some(u)).is_none()) {
            return Err(KmsError::constraint(
                Some(spec),
                "keySpec",
                "satisfy enum value set: [RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, SYMMETRIC_DEFAULT, HMAC_224, HMAC_256, HMAC_384, HMAC_512, SM2, ML_DSA_44, ML_DSA_65, ML_DSA_87, ML_KEM_512, ML_KEM_768, ML_KEM_1024, ECC_NIST_EDWARDS25519]",
            ));
        }
        if let Some(other) = usage.filter(|u| !usages.contains(u)) {
            return Err(KmsError::constraint(
                Some(other),
                "keyUsage",
                "satisfy enum value set: [ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT, ENCAPSULATE_DECAPSULATE]",
            ));
        }
        if usage.is_none() && spec != "SYMMETRIC_DEFAULT" {
            return Err(KmsError::new(
                ErrorName::ValidationException,
                "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.",
            ));
        }
        KeyInfo::parse(spec, usage).ok_or_else(|| {
            KmsError::new(
                ErrorName::ValidationException,
                format!(
                    "KeyUsage {} is not compatible with KeySpec {spec}",
                    usage.unwrap_or_default()
                ),
            )
        })
    }
}

impl CreateKey {
    /// `Origin`, `CustomKeyStoreId` and `XksKeyId` together
    /// (<https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html>):
    /// a key of origin `AWS_CLOUDHSM` or `EXTERNAL_KEY_STORE` names its
    /// store, a store is named only with one of those origins, and `XksKeyId`
    /// goes with `EXTERNAL_KEY_STORE` alone, which requires it.
    fn custom_key_store(&self) -> Result<Option<InStoreRequest<'_>>, KmsError> {
        let invalid = |message: &str| Err(KmsError::new(ErrorName::ValidationException, message.to_owned()));
        let origin = self.origin.as_deref().unwrap_or("AWS_KMS");
        let store_type = StoreType::parse(origin);
        let xks = self.xks_key_id.as_deref();
        match (store_type, self.custom_key_store_id.as_deref()) {
            (Some(_), None) => invalid(&format!(
                "CustomKeyStoreId is required for a KMS key of Origin {origin}."
            )),
            (None, Some(_)) => invalid(&format!(
                "CustomKeyStoreId is valid only with Origin AWS_CLOUDHSM or EXTERNAL_KEY_STORE, not {origin}."
            )),
            (None, None) if xks.is_some() => invalid("XksKeyId is valid only with Origin EXTERNAL_KEY_STORE."),
            (None, None) => Ok(None),
            (Some(StoreType::External), Some(_)) if xks.is_none() => {
                invalid("XksKeyId is required for a KMS key of Origin EXTERNAL_KEY_STORE.")
            }
            (Some(StoreType::CloudHsm), Some(_)) if xks.is_some() => {
                invalid("XksKeyId is valid only with Origin EXTERNAL_KEY_STORE.")
            }
            (Some(store_type), Some(id)) => Ok(Some((id, store_type, xks))),
        }
    }
}

/// SM2 keys exist only in the China Regions and ML-KEM keys everywhere but
/// there (AWS, *Key spec reference*).
fn check_region(info: KeyInfo, region: &str) -> Result<(), KmsError> {
    use crate::crypto::keys::spec::Regions;
    let china = region.starts_with("cn-");
    let Ok(spec) = info.spec.parse::<crate::crypto::keys::KeySpec>() else {
        return Ok(());
    };
    let available = match spec.facts().regions {
        Regions::All => true,
        Regions::ChinaOnly => china,
        Regions::NotChina => !china,
    };
    if available {
        Ok(())
    } else {
        Err(unsupported(&format!(
            "KeySpec {} is not supported in the {region} Region.",
            info.spec
        )))
    }
}

impl Op for CreateKey {
    const NAME: &'static str = "CreateKey";
    const ACTION: &'static str = "kms:CreateKey";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::NoKey;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[
        "kms:BypassPolicyLockoutSafetyCheck",
        "kms:KeyOrigin",
        "aws:RequestTag/${TagKey}",
        "aws:TagKeys",
    ];
    type Response = KeyMetadataResponse;

    fn validate(&self) -> Result<(), KmsError> {
        self.check_spec()?;
        self.custom_key_store().map(|_| ())
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<KeyMetadataResponse, KmsError> {
        let info = self.check_spec()?;
        check_region(info, &rt.region)?;
        let external = self.origin.as_deref() == Some("EXTERNAL");
        if external && info.spec.starts_with("ML_") {
            return Err(unsupported(
                "Key material is not imported into ML-DSA or ML-KEM keys; keyward imports symmetric, HMAC, RSA, ECC and SM2 key material.",
            ));
        }
        let custom_key_store = self.custom_key_store()?;
        if custom_key_store.is_some() && (info != KeyInfo::SYMMETRIC || self.multi_region == Some(true)) {
            return Err(unsupported(
                "A KMS key in a custom key store must be a single-Region symmetric encryption key (KeySpec SYMMETRIC_DEFAULT).",
            ));
        }
        let tags: Vec<(String, String)> = self
            .tags
            .iter()
            .map(|t| (t.tag_key.clone(), t.tag_value.clone()))
            .collect();
        let new = NewKey {
            info,
            description: self.description.as_deref(),
            policy: self.policy.as_deref(),
            bypass_policy_lockout_safety_check: self.bypass_policy_lockout_safety_check,
            tags: &tags,
            multi_region: self.multi_region == Some(true),
            external,
            custom_key_store,
        };
        let key_metadata = rt.create_key_with(caller, &new)?;
        Ok(KeyMetadataResponse { key_metadata })
    }
}

/// `DescribeKey`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeKey {
    pub key_id: String,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
}

impl Op for DescribeKey {
    const NAME: &'static str = "DescribeKey";
    const ACTION: &'static str = "kms:DescribeKey";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::Any;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = true;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:RequestAlias"];
    type Response = KeyMetadataResponse;

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)
    }

    fn target(&self) -> crate::kms::Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<KeyMetadataResponse, KmsError> {
        let key_metadata = rt.describe_key(caller, &self.key_id)?;
        Ok(KeyMetadataResponse { key_metadata })
    }
}

/// `ListKeys`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeys {
    pub limit: Option<i64>,
    pub marker: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeysResponse {
    pub keys: Vec<KeyListEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    pub truncated: bool,
}

impl Op for ListKeys {
    const NAME: &'static str = "ListKeys";
    const ACTION: &'static str = "kms:ListKeys";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::NoKey;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = ListKeysResponse;

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<ListKeysResponse, KmsError> {
        let paging = Paging {
            limit: self.limit,
            marker: self.marker.as_deref(),
        };
        let page = rt.list_keys(caller, paging)?;
        let truncated = page.truncated();
        Ok(ListKeysResponse {
            keys: page
                .items
                .into_iter()
                .map(|(key_id, key_arn)| KeyListEntry { key_id, key_arn })
                .collect(),
            next_marker: page.next_marker,
            truncated,
        })
    }
}

/// Declares an operation whose request is only a `KeyId` (ID or ARN) and
/// whose runtime method takes only the key: `$call` answers its response.
macro_rules! key_only {
    ($(#[$doc:meta])* $name:ident, $mutates:expr, $response:ty, |$rt:ident, $caller:ident, $key:ident| $call:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize, Serialize)]
        #[serde(rename_all = "PascalCase")]
        pub struct $name {
            pub key_id: String,
        }

        impl super::Op for $name {
            const NAME: &'static str = stringify!($name);
            const ACTION: &'static str = concat!("kms:", stringify!($name));
            const MUTATES: bool = $mutates;
            const KEY_ID: super::KeyIdForms = super::KeyIdForms::IdOrArn;
            const CROSS_ACCOUNT: bool = false;
            const TAKES_DRY_RUN: bool = false;
            const TAKES_GRANT_TOKENS: bool = false;
            const CONDITION_KEYS: &'static [&'static str] = &[];
            type Response = $response;

            fn key_id(&self) -> Option<&str> {
                Some(&self.key_id)
            }

            fn validate(&self) -> Result<(), crate::kms::KmsError> {
                super::check::key_id("KeyId", &self.key_id)
            }

            fn run<C: crate::kms::runtime::Clock>(
                &self,
                $rt: &mut crate::kms::runtime::Runtime<C>,
                $caller: &crate::eval::Caller,
            ) -> Result<$response, crate::kms::KmsError> {
                let $key = self.key_id.as_str();
                $call
            }
        }
    };
}
pub(super) use key_only;

key_only!(
    /// `EnableKey`.
    EnableKey, true, Empty, |rt, caller, key| rt.enable_key(caller, key).map(|_| Empty {})
);
key_only!(
    /// `DisableKey`.
    DisableKey, true, Empty, |rt, caller, key| rt.disable_key(caller, key).map(|_| Empty {})
);

/// `CancelKeyDeletion`'s and `RotateKeyOnDemand`'s response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyIdResponse {
    pub key_id: String,
}

key_only!(
    /// `CancelKeyDeletion`.
    CancelKeyDeletion, true, KeyIdResponse, |rt, caller, key| rt
        .cancel_key_deletion(caller, key)
        .map(|m| KeyIdResponse { key_id: m.arn })
);

/// `ScheduleKeyDeletion`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleKeyDeletion {
    pub key_id: String,
    /// 7 to 30 days (the runtime checks it); 30 when absent.
    pub pending_window_in_days: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScheduleKeyDeletionResponse {
    pub key_id: String,
    #[serde(skip_serializing_if = "Option::is_none", with = "super::timestamp::opt_epoch")]
    pub deletion_date: Option<SystemTime>,
    pub key_state: String,
    pub pending_window_in_days: i64,
}

impl Op for ScheduleKeyDeletion {
    const NAME: &'static str = "ScheduleKeyDeletion";
    const ACTION: &'static str = "kms:ScheduleKeyDeletion";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:ScheduleKeyDeletionPendingWindowInDays"];
    type Response = ScheduleKeyDeletionResponse;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<ScheduleKeyDeletionResponse, KmsError> {
        let m = rt.schedule_key_deletion(caller, &self.key_id, self.pending_window_in_days)?;
        Ok(ScheduleKeyDeletionResponse {
            key_id: m.arn,
            deletion_date: m.deletion_date,
            key_state: m.state.as_str().to_owned(),
            pending_window_in_days: self.pending_window_in_days.unwrap_or(30),
        })
    }
}

/// `UpdateKeyDescription`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateKeyDescription {
    pub key_id: String,
    /// At most 8192 characters (the runtime checks it).
    pub description: String,
}

impl Op for UpdateKeyDescription {
    const NAME: &'static str = "UpdateKeyDescription";
    const ACTION: &'static str = "kms:UpdateKeyDescription";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = Empty;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<Empty, KmsError> {
        rt.update_key_description(caller, &self.key_id, &self.description)?;
        Ok(Empty {})
    }
}
