//! `DescribeCustomKeyStores`. keyward has no custom key stores (CloudHSM or
//! external), so the account's list is always empty and naming one is
//! `CustomKeyStoreNotFoundException`
//! (<https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeCustomKeyStores.html>).
//! The first operation added on the typed shape: this file and one line in
//! `op::operations!`.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::check;
use super::{KeyIdForms, Op};
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::runtime::{Clock, Runtime};
use crate::kms::KmsRequest;

/// `DescribeCustomKeyStores`: all of the account's custom key stores, or
/// the one named by id or by name (not both).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeCustomKeyStores {
    pub custom_key_store_id: Option<String>,
    pub custom_key_store_name: Option<String>,
    pub limit: Option<i64>,
    pub marker: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeCustomKeyStoresResponse {
    /// `CustomKeyStoresListEntry`s (none here).
    pub custom_key_stores: Vec<Value>,
    pub truncated: bool,
}

impl Op for DescribeCustomKeyStores {
    const NAME: &'static str = "DescribeCustomKeyStores";
    const ACTION: &'static str = "kms:DescribeCustomKeyStores";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::NoKey;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = DescribeCustomKeyStoresResponse;

    fn validate(&self) -> Result<(), KmsError> {
        check::opt_length("CustomKeyStoreId", self.custom_key_store_id.as_deref(), 1, 64)?;
        check::opt_length("CustomKeyStoreName", self.custom_key_store_name.as_deref(), 1, 256)?;
        check::range("Limit", self.limit, 1, 1000)?;
        check::opt_length("Marker", self.marker.as_deref(), 1, 1024)?;
        if self.custom_key_store_id.is_some() && self.custom_key_store_name.is_some() {
            return Err(KmsError::new(
                ErrorName::ValidationException,
                "Specify either CustomKeyStoreId or CustomKeyStoreName, not both.",
            ));
        }
        Ok(())
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<DescribeCustomKeyStoresResponse, KmsError> {
        let parameters = json!({
            "customKeyStoreId": self.custom_key_store_id,
            "customKeyStoreName": self.custom_key_store_name,
            "limit": self.limit,
        });
        rt.audited(Self::NAME, caller, None, parameters, true, |rt| {
            // An IAM-only action on no particular resource.
            rt.authorize(&mut KmsRequest::new(caller.clone(), Self::ACTION, "*"), None)?;
            if let Some(named) = self
                .custom_key_store_id
                .as_ref()
                .or(self.custom_key_store_name.as_ref())
            {
                return Err(KmsError::new(
                    ErrorName::CustomKeyStoreNotFoundException,
                    format!("Custom key store `{named}` does not exist in this account and Region."),
                ));
            }
            Ok(DescribeCustomKeyStoresResponse {
                custom_key_stores: Vec::new(),
                truncated: false,
            })
        })
    }
}
