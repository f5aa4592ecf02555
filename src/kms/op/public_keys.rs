//! `GetPublicKey`: the public half of an asymmetric key as DER
//! SubjectPublicKeyInfo, with its spec, usage and the algorithms of its
//! usage. Symmetric and HMAC keys have none: `UnsupportedOperationException`.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::blob::Blob;
use super::shapes::Algorithms;
use super::{check, members, KeyIdForms, Op};
use crate::eval::Caller;
use crate::kms::error::KmsError;
use crate::kms::runtime::{Clock, Runtime};
use crate::kms::Target;

/// `GetPublicKey`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetPublicKey {
    pub key_id: String,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetPublicKeyResponse {
    pub key_id: String,
    pub public_key: Blob,
    pub customer_master_key_spec: String,
    pub key_spec: String,
    pub key_usage: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub encryption_algorithms: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signing_algorithms: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub key_agreement_algorithms: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub encapsulation_algorithms: Vec<&'static str>,
}

impl Op for GetPublicKey {
    const NAME: &'static str = "GetPublicKey";
    const ACTION: &'static str = "kms:GetPublicKey";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::Any;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = false;
    const TAKES_GRANT_TOKENS: bool = true;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:RequestAlias"];
    type Response = GetPublicKeyResponse;

    fn validate(&self) -> Result<(), KmsError> {
        check::key_id("KeyId", &self.key_id)?;
        members::grant_tokens(&self.grant_tokens)
    }

    fn target(&self) -> Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<GetPublicKeyResponse, KmsError> {
        let parameters = json!({"keyId": self.key_id});
        rt.audited(Self::NAME, caller, Some(&self.key_id), parameters, true, |rt| {
            let key = rt.key_for_use(caller, Self::ACTION, &self.key_id, None, &self.grant_tokens, &[])?;
            let public = rt.key_pair(key)?.public.to_der().to_vec();
            let algorithms = Algorithms::of(key.info.spec, key.info.usage.as_str());
            Ok(GetPublicKeyResponse {
                key_id: key.arn.clone(),
                public_key: Blob::new(public),
                customer_master_key_spec: key.info.spec.to_owned(),
                key_spec: key.info.spec.to_owned(),
                key_usage: key.info.usage.as_str().to_owned(),
                encryption_algorithms: algorithms.encryption,
                signing_algorithms: algorithms.signing,
                key_agreement_algorithms: algorithms.key_agreement,
                encapsulation_algorithms: algorithms.encapsulation,
            })
        })
    }
}
