//! `Encapsulate` and `Decapsulate` with ML-KEM keys
//! (`ENCAPSULATE_DECAPSULATE`, FIPS 203): a 32-byte shared secret and the
//! ciphertext that carries it. A ciphertext of the wrong length is
//! `InvalidCiphertextException`; any other wrong one gives an unrelated
//! secret (implicit rejection), as AWS documents
//! (<https://docs.aws.amazon.com/kms/latest/APIReference/API_Decapsulate.html>).

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::blob::Blob;
use super::{check, members, KeyIdForms, Op};
use crate::crypto::keys::EncapsulationAlgorithm;
use crate::eval::Caller;
use crate::kms::error::{ErrorName, KmsError};
use crate::kms::runtime::{crypto_error, dry_run, Clock, Key, Runtime};
use crate::kms::{KeyUsage, Target};

/// `Encapsulate`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Encapsulate {
    pub key_id: String,
    pub encapsulation_algorithm: String,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
    pub dry_run: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncapsulateResponse {
    pub key_id: String,
    pub shared_secret: Blob,
    pub shared_secret_ciphertext_blob: Blob,
    pub encapsulation_algorithm: String,
}

/// `Decapsulate`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Decapsulate {
    pub key_id: String,
    pub shared_secret_ciphertext_blob: Blob,
    pub encapsulation_algorithm: String,
    #[serde(default)]
    pub grant_tokens: Vec<String>,
    pub dry_run: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DecapsulateResponse {
    pub key_id: String,
    pub shared_secret: Blob,
    pub encapsulation_algorithm: String,
}

fn read(key_id: &str, algorithm: &str, grant_tokens: &[String]) -> Result<EncapsulationAlgorithm, KmsError> {
    check::key_id("KeyId", key_id)?;
    members::grant_tokens(grant_tokens)?;
    members::enum_value("EncapsulationAlgorithm", algorithm, EncapsulationAlgorithm::ALL)
}

fn check_algorithm(key: &Key, algorithm: EncapsulationAlgorithm) -> Result<(), KmsError> {
    if members::spec(key)?.facts().encapsulation.contains(&algorithm) {
        Ok(())
    } else {
        Err(members::incompatible(algorithm.as_str(), key))
    }
}

impl Op for Encapsulate {
    const NAME: &'static str = "Encapsulate";
    const ACTION: &'static str = "kms:Encapsulate";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::Any;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = true;
    const TAKES_GRANT_TOKENS: bool = true;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:EncapsulationAlgorithm", "kms:RequestAlias"];
    type Response = EncapsulateResponse;

    fn validate(&self) -> Result<(), KmsError> {
        read(&self.key_id, &self.encapsulation_algorithm, &self.grant_tokens).map(|_| ())
    }

    fn target(&self) -> Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<EncapsulateResponse, KmsError> {
        let algorithm = read(&self.key_id, &self.encapsulation_algorithm, &self.grant_tokens)?;
        let parameters = json!({
            "keyId": self.key_id,
            "encapsulationAlgorithm": algorithm.as_str(),
            "dryRun": self.dry_run,
        });
        rt.audited(Self::NAME, caller, Some(&self.key_id), parameters, true, |rt| {
            let usage = Some(KeyUsage::EncapsulateDecapsulate);
            let asked = [("kms:EncapsulationAlgorithm", self.encapsulation_algorithm.as_str())];
            let key = rt.key_for_use(caller, Self::ACTION, &self.key_id, usage, &self.grant_tokens, &asked)?;
            check_algorithm(key, algorithm)?;
            dry_run(self.dry_run)?;
            let (ciphertext, secret) = rt
                .key_pair(key)?
                .public
                .encapsulate()
                .map_err(|e| crypto_error(e, ErrorName::KMSInternalException))?;
            Ok(EncapsulateResponse {
                key_id: key.arn.clone(),
                shared_secret: Blob::from(secret),
                shared_secret_ciphertext_blob: Blob::new(ciphertext),
                encapsulation_algorithm: algorithm.as_str().to_owned(),
            })
        })
    }
}

impl Op for Decapsulate {
    const NAME: &'static str = "Decapsulate";
    const ACTION: &'static str = "kms:Decapsulate";
    const MUTATES: bool = false;
    const KEY_ID: KeyIdForms = KeyIdForms::Any;
    const CROSS_ACCOUNT: bool = true;
    const TAKES_DRY_RUN: bool = true;
    const TAKES_GRANT_TOKENS: bool = true;
    const CONDITION_KEYS: &'static [&'static str] = &["kms:EncapsulationAlgorithm", "kms:RequestAlias"];
    type Response = DecapsulateResponse;

    fn validate(&self) -> Result<(), KmsError> {
        read(&self.key_id, &self.encapsulation_algorithm, &self.grant_tokens)?;
        members::blob(
            "SharedSecretCiphertextBlob",
            &self.shared_secret_ciphertext_blob,
            1,
            6144,
        )
    }

    fn target(&self) -> Target {
        super::target_of_key(&self.key_id)
    }

    fn run<C: Clock>(&self, rt: &mut Runtime<C>, caller: &Caller) -> Result<DecapsulateResponse, KmsError> {
        let algorithm = read(&self.key_id, &self.encapsulation_algorithm, &self.grant_tokens)?;
        let parameters = json!({
            "keyId": self.key_id,
            "encapsulationAlgorithm": algorithm.as_str(),
            "dryRun": self.dry_run,
        });
        rt.audited(Self::NAME, caller, Some(&self.key_id), parameters, true, |rt| {
            let usage = Some(KeyUsage::EncapsulateDecapsulate);
            let asked = [("kms:EncapsulationAlgorithm", self.encapsulation_algorithm.as_str())];
            let key = rt.key_for_use(caller, Self::ACTION, &self.key_id, usage, &self.grant_tokens, &asked)?;
            check_algorithm(key, algorithm)?;
            dry_run(self.dry_run)?;
            let secret = rt
                .key_pair(key)?
                .private
                .decapsulate(&self.shared_secret_ciphertext_blob)
                .map_err(|e| crypto_error(e, ErrorName::InvalidCiphertextException))?;
            Ok(DecapsulateResponse {
                key_id: key.arn.clone(),
                shared_secret: Blob::from(secret),
                encapsulation_algorithm: algorithm.as_str().to_owned(),
            })
        })
    }
}
