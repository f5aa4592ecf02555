//! `GenerateMac` and `VerifyMac` with HMAC keys (`GENERATE_VERIFY_MAC`):
//! RFC 2104 HMAC under the algorithm of the key's spec, `kms:MacAlgorithm`
//! a condition key. A MAC that does not verify is `KMSInvalidMacException`
//! (<https://docs.aws.amazon.com/kms/latest/APIReference/API_VerifyMac.html>).

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::blob::Blob;
use super::{check, members, KeyIdForms, Op};
use crate::crypto::keys::MacAlgorithm;
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::runtime::{crypto_error, dry_run, Clock, Key, Runtime};
use crate::kms::{KeyUsage, Target};

/// `GenerateMac`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateMac {
    pub message: Blob,
    pub key_id: String,
    pub mac_algorithm: String,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
    pub dry_run: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateMacResponse {
    pub mac: Blob,
    pub mac_algorithm: String,
    pub key_id: String,
}

/// `VerifyMac`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyMac {
    pub message: Blob,
    pub key_id: String,
    pub mac_algorithm: String,
    pub mac: Blob,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
    pub dry_run: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifyMacResponse {
    pub key_id: String,
    pub mac_valid: bool,
    pub mac_algorithm: String,
}

fn read(key_id: &str, message: &[u8], algorithm: &str, grant_tokens: &[String]) -> Result<MacAlgorithm, KmsError> {
    check::key_id("KeyId", key_id)?;
    members::plaintext("Message", message)?;
    members::grant_tokens(grant_tokens)?;
    members::enum_value("MacAlgorithm", algorithm, MacAlgorithm::ALL)
}

/// The key's spec must be the algorithm's (HMAC_256 ↔ HMAC_SHA_256).
fn check_algorithm(key: &Key, algorithm: MacAlgorithm) -> Result<(), KmsError> {
    if members::spec(key)?.facts().mac.contains(&algorithm) {
        Ok(())
    } else {
        Err(members::incompatible(algorithm.as_str(), key))
    }
}

impl Op for GenerateMac {
    const NAME: &'static str = "GenerateMac";
    const ACTION: &'static str = "kms:GenerateMac";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::Any;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = true;
    const TAKES_GRANT_TOKENS: bool = true;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:MacAlgorithm", "kms:RequestAlias"];
    type Response = GenerateMacResponse;

    fn validate(&self) -> Result<(), KmsError> {
        read(&self.key_id, &self.message, &self.mac_algorithm, &self.grant_tokens).map(|_| ())
    }

    fn target(&self) -> Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<GenerateMacResponse, KmsError> {
        let algorithm = read(&self.key_id, &self.message, &self.mac_algorithm, &self.grant_tokens)?;
        let parameters = json!({"keyId": self.key_id, "macAlgorithm": algorithm.as_str(), "dryRun": self.dry_run});
        rt.audited(Self::NAME, caller, Some(&self.key_id), parameters, true, |rt| {
            let context = [("kms:MacAlgorithm", algorithm.as_str())];
            let usage = Some(KeyUsage::GenerateVerifyMac);
            let key = rt.key_for_use(caller, Self::ACTION, &self.key_id, usage, &self.grant_tokens, &context)?;
            check_algorithm(key, algorithm)?;
            dry_run(self.dry_run)?;
            let mac = rt
                .hmac_key(key)?
                .mac(algorithm, &self.message)
                .map_err(|e| crypto_error(e, ErrorName::KMSInternalException))?;
            Ok(GenerateMacResponse {
                mac: Blob::new(mac),
                mac_algorithm: algorithm.as_str().to_owned(),
                key_id: key.arn.clone(),
            })
        })
    }
}

impl Op for VerifyMac {
    const NAME: &'static str = "VerifyMac";
    const ACTION: &'static str = "kms:VerifyMac";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::Any;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = true;
    const TAKES_GRANT_TOKENS: bool = true;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:MacAlgorithm", "kms:RequestAlias"];
    type Response = VerifyMacResponse;

    fn validate(&self) -> Result<(), KmsError> {
        read(&self.key_id, &self.message, &self.mac_algorithm, &self.grant_tokens)?;
        members::blob("Mac", &self.mac, 1, 6144)
    }

    fn target(&self) -> Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<VerifyMacResponse, KmsError> {
        let algorithm = read(&self.key_id, &self.message, &self.mac_algorithm, &self.grant_tokens)?;
        let parameters = json!({"keyId": self.key_id, "macAlgorithm": algorithm.as_str(), "dryRun": self.dry_run});
        rt.audited(Self::NAME, caller, Some(&self.key_id), parameters, true, |rt| {
            let context = [("kms:MacAlgorithm", algorithm.as_str())];
            let usage = Some(KeyUsage::GenerateVerifyMac);
            let key = rt.key_for_use(caller, Self::ACTION, &self.key_id, usage, &self.grant_tokens, &context)?;
            check_algorithm(key, algorithm)?;
            dry_run(self.dry_run)?;
            rt.hmac_key(key)?
                .verify(algorithm, &self.message, &self.mac)
                .map_err(|e| crypto_error(e, ErrorName::KMSInvalidMacException))?;
            Ok(VerifyMacResponse {
                key_id: key.arn.clone(),
                mac_valid: true,
                mac_algorithm: algorithm.as_str().to_owned(),
            })
        })
    }
}
