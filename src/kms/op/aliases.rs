//! Aliases: friendly names for keys.

use serde::{Deserialize, Serialize};

use super::check;
use super::shapes::{AliasListEntry, Empty};
use super::{KeyIdForms, Op};
use crate::eval::Caller;
use crate::kms::error::KmsError;
use crate::kms::runtime::{Clock, Paging, Runtime};

/// `CreateAlias`. The alias name's prefix, length and pattern are checked by
/// the runtime.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateAlias {
    pub alias_name: String,
    pub target_key_id: String,
}

impl Op for CreateAlias {
    const NAME: &'static str = "CreateAlias";
    const ACTION: &'static str = "kms:CreateAlias";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = Empty;

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("TargetKeyId", &self.target_key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<Empty, KmsError> {
        rt.create_alias(caller, &self.alias_name, &self.target_key_id)?;
        Ok(Empty {})
    }
}

/// `UpdateAlias`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateAlias {
    pub alias_name: String,
    pub target_key_id: String,
}

impl Op for UpdateAlias {
    const NAME: &'static str = "UpdateAlias";
    const ACTION: &'static str = "kms:UpdateAlias";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = Empty;

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("TargetKeyId", &self.target_key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<Empty, KmsError> {
        rt.update_alias(caller, &self.alias_name, &self.target_key_id)?;
        Ok(Empty {})
    }
}

/// `DeleteAlias`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteAlias {
    pub alias_name: String,
}

impl Op for DeleteAlias {
    const NAME: &'static str = "DeleteAlias";
    const ACTION: &'static str = "kms:DeleteAlias";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::NoKey;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = Empty;

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<Empty, KmsError> {
        rt.delete_alias(caller, &self.alias_name)?;
        Ok(Empty {})
    }
}

/// `ListAliases`, all of the account's or one key's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAliases {
    pub key_id: Option<String>,
    pub limit: Option<i64>,
    pub marker: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAliasesResponse {
    pub aliases: Vec<AliasListEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    pub truncated: bool,
}

impl Op for ListAliases {
    const NAME: &'static str = "ListAliases";
    const ACTION: &'static str = "kms:ListAliases";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = ListAliasesResponse;

    fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::opt_key_id("KeyId", self.key_id.as_deref())
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<ListAliasesResponse, KmsError> {
        let paging = Paging {
            limit: self.limit,
            marker: self.marker.as_deref(),
        };
        let page = rt.list_aliases(caller, self.key_id.as_deref(), paging)?;
        let truncated = page.truncated();
        Ok(ListAliasesResponse {
            aliases: page.items.iter().map(AliasListEntry::from).collect(),
            next_marker: page.next_marker,
            truncated,
        })
    }
}
