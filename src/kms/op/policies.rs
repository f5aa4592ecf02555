//! Key policies (each key has one, named `default`).

use serde::{Deserialize, Serialize};

use super::check;
use super::shapes::Empty;
use super::{KeyIdForms, Op};
use crate::eval::Caller;
use crate::kms::error::KmsError;
use crate::kms::runtime::{Clock, Runtime};

/// `GetKeyPolicy`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetKeyPolicy {
    pub key_id: String,
    pub policy_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetKeyPolicyResponse {
    pub policy: String,
    pub policy_name: String,
}

impl Op for GetKeyPolicy {
    const NAME: &'static str = "GetKeyPolicy";
    const ACTION: &'static str = "kms:GetKeyPolicy";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:PolicyName"];
    type Response = GetKeyPolicyResponse;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<GetKeyPolicyResponse, KmsError> {
        let policy = rt.get_key_policy(caller, &self.key_id, self.policy_name.as_deref())?;
        Ok(GetKeyPolicyResponse {
            policy,
            policy_name: "default".to_owned(),
        })
    }
}

/// `ListKeyPolicies` (never paged here: one name, `default`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeyPolicies {
    pub key_id: String,
    pub limit: Option<i64>,
    pub marker: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListKeyPoliciesResponse {
    pub policy_names: Vec<String>,
    pub truncated: bool,
}

impl Op for ListKeyPolicies {
    const NAME: &'static str = "ListKeyPolicies";
    const ACTION: &'static str = "kms:ListKeyPolicies";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &[];
    type Response = ListKeyPoliciesResponse;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<ListKeyPoliciesResponse, KmsError> {
        let names = rt.list_key_policies(caller, &self.key_id)?;
        Ok(ListKeyPoliciesResponse {
            policy_names: names.into_iter().map(str::to_owned).collect(),
            truncated: false,
        })
    }
}

/// `PutKeyPolicy`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutKeyPolicy {
    pub key_id: String,
    /// `default`, the only name AWS takes.
    pub policy_name: Option<String>,
    pub policy: String,
    #[serde(default)]
    pub bypass_policy_lockout_safety_check: bool,
}

impl Op for PutKeyPolicy {
    const NAME: &'static str = "PutKeyPolicy";
    const ACTION: &'static str = "kms:PutKeyPolicy";
    const MUTATES: bool = true;
    const KEY_ID: KeyIdForms = KeyIdForms::IdOrArn;
    const CROSS_ACCOUNT: bool = false;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = false;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:BypassPolicyLockoutSafetyCheck", "kms:PolicyName"];
    type Response = Empty;

    fn key_id(&self) -> Option<&str> {
        Some(&self.key_id)
    }

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)?;
        match self.policy_name.as_deref() {
            Some(name) if name != "default" => Err(KmsError::constraint(
                Some(name),
                "policyName",
                "satisfy regular expression pattern: default",
            )),
            _ => Ok(()),
        }
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<Empty, KmsError> {
        rt.put_key_policy(
            caller,
            &self.key_id,
            &self.policy,
            self.bypass_policy_lockout_safety_check,
        )?;
        Ok(Empty {})
    }
}
